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

pub use async_std::net::{TcpListener, TcpStream};

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
