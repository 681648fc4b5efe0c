//! The sending half of an established WebSocket connection.

use async_tungstenite::WebSocketSender;
use async_tungstenite::tungstenite::protocol::CloseFrame;
use async_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use async_tungstenite::tungstenite::{Message, Utf8Bytes};
use bytes::Bytes;
use futures_util::SinkExt;

use crate::close::CloseReason;
use crate::error::TransportError;
use crate::io::BoxedIo;
use crate::websocket::error::ws_error;

/// Whole messages to a WebSocket: text frames for a text serializer (JSON), binary otherwise.
pub(crate) struct WsWriter {
    tx: WebSocketSender<BoxedIo>,
    text: bool,
}

impl WsWriter {
    /// A writer over the sending half of a WebSocket; `text`: send text frames.
    pub(crate) fn new(tx: WebSocketSender<BoxedIo>, text: bool) -> Self {
        WsWriter { tx, text }
    }

    /// Whether messages go out as text frames.
    pub(crate) fn is_text(&self) -> bool {
        self.text
    }

    /// Queues one message without flushing. A text message that is not UTF-8 gives
    /// [`TransportError::InvalidUtf8`].
    pub(crate) async fn feed(&mut self, frame: Bytes) -> Result<(), TransportError> {
        let message = if self.text {
            Message::Text(Utf8Bytes::try_from(frame).map_err(|_| TransportError::InvalidUtf8)?)
        } else {
            Message::Binary(frame)
        };
        self.tx.feed(message).await.map_err(ws_error)
    }

    /// Sends a ping frame after everything queued, and flushes.
    pub(crate) async fn ping(&mut self, payload: Bytes) -> Result<(), TransportError> {
        self.tx.send(Message::Ping(payload)).await.map_err(ws_error)
    }

    /// Writes everything queued and flushes the stream.
    pub(crate) async fn flush(&mut self) -> Result<(), TransportError> {
        SinkExt::flush(&mut self.tx).await.map_err(ws_error)
    }

    /// Sends a close frame with `reason`'s code; a connection already closing is not an error.
    pub(crate) async fn close_with(&mut self, reason: CloseReason) -> Result<(), TransportError> {
        let frame = CloseFrame {
            code: CloseCode::from(reason.code()),
            reason: Utf8Bytes::from_static(""),
        };
        match self.tx.close(Some(frame)).await.map_err(ws_error) {
            Err(TransportError::Closed) => Ok(()),
            other => other,
        }
    }
}
