//! Why the router refuses something, and the WAMP URI each reason maps to (the one place where
//! router errors become URIs).

use crossway_protocol::errors;
use crossway_protocol::{
    Dict, Message, Payload, RegistrationId, RequestId, SubscriptionId, Uri, Value,
};

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
}

/// Why a request (SUBSCRIBE, PUBLISH, ...) fails: answered with `ERROR`, and the session stays.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequestError {
    /// A topic that breaks the realm's URI rules.
    #[error("'{0}' is not a valid topic URI in this realm")]
    InvalidUri(Uri),
    /// An option with the wrong type or an unknown value.
    #[error("{0}")]
    InvalidArgument(String),
    /// UNSUBSCRIBE of a subscription this session does not hold.
    #[error("this session holds no subscription {0}")]
    NoSuchSubscription(SubscriptionId),
    /// CALL: no procedure is registered (the router has no dealer yet).
    #[error("no procedure '{0}' is registered")]
    NoSuchProcedure(Uri),
    /// REGISTER: the router offers no dealer role, so no session may register procedures.
    #[error("this router does not offer remote procedure calls: '{0}' cannot be registered")]
    RegisterRefused(Uri),
    /// UNREGISTER of a registration that does not exist.
    #[error("no registration {0}")]
    NoSuchRegistration(RegistrationId),
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
            RequestError::RegisterRefused(_) => errors::NOT_AUTHORIZED,
            RequestError::NoSuchRegistration(_) => errors::NO_SUCH_REGISTRATION,
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
