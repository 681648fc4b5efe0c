//! One client session: the WAMP state machine, from HELLO to GOODBYE.
//!
//! The node feeds each decoded message to [`Session::handle`] and sends the reply it returns
//! through the session's outbox (waiting for room); events for the session reach the outbox
//! directly from the broker. Dropping the session leaves its realm, however its task ends.

use std::sync::Arc;

use crossway_protocol::{Dict, Message, SessionId, Uri};

use crate::auth::{
    Authenticator, Consult, Context, Failure, Finished, HelloAuth, Next, Pending, Start, Verdict,
};
use crate::certificate::ClientCertificate;
use crate::dealer::Waiter;
use crate::error::AbortReason;
use crate::error::RequestError;
use crate::features::ClientFeatures;
use crate::identity::Identity;
use crate::joined::{Joined, Step};
use crate::outbox::Outbox;
use crate::peer::PeerAddress;
use crate::realm::Realm;
use crate::router::Router;
use crate::welcome;

/// Where a connection comes from and what it arrived through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransportInfo {
    /// The client's address: set once per connection by the node (see [`PeerAddress`]).
    pub peer: PeerAddress,
    /// The socket's own address when `peer` came from a trusted proxy (a PROXY header or
    /// forwarding headers); `None` when the socket's peer is the client.
    pub proxy: Option<PeerAddress>,
    /// Whether the client's connection used TLS: the proxy's word where it gives one, else
    /// whether this connection is TLS.
    pub tls: bool,
    /// The name of the endpoint it connected to, e.g. `local-ws`.
    pub endpoint: String,
    /// The transport: `websocket` or `rawsocket`.
    pub transport: String,
    /// The client certificate the TLS layer verified, if the connection has one.
    pub client_certificate: Option<ClientCertificate>,
    /// The longest message the client accepts, where its transport says (RawSocket): a WELCOME
    /// that would be longer leaves out the feature lists and the agent.
    pub peer_limit: Option<usize>,
}

/// What the node must do after one incoming message.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    /// The reply to send to this session (through its outbox), if any.
    pub reply: Option<Message>,
    /// Whether the session is over: after sending the reply, close the connection.
    pub close: bool,
    /// The message decided an authentication: the node throttles, logs and counts it before it
    /// sends the reply.
    pub verdict: Option<Verdict>,
}

/// One client session on one connection.
#[derive(Debug)]
pub struct Session {
    router: Arc<Router>,
    outbox: Outbox,
    /// Shared with the session's [`Member`](crate::member::Member) once it joins.
    info: Arc<TransportInfo>,
    auth: Arc<Authenticator>,
    state: State,
    id: Option<SessionId>,
    realm: Option<Uri>,
    /// The session id reserved at HELLO, until the session joins or ends.
    reserved: Option<SessionId>,
    /// What the client announced in HELLO.
    features: ClientFeatures,
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
            ..Outcome::default()
        }
    }

    /// Send `reply` if any, then close.
    pub fn close(reply: Option<Message>) -> Outcome {
        Outcome {
            reply,
            close: true,
            verdict: None,
        }
    }

    /// This outcome, reporting `verdict`.
    fn with_verdict(self, verdict: Verdict) -> Outcome {
        Outcome {
            verdict: Some(verdict),
            ..self
        }
    }
}

impl Session {
    /// A session waiting for HELLO on a connection whose frames go to `outbox`, authenticated
    /// by its endpoint's `auth`.
    pub fn new(
        router: Arc<Router>,
        outbox: Outbox,
        info: TransportInfo,
        auth: Arc<Authenticator>,
    ) -> Session {
        Session {
            router,
            outbox,
            info: Arc::new(info),
            auth,
            state: State::Establishing,
            id: None,
            realm: None,
            reserved: None,
            features: ClientFeatures::default(),
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
            State::Challenged(_) => return self.authenticate(msg),
            State::Consulting(_) => return self.while_consulting(msg),
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
            Message::Hello { realm, details } => self.hello(&realm, &details),
            Message::Abort { reason, .. } => {
                tracing::debug!(%reason, "client aborted before joining");
                self.leave();
                Outcome::close(None)
            }
            Message::Authenticate { .. } => self.abort(AbortReason::ProtocolViolation(
                "Received AUTHENTICATE before any CHALLENGE.".to_owned(),
            )),
            other => self.abort(AbortReason::ProtocolViolation(format!(
                "received {} before the session was established",
                other.name()
            ))),
        }
    }

    /// HELLO: checks it, and admits the session, challenges it, asks an authenticator, or
    /// refuses it.
    fn hello(&mut self, realm: &Uri, details: &Dict) -> Outcome {
        match self.start(realm, details) {
            Ok((realm, start)) => self.proceed(realm, start),
            Err(reason) => {
                tracing::info!(%realm, peer = %self.info.peer, endpoint = %self.info.endpoint,
                    %reason, "HELLO refused");
                self.abort(reason)
            }
        }
    }

    /// Acts on where an authentication into `realm` stands.
    fn proceed(&mut self, realm: Arc<Realm>, start: Start) -> Outcome {
        match start {
            Start::Admit(identity) => {
                let verdict = success(&identity);
                self.admit(&realm, identity).with_verdict(verdict)
            }
            Start::Challenge(pending, challenge) => {
                self.state = State::Challenged(Box::new(Challenged { realm, pending }));
                Outcome::reply(challenge)
            }
            Start::Consult(consult) => self.consult(realm, *consult),
            Start::Refuse(failure) => self.refuse(failure),
        }
    }

    /// Calls a dynamic authenticator; the session waits for its answer (see
    /// [`Session::resume`]).
    fn consult(&mut self, realm: Arc<Realm>, consult: Consult) -> Outcome {
        let Consult {
            authenticator,
            args,
            next,
        } = consult;
        let home = match &authenticator.realm {
            Some(name) => self.router.realm(&Uri::new(name)).cloned(),
            None => Some(Arc::clone(&realm)),
        };
        let procedure = Uri::new(&authenticator.procedure);
        let called = match home {
            Some(home) => home
                .dealer()
                .consult(&procedure, args, authenticator.timeout),
            None => Err(RequestError::NoSuchProcedure(procedure.clone())),
        };
        match called {
            Ok(waiter) => {
                self.state = State::Consulting(Box::new(Consulting {
                    realm,
                    waiter,
                    next,
                }));
                Outcome::none()
            }
            Err(error) => {
                tracing::warn!(%procedure, %error, "the dynamic authenticator cannot be called");
                let (method, authid) = next.attempt();
                self.refuse(Failure::refused(
                    method,
                    authid,
                    format!("the authenticator {procedure} cannot be called: {error}"),
                ))
            }
        }
    }

    /// The answer a dynamic authenticator gave, once it has come: goes on with authentication
    /// (CHALLENGE, WELCOME or ABORT). `None` while the session waits (or waits for nothing).
    pub fn resume(&mut self) -> Option<Outcome> {
        let State::Consulting(consulting) = &self.state else {
            return None;
        };
        let answer = consulting.waiter.take()?;
        let State::Consulting(consulting) = std::mem::replace(&mut self.state, State::Closed)
        else {
            return None;
        };
        let Consulting { realm, next, .. } = *consulting;
        let Some(id) = self.reserved else {
            return Some(self.abort(AbortReason::NoSessionId));
        };
        let start = self.auth.answered(next, answer, realm.name().as_str(), id);
        Some(self.proceed(realm, start))
    }

    /// What the session waits on while a dynamic authenticator decides: the node wakes the
    /// session's reader when it is answered, and then calls [`Session::resume`].
    pub fn waiter(&self) -> Option<Arc<Waiter>> {
        match &self.state {
            State::Consulting(consulting) => Some(Arc::clone(&consulting.waiter)),
            _ => None,
        }
    }

    /// While an authenticator decides, the client may only give up (ABORT).
    fn while_consulting(&mut self, msg: Message) -> Outcome {
        match msg {
            Message::Abort { reason, .. } => {
                tracing::debug!(%reason, "client aborted during authentication");
                self.leave();
                Outcome::close(None)
            }
            other => self.abort(AbortReason::ProtocolViolation(format!(
                "received {} while the router authenticates the session",
                other.name()
            ))),
        }
    }

    /// The checks of HELLO, then the start of authentication.
    fn start(&mut self, realm: &Uri, details: &Dict) -> Result<(Arc<Realm>, Start), AbortReason> {
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
        let hello = HelloAuth::parse(details)?;
        self.features = ClientFeatures::from_hello(details);
        let id = self.router.reserve_session_id()?;
        self.reserved = Some(id);
        let cert = self.info.client_certificate.as_ref();
        let ctx = Context {
            realm: realm.name().as_str(),
            session: id,
            peer: self.info.peer,
            transport: &self.info.transport,
        };
        let start = self.auth.start(&hello, ctx, cert);
        Ok((realm, start))
    }

    /// After CHALLENGE: only AUTHENTICATE (or the client's ABORT) is valid.
    fn authenticate(&mut self, msg: Message) -> Outcome {
        let State::Challenged(challenged) = std::mem::replace(&mut self.state, State::Closed)
        else {
            return Outcome::close(None);
        };
        let Challenged { realm, pending } = *challenged;
        match msg {
            Message::Authenticate { signature, .. } => {
                let method = pending.method();
                match self.auth.finish(*pending, &signature) {
                    Ok(Finished::Admitted(identity)) => {
                        let verdict = success(&identity);
                        self.admit(&realm, identity).with_verdict(verdict)
                    }
                    Ok(Finished::Consult(consult)) => self.consult(realm, *consult),
                    Err(Failure::Violation(why)) => self
                        .abort(AbortReason::ProtocolViolation(why))
                        .with_verdict(Verdict {
                            method,
                            authid: None,
                            failure: Some("a malformed answer to the challenge".into()),
                        }),
                    Err(failure) => self.refuse(failure),
                }
            }
            Message::Abort { reason, .. } => {
                tracing::debug!(%reason, "client aborted during authentication");
                self.leave();
                Outcome::close(None)
            }
            other => {
                let method = pending.method();
                let outcome = self.abort(AbortReason::ProtocolViolation(format!(
                    "received {} while waiting for AUTHENTICATE",
                    other.name()
                )));
                outcome.with_verdict(Verdict {
                    method,
                    authid: None,
                    failure: Some("the client broke the protocol during authentication".into()),
                })
            }
        }
    }

    /// Joins the authenticated session to `realm` and makes the WELCOME.
    fn admit(&mut self, realm: &Arc<Realm>, identity: Identity) -> Outcome {
        let Some(id) = self.reserved else {
            return self.abort(AbortReason::NoSessionId);
        };
        let joined = self.router.join(
            realm,
            id,
            identity,
            self.features,
            self.outbox.clone(),
            Arc::clone(&self.info),
        );
        let member = match joined {
            Ok(member) => member,
            Err(reason) => {
                tracing::info!(realm = %realm.name(), peer = %self.info.peer,
                    endpoint = %self.info.endpoint, %reason, "session refused");
                return self.abort(reason);
            }
        };
        self.reserved = None;
        let mut welcome = welcome::welcome(member.id(), realm, member.identity());
        if let Some(limit) = self.info.peer_limit
            && self
                .outbox
                .codec()
                .encode(&welcome)
                .is_ok_and(|frame| frame.len() > limit)
        {
            welcome::compact(&mut welcome);
        }
        tracing::info!(session = %member.id(), realm = %realm.name(), peer = %self.info.peer,
            endpoint = %self.info.endpoint, transport = %self.info.transport,
            authid = %member.identity().authid, authrole = %member.identity().authrole,
            authmethod = %member.identity().authmethod, "session joined");
        crate::meta::events::session_joined(realm, &member);
        self.id = Some(member.id());
        self.realm = Some(realm.name().clone());
        self.state = State::Established(Joined::new(Arc::clone(realm), member));
        Outcome::reply(welcome)
    }

    /// Ends an authentication that failed.
    fn refuse(&mut self, failure: Failure) -> Outcome {
        match failure {
            Failure::NoMethod => {
                let offered: Vec<&str> = crate::auth::AuthMethod::ALL
                    .into_iter()
                    .filter(|m| self.auth.policy().enables(*m))
                    .map(|m| m.name())
                    .collect();
                self.abort(AbortReason::NoAuthMethod(offered.join(", ")))
            }
            Failure::Refused {
                method,
                authid,
                why,
            } => self
                .abort(AbortReason::AuthenticationFailed)
                .with_verdict(Verdict {
                    method,
                    authid,
                    failure: Some(why),
                }),
            Failure::Violation(why) => self.abort(AbortReason::ProtocolViolation(why)),
        }
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
    /// A session id reserved for a session that never joined is freed.
    fn leave(&mut self) {
        if let State::Established(joined) = std::mem::replace(&mut self.state, State::Closed) {
            joined.leave(&self.router);
        }
        if let Some(id) = self.reserved.take() {
            self.router.release_session_id(id);
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
    /// CHALLENGE sent: waiting for AUTHENTICATE.
    Challenged(Box<Challenged>),
    /// Waiting for a dynamic authenticator's answer.
    Consulting(Box<Consulting>),
    /// Joined to a realm.
    Established(Joined),
    /// Closed, aborted or refused: nothing more is handled.
    Closed,
}

/// A session that was sent a CHALLENGE.
#[derive(Debug)]
struct Challenged {
    /// The realm HELLO asked for.
    realm: Arc<Realm>,
    /// What checks the answer.
    pending: Box<Pending>,
}

/// A session waiting for a dynamic authenticator.
#[derive(Debug)]
struct Consulting {
    /// The realm HELLO asked for.
    realm: Arc<Realm>,
    /// Where the answer comes.
    waiter: Arc<Waiter>,
    /// What the answer decides.
    next: Next,
}

/// The verdict of a successful authentication.
fn success(identity: &Identity) -> Verdict {
    Verdict {
        method: crate::auth::AuthMethod::from_name(&identity.authmethod)
            .unwrap_or(crate::auth::AuthMethod::Anonymous),
        authid: Some(identity.authid.clone()),
        failure: None,
    }
}

#[cfg(test)]
mod tests;
