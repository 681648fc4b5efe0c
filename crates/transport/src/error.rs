//! The transport's errors: one enum for handshakes, one for established connections.

use crate::close::CloseReason;

/// Why an established connection could not read or write a message.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// A message over the configured size limit (the connection is unusable afterwards).
    #[error("message of {size} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// The message's size (as announced by its frame header).
        size: usize,
        /// The limit.
        max: usize,
    },
    /// A text frame that is not UTF-8, received or about to be sent.
    #[error("text frame is not valid UTF-8")]
    InvalidUtf8,
    /// The peer broke the framing protocol.
    #[error("framing protocol violation: {0}")]
    Protocol(String),
    /// The connection is already closed.
    #[error("connection already closed")]
    Closed,
    /// The peer ended the stream without closing the connection first.
    #[error("peer ended the stream without closing the connection")]
    Reset,
    /// The stream below failed.
    #[error("I/O error")]
    Io(#[source] std::io::Error),
}

/// Why a transport handshake (HTTP upgrade, RawSocket greeting) did not produce a connection.
#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    /// An HTTP error status: sent to the client (server side), or received from the server
    /// (client side).
    #[error("HTTP {status}: {reason}")]
    Http {
        /// The HTTP status code.
        status: u16,
        /// The reason: the body of the response.
        reason: String,
    },
    /// The request or the response broke HTTP or WebSocket rules beyond what an HTTP answer
    /// could tell (client side), or the request could not be parsed (server side).
    #[error("handshake protocol violation: {0}")]
    Protocol(String),
    /// A URL that cannot be used to connect.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A RawSocket handshake ended with an error reply: sent to the client (server side), or
    /// received from the router (client side).
    #[error("RawSocket handshake refused: {0}")]
    RawSocketRefused(crate::rawsocket::code::RawSocketError),
    /// The TLS handshake failed, with rustls's reason ("peer sent no certificates",
    /// "invalid peer certificate: UnknownIssuer", "received fatal alert: ...").
    #[error("TLS handshake failed: {0}")]
    Tls(String),
    /// The peer closed the stream before the handshake was complete.
    #[error("peer closed the connection during the handshake")]
    Closed,
    /// The stream below failed.
    #[error("I/O error during the handshake")]
    Io(#[source] std::io::Error),
}

impl TransportError {
    /// The reason to give the peer when closing because of this error.
    pub fn close_reason(&self) -> CloseReason {
        match self {
            TransportError::TooLarge { .. } => CloseReason::TooLarge,
            TransportError::InvalidUtf8 => CloseReason::InvalidData,
            TransportError::Protocol(_) => CloseReason::Protocol,
            TransportError::Closed | TransportError::Reset | TransportError::Io(_) => {
                CloseReason::GoingAway
            }
        }
    }
}

impl From<std::io::Error> for TransportError {
    fn from(e: std::io::Error) -> Self {
        TransportError::Io(e)
    }
}

impl From<std::io::Error> for HandshakeError {
    fn from(e: std::io::Error) -> Self {
        HandshakeError::Io(e)
    }
}
