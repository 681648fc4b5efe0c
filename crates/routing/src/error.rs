//! Why the router refuses something, and the WAMP URI each reason maps to (the one place where
//! router errors become URIs).

use crossway_protocol::errors;
use crossway_protocol::{
    Dict, Message, Payload, RegistrationId, RequestId, SessionId, SubscriptionId, Uri, Value,
};

use crate::permissions::Action;

/// `wamp.error.no_such_session`: the meta API names no session with that id.
pub const NO_SUCH_SESSION: &str = "wamp.error.no_such_session";
/// `wamp.error.history_unavailable`: no event history is kept for a subscription (Crossbar.io's
/// URI).
pub const HISTORY_UNAVAILABLE: &str = "wamp.error.history_unavailable";
/// `crossway.error.too_many_testaments`: a session's testaments are at their bounds (the
/// specification names no URI for this).
pub const TOO_MANY_TESTAMENTS: &str = "crossway.error.too_many_testaments";

/// Why a session is refused or aborted: answered with `ABORT`, and the session closes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AbortReason {
    /// HELLO named a realm the router does not serve.
    #[error("no realm '{0}' on this router")]
    NoSuchRealm(Uri),
    /// HELLO named a realm that is not a valid URI.
    #[error("'{0}' is not a valid realm URI")]
    InvalidRealmUri(Uri),
    /// The peer broke the protocol.
    #[error("{0}")]
    ProtocolViolation(String),
    /// The router is shutting down and takes no new session.
    #[error("the router is shutting down")]
    SystemShutdown,
    /// No session id was free (practically impossible: ids are random in 1..=2^53).
    #[error("no session id available")]
    NoSessionId,
    /// The credentials were refused. The message says nothing more, so that it helps no guesser.
    #[error("authentication failed")]
    AuthenticationFailed,
    /// No method the client offered is enabled on the endpoint; lists those that are.
    #[error("no authentication method offered is enabled here; this endpoint offers: {0}")]
    NoAuthMethod(String),
    /// The session's role does not exist in the realm it asked for.
    #[error("role '{0}' does not exist in this realm")]
    NoSuchRole(String),
}

/// Why a request (SUBSCRIBE, PUBLISH, ...) fails: answered with `ERROR`, and the session stays.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequestError {
    /// A topic that breaks the realm's URI rules.
    #[error("'{0}' is not a valid URI in this realm")]
    InvalidUri(Uri),
    /// An option with the wrong type or an unknown value.
    #[error("{0}")]
    InvalidArgument(String),
    /// UNSUBSCRIBE of a subscription this session does not hold.
    #[error("this session holds no subscription {0}")]
    NoSuchSubscription(SubscriptionId),
    /// CALL of a procedure nobody registered.
    #[error("no callee registered procedure '{0}'")]
    NoSuchProcedure(Uri),
    /// REGISTER of a procedure registered already, not shared (or by this very session).
    #[error("procedure '{0}' is already registered")]
    ProcedureAlreadyExists(Uri),
    /// A shared REGISTER whose `invoke` differs from the registration's.
    #[error("procedure '{procedure}' is already registered with invocation policy '{existing}'")]
    DifferentInvocationPolicy {
        /// The procedure.
        procedure: Uri,
        /// The existing registration's policy.
        existing: &'static str,
    },
    /// A CALL over a bound of calls in flight.
    #[error("{0}")]
    TooManyCalls(String),
    /// A feature the callee does not support (progressive invocations).
    #[error("{0}")]
    FeatureNotSupported(String),
    /// The call was canceled: by its caller, a timeout, or its callee leaving.
    #[error("{0}")]
    Canceled(String),
    /// UNREGISTER of a registration that does not exist.
    #[error("no registration {0}")]
    NoSuchRegistration(RegistrationId),
    /// The meta API names a session that is not in the realm (or the caller itself, for kill).
    #[error("no session {0} in this realm")]
    NoSuchSession(SessionId),
    /// The meta API names a subscription that does not exist.
    #[error("no subscription {0}")]
    UnknownSubscription(SubscriptionId),
    /// `remove_subscriber` of a session that is not subscribed.
    #[error("session {session} is not subscribed to subscription {subscription}")]
    NotSubscribed {
        /// The session.
        session: SessionId,
        /// The subscription.
        subscription: SubscriptionId,
    },
    /// `remove_callee` of a session that is not a callee of the registration.
    #[error("session {session} is not a callee of registration {registration}")]
    NotRegistered {
        /// The session.
        session: SessionId,
        /// The registration.
        registration: RegistrationId,
    },
    /// `get_events` for a subscription no history rule covers.
    #[error("{0}")]
    HistoryUnavailable(String),
    /// `add_testament` beyond the session's bounds.
    #[error("{0}")]
    TooManyTestaments(String),
    /// The session's role may not do this with this URI.
    #[error("session is not authorized to {action} '{uri}'")]
    NotAuthorized {
        /// What was refused.
        action: Action,
        /// The URI it was refused for.
        uri: Uri,
    },
}

impl AbortReason {
    /// The WAMP URI of the reason.
    pub fn uri(&self) -> &'static str {
        match self {
            AbortReason::NoSuchRealm(_) => errors::NO_SUCH_REALM,
            AbortReason::InvalidRealmUri(_) => errors::INVALID_URI,
            AbortReason::ProtocolViolation(_) => errors::PROTOCOL_VIOLATION,
            AbortReason::SystemShutdown => errors::SYSTEM_SHUTDOWN,
            // No URI fits a router that ran out of ids; the client may retry later.
            AbortReason::NoSessionId => errors::SYSTEM_SHUTDOWN,
            AbortReason::AuthenticationFailed => errors::AUTHENTICATION_FAILED,
            AbortReason::NoAuthMethod(_) => errors::NO_AUTH_METHOD,
            AbortReason::NoSuchRole(_) => errors::NO_SUCH_ROLE,
        }
    }

    /// The `ABORT` message: the reason's URI, and `details.message` saying why.
    pub fn to_abort(&self) -> Message {
        Message::abort(self.uri(), &self.to_string())
    }
}

impl RequestError {
    /// The WAMP URI of the error.
    pub fn uri(&self) -> &'static str {
        match self {
            RequestError::InvalidUri(_) => errors::INVALID_URI,
            RequestError::InvalidArgument(_) => errors::INVALID_ARGUMENT,
            RequestError::NoSuchSubscription(_) => errors::NO_SUCH_SUBSCRIPTION,
            RequestError::NoSuchProcedure(_) => errors::NO_SUCH_PROCEDURE,
            RequestError::ProcedureAlreadyExists(_) => errors::PROCEDURE_ALREADY_EXISTS,
            RequestError::DifferentInvocationPolicy { .. } => {
                errors::PROCEDURE_EXISTS_WITH_DIFFERENT_INVOCATION_POLICY
            }
            RequestError::TooManyCalls(_) => errors::TOO_MANY_CALLS,
            RequestError::FeatureNotSupported(_) => errors::FEATURE_NOT_SUPPORTED,
            RequestError::Canceled(_) => errors::CANCELED,
            RequestError::NoSuchRegistration(_) => errors::NO_SUCH_REGISTRATION,
            RequestError::NotAuthorized { .. } => errors::NOT_AUTHORIZED,
            RequestError::NoSuchSession(_) => NO_SUCH_SESSION,
            RequestError::UnknownSubscription(_) | RequestError::NotSubscribed { .. } => {
                errors::NO_SUCH_SUBSCRIPTION
            }
            RequestError::NotRegistered { .. } => errors::NO_SUCH_REGISTRATION,
            RequestError::HistoryUnavailable(_) => HISTORY_UNAVAILABLE,
            RequestError::TooManyTestaments(_) => TOO_MANY_TESTAMENTS,
        }
    }

    /// The `ERROR` answering request `request` of type `request_type`, with the human-readable
    /// message as its one positional argument (as Crossbar.io does).
    pub fn to_error(&self, request_type: u64, request: RequestId) -> Message {
        Message::Error {
            request_type,
            request,
            details: Dict::new(),
            error: Uri::new(self.uri()),
            payload: Payload::new(Some(vec![Value::Str(self.to_string())]), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossway_protocol::message::code;

    #[test]
    fn errors_map_to_their_uris() {
        let e = RequestError::InvalidUri(Uri::new("a..b"));
        match e.to_error(code::SUBSCRIBE, RequestId(7)) {
            Message::Error {
                request_type,
                request,
                error,
                payload,
                ..
            } => {
                assert_eq!(request_type, code::SUBSCRIBE);
                assert_eq!(request, RequestId(7));
                assert_eq!(error.as_str(), "wamp.error.invalid_uri");
                assert_eq!(payload.args().unwrap().unwrap().len(), 1);
            }
            other => panic!("not an ERROR: {other:?}"),
        }
        assert_eq!(
            AbortReason::NoSuchRealm(Uri::new("r")).uri(),
            "wamp.error.no_such_realm"
        );
    }
}
