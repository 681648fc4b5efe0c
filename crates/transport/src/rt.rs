//! The runtime seam: the only file of the crate that names the async runtime.
//!
//! Everything else in Crossway that needs a task, a timer or a socket goes through these names, so
//! that moving from async-std (discontinued upstream, RUSTSEC-2025-0052) to smol is a change to
//! this file alone.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::FutureExt;
use futures_util::io::{AsyncRead, AsyncWrite};

pub use async_std::net::{TcpListener, TcpStream};
#[cfg(unix)]
pub use async_std::os::unix::net::{UnixListener, UnixStream};

/// A handle to a spawned task; awaiting it gives the task's output.
///
/// Dropping the handle detaches the task: it keeps running to completion.
#[derive(Debug)]
pub struct JoinHandle<T>(async_std::task::JoinHandle<T>);

/// A future did not complete within its time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("timed out after {0:?}")]
pub struct TimedOut(pub Duration);

impl<T> JoinHandle<T> {
    /// Cancels the task; gives its output if it had already finished.
    pub async fn cancel(self) -> Option<T> {
        self.0.cancel().await
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0).poll(cx)
    }
}

/// A connected socket whose `close` ends its sending direction (a TCP FIN), so that the peer
/// sees the end of the stream while this side can still read its answer. The runtime's own
/// `close` only flushes: the peer would see nothing until every handle to the socket is dropped.
/// The listener and the connectors hand out sockets in this wrapper.
#[derive(Debug)]
pub struct ShutdownOnClose<S>(pub S);

/// A socket whose sending direction can be shut down.
pub trait ShutdownWrite {
    /// Ends the sending direction.
    fn shutdown_write(&self) -> std::io::Result<()>;
}

impl ShutdownWrite for TcpStream {
    fn shutdown_write(&self) -> std::io::Result<()> {
        self.shutdown(std::net::Shutdown::Write)
    }
}

#[cfg(unix)]
impl ShutdownWrite for UnixStream {
    fn shutdown_write(&self) -> std::io::Result<()> {
        self.shutdown(std::net::Shutdown::Write)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ShutdownOnClose<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }

    fn poll_read_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [std::io::IoSliceMut<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_read_vectored(cx, bufs)
    }
}

impl<S: AsyncWrite + ShutdownWrite + Unpin> AsyncWrite for ShutdownOnClose<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match Pin::new(&mut self.0).poll_flush(cx) {
            Poll::Ready(Ok(())) => {}
            other => return other,
        }
        match self.0.shutdown_write() {
            Err(e) if e.kind() != std::io::ErrorKind::NotConnected => Poll::Ready(Err(e)),
            _ => Poll::Ready(Ok(())),
        }
    }
}

/// Runs `f` as a new task on the runtime's thread pool.
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    JoinHandle(async_std::task::spawn(f))
}

/// Runs `f` to completion on the current thread, driving the runtime meanwhile (for `main`
/// functions of examples and benchmarks, and for tests).
pub fn block_on<F: Future>(f: F) -> F::Output {
    async_std::task::block_on(f)
}

/// Awaits `f`, giving up after `d`.
///
/// A plain function returning the runtime's future (not an `async fn`), so that `f` is stored
/// once: futures nest by value, and each `async fn` layer would hold another copy.
pub fn timeout<F: Future>(d: Duration, f: F) -> impl Future<Output = Result<F::Output, TimedOut>> {
    FutureExt::map(async_std::future::timeout(d, f), move |r| {
        r.map_err(|_| TimedOut(d))
    })
}

/// Lets the executor run other tasks before this one goes on: a loop that always finds work
/// ready (a reader whose socket never runs dry) calls it now and then, so that the tasks it
/// wakes on the same thread are not starved.
pub async fn yield_now() {
    async_std::task::yield_now().await
}

/// Waits for `d`.
pub async fn sleep(d: Duration) {
    async_std::task::sleep(d).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spawn_and_join() {
        let n = block_on(async { spawn(async { 21 * 2 }).await });
        assert_eq!(n, 42);
    }

    #[test]
    fn timeout_fires() {
        let r = block_on(timeout(
            Duration::from_millis(10),
            std::future::pending::<()>(),
        ));
        assert_eq!(r, Err(TimedOut(Duration::from_millis(10))));
    }

    #[test]
    fn timeout_passes_through() {
        let r = block_on(timeout(Duration::from_secs(5), async { 7 }));
        assert_eq!(r, Ok(7));
    }
}
