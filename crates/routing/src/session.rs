//! One client session: the WAMP state machine, from HELLO to GOODBYE.
//!
//! The node feeds each decoded message to [`Session::handle`] and sends the reply it returns
//! through the session's outbox (waiting for room); events for the session reach the outbox
//! directly from the broker. Dropping the session leaves its realm, however its task ends.

use std::sync::Arc;

use crossway_protocol::{Dict, Message, SessionId, Uri};

use crate::certificate::ClientCertificate;
use crate::error::AbortReason;
use crate::identity::{self, Identity};
use crate::joined::{Joined, Step};
use crate::outbox::Outbox;
use crate::router::Router;
use crate::welcome;

/// Where a connection comes from, for logs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransportInfo {
    /// The peer's address, e.g. `127.0.0.1:5555` or `unix`.
    pub peer: String,
    /// The name of the endpoint it connected to, e.g. `local-ws`.
    pub endpoint: String,
    /// The transport: `websocket` or `rawsocket`.
    pub transport: String,
    /// The client certificate the TLS layer verified, if the connection has one.
    pub client_certificate: Option<ClientCertificate>,
}

/// What the node must do after one incoming message.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    /// The reply to send to this session (through its outbox), if any.
    pub reply: Option<Message>,
    /// Whether the session is over: after sending the reply, close the connection.
    pub close: bool,
}

/// One client session on one connection.
#[derive(Debug)]
pub struct Session {
    router: Arc<Router>,
    outbox: Outbox,
    info: TransportInfo,
    state: State,
    id: Option<SessionId>,
    realm: Option<Uri>,
}

impl Outcome {
    /// Nothing to send; the session goes on.
    pub fn none() -> Outcome {
        Outcome::default()
    }

    /// Send `reply`; the session goes on.
    pub fn reply(reply: Message) -> Outcome {
        Outcome {
            reply: Some(reply),
            close: false,
        }
    }

    /// Send `reply` if any, then close.
    pub fn close(reply: Option<Message>) -> Outcome {
        Outcome { reply, close: true }
    }
}

impl Session {
    /// A session waiting for HELLO on a connection whose frames go to `outbox`.
    pub fn new(router: Arc<Router>, outbox: Outbox, info: TransportInfo) -> Session {
        Session {
            router,
            outbox,
            info,
            state: State::Establishing,
            id: None,
            realm: None,
        }
    }

    /// Handles one incoming message; returns at most one reply to this session.
    pub fn handle(&mut self, msg: Message) -> Outcome {
        let step = match &mut self.state {
            State::Closed => {
                tracing::debug!(
                    message = msg.name(),
                    "message after the session closed, ignored"
                );
                return Outcome::close(None);
            }
            State::Establishing => return self.establish(msg),
            State::Established(joined) => joined.handle(msg),
        };
        match step {
            Step::Nothing => Outcome::none(),
            Step::Reply(reply) => Outcome::reply(reply),
            Step::Close(reply) => {
                self.leave();
                Outcome::close(reply)
            }
            Step::Abort(reason) => self.abort(reason),
        }
    }

    /// Answers a frame that does not decode: ABORT `wamp.error.protocol_violation` with `why`,
    /// and close.
    pub fn protocol_violation(&mut self, why: &str) -> Outcome {
        if self.is_closed() {
            return Outcome::close(None);
        }
        self.abort(AbortReason::ProtocolViolation(why.to_owned()))
    }

    /// The session id, once WELCOME was sent (kept after the session closes, for logs).
    pub fn id(&self) -> Option<SessionId> {
        self.id
    }

    /// The realm joined, once WELCOME was sent (kept after the session closes, for logs).
    pub fn realm(&self) -> Option<&Uri> {
        self.realm.as_ref()
    }

    /// Who the session is, while it is joined.
    pub fn identity(&self) -> Option<&Identity> {
        match &self.state {
            State::Established(joined) => Some(joined.member().identity()),
            _ => None,
        }
    }

    /// Whether the session is over (closed, aborted or refused).
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// The connection's details.
    pub fn transport_info(&self) -> &TransportInfo {
        &self.info
    }

    /// Before WELCOME: only HELLO (or the client's ABORT) is valid.
    fn establish(&mut self, msg: Message) -> Outcome {
        match msg {
            Message::Hello { realm, details } => match self.open(&realm, &details) {
                Ok(welcome) => Outcome::reply(welcome),
                Err(reason) => {
                    tracing::info!(%realm, peer = %self.info.peer, endpoint = %self.info.endpoint,
                        %reason, "HELLO refused");
                    self.abort(reason)
                }
            },
            Message::Abort { reason, .. } => {
                tracing::debug!(%reason, "client aborted before joining");
                self.leave();
                Outcome::close(None)
            }
            other => self.abort(AbortReason::ProtocolViolation(format!(
                "received {} before the session was established",
                other.name()
            ))),
        }
    }

    /// Admits a HELLO: checks it, authenticates, joins the realm, and makes the WELCOME.
    fn open(&mut self, realm: &Uri, details: &Dict) -> Result<Message, AbortReason> {
        if self.router.is_shutting_down() {
            return Err(AbortReason::SystemShutdown);
        }
        welcome::check_realm_uri(realm)?;
        welcome::check_roles(details)?;
        let realm = self
            .router
            .realm(realm)
            .cloned()
            .ok_or_else(|| AbortReason::NoSuchRealm(realm.clone()))?;
        let identity = identity::authenticate(details)?;
        let member = self.router.join(&realm, identity, self.outbox.clone())?;
        let welcome = welcome::welcome(member.id(), realm.name(), member.identity());
        tracing::info!(session = %member.id(), realm = %realm.name(), peer = %self.info.peer,
            endpoint = %self.info.endpoint, transport = %self.info.transport,
            authid = %member.identity().authid, "session joined");
        self.id = Some(member.id());
        self.realm = Some(realm.name().clone());
        self.state = State::Established(Joined::new(realm, member));
        Ok(welcome)
    }

    /// Leaves the realm (if joined) and closes, answering ABORT `reason`.
    fn abort(&mut self, reason: AbortReason) -> Outcome {
        if let AbortReason::ProtocolViolation(why) = &reason {
            tracing::info!(session = ?self.id, peer = %self.info.peer, why = %why,
                "protocol violation: session aborted");
        }
        self.leave();
        Outcome::close(Some(reason.to_abort()))
    }

    /// Leaves the realm, if joined: every subscription goes, then the realm's session table entry.
    fn leave(&mut self) {
        if let State::Established(joined) = std::mem::replace(&mut self.state, State::Closed) {
            joined.leave(&self.router);
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.leave();
    }
}

/// Where a session is in its life.
#[derive(Debug)]
enum State {
    /// Waiting for HELLO.
    Establishing,
    /// Joined to a realm.
    Established(Joined),
    /// Closed, aborted or refused: nothing more is handled.
    Closed,
}

#[cfg(test)]
mod tests;
