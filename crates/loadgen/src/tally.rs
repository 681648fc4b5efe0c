//! The receiving side's accounting, the same for the lean subscribers of every protocol: count
//! every delivery into the run's window, decode one in `--sample` (and anything that may be an
//! end marker) for its stamp, and stop at the last publisher's marker.

use std::sync::Arc;
use std::time::Instant;

use crate::flow::{Flow, Progress};
use crate::pacing::Clock;
use crate::payload::Received;
use crate::subscriber::SubscriberStats;

/// What one lean subscriber is told.
#[derive(Debug, Clone)]
pub struct LeanPlan {
    /// Its index among the subscribers.
    pub index: usize,
    /// The run's clock.
    pub clock: Clock,
    /// End markers to wait for.
    pub publishers: usize,
    /// Whether it records latency.
    pub record: bool,
    /// Decode one delivery in this many.
    pub sample: u64,
    /// The unpaced window.
    pub flow: Arc<Flow>,
}

/// One lean subscriber's counts as they grow.
#[derive(Debug)]
pub struct Tally {
    plan: LeanPlan,
    stats: SubscriberStats,
    progress: Option<Arc<Progress>>,
    /// Deliveries that cannot be end markers, so far.
    events: u64,
}

impl Tally {
    /// Nothing received yet.
    pub fn new(plan: LeanPlan) -> Tally {
        Tally {
            stats: SubscriberStats::new(plan.record),
            progress: plan.flow.progress(plan.index),
            events: 0,
            plan,
        }
    }

    /// One delivery, arrived now. `may_be_marker`: whether it may be an end marker (then it is
    /// always read); `read` reads its stamp or marker, for one delivery in `--sample` or when
    /// it may be a marker.
    pub fn delivery(&mut self, may_be_marker: bool, read: impl FnOnce() -> Received) {
        if !may_be_marker {
            self.events += 1;
            if !self.events.is_multiple_of(self.plan.sample.max(1)) {
                self.stats.count_unsampled();
                self.count_progress();
                return;
            }
        }
        let at = Instant::now();
        let what = read();
        if let Received::Stamped(_) = what {
            self.count_progress();
        }
        self.stats.receive(&self.plan.clock, what, at);
    }

    /// Something that is not a delivery of this run.
    pub fn foreign(&mut self) {
        self.stats.foreign += 1;
    }

    /// Whether every publisher's end marker has arrived.
    pub fn done(&self) -> bool {
        self.stats.markers >= self.plan.publishers as u64
    }

    /// The counts; the subscriber no longer holds publishers back.
    pub fn finish(self) -> SubscriberStats {
        self.plan.flow.release(self.plan.index);
        self.stats
    }

    /// Counts a delivery into the run's window.
    fn count_progress(&self) {
        if let Some(p) = &self.progress {
            p.count();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(flow: &Arc<Flow>, sample: u64) -> LeanPlan {
        LeanPlan {
            index: 0,
            clock: Clock::new(),
            publishers: 1,
            record: true,
            sample,
            flow: Arc::clone(flow),
        }
    }

    #[test]
    fn every_delivery_counts_and_one_in_sample_is_read() {
        let flow = Arc::new(Flow::new(0, 1, 1));
        let mut tally = Tally::new(plan(&flow, 4));
        let mut read = 0;
        for _ in 0..8 {
            tally.delivery(false, || {
                read += 1;
                Received::Stamped(0)
            });
        }
        assert_eq!(read, 2);
        assert!(!tally.done());
        tally.delivery(true, || Received::End {
            publisher: 0,
            sent: 8,
        });
        tally.foreign();
        assert!(tally.done());
        let stats = tally.finish();
        assert_eq!((stats.delivered, stats.markers, stats.foreign), (8, 1, 1));
        assert_eq!(stats.latency.map(|h| h.len()), Some(2));
    }
}
