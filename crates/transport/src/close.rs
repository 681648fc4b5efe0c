//! Why this side closes a connection, as the framing tells the peer.

/// Why this side closes a connection. WebSocket sends it as a close code; RawSocket has no
/// close message and just closes the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseReason {
    /// The session ended normally (close code 1000).
    Normal,
    /// The node is shutting down or the connection is being dropped (1001).
    GoingAway,
    /// The peer broke the protocol (1002).
    Protocol,
    /// The peer sent data of the wrong kind, such as a text frame that is not UTF-8 (1007).
    InvalidData,
    /// The peer sent a message over the size limit (1009).
    TooLarge,
}

impl CloseReason {
    /// The WebSocket close code (RFC 6455, section 7.4.1).
    pub fn code(self) -> u16 {
        match self {
            CloseReason::Normal => 1000,
            CloseReason::GoingAway => 1001,
            CloseReason::Protocol => 1002,
            CloseReason::InvalidData => 1007,
            CloseReason::TooLarge => 1009,
        }
    }
}
