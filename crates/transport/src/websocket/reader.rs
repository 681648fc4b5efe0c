//! The receiving half of an established WebSocket connection.

use std::time::{Duration, Instant};

use async_tungstenite::WebSocketReceiver;
use async_tungstenite::tungstenite::Message;
use bytes::Bytes;
use futures_util::StreamExt;

use crate::error::TransportError;
use crate::io::BoxedIo;
use crate::rt;
use crate::websocket::error::ws_error;

/// How long a reader that got the peer's close frame waits for the peer to end the stream.
const CLOSE_DRAIN_TIMEOUT: Duration = Duration::from_secs(1);

/// Whole messages from a WebSocket, with the pongs and the last activity seen on the way.
pub(crate) struct WsReader {
    rx: WebSocketReceiver<BoxedIo>,
    pongs: u64,
    last_activity: Instant,
}

impl WsReader {
    /// A reader over the receiving half of a WebSocket.
    pub(crate) fn new(rx: WebSocketReceiver<BoxedIo>) -> Self {
        WsReader {
            rx,
            pongs: 0,
            last_activity: Instant::now(),
        }
    }

    /// How many pong frames the peer has sent.
    pub(crate) fn pongs_received(&self) -> u64 {
        self.pongs
    }

    /// When the peer last sent a frame of any kind (or when the connection opened).
    pub(crate) fn last_activity(&self) -> Instant {
        self.last_activity
    }

    /// The next text or binary message; `Ok(None)` once the peer has closed. Pings are answered
    /// by async-tungstenite on the next poll of either half; a close frame is answered, then the
    /// peer is given a moment to end the stream. Cancel-safe.
    pub(crate) async fn recv(&mut self) -> Result<Option<Bytes>, TransportError> {
        loop {
            let next = self.rx.next().await;
            if let Some(Ok(_)) = next {
                self.last_activity = Instant::now();
            }
            match next {
                None => return Ok(None),
                Some(Ok(Message::Text(text))) => return Ok(Some(Bytes::from(text))),
                Some(Ok(Message::Binary(data))) => return Ok(Some(data)),
                Some(Ok(Message::Pong(_))) => self.pongs += 1,
                Some(Ok(Message::Ping(_) | Message::Frame(_))) => {}
                Some(Ok(Message::Close(_))) => {
                    self.drain_after_close().await;
                    return Ok(None);
                }
                Some(Err(e)) => return Err(ws_error(e)),
            }
        }
    }

    /// After the peer's close frame: sends our answer and waits, a little, for the end of the
    /// stream.
    async fn drain_after_close(&mut self) {
        let rx = &mut self.rx;
        let drained = rt::timeout(CLOSE_DRAIN_TIMEOUT, async {
            while let Some(Ok(_)) = rx.next().await {}
        })
        .await;
        if drained.is_err() {
            tracing::debug!("peer did not end the stream after the close handshake");
        }
    }
}
