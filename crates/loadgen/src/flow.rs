//! End-to-end flow control for unpaced runs: publishers stay at most a window of publications
//! ahead of the slowest subscriber.
//!
//! A router bounds each session's outbox and drops a subscriber that falls that far behind (as
//! Crossway does, with 4,096 frames). Publishing blindly as fast as possible would measure how
//! fast subscribers get dropped; with a window smaller than the router's outbox, an unpaced run
//! measures the pipeline's real throughput (router or generator, whichever is slower) and
//! loses nothing.
//!
//! A publisher that finds the window full waits until every subscriber is at most half a
//! window behind (hysteresis): waiting for just one more delivery would turn the pipeline into
//! a ping-pong of single publications and wake-ups.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_channel::{Receiver, Sender};
use futures_util::lock::Mutex;

/// The window shared by a run's publishers and subscribers.
#[derive(Debug)]
pub struct Flow {
    window: u64,
    /// How far behind subscribers may be when a waiting publisher resumes.
    resume: u64,
    published: AtomicU64,
    /// What every subscriber has received at least (a lower bound, refreshed when needed).
    low: AtomicU64,
    subscribers: Vec<Arc<Progress>>,
    /// One publisher at a time waits for the subscribers. An async lock, held while its holder
    /// awaits them: that is its purpose, and no thread ever blocks on it.
    waiting: Mutex<()>,
}

/// One subscriber's count, and how it wakes a publisher waiting for it.
#[derive(Debug)]
pub struct Progress {
    received: AtomicU64,
    /// The count a publisher waits for; `u64::MAX` when none waits.
    wanted: AtomicU64,
    wake: Sender<()>,
    woken: Receiver<()>,
}

impl Flow {
    /// A window of `window` publications (0: no flow control) for `publishers` publishers and
    /// `subscribers` subscribers. The window is at least twice the publishers: a publisher
    /// counts its publication before it sends it, so up to one per publisher is counted but
    /// not yet on its way.
    pub fn new(window: u64, publishers: usize, subscribers: usize) -> Flow {
        let publishers = publishers as u64;
        let window = match window {
            0 => 0,
            w => w.max(2 * publishers).max(2),
        };
        Flow {
            window,
            resume: (window / 2).max(publishers).max(1),
            published: AtomicU64::new(0),
            low: AtomicU64::new(0),
            subscribers: (0..subscribers)
                .map(|_| Arc::new(Progress::new()))
                .collect(),
            waiting: Mutex::new(()),
        }
    }

    /// Subscriber `i`'s progress, for it to count its deliveries into.
    pub fn progress(&self, i: usize) -> Option<Arc<Progress>> {
        self.subscribers.get(i).cloned()
    }

    /// Admits one more publication if that needs no wait, and says whether it did. A publisher
    /// that gathers publications before writing them (a lean one) asks this first, and writes
    /// what it has gathered before it calls [`Flow::admit`]: a publication that is counted but
    /// still in its buffer would hold up the subscribers it waits for.
    pub fn try_admit(&self) -> bool {
        if self.window == 0 {
            self.published.fetch_add(1, Ordering::Relaxed);
            return true;
        }
        let mut n = self.published.load(Ordering::Relaxed);
        loop {
            let next = n + 1;
            let need = next.saturating_sub(self.window);
            if need > 0 && self.low.load(Ordering::Relaxed) < need {
                return false;
            }
            match self.published.compare_exchange_weak(
                n,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => n = now,
            }
        }
    }

    /// Before publishing one more: waits until every subscriber is within the window. Gives
    /// whether it had to wait.
    pub async fn admit(&self) -> bool {
        let n = self.published.fetch_add(1, Ordering::Relaxed) + 1;
        if self.window == 0 {
            return false;
        }
        let Some(need) = n.checked_sub(self.window) else {
            return false;
        };
        if self.low.load(Ordering::Relaxed) >= need {
            return false;
        }
        let _one = self.waiting.lock().await;
        // Refresh the bound, waiting on each subscriber that is behind; `resume` is at least
        // the publishers, so every publication waited for has been sent.
        let target = n.saturating_sub(self.resume).max(need);
        let mut low = u64::MAX;
        for sub in &self.subscribers {
            low = low.min(sub.wait_for(target).await);
        }
        if low != u64::MAX {
            self.low.fetch_max(low, Ordering::Relaxed);
        }
        true
    }

    /// A subscriber stopped (its session ended): it no longer holds publishers back.
    pub fn release(&self, i: usize) {
        if let Some(sub) = self.subscribers.get(i) {
            sub.received.store(u64::MAX, Ordering::SeqCst);
            let _ = sub.wake.try_send(());
        }
    }
}

impl Progress {
    fn new() -> Progress {
        let (wake, woken) = async_channel::bounded(1);
        Progress {
            received: AtomicU64::new(0),
            wanted: AtomicU64::new(u64::MAX),
            wake,
            woken,
        }
    }

    /// Counts one delivery, waking a publisher that waits for this count.
    pub fn count(&self) {
        let n = self
            .received
            .fetch_add(1, Ordering::SeqCst)
            .saturating_add(1);
        if n >= self.wanted.load(Ordering::SeqCst) {
            self.wanted.store(u64::MAX, Ordering::SeqCst);
            let _ = self.wake.try_send(());
        }
    }

    /// Waits until this subscriber has received `need`; gives what it has received.
    async fn wait_for(&self, need: u64) -> u64 {
        loop {
            self.wanted.store(need, Ordering::SeqCst);
            let have = self.received.load(Ordering::SeqCst);
            if have >= need {
                self.wanted.store(u64::MAX, Ordering::SeqCst);
                return have;
            }
            // A stale wake-up only costs another look.
            if self.woken.recv().await.is_err() {
                return have;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;
    use std::future::Future;
    use std::task::{Context, Poll};

    #[test]
    fn publishers_wait_for_the_slowest_subscriber() {
        let flow = Flow::new(4, 1, 2);
        let (a, b) = (flow.progress(0).unwrap(), flow.progress(1).unwrap());
        // Four publications fit in the window.
        for _ in 0..4 {
            assert_eq!(flow.admit().now_or_never(), Some(false));
        }
        // The fifth waits until both subscribers are half a window behind: they have 3 of 5.
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut fifth = Box::pin(flow.admit());
        assert!(fifth.as_mut().poll(&mut cx).is_pending());
        for _ in 0..3 {
            a.count();
        }
        b.count();
        assert!(fifth.as_mut().poll(&mut cx).is_pending());
        b.count();
        b.count();
        assert_eq!(fifth.as_mut().poll(&mut cx), Poll::Ready(true));
        // Then there is room again.
        assert_eq!(flow.admit().now_or_never(), Some(false));
    }

    #[test]
    fn trying_admits_only_what_needs_no_wait() {
        let flow = Flow::new(4, 1, 1);
        let a = flow.progress(0).unwrap();
        for _ in 0..4 {
            assert!(flow.try_admit());
        }
        // The fifth would wait: refused, and not counted.
        assert!(!flow.try_admit());
        assert!(!flow.try_admit());
        // Waiting admits it once the subscriber is half a window behind (3 of 5).
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut fifth = Box::pin(flow.admit());
        assert!(fifth.as_mut().poll(&mut cx).is_pending());
        for _ in 0..3 {
            a.count();
        }
        assert_eq!(fifth.as_mut().poll(&mut cx), Poll::Ready(true));
        // Subscribers at 3, 5 counted: two more fit in the window of 4.
        assert!(flow.try_admit());
        assert!(flow.try_admit());
        assert!(!flow.try_admit());
        assert!(Flow::new(0, 1, 1).try_admit());
    }

    #[test]
    fn a_released_subscriber_holds_nobody_back_and_zero_means_no_window() {
        let flow = Flow::new(1, 1, 1);
        assert!(flow.admit().now_or_never().is_some());
        assert!(flow.admit().now_or_never().is_some());
        flow.release(0);
        assert!(flow.admit().now_or_never().is_some());
        let free = Flow::new(0, 1, 1);
        for _ in 0..10 {
            assert!(free.admit().now_or_never().is_some());
        }
    }
}
