//! Reading and writing whole WAMP messages over a connection's framing.
//!
//! The reader and the writer are separate owned values, so one task can run them from two
//! futures at once (or two tasks can). Over WebSocket they share the stream through
//! async-tungstenite's split, whose lock is held only inside a poll, never across an `.await`.

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

use async_tungstenite::tungstenite::error::{CapacityError, ProtocolError};
use async_tungstenite::tungstenite::protocol::CloseFrame;
use async_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use async_tungstenite::tungstenite::{Error as WsError, Message, Utf8Bytes};
use async_tungstenite::{WebSocketReceiver, WebSocketSender};
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};

use crate::close::CloseReason;
use crate::error::TransportError;
use crate::io::BoxedIo;
use crate::rawsocket::{RsReader, RsWriter};
use crate::rt;

/// How long a reader that got the peer's close frame waits for the peer to end the stream.
const CLOSE_DRAIN_TIMEOUT: Duration = Duration::from_secs(1);

/// The receiving half of a connection: one WAMP message at a time.
pub struct FrameReader {
    inner: ReaderKind,
    /// PONGs and last activity, for WebSocket (RawSocket keeps its own).
    ws_pongs: u64,
    ws_last_activity: Instant,
}

/// The sending half of a connection: feed messages, then flush once.
pub struct FrameWriter {
    inner: WriterKind,
    text: bool,
}

enum ReaderKind {
    WebSocket(WebSocketReceiver<BoxedIo>),
    RawSocket(RsReader),
}

enum WriterKind {
    WebSocket(WebSocketSender<BoxedIo>),
    RawSocket(RsWriter),
}

impl FrameReader {
    /// A reader over the receiving half of a WebSocket.
    pub(crate) fn websocket(rx: WebSocketReceiver<BoxedIo>) -> Self {
        FrameReader {
            inner: ReaderKind::WebSocket(rx),
            ws_pongs: 0,
            ws_last_activity: Instant::now(),
        }
    }

    /// A reader over the receiving half of a RawSocket connection.
    pub(crate) fn rawsocket(rx: RsReader) -> Self {
        FrameReader {
            inner: ReaderKind::RawSocket(rx),
            ws_pongs: 0,
            ws_last_activity: Instant::now(),
        }
    }

    /// How many pongs (WebSocket pong frames, RawSocket PONG messages) the peer has sent: the
    /// answers to [`FrameWriter::ping`], seen by a running [`FrameReader::recv`].
    pub fn pongs_received(&self) -> u64 {
        match &self.inner {
            ReaderKind::WebSocket(_) => self.ws_pongs,
            ReaderKind::RawSocket(rx) => rx.pongs_received(),
        }
    }

    /// When the peer last sent a message, a ping or a pong (or when the connection opened):
    /// keep-alive evidence.
    pub fn last_activity(&self) -> Instant {
        match &self.inner {
            ReaderKind::WebSocket(_) => self.ws_last_activity,
            ReaderKind::RawSocket(rx) => rx.last_activity(),
        }
    }

    /// The next message's bytes; `Ok(None)` once the peer has closed cleanly (and on every call
    /// after an error).
    ///
    /// Text and binary frames are both accepted. Control frames are handled here: a ping is
    /// answered with a pong that this reader writes and flushes itself, so keep a reader running
    /// even when nothing is written. A peer's close frame is answered, then the peer is given a
    /// moment to end the stream.
    ///
    /// Over RawSocket, a PING is answered at once with a PONG echoing its payload (written by this
    /// reader, under a lock shared with the writer), a PONG is counted, and the end of the stream
    /// between two frames is the clean close. Cancel-safe: dropping the future loses no message.
    pub async fn recv(&mut self) -> Result<Option<Bytes>, TransportError> {
        match &mut self.inner {
            ReaderKind::RawSocket(rx) => rx.recv().await,
            ReaderKind::WebSocket(rx) => loop {
                let next = rx.next().await;
                if let Some(Ok(_)) = next {
                    self.ws_last_activity = Instant::now();
                }
                match next {
                    None => return Ok(None),
                    Some(Ok(Message::Text(text))) => return Ok(Some(Bytes::from(text))),
                    Some(Ok(Message::Binary(data))) => return Ok(Some(data)),
                    Some(Ok(Message::Pong(_))) => self.ws_pongs += 1,
                    Some(Ok(Message::Ping(_) | Message::Frame(_))) => {}
                    Some(Ok(Message::Close(_))) => {
                        drain_after_close(rx).await;
                        return Ok(None);
                    }
                    Some(Err(e)) => return Err(ws_error(e)),
                }
            },
        }
    }
}

impl FrameWriter {
    /// A writer over the sending half of a WebSocket; `text`: send text frames (JSON).
    pub(crate) fn websocket(tx: WebSocketSender<BoxedIo>, text: bool) -> Self {
        FrameWriter {
            inner: WriterKind::WebSocket(tx),
            text,
        }
    }

    /// A writer over the sending half of a RawSocket connection.
    pub(crate) fn rawsocket(tx: RsWriter) -> Self {
        FrameWriter {
            inner: WriterKind::RawSocket(tx),
            text: false,
        }
    }

    /// The longest message the peer accepts, where the framing says (RawSocket's handshake); `None`
    /// over WebSocket, where the peer's limit is not known.
    pub fn peer_limit(&self) -> Option<usize> {
        match &self.inner {
            WriterKind::RawSocket(tx) => Some(tx.peer_limit()),
            WriterKind::WebSocket(_) => None,
        }
    }

    /// Queues one message without flushing: a text frame for JSON, a binary frame otherwise.
    /// May write to the stream when enough is queued, and waits while the stream cannot take
    /// more. A JSON message that is not UTF-8 gives [`TransportError::InvalidUtf8`].
    ///
    /// Over RawSocket, a message longer than the peer's handshake length gives
    /// [`TransportError::TooLarge`] (nothing is sent; the connection stays usable).
    pub async fn feed(&mut self, frame: Bytes) -> Result<(), TransportError> {
        if let WriterKind::RawSocket(tx) = &mut self.inner {
            return tx.feed(frame).await;
        }
        let message = if self.text {
            Message::Text(Utf8Bytes::try_from(frame).map_err(|_| TransportError::InvalidUtf8)?)
        } else {
            Message::Binary(frame)
        };
        match &mut self.inner {
            WriterKind::WebSocket(tx) => tx.feed(message).await.map_err(ws_error),
            WriterKind::RawSocket(_) => Ok(()),
        }
    }

    /// Queues every frame of `frames` (taking them out, in order) as [`FrameWriter::feed`] does,
    /// then flushes once. Over RawSocket the whole batch is queued under one lock. On an error
    /// the frames not yet taken stay in `frames`.
    pub async fn send_batch(&mut self, frames: &mut VecDeque<Bytes>) -> Result<(), TransportError> {
        if let WriterKind::RawSocket(tx) = &mut self.inner {
            return tx.send_batch(frames).await;
        }
        while let Some(frame) = frames.pop_front() {
            self.feed(frame).await?;
        }
        self.flush().await
    }

    /// Sends a ping with `payload` (a WebSocket ping frame, a RawSocket PING) after everything
    /// queued, and flushes. The peer's pong shows in [`FrameReader::pongs_received`].
    pub async fn ping(&mut self, payload: Bytes) -> Result<(), TransportError> {
        match &mut self.inner {
            WriterKind::WebSocket(tx) => tx.send(Message::Ping(payload)).await.map_err(ws_error),
            WriterKind::RawSocket(tx) => tx.ping(payload).await,
        }
    }

    /// Writes everything queued and flushes the stream.
    pub async fn flush(&mut self) -> Result<(), TransportError> {
        match &mut self.inner {
            WriterKind::WebSocket(tx) => SinkExt::flush(tx).await.map_err(ws_error),
            WriterKind::RawSocket(tx) => tx.flush().await,
        }
    }

    /// Closes normally: [`FrameWriter::close_with`] with [`CloseReason::Normal`].
    pub async fn close(&mut self) -> Result<(), TransportError> {
        self.close_with(CloseReason::Normal).await
    }

    /// Sends a close frame with `reason`'s code after everything queued, and flushes. Best effort:
    /// a connection that is already closing or closed is not an error. The stream ends once the
    /// peer answers, which the reader sees as `Ok(None)`. RawSocket has no close message: it
    /// writes what is queued and ends its direction of the stream, whatever the reason.
    pub async fn close_with(&mut self, reason: CloseReason) -> Result<(), TransportError> {
        match &mut self.inner {
            WriterKind::RawSocket(tx) => tx.close().await,
            WriterKind::WebSocket(tx) => {
                let frame = CloseFrame {
                    code: CloseCode::from(reason.code()),
                    reason: Utf8Bytes::from_static(""),
                };
                match tx.close(Some(frame)).await.map_err(ws_error) {
                    Err(TransportError::Closed) => Ok(()),
                    other => other,
                }
            }
        }
    }
}

impl fmt::Debug for FrameReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let framing = match self.inner {
            ReaderKind::WebSocket(_) => "websocket",
            ReaderKind::RawSocket(_) => "rawsocket",
        };
        f.debug_struct("FrameReader")
            .field("framing", &framing)
            .finish()
    }
}

impl fmt::Debug for FrameWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let framing = match self.inner {
            WriterKind::WebSocket(_) => "websocket",
            WriterKind::RawSocket(_) => "rawsocket",
        };
        f.debug_struct("FrameWriter")
            .field("framing", &framing)
            .field("text", &self.text)
            .finish()
    }
}

/// After the peer's close frame: sends our answer and waits, a little, for the end of the stream.
async fn drain_after_close(rx: &mut WebSocketReceiver<BoxedIo>) {
    let drained = rt::timeout(CLOSE_DRAIN_TIMEOUT, async {
        while let Some(Ok(_)) = rx.next().await {}
    })
    .await;
    if drained.is_err() {
        tracing::debug!("peer did not end the stream after the close handshake");
    }
}

/// Maps a tungstenite error on an established connection.
fn ws_error(e: WsError) -> TransportError {
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
