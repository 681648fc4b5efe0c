//! The receiving side of a RawSocket connection: whole frames out of the byte stream, PINGs
//! answered on the spot.
//!
//! Small frames are read into one buffer, a few KiB at a time, and handed out as slices of it
//! (no copy, no allocation per message: the buffer is reused once the messages are dropped). A
//! frame too long for that buffer is read into an allocation of its own, which grows as its
//! bytes arrive, so a peer that announces a long frame and sends nothing costs nothing.

use std::future::poll_fn;
use std::io::ErrorKind;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::{Buf, Bytes, BytesMut};
use futures_util::io::{AsyncRead, ReadHalf};

use crate::error::TransportError;
use crate::io::BoxedIo;
use crate::rawsocket::header::{self, FrameType, HEADER_LEN, Header};
use crate::rawsocket::writer::SharedWrite;

/// How much is read at a time into the shared buffer; frames up to this size (with header) go
/// through it. It is also about what an idle connection keeps for reading.
const READ_CHUNK: usize = 4 * 1024;
/// The least a long frame's own buffer grows by at a time.
const LARGE_GROWTH: usize = 64 * 1024;

/// The receiving half of a RawSocket connection.
pub(crate) struct RsReader {
    io: ReadHalf<BoxedIo>,
    /// Shared with the writer: where PONGs go.
    write: SharedWrite,
    /// Bytes received and not yet handed out: whole small frames and the start of the next.
    buf: BytesMut,
    /// A frame too long for `buf`, being read.
    large: Option<Large>,
    /// The longest payload accepted (our handshake's length).
    max: usize,
    /// The longest payload the peer accepts: a PONG may not be longer.
    peer_max: usize,
    /// A PING payload whose PONG is not queued yet.
    pong: Option<Bytes>,
    /// A PONG was queued and its flush has not completed.
    unflushed: bool,
    /// PONGs received.
    pongs: u64,
    /// When the last frame arrived (or the connection opened).
    last_activity: Instant,
    /// When the last read from the stream brought data: a frame completed from the buffer
    /// arrived then, so the clock is read once per read, not once per frame.
    read_at: Instant,
    /// Set after the end of the stream or an error: every later call gives `Ok(None)`.
    done: bool,
}

/// A long frame being read into its own buffer.
struct Large {
    kind: FrameType,
    /// The payload's length.
    len: usize,
    /// The payload so far: `data[..filled]` is received, the rest is zeroed room.
    data: Vec<u8>,
    filled: usize,
}

/// One step of reading.
enum Step {
    /// A frame is complete.
    Frame(FrameType, Bytes),
    /// The stream ended where a frame would start.
    End,
}

impl RsReader {
    /// A reader over `io`; `max`: our limit, `peer_max`: the peer's.
    pub(crate) fn new(
        io: ReadHalf<BoxedIo>,
        write: SharedWrite,
        max: usize,
        peer_max: usize,
    ) -> Self {
        RsReader {
            io,
            write,
            buf: BytesMut::new(),
            large: None,
            max,
            peer_max,
            pong: None,
            unflushed: false,
            pongs: 0,
            last_activity: Instant::now(),
            read_at: Instant::now(),
            done: false,
        }
    }

    /// How many PONGs the peer has sent.
    pub(crate) fn pongs_received(&self) -> u64 {
        self.pongs
    }

    /// When the peer last sent a whole frame of any type (or when the connection opened).
    pub(crate) fn last_activity(&self) -> Instant {
        self.last_activity
    }

    /// The next WAMP message (see `FrameReader::recv`). Answers PINGs, counts PONGs.
    pub(crate) async fn recv(&mut self) -> Result<Option<Bytes>, TransportError> {
        if self.done {
            return Ok(None);
        }
        let result = self.recv_inner().await;
        if !matches!(result, Ok(Some(_))) {
            self.done = true;
        }
        result
    }

    /// [`RsReader::recv`] without the bookkeeping of the end.
    async fn recv_inner(&mut self) -> Result<Option<Bytes>, TransportError> {
        loop {
            if self.pong.is_some() || self.unflushed {
                self.answer_ping().await?;
            }
            match poll_fn(|cx| self.poll_step(cx)).await? {
                Step::End => return Ok(None),
                Step::Frame(kind, payload) => {
                    self.last_activity = self.read_at;
                    match kind {
                        FrameType::Message => return Ok(Some(payload)),
                        FrameType::Ping => {
                            if payload.len() > self.peer_max {
                                return Err(TransportError::TooLarge {
                                    size: payload.len(),
                                    max: self.peer_max,
                                });
                            }
                            self.pong = Some(payload);
                        }
                        FrameType::Pong => self.pongs += 1,
                    }
                }
            }
        }
    }

    /// Queues the PONG of the last PING and flushes it. Cancel-safe: the PONG stays in `pong`
    /// until it is queued whole, and a queued PONG stays in the shared buffer until written.
    async fn answer_ping(&mut self) -> Result<(), TransportError> {
        let mut st = self.write.lock().await;
        if st.is_closed() {
            self.pong = None;
            self.unflushed = false;
            return Ok(());
        }
        if let Some(payload) = self.pong.clone() {
            st.queue(FrameType::Pong, payload).await?;
            self.pong = None;
            self.unflushed = true;
        }
        st.flush().await?;
        self.unflushed = false;
        Ok(())
    }

    /// Reads until a frame is complete or the stream ends. All state lives in `self`, updated
    /// before each return, so dropping the future between polls loses nothing.
    fn poll_step(&mut self, cx: &mut Context<'_>) -> Poll<Result<Step, TransportError>> {
        loop {
            if let Some(large) = self.large.as_mut() {
                if large.filled == large.len {
                    let kind = large.kind;
                    let data = std::mem::take(&mut large.data);
                    self.large = None;
                    return Poll::Ready(Ok(Step::Frame(kind, Bytes::from(data))));
                }
                if large.filled == large.data.len() {
                    let grown = (large.filled * 2).max(LARGE_GROWTH).min(large.len);
                    large.data.resize(grown, 0);
                }
                let room = large.data.get_mut(large.filled..).unwrap_or_default();
                let n = match Pin::new(&mut self.io).poll_read(cx, room) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Err(e)) if e.kind() == ErrorKind::Interrupted => continue,
                    Poll::Ready(Err(e)) if e.kind() == ErrorKind::UnexpectedEof => 0,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(TransportError::Io(e))),
                    Poll::Ready(Ok(n)) => n,
                };
                if n == 0 {
                    return Poll::Ready(Err(TransportError::Reset));
                }
                self.read_at = Instant::now();
                large.filled += n;
                continue;
            }
            if let Some(head) = self.buf.first_chunk::<HEADER_LEN>() {
                let Header { kind, len } = header::decode(*head, self.max)?;
                let total = HEADER_LEN + len;
                if self.buf.len() >= total {
                    self.buf.advance(HEADER_LEN);
                    let payload = self.buf.split_to(len).freeze();
                    return Poll::Ready(Ok(Step::Frame(kind, payload)));
                }
                if total > READ_CHUNK {
                    // Everything after the header belongs to this frame: it is incomplete.
                    let have = self.buf.get(HEADER_LEN..).unwrap_or_default();
                    let mut data = Vec::with_capacity(have.len().max(LARGE_GROWTH).min(len));
                    data.extend_from_slice(have);
                    let filled = data.len();
                    self.buf.clear();
                    self.large = Some(Large {
                        kind,
                        len,
                        data,
                        filled,
                    });
                    continue;
                }
            }
            match self.poll_fill(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) if e.kind() == ErrorKind::Interrupted => {}
                // TLS without close_notify: frames carry their length, so an end between two
                // frames truncates nothing and is the peer's close.
                Poll::Ready(Err(e)) if e.kind() == ErrorKind::UnexpectedEof => {
                    return Poll::Ready(if self.buf.is_empty() {
                        Ok(Step::End)
                    } else {
                        Err(TransportError::Reset)
                    });
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(TransportError::Io(e))),
                Poll::Ready(Ok(0)) if self.buf.is_empty() => return Poll::Ready(Ok(Step::End)),
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(TransportError::Reset)),
                Poll::Ready(Ok(_)) => {}
            }
        }
    }

    /// Reads once into `buf`, up to [`READ_CHUNK`] bytes in all (or 512 more if it holds that
    /// much already). The buffer's length is restored before returning, whatever happens.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<usize>> {
        let start = self.buf.len();
        let want = READ_CHUNK.saturating_sub(start).max(512);
        self.buf.resize(start + want, 0);
        let room = self.buf.get_mut(start..).unwrap_or_default();
        let polled = Pin::new(&mut self.io).poll_read(cx, room);
        let n = match &polled {
            Poll::Ready(Ok(n)) => (*n).min(want),
            _ => 0,
        };
        self.buf.truncate(start + n);
        if n > 0 {
            self.read_at = Instant::now();
        }
        if start == 0 && polled.is_pending() {
            // Nothing buffered and nothing to read: an idle connection keeps no read buffer
            // (memory per idle session matters more than one allocation per burst).
            self.buf = BytesMut::new();
        }
        polled.map_ok(|_| n)
    }
}
