//! What a tungstenite error on an established connection means to the node.

use async_tungstenite::tungstenite::Error as WsError;
use async_tungstenite::tungstenite::error::{CapacityError, ProtocolError};

use crate::error::TransportError;

/// Maps a tungstenite error on an established connection.
pub(crate) fn ws_error(e: WsError) -> TransportError {
    match e {
        WsError::Capacity(CapacityError::MessageTooLong { size, max_size }) => {
            TransportError::TooLarge {
                size,
                max: max_size,
            }
        }
        WsError::Utf8(_) => TransportError::InvalidUtf8,
        WsError::ConnectionClosed
        | WsError::AlreadyClosed
        | WsError::Protocol(ProtocolError::SendAfterClosing) => TransportError::Closed,
        WsError::Protocol(ProtocolError::ResetWithoutClosingHandshake) => TransportError::Reset,
        WsError::Io(e) => TransportError::Io(e),
        e => TransportError::Protocol(e.to_string()),
    }
}
