//! An in-memory byte stream for the transport targets: reads come from the fuzz input, writes
//! are recorded (so that replies can be checked) and never block.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use futures_util::io::{AsyncRead, AsyncWrite};

/// How the stream behaves besides its content.
#[derive(Debug, Clone, Copy, Default)]
pub struct Behaviour {
    /// The most octets one read gives and one write takes (0: no limit).
    pub chunk: usize,
    /// Every other read and write first answers `Pending` (waking the task at once).
    pub pending: bool,
    /// Writes fail with `BrokenPipe` once this many octets were written.
    pub write_budget: Option<usize>,
}

/// One side of a connection whose peer sends `input` and then ends the stream.
#[derive(Debug)]
pub struct MemIo {
    input: Vec<u8>,
    pos: usize,
    how: Behaviour,
    /// Toggles for [`Behaviour::pending`].
    read_ready: bool,
    write_ready: bool,
    written: Written,
}

/// What a [`MemIo`] was given to write, readable after the stream moved into a connection.
#[derive(Debug, Clone, Default)]
pub struct Written(Arc<Mutex<Vec<u8>>>);

impl MemIo {
    /// A stream reading `input`; its writes go to the returned [`Written`].
    pub fn new(input: Vec<u8>, how: Behaviour) -> (Self, Written) {
        let written = Written::default();
        let io = MemIo {
            input,
            pos: 0,
            how,
            read_ready: false,
            write_ready: false,
            written: written.clone(),
        };
        (io, written)
    }

    /// The size of the next transfer of at most `want` octets.
    fn limit(&self, want: usize) -> usize {
        if self.how.chunk == 0 {
            want
        } else {
            want.min(self.how.chunk)
        }
    }
}

impl Written {
    /// A copy of every octet written so far.
    pub fn get(&self) -> Vec<u8> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    fn push(&self, bytes: &[u8]) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
    }
}

impl AsyncRead for MemIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if self.how.pending {
            self.read_ready = !self.read_ready;
            if !self.read_ready {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
        }
        let rest = self.input.get(self.pos..).unwrap_or_default();
        let n = self.limit(buf.len()).min(rest.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        Poll::Ready(Ok(n))
    }
}

impl AsyncWrite for MemIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.how.pending {
            self.write_ready = !self.write_ready;
            if !self.write_ready {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
        }
        let mut n = self.limit(buf.len());
        if let Some(budget) = self.how.write_budget {
            let left = budget.saturating_sub(self.written.len());
            if left == 0 && !buf.is_empty() {
                return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
            }
            n = n.min(left);
        }
        self.written.push(&buf[..n]);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
