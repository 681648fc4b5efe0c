//! What a connection's reader asks of its writer: ping the peer, or close the framing with a
//! reason. Both live in the same connection task, so this is a plain value they borrow, with no
//! queue and no allocation: a ping request is one flag (a second request while one is pending is
//! the same request), a close reason is set once (the first one wins).

use std::future::poll_fn;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;

use crossway_transport::CloseReason;
use futures_util::task::AtomicWaker;

/// The reader's requests to the writer of the same connection.
#[derive(Debug, Default)]
pub struct Control {
    ping: AtomicBool,
    close: OnceLock<CloseReason>,
    writer: AtomicWaker,
}

impl Control {
    /// Asks the writer to ping the peer; false if a ping was already asked for and not yet sent.
    pub fn request_ping(&self) -> bool {
        let new = !self.ping.swap(true, Ordering::AcqRel);
        if new {
            self.writer.wake();
        }
        new
    }

    /// Waits for a ping request and takes it (for the writer).
    pub async fn ping_requested(&self) {
        poll_fn(|cx| {
            self.writer.register(cx.waker());
            if self.ping.swap(false, Ordering::AcqRel) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }

    /// Says how the framing is to be closed; the first reason given is kept.
    pub fn close_with(&self, reason: CloseReason) {
        let _ = self.close.set(reason);
    }

    /// How the framing is to be closed: the reader's reason, or a normal close.
    pub fn close_reason(&self) -> CloseReason {
        self.close.get().copied().unwrap_or(CloseReason::Normal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Waker};

    #[test]
    fn a_ping_request_is_taken_once() {
        let control = Control::default();
        let mut cx = Context::from_waker(Waker::noop());
        let mut wait = pin!(control.ping_requested());
        assert!(wait.as_mut().poll(&mut cx).is_pending());
        assert!(control.request_ping());
        assert!(
            !control.request_ping(),
            "the pending request is the same one"
        );
        assert!(wait.as_mut().poll(&mut cx).is_ready());
        let mut again = pin!(control.ping_requested());
        assert!(again.as_mut().poll(&mut cx).is_pending());
    }

    #[test]
    fn the_first_close_reason_wins() {
        let control = Control::default();
        assert_eq!(control.close_reason(), CloseReason::Normal);
        control.close_with(CloseReason::TooLarge);
        control.close_with(CloseReason::GoingAway);
        assert_eq!(control.close_reason(), CloseReason::TooLarge);
    }
}
