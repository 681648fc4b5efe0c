//! A byte stream with a read buffer and a write buffer, for the protocols whose messages are
//! not framed by the transport (NATS, MQTT): the client parses what has arrived, asks for more
//! when a message is incomplete, and gathers what it sends into one write.

use crossway_transport::{BoxedIo, connect_tcp, rt};
use futures_util::future::{Either, select};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

/// How much one read asks for (and what the read buffer starts at).
const READ_CHUNK: usize = 64 * 1024;
/// The most the read buffer may hold: one message longer than this ends the connection.
pub const MAX_BUFFERED: usize = 80 << 20;
/// What gathers before it is written: as much as a RawSocket writer gathers.
pub const WRITE_BATCH: usize = 16 * 1024;

/// A connection's bytes, buffered both ways.
pub struct ByteStream {
    io: BoxedIo,
    /// Received bytes; `start..end` is what has not been consumed.
    input: Vec<u8>,
    start: usize,
    end: usize,
    /// Bytes gathered to be written.
    output: Vec<u8>,
}

/// What waiting for more bytes gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filled {
    /// More bytes are buffered.
    More,
    /// The peer ended the stream.
    Closed,
    /// The run told the client to stop.
    Stopped,
}

impl ByteStream {
    /// Connects over TCP to `host_port`.
    pub async fn connect(host_port: &str) -> Result<ByteStream, String> {
        let io = connect_tcp(host_port)
            .await
            .map_err(|e| format!("{host_port}: {e}"))?;
        Ok(ByteStream::new(io))
    }

    /// Buffers `io`.
    pub fn new(io: BoxedIo) -> ByteStream {
        ByteStream {
            io,
            input: vec![0; READ_CHUNK],
            start: 0,
            end: 0,
            output: Vec::with_capacity(WRITE_BATCH),
        }
    }

    /// What has arrived and not been consumed.
    pub fn buffered(&self) -> &[u8] {
        self.input.get(self.start..self.end).unwrap_or_default()
    }

    /// Consumes the first `n` buffered bytes.
    pub fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
    }

    /// Reads at least one more byte; gives `Closed` at the end of the stream.
    pub async fn fill(&mut self) -> Result<Filled, String> {
        self.make_room()?;
        let room = self.input.get_mut(self.end..).unwrap_or_default();
        // A read that is dropped unfinished has read nothing: `end` moves only after it.
        let n = self.io.read(room).await.map_err(|e| e.to_string())?;
        self.end += n;
        Ok(if n == 0 { Filled::Closed } else { Filled::More })
    }

    /// As [`ByteStream::fill`], or `Stopped` as soon as `stop` is closed.
    pub async fn fill_unless(
        &mut self,
        stop: &async_channel::Receiver<()>,
    ) -> Result<Filled, String> {
        let fill = std::pin::pin!(self.fill());
        let stopped = std::pin::pin!(stop.recv());
        match select(fill, stopped).await {
            Either::Left((filled, _)) => filled,
            Either::Right(_) => Ok(Filled::Stopped),
        }
    }

    /// Where to gather bytes to send.
    pub fn output(&mut self) -> &mut Vec<u8> {
        &mut self.output
    }

    /// Writes what is gathered once it reaches [`WRITE_BATCH`].
    pub async fn write_if_full(&mut self) -> Result<(), String> {
        if self.output.len() >= WRITE_BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    /// Writes everything gathered and flushes.
    pub async fn flush(&mut self) -> Result<(), String> {
        if !self.output.is_empty() {
            self.io
                .write_all(&self.output)
                .await
                .map_err(|e| e.to_string())?;
            self.output.clear();
        }
        self.io.flush().await.map_err(|e| e.to_string())
    }

    /// Writes what is gathered and ends this side of the stream, within `limit`.
    pub async fn close(mut self, limit: std::time::Duration) {
        let closing = async {
            let _ = self.flush().await;
            let _ = self.io.close().await;
        };
        let _ = rt::timeout(limit, closing).await;
    }

    /// Moves the unconsumed bytes to the front when little room is left behind them, and grows
    /// the buffer when they fill it.
    fn make_room(&mut self) -> Result<(), String> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        if self.start > 0 && self.input.len() - self.end < READ_CHUNK / 2 {
            self.input.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end < self.input.len() {
            return Ok(());
        }
        let grown = (self.input.len() * 2).min(MAX_BUFFERED);
        if grown <= self.input.len() {
            return Err(format!("a message longer than {} MiB", MAX_BUFFERED >> 20));
        }
        self.input.resize(grown, 0);
        Ok(())
    }
}

impl std::fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ByteStream")
            .field("buffered", &(self.end - self.start))
            .field("gathered", &self.output.len())
            .finish()
    }
}
