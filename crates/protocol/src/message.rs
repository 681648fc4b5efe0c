//! Every WAMP message as one Rust type.

use crate::ids::{PublicationId, RegistrationId, RequestId, SessionId, SubscriptionId};
use crate::payload::Payload;
use crate::uri::Uri;
use crate::value::Dict;

/// The message type codes of WAMP (Basic and Advanced Profile).
pub mod code {
    /// `HELLO`
    pub const HELLO: u64 = 1;
    /// `WELCOME`
    pub const WELCOME: u64 = 2;
    /// `ABORT`
    pub const ABORT: u64 = 3;
    /// `CHALLENGE`
    pub const CHALLENGE: u64 = 4;
    /// `AUTHENTICATE`
    pub const AUTHENTICATE: u64 = 5;
    /// `GOODBYE`
    pub const GOODBYE: u64 = 6;
    /// `ERROR`
    pub const ERROR: u64 = 8;
    /// `PUBLISH`
    pub const PUBLISH: u64 = 16;
    /// `PUBLISHED`
    pub const PUBLISHED: u64 = 17;
    /// `SUBSCRIBE`
    pub const SUBSCRIBE: u64 = 32;
    /// `SUBSCRIBED`
    pub const SUBSCRIBED: u64 = 33;
    /// `UNSUBSCRIBE`
    pub const UNSUBSCRIBE: u64 = 34;
    /// `UNSUBSCRIBED`
    pub const UNSUBSCRIBED: u64 = 35;
    /// `EVENT`
    pub const EVENT: u64 = 36;
    /// `CALL`
    pub const CALL: u64 = 48;
    /// `CANCEL`
    pub const CANCEL: u64 = 49;
    /// `RESULT`
    pub const RESULT: u64 = 50;
    /// `REGISTER`
    pub const REGISTER: u64 = 64;
    /// `REGISTERED`
    pub const REGISTERED: u64 = 65;
    /// `UNREGISTER`
    pub const UNREGISTER: u64 = 66;
    /// `UNREGISTERED`
    pub const UNREGISTERED: u64 = 67;
    /// `INVOCATION`
    pub const INVOCATION: u64 = 68;
    /// `INTERRUPT`
    pub const INTERRUPT: u64 = 69;
    /// `YIELD`
    pub const YIELD: u64 = 70;
    /// `EVENT_RECEIVED` (Advanced Profile, acknowledged event delivery)
    pub const EVENT_RECEIVED: u64 = 337;
}

/// One WAMP message.
///
/// A decoded message keeps its payload (`Arguments|list`, `ArgumentsKw|dict`) as the sender's
/// bytes ([`Payload::Raw`]), so that the router forwards it unchanged; an absent element stays
/// absent and an empty list stays an empty list.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// `[HELLO, Realm|uri, Details|dict]`
    Hello {
        /// The realm to join.
        realm: Uri,
        /// Roles, authentication methods and other details.
        details: Dict,
    },
    /// `[WELCOME, Session|id, Details|dict]`
    Welcome {
        /// The new session's id.
        session: SessionId,
        /// The router's roles and the session's identity.
        details: Dict,
    },
    /// `[ABORT, Details|dict, Reason|uri, Arguments|list, ArgumentsKw|dict]`
    Abort {
        /// Details, often `{"message": "..."}`.
        details: Dict,
        /// Why the session was refused.
        reason: Uri,
        /// `Arguments|list` and `ArgumentsKw|dict`, each optional.
        payload: Payload,
    },
    /// `[CHALLENGE, AuthMethod|string, Extra|dict]`
    Challenge {
        /// The authentication method chosen by the router.
        auth_method: String,
        /// Method-specific challenge data.
        extra: Dict,
    },
    /// `[AUTHENTICATE, Signature|string, Extra|dict]`
    Authenticate {
        /// The client's answer to the challenge.
        signature: String,
        /// Method-specific extra data.
        extra: Dict,
    },
    /// `[GOODBYE, Details|dict, Reason|uri]`
    Goodbye {
        /// Details, often `{"message": "..."}`.
        details: Dict,
        /// Why the session closes.
        reason: Uri,
    },
    /// `[ERROR, REQUEST.Type|int, REQUEST.Request|id, Details|dict, Error|uri, Arguments|list, ArgumentsKw|dict]`
    Error {
        /// The message type code of the request that failed.
        request_type: u64,
        /// The id of the request that failed.
        request: RequestId,
        /// Details.
        details: Dict,
        /// The error URI.
        error: Uri,
        /// `Arguments|list` and `ArgumentsKw|dict`, each optional.
        payload: Payload,
    },
    /// `[PUBLISH, Request|id, Options|dict, Topic|uri, Arguments|list, ArgumentsKw|dict]`
    Publish {
        /// The request id.
        request: RequestId,
        /// Options: `acknowledge`, `exclude_me`, ...
        options: Dict,
        /// The topic.
        topic: Uri,
        /// `Arguments|list` and `ArgumentsKw|dict`, each optional.
        payload: Payload,
    },
    /// `[PUBLISHED, PUBLISH.Request|id, Publication|id]`
    Published {
        /// The PUBLISH request id.
        request: RequestId,
        /// The publication's id.
        publication: PublicationId,
    },
    /// `[SUBSCRIBE, Request|id, Options|dict, Topic|uri]`
    Subscribe {
        /// The request id.
        request: RequestId,
        /// Options: `match`, ...
        options: Dict,
        /// The topic or topic pattern.
        topic: Uri,
    },
    /// `[SUBSCRIBED, SUBSCRIBE.Request|id, Subscription|id]`
    Subscribed {
        /// The SUBSCRIBE request id.
        request: RequestId,
        /// The subscription's id.
        subscription: SubscriptionId,
    },
    /// `[UNSUBSCRIBE, Request|id, SUBSCRIBED.Subscription|id]`
    Unsubscribe {
        /// The request id.
        request: RequestId,
        /// The subscription to leave.
        subscription: SubscriptionId,
    },
    /// `[UNSUBSCRIBED, UNSUBSCRIBE.Request|id, Details|dict]` (details only with revocation)
    Unsubscribed {
        /// The UNSUBSCRIBE request id (0 when the router revokes).
        request: RequestId,
        /// Details, present only when the router revokes a subscription.
        details: Option<Dict>,
    },
    /// `[EVENT, SUBSCRIBED.Subscription|id, PUBLISHED.Publication|id, Details|dict, Arguments|list, ArgumentsKw|dict]`
    Event {
        /// The subscription the event matched.
        subscription: SubscriptionId,
        /// The publication's id.
        publication: PublicationId,
        /// Details: `topic` for pattern subscriptions, `publisher` when disclosed, ...
        details: Dict,
        /// `Arguments|list` and `ArgumentsKw|dict`, each optional.
        payload: Payload,
    },
    /// `[EVENT_RECEIVED, EVENT.Publication|id, Details|dict, Arguments|list, ArgumentsKw|dict]`
    EventReceived {
        /// The publication being acknowledged.
        publication: PublicationId,
        /// Optional details.
        details: Option<Dict>,
        /// `Arguments|list` and `ArgumentsKw|dict`, each optional.
        payload: Payload,
    },
    /// `[CALL, Request|id, Options|dict, Procedure|uri, Arguments|list, ArgumentsKw|dict]`
    Call {
        /// The request id.
        request: RequestId,
        /// Options.
        options: Dict,
        /// The procedure.
        procedure: Uri,
        /// `Arguments|list` and `ArgumentsKw|dict`, each optional.
        payload: Payload,
    },
    /// `[CANCEL, CALL.Request|id, Options|dict]`
    Cancel {
        /// The CALL request id.
        request: RequestId,
        /// Options: `mode`.
        options: Dict,
    },
    /// `[RESULT, CALL.Request|id, Details|dict, Arguments|list, ArgumentsKw|dict]`
    Result {
        /// The CALL request id.
        request: RequestId,
        /// Details.
        details: Dict,
        /// `Arguments|list` and `ArgumentsKw|dict`, each optional.
        payload: Payload,
    },
    /// `[REGISTER, Request|id, Options|dict, Procedure|uri]`
    Register {
        /// The request id.
        request: RequestId,
        /// Options.
        options: Dict,
        /// The procedure.
        procedure: Uri,
    },
    /// `[REGISTERED, REGISTER.Request|id, Registration|id]`
    Registered {
        /// The REGISTER request id.
        request: RequestId,
        /// The registration's id.
        registration: RegistrationId,
    },
    /// `[UNREGISTER, Request|id, REGISTERED.Registration|id]`
    Unregister {
        /// The request id.
        request: RequestId,
        /// The registration to remove.
        registration: RegistrationId,
    },
    /// `[UNREGISTERED, UNREGISTER.Request|id, Details|dict]` (details only with revocation)
    Unregistered {
        /// The UNREGISTER request id.
        request: RequestId,
        /// Details, present only when the router revokes a registration.
        details: Option<Dict>,
    },
    /// `[INVOCATION, Request|id, REGISTERED.Registration|id, Details|dict, Arguments|list, ArgumentsKw|dict]`
    Invocation {
        /// The request id.
        request: RequestId,
        /// The registration invoked.
        registration: RegistrationId,
        /// Details.
        details: Dict,
        /// `Arguments|list` and `ArgumentsKw|dict`, each optional.
        payload: Payload,
    },
    /// `[INTERRUPT, INVOCATION.Request|id, Options|dict]`
    Interrupt {
        /// The INVOCATION request id.
        request: RequestId,
        /// Options: `mode`.
        options: Dict,
    },
    /// `[YIELD, INVOCATION.Request|id, Options|dict, Arguments|list, ArgumentsKw|dict]`
    Yield {
        /// The INVOCATION request id.
        request: RequestId,
        /// Options.
        options: Dict,
        /// `Arguments|list` and `ArgumentsKw|dict`, each optional.
        payload: Payload,
    },
}

impl Message {
    /// The message type code (`[code, ...]` on the wire).
    pub fn code(&self) -> u64 {
        match self {
            Message::Hello { .. } => code::HELLO,
            Message::Welcome { .. } => code::WELCOME,
            Message::Abort { .. } => code::ABORT,
            Message::Challenge { .. } => code::CHALLENGE,
            Message::Authenticate { .. } => code::AUTHENTICATE,
            Message::Goodbye { .. } => code::GOODBYE,
            Message::Error { .. } => code::ERROR,
            Message::Publish { .. } => code::PUBLISH,
            Message::Published { .. } => code::PUBLISHED,
            Message::Subscribe { .. } => code::SUBSCRIBE,
            Message::Subscribed { .. } => code::SUBSCRIBED,
            Message::Unsubscribe { .. } => code::UNSUBSCRIBE,
            Message::Unsubscribed { .. } => code::UNSUBSCRIBED,
            Message::Event { .. } => code::EVENT,
            Message::EventReceived { .. } => code::EVENT_RECEIVED,
            Message::Call { .. } => code::CALL,
            Message::Cancel { .. } => code::CANCEL,
            Message::Result { .. } => code::RESULT,
            Message::Register { .. } => code::REGISTER,
            Message::Registered { .. } => code::REGISTERED,
            Message::Unregister { .. } => code::UNREGISTER,
            Message::Unregistered { .. } => code::UNREGISTERED,
            Message::Invocation { .. } => code::INVOCATION,
            Message::Interrupt { .. } => code::INTERRUPT,
            Message::Yield { .. } => code::YIELD,
        }
    }

    /// The payload, for the message types that carry one (ABORT, ERROR, PUBLISH, EVENT,
    /// EVENT_RECEIVED, CALL, RESULT, INVOCATION, YIELD).
    pub fn payload(&self) -> Option<&Payload> {
        match self {
            Message::Abort { payload, .. }
            | Message::Error { payload, .. }
            | Message::Publish { payload, .. }
            | Message::Event { payload, .. }
            | Message::EventReceived { payload, .. }
            | Message::Call { payload, .. }
            | Message::Result { payload, .. }
            | Message::Invocation { payload, .. }
            | Message::Yield { payload, .. } => Some(payload),
            _ => None,
        }
    }

    /// The message's name as the specification writes it (`"PUBLISH"`), for logs and errors.
    pub fn name(&self) -> &'static str {
        code_name(self.code())
    }

    /// A GOODBYE with empty details.
    pub fn goodbye(reason: &str) -> Message {
        Message::Goodbye {
            details: Dict::new(),
            reason: Uri::new(reason),
        }
    }

    /// An ABORT whose details carry a human-readable `message`.
    pub fn abort(reason: &str, message: &str) -> Message {
        let mut details = Dict::new();
        details.insert("message".to_owned(), message.into());
        Message::Abort {
            details,
            reason: Uri::new(reason),
            payload: Payload::EMPTY,
        }
    }
}

/// The name of a message type code, or `"UNKNOWN"`.
pub fn code_name(code: u64) -> &'static str {
    match code {
        code::HELLO => "HELLO",
        code::WELCOME => "WELCOME",
        code::ABORT => "ABORT",
        code::CHALLENGE => "CHALLENGE",
        code::AUTHENTICATE => "AUTHENTICATE",
        code::GOODBYE => "GOODBYE",
        code::ERROR => "ERROR",
        code::PUBLISH => "PUBLISH",
        code::PUBLISHED => "PUBLISHED",
        code::SUBSCRIBE => "SUBSCRIBE",
        code::SUBSCRIBED => "SUBSCRIBED",
        code::UNSUBSCRIBE => "UNSUBSCRIBE",
        code::UNSUBSCRIBED => "UNSUBSCRIBED",
        code::EVENT => "EVENT",
        code::EVENT_RECEIVED => "EVENT_RECEIVED",
        code::CALL => "CALL",
        code::CANCEL => "CANCEL",
        code::RESULT => "RESULT",
        code::REGISTER => "REGISTER",
        code::REGISTERED => "REGISTERED",
        code::UNREGISTER => "UNREGISTER",
        code::UNREGISTERED => "UNREGISTERED",
        code::INVOCATION => "INVOCATION",
        code::INTERRUPT => "INTERRUPT",
        code::YIELD => "YIELD",
        _ => "UNKNOWN",
    }
}
