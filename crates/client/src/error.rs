//! What can go wrong for a client.

use std::time::Duration;

use crossway_protocol::{DecodeError, Dict, EncodeError, List, Payload, Uri};
use crossway_transport::{HandshakeError, TransportError};

/// Why a client operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The URL cannot be used.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The TCP connection could not be made.
    #[error("cannot connect to {addr}")]
    Connect {
        /// The `host:port` tried.
        addr: String,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// The TLS settings cannot be used, or a `wss://` URL came without them.
    #[error("TLS settings: {0}")]
    TlsSettings(String),
    /// A transport handshake (TLS, WebSocket) failed.
    #[error("handshake failed")]
    Handshake(#[from] HandshakeError),
    /// The connection failed after the handshake.
    #[error("transport failed")]
    Transport(#[from] TransportError),
    /// A message could not be encoded.
    #[error("cannot encode the message")]
    Encode(#[from] EncodeError),
    /// The router sent bytes that are not a WAMP message.
    #[error("cannot decode the router's message")]
    Decode(#[from] DecodeError),
    /// The router refused the session with ABORT.
    #[error("session aborted by the router: {reason}")]
    Aborted {
        /// The ABORT reason URI (`wamp.error.no_such_realm`, ...).
        reason: String,
        /// The `message` of the ABORT details, when present.
        message: Option<String>,
    },
    /// The router answered a request with ERROR.
    #[error("the router answered {error}")]
    Wamp {
        /// The error URI (`wamp.error.invalid_uri`, ...).
        error: String,
        /// The ERROR details.
        details: Dict,
        /// The ERROR positional payload.
        args: Option<List>,
        /// The ERROR keyword payload.
        kwargs: Option<Dict>,
    },
    /// The router sent something the protocol does not allow here.
    #[error("unexpected answer from the router: {0}")]
    Protocol(String),
    /// The session or its connection is closed.
    #[error("the session is closed")]
    Closed,
    /// Too many requests are waiting for answers.
    #[error("more than {0} requests are waiting for answers")]
    TooManyPending(usize),
    /// The router did not answer in time.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// An invocation cannot be answered this way (now).
    #[error("cannot answer the invocation: {0}")]
    CannotAnswer(&'static str),
}

impl ClientError {
    /// The router's (or a callee's) ERROR as [`ClientError::Wamp`]; a payload that does not
    /// decode counts as none.
    pub(crate) fn wamp(error: &Uri, details: Dict, payload: Payload) -> ClientError {
        let (args, kwargs) = payload.into_values().unwrap_or_default();
        ClientError::Wamp {
            error: error.to_string(),
            details,
            args,
            kwargs,
        }
    }
}
