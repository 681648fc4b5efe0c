//! A joined session as the rest of the router sees it: its id, identity, connection and outbox.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use crossway_protocol::{Codec, Message, SessionId};

use crate::cluster::RemoteTarget;
use crate::dealer::{InFlight, Registration};
use crate::features::ClientFeatures;
use crate::identity::Identity;
use crate::outbox::Outbox;
use crate::permissions::Authorization;
use crate::session::TransportInfo;

/// A joined session, shared (`Arc`) by its realm's session table, the subscriptions it holds and
/// its own [`Session`](crate::Session).
#[derive(Debug)]
pub(crate) struct Member {
    id: SessionId,
    identity: Identity,
    authorization: Authorization,
    features: ClientFeatures,
    in_flight: InFlight,
    outbox: Outbox,
    /// The connection it runs on (the meta API's `transport`), shared with its session.
    transport: Arc<TransportInfo>,
    /// The router has sent GOODBYE (shutdown): the client's GOODBYE is the echo, not answered.
    goodbye_sent: AtomicBool,
    /// For a callee of another node (a proxy): where its messages go. Boxed: local members,
    /// nearly all of them, pay one pointer.
    remote: Option<Box<RemoteTarget>>,
}

impl Member {
    /// A member with session id `id`, allowed what `authorization` allows.
    pub(crate) fn new(
        id: SessionId,
        identity: Identity,
        authorization: Authorization,
        features: ClientFeatures,
        outbox: Outbox,
        transport: Arc<TransportInfo>,
    ) -> Member {
        Member {
            id,
            identity,
            authorization,
            features,
            in_flight: InFlight::default(),
            outbox,
            transport,
            goodbye_sent: AtomicBool::new(false),
            remote: None,
        }
    }

    /// A proxy for session `id` of another node, a callee: whatever is delivered to it goes to
    /// `remote`. Its outbox is closed (nothing is ever written to it).
    pub(crate) fn proxy(
        id: SessionId,
        identity: Identity,
        features: ClientFeatures,
        remote: RemoteTarget,
    ) -> Member {
        let (outbox, _) = crate::outbox::outbox(Codec::MsgPack, 1);
        let mut member = Member::new(
            id,
            identity,
            Authorization::Open,
            features,
            outbox,
            Arc::new(TransportInfo::default()),
        );
        member.remote = Some(Box::new(remote));
        member
    }

    /// The session id.
    pub(crate) fn id(&self) -> SessionId {
        self.id
    }

    /// Who the session is.
    pub(crate) fn identity(&self) -> &Identity {
        &self.identity
    }

    /// What the session may do.
    pub(crate) fn authorization(&self) -> &Authorization {
        &self.authorization
    }

    /// What the client announced it can do.
    pub(crate) fn features(&self) -> ClientFeatures {
        self.features
    }

    /// The connection the session runs on.
    pub(crate) fn transport(&self) -> &TransportInfo {
        &self.transport
    }

    /// The session's calls in flight.
    pub(crate) fn in_flight(&self) -> &InFlight {
        &self.in_flight
    }

    /// Encodes `msg` with the session's serializer and queues it without waiting (a message for
    /// this session caused by another: an INVOCATION, a RESULT, an INTERRUPT). A full outbox
    /// kills the session as a slow consumer. Returns whether the message was queued.
    pub(crate) fn deliver(&self, msg: &Message) -> bool {
        if let Some(remote) = &self.remote {
            return remote.send(self.id, None, msg);
        }
        match self.codec().encode(msg) {
            Ok(frame) => self.outbox.try_send(Bytes::from(frame)).is_ok(),
            Err(error) => {
                tracing::warn!(session = %self.id, message = msg.name(), %error,
                    "cannot encode a message for this session; it is dropped");
                false
            }
        }
    }

    /// Delivers the INVOCATION that starts a call by `registration`: as [`Member::deliver`],
    /// and a proxy's node is told which registration of its callee it is for.
    pub(crate) fn deliver_invocation(&self, msg: &Message, registration: &Registration) -> bool {
        match &self.remote {
            Some(remote) => {
                let reg = (registration.procedure().clone(), registration.policy());
                remote.send(self.id, Some(reg), msg)
            }
            None => self.deliver(msg),
        }
    }

    /// The session's outbox.
    pub(crate) fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// The serializer of the session's connection.
    pub(crate) fn codec(&self) -> Codec {
        self.outbox.codec()
    }

    /// Marks that a GOODBYE has gone one way or the other; returns whether one had already.
    pub(crate) fn mark_goodbye(&self) -> bool {
        self.goodbye_sent.swap(true, Ordering::AcqRel)
    }

    /// Whether the router has started closing the session with GOODBYE.
    pub(crate) fn is_closing(&self) -> bool {
        self.goodbye_sent.load(Ordering::Acquire)
    }

    /// Closes the session from the router (the meta API's `kill`): GOODBYE `reason` with
    /// `message` (if any) is its last frame, after what is already queued, and the connection
    /// closes once it is written, whether or not the client answers. False if the session was
    /// already closing.
    pub(crate) fn kill(&self, reason: &str, message: Option<&str>) -> bool {
        if self.mark_goodbye() {
            return false;
        }
        let mut goodbye = Message::goodbye(reason);
        if let (Message::Goodbye { details, .. }, Some(message)) = (&mut goodbye, message) {
            details.insert("message".to_owned(), message.into());
        }
        match self.codec().encode(&goodbye) {
            Ok(frame) => self.outbox.finish_with(Bytes::from(frame)).is_ok(),
            Err(error) => {
                tracing::warn!(session = %self.id, %error, "cannot encode GOODBYE");
                false
            }
        }
    }

    /// Sends the router's GOODBYE `message` without waiting (once only); a full outbox kills the
    /// session as a slow consumer.
    pub(crate) fn send_goodbye(&self, reason: &str, message: &str) {
        if self.mark_goodbye() {
            return;
        }
        let mut goodbye = Message::goodbye(reason);
        if let Message::Goodbye { details, .. } = &mut goodbye {
            details.insert("message".to_owned(), message.into());
        }
        if !self.deliver(&goodbye) {
            tracing::debug!(session = %self.id, "GOODBYE not queued: outbox closed");
        }
    }
}
