//! Who made a call: a session, the router itself (a dynamic authenticator's consultation),
//! whose answer is kept for the session that waits on it, or a session of another node, whose
//! answer goes back through the cluster link.

use std::sync::{Arc, Mutex, PoisonError};

use crossway_protocol::{Message, SessionId};
use event_listener::{Event, EventListener};

use super::in_flight::InFlight;
use crate::cluster::RemoteTarget;
use crate::member::Member;

/// The caller of a call in flight.
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    /// A joined session.
    Session(Arc<Member>),
    /// The router, for a session that waits for the answer.
    Router(Arc<Waiter>),
    /// A caller on another node.
    Remote(Arc<RemoteCaller>),
}

/// A call made on another node: the answers go back there, named by the callee that gives them.
#[derive(Debug)]
pub(crate) struct RemoteCaller {
    /// The pseudo session id that keys the calls of the caller's node here.
    pub(crate) origin: SessionId,
    /// The caller's node.
    pub(crate) target: RemoteTarget,
    /// The callee here.
    pub(crate) callee: SessionId,
}

/// The answer to a call the router made: the first RESULT or ERROR, kept until taken, and an
/// event for whoever waits.
#[derive(Debug, Default)]
pub struct Waiter {
    answer: Mutex<Option<Message>>,
    ready: Event,
}

impl Caller {
    /// The session id of a session caller; 0 (no session's) for the router.
    pub(crate) fn id(&self) -> SessionId {
        match self {
            Caller::Session(member) => member.id(),
            Caller::Router(_) => SessionId(0),
            Caller::Remote(remote) => remote.origin,
        }
    }

    /// Whether the caller takes passthru payloads (the router, consulting an authenticator,
    /// does not).
    pub(crate) fn takes_passthru(&self) -> bool {
        match self {
            Caller::Session(member) => member.features().caller_passthru,
            Caller::Router(_) => false,
            // The caller's node checks its caller's features.
            Caller::Remote(_) => true,
        }
    }

    /// A session caller's calls in flight.
    pub(crate) fn in_flight(&self) -> Option<&InFlight> {
        match self {
            Caller::Session(member) => Some(member.in_flight()),
            Caller::Router(_) | Caller::Remote(_) => None,
        }
    }

    /// Hands the caller a RESULT or ERROR (a progressive RESULT is not kept for the router).
    pub(crate) fn deliver(&self, msg: &Message) -> bool {
        match self {
            Caller::Session(member) => member.deliver(msg),
            Caller::Router(waiter) => {
                waiter.answer(msg);
                true
            }
            Caller::Remote(remote) => remote.target.send(remote.callee, None, msg),
        }
    }
}

impl Caller {
    /// The node of a caller on another node.
    pub(crate) fn remote_node(&self) -> Option<&str> {
        match self {
            Caller::Remote(remote) => Some(&remote.target.node),
            _ => None,
        }
    }
}

impl Waiter {
    /// Keeps `msg` as the answer if it is the first one, and wakes the listeners.
    fn answer(&self, msg: &Message) {
        let mut answer = self.answer.lock().unwrap_or_else(PoisonError::into_inner);
        if answer.is_none() {
            *answer = Some(msg.clone());
            drop(answer);
            self.ready.notify(usize::MAX);
        }
    }

    /// A listener woken when the answer comes. Listen first, then look with
    /// [`Waiter::is_answered`].
    pub fn listen(&self) -> EventListener {
        self.ready.listen()
    }

    /// Whether the answer has come.
    pub fn is_answered(&self) -> bool {
        self.answer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Takes the answer, if it has come.
    pub(crate) fn take(&self) -> Option<Message> {
        self.answer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}
