//! Reading and writing whole WAMP messages over a connection's framing: one type for each
//! direction that dispatches to the framing's own half (`websocket::{WsReader, WsWriter}`,
//! `rawsocket::{RsReader, RsWriter}`).
//!
//! The reader and the writer are separate owned values, so one task can run them from two
//! futures at once (or two tasks can). Over WebSocket they share the stream through
//! async-tungstenite's split, whose lock is held only inside a poll, never across an `.await`.

use std::collections::VecDeque;
use std::fmt;
use std::time::Instant;

use bytes::Bytes;

use crate::close::CloseReason;
use crate::error::TransportError;
use crate::rawsocket::reader::RsReader;
use crate::rawsocket::writer::RsWriter;
use crate::websocket::reader::WsReader;
use crate::websocket::writer::WsWriter;

/// The receiving half of a connection: one WAMP message at a time.
pub struct FrameReader {
    inner: ReaderKind,
}

/// The sending half of a connection: feed messages, then flush once.
pub struct FrameWriter {
    inner: WriterKind,
}

enum ReaderKind {
    WebSocket(WsReader),
    RawSocket(RsReader),
}

enum WriterKind {
    WebSocket(WsWriter),
    RawSocket(RsWriter),
}

impl FrameReader {
    /// A reader over the receiving half of a WebSocket.
    pub(crate) fn websocket(rx: WsReader) -> Self {
        FrameReader {
            inner: ReaderKind::WebSocket(rx),
        }
    }

    /// A reader over the receiving half of a RawSocket connection.
    pub(crate) fn rawsocket(rx: RsReader) -> Self {
        FrameReader {
            inner: ReaderKind::RawSocket(rx),
        }
    }

    /// How many pongs (WebSocket pong frames, RawSocket PONG messages) the peer has sent: the
    /// answers to [`FrameWriter::ping`], seen by a running [`FrameReader::recv`].
    pub fn pongs_received(&self) -> u64 {
        match &self.inner {
            ReaderKind::WebSocket(rx) => rx.pongs_received(),
            ReaderKind::RawSocket(rx) => rx.pongs_received(),
        }
    }

    /// When the peer last sent a message, a ping or a pong (or when the connection opened):
    /// keep-alive evidence.
    pub fn last_activity(&self) -> Instant {
        match &self.inner {
            ReaderKind::WebSocket(rx) => rx.last_activity(),
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
            ReaderKind::WebSocket(rx) => rx.recv().await,
            ReaderKind::RawSocket(rx) => rx.recv().await,
        }
    }
}

impl FrameWriter {
    /// A writer over the sending half of a WebSocket.
    pub(crate) fn websocket(tx: WsWriter) -> Self {
        FrameWriter {
            inner: WriterKind::WebSocket(tx),
        }
    }

    /// A writer over the sending half of a RawSocket connection.
    pub(crate) fn rawsocket(tx: RsWriter) -> Self {
        FrameWriter {
            inner: WriterKind::RawSocket(tx),
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
        match &mut self.inner {
            WriterKind::WebSocket(tx) => tx.feed(frame).await,
            WriterKind::RawSocket(tx) => tx.feed(frame).await,
        }
    }

    /// Queues every frame of `frames` (taking them out, in order) as [`FrameWriter::feed`] does,
    /// then flushes once. Over RawSocket the whole batch is queued under one lock. On an error
    /// the frames not yet taken stay in `frames`.
    pub async fn send_batch(&mut self, frames: &mut VecDeque<Bytes>) -> Result<(), TransportError> {
        match &mut self.inner {
            WriterKind::RawSocket(tx) => tx.send_batch(frames).await,
            WriterKind::WebSocket(tx) => {
                while let Some(frame) = frames.pop_front() {
                    tx.feed(frame).await?;
                }
                tx.flush().await
            }
        }
    }

    /// Sends a ping with `payload` (a WebSocket ping frame, a RawSocket PING) after everything
    /// queued, and flushes. The peer's pong shows in [`FrameReader::pongs_received`].
    pub async fn ping(&mut self, payload: Bytes) -> Result<(), TransportError> {
        match &mut self.inner {
            WriterKind::WebSocket(tx) => tx.ping(payload).await,
            WriterKind::RawSocket(tx) => tx.ping(payload).await,
        }
    }

    /// Writes everything queued and flushes the stream.
    pub async fn flush(&mut self) -> Result<(), TransportError> {
        match &mut self.inner {
            WriterKind::WebSocket(tx) => tx.flush().await,
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
            WriterKind::WebSocket(tx) => tx.close_with(reason).await,
            WriterKind::RawSocket(tx) => tx.close().await,
        }
    }
}

impl ReaderKind {
    fn name(&self) -> &'static str {
        match self {
            ReaderKind::WebSocket(_) => "websocket",
            ReaderKind::RawSocket(_) => "rawsocket",
        }
    }
}

impl fmt::Debug for FrameReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameReader")
            .field("framing", &self.inner.name())
            .finish()
    }
}

impl fmt::Debug for FrameWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (framing, text) = match &self.inner {
            WriterKind::WebSocket(tx) => ("websocket", tx.is_text()),
            WriterKind::RawSocket(_) => ("rawsocket", false),
        };
        f.debug_struct("FrameWriter")
            .field("framing", &framing)
            .field("text", &text)
            .finish()
    }
}
