//! The sending side of a RawSocket connection, and the write state it shares with the reader.
//!
//! The reader must answer a PING at once, even while the writer has nothing to send, so both
//! write to the stream: the write half and its buffer sit behind an async mutex. A holder keeps
//! it only while it writes one batch or one PONG. That is fine because both users are futures of
//! the same connection (its reader and its writer): a wait for the lock is a wait for this
//! connection's own socket, which the waiter would have to wait for anyway, and no other
//! connection or lock is involved. Frames are only ever added whole to the buffer, and what a
//! cancelled write left unsent stays in it for the next holder to send first, so frames never
//! interleave, whoever writes and whenever a future is dropped.

use std::collections::VecDeque;
use std::io::ErrorKind;
use std::sync::Arc;

use bytes::{Buf, Bytes};
use futures_util::io::{AsyncWriteExt, WriteHalf};
use futures_util::lock::Mutex;

use crate::error::TransportError;
use crate::io::BoxedIo;
use crate::rawsocket::header::{self, FrameType, HEADER_LEN};

/// Frames are gathered up to this many bytes before they are written (a flush writes all).
const WRITE_BUFFER_SIZE: usize = 16 * 1024;
/// A payload at least this long is written from its own buffer, not copied. Copying anything
/// shorter is cheaper than the system call it saves: with 4 KiB events written from their own
/// buffers (two writes per frame, header and payload) the router spent 9.3 µs per delivery in
/// `sendto` for one publisher to ten subscribers; copied, 3.3 µs.
const OWN_BUFFER_PAYLOAD: usize = WRITE_BUFFER_SIZE;
/// After a complete write, a buffer that grew beyond this is released: an idle connection keeps
/// no write buffer (one allocation per burst costs less than memory held by idle sessions).
const IDLE_BUFFER_KEEP: usize = 0;

/// The write half and what is queued for it.
pub(crate) type SharedWrite = Arc<Mutex<WriteState>>;

/// The stream's write half, with frames queued but not yet written.
pub(crate) struct WriteState {
    io: WriteHalf<BoxedIo>,
    /// Whole frames (and the header of `big`), in order.
    buf: Vec<u8>,
    /// How much of `buf` is written already.
    sent: usize,
    /// The unsent part of a long payload that follows `buf`; nothing is added to `buf` while it
    /// is set.
    big: Option<Bytes>,
    /// Set once this side closed the stream.
    closed: bool,
}

/// The sending half of a RawSocket connection.
pub(crate) struct RsWriter {
    shared: SharedWrite,
    /// The longest payload the peer accepts (its handshake's length).
    max: usize,
}

impl WriteState {
    /// A state around the write half, shared by the reader and the writer.
    pub(crate) fn shared(io: WriteHalf<BoxedIo>) -> SharedWrite {
        Arc::new(Mutex::new(WriteState {
            io,
            buf: Vec::new(),
            sent: 0,
            big: None,
            closed: false,
        }))
    }

    /// Whether this side closed the stream.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }

    /// Queues one frame, first writing what is queued if the buffer would grow beyond its size
    /// or a long payload is pending.
    pub(crate) async fn queue(&mut self, kind: FrameType, payload: Bytes) -> std::io::Result<()> {
        let needed = HEADER_LEN + payload.len().min(OWN_BUFFER_PAYLOAD);
        if self.big.is_some() || self.buf.len() + needed > WRITE_BUFFER_SIZE {
            self.write_queued().await?;
        }
        self.buf
            .extend_from_slice(&header::encode(kind, payload.len()));
        if payload.len() >= OWN_BUFFER_PAYLOAD {
            self.big = Some(payload);
        } else {
            self.buf.extend_from_slice(&payload);
        }
        Ok(())
    }

    /// Makes room at once for frames of these payload lengths (up to the buffer's size), rather
    /// than growing the buffer frame by frame.
    fn reserve(&mut self, lengths: impl Iterator<Item = usize>) {
        let wanted: usize = lengths
            .map(|n| HEADER_LEN + n.min(OWN_BUFFER_PAYLOAD))
            .fold(0, |sum, n| sum.saturating_add(n).min(WRITE_BUFFER_SIZE));
        self.buf.reserve(wanted.saturating_sub(self.buf.len()));
    }

    /// Writes everything queued and flushes the stream.
    pub(crate) async fn flush(&mut self) -> std::io::Result<()> {
        self.write_queued().await?;
        self.io.flush().await
    }

    /// Writes everything queued (without flushing). Cancel-safe: progress is recorded after
    /// each write, and a write that returns wrote exactly what it reports.
    async fn write_queued(&mut self) -> std::io::Result<()> {
        while let Some(rest) = self.buf.get(self.sent..).filter(|r| !r.is_empty()) {
            let n = self.io.write(rest).await?;
            if n == 0 {
                return Err(ErrorKind::WriteZero.into());
            }
            self.sent += n;
        }
        self.buf.clear();
        self.sent = 0;
        if self.buf.capacity() > IDLE_BUFFER_KEEP {
            self.buf = Vec::new();
        }
        while let Some(big) = self.big.as_mut() {
            let n = self.io.write(big).await?;
            if n == 0 {
                return Err(ErrorKind::WriteZero.into());
            }
            big.advance(n);
            if big.is_empty() {
                self.big = None;
            }
        }
        Ok(())
    }
}

impl RsWriter {
    /// A writer over the shared write state; `max`: the peer's limit.
    pub(crate) fn new(shared: SharedWrite, max: usize) -> Self {
        RsWriter { shared, max }
    }

    /// Queues one WAMP message (see `FrameWriter::feed`).
    pub(crate) async fn feed(&mut self, frame: Bytes) -> Result<(), TransportError> {
        self.send(FrameType::Message, frame, false).await
    }

    /// Queues every frame of `frames` (taking them out, in order) under one lock, then flushes
    /// (see `FrameWriter::send_batch`).
    pub(crate) async fn send_batch(
        &mut self,
        frames: &mut VecDeque<Bytes>,
    ) -> Result<(), TransportError> {
        let mut st = self.shared.lock().await;
        if st.closed {
            return Err(TransportError::Closed);
        }
        st.reserve(frames.iter().map(|f| f.len()));
        while let Some(frame) = frames.front() {
            self.check_len(frame)?;
            if let Some(frame) = frames.pop_front() {
                st.queue(FrameType::Message, frame).await?;
            }
        }
        st.flush().await.map_err(TransportError::Io)
    }

    /// Sends a PING and flushes.
    pub(crate) async fn ping(&mut self, payload: Bytes) -> Result<(), TransportError> {
        self.send(FrameType::Ping, payload, true).await
    }

    /// Writes everything queued and flushes.
    pub(crate) async fn flush(&mut self) -> Result<(), TransportError> {
        let mut st = self.shared.lock().await;
        if st.closed {
            return Err(TransportError::Closed);
        }
        st.flush().await.map_err(TransportError::Io)
    }

    /// Writes everything queued, then closes the stream's sending direction. RawSocket has no
    /// close message: the peer sees the end of the stream. Best effort: a stream that is closed
    /// already, or that the peer has gone from, is not an error.
    pub(crate) async fn close(&mut self) -> Result<(), TransportError> {
        let mut st = self.shared.lock().await;
        if st.closed {
            return Ok(());
        }
        st.closed = true;
        let result = match st.flush().await {
            Ok(()) => st.io.close().await,
            Err(e) => Err(e),
        };
        match result {
            Err(e) if !is_gone(&e) => Err(TransportError::Io(e)),
            _ => Ok(()),
        }
    }

    /// Queues a frame of `kind` (flushing if `flush`), after checking the peer's limit.
    async fn send(
        &mut self,
        kind: FrameType,
        payload: Bytes,
        flush: bool,
    ) -> Result<(), TransportError> {
        self.check_len(&payload)?;
        let mut st = self.shared.lock().await;
        if st.closed {
            return Err(TransportError::Closed);
        }
        st.queue(kind, payload).await?;
        if flush {
            st.flush().await?;
        }
        Ok(())
    }
}

impl RsWriter {
    /// The longest payload the peer accepts (its handshake's length).
    pub(crate) fn peer_limit(&self) -> usize {
        self.max
    }

    /// Refuses a payload longer than the peer accepts (nothing of it is queued).
    fn check_len(&self, payload: &Bytes) -> Result<(), TransportError> {
        if payload.len() > self.max {
            return Err(TransportError::TooLarge {
                size: payload.len(),
                max: self.max,
            });
        }
        Ok(())
    }
}

/// Whether a write error means the peer is gone (nothing left to close).
fn is_gone(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::BrokenPipe | ErrorKind::ConnectionReset | ErrorKind::NotConnected
    )
}
