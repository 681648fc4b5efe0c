//! One subscriber's side of a run: count deliveries, record their latency, stop at the last
//! publisher's end marker.

use std::sync::Arc;
use std::time::Instant;

use crossway_client::Subscription;
use hdrhistogram::Histogram;

use crate::flow::Flow;
use crate::pacing::Clock;
use crate::payload::Received;

/// The longest latency a histogram holds: 60 s (longer ones are recorded as 60 s).
const MAX_LATENCY_NS: u64 = 60_000_000_000;

/// What one subscriber saw.
#[derive(Debug, Clone)]
pub struct SubscriberStats {
    /// Stamped publications received.
    pub delivered: u64,
    /// End markers received.
    pub markers: u64,
    /// The sum of what the end markers say their publishers sent.
    pub announced: u64,
    /// Events that this load generator did not send.
    pub foreign: u64,
    /// When the last stamped publication arrived, on the run's clock.
    pub last_ns: Option<u64>,
    /// Latencies in nanoseconds, if this subscriber records them.
    pub latency: Option<Histogram<u64>>,
}

impl SubscriberStats {
    /// Nothing seen yet; records latency if `record`.
    pub fn new(record: bool) -> SubscriberStats {
        SubscriberStats {
            delivered: 0,
            markers: 0,
            announced: 0,
            foreign: 0,
            last_ns: None,
            latency: record.then(new_histogram).flatten(),
        }
    }

    /// Counts one stamped publication that was not decoded (a lean subscriber's).
    pub fn count_unsampled(&mut self) {
        self.delivered += 1;
    }

    /// Counts one received event, arrived at `at`.
    pub fn receive(&mut self, clock: &Clock, what: Received, at: Instant) {
        match what {
            Received::Stamped(stamp) => {
                self.delivered += 1;
                let now = clock.ns_at(at);
                self.last_ns = Some(now);
                if let Some(h) = &mut self.latency {
                    record_latency(h, now.saturating_sub(stamp));
                }
            }
            Received::End { sent, .. } => {
                self.markers += 1;
                self.announced += sent;
                // A publisher's marker is its last delivery: the run lasts until it arrives.
                self.last_ns = self.last_ns.max(Some(clock.ns_at(at)));
            }
            Received::Other => self.foreign += 1,
        }
    }
}

/// Subscriber `index` of a run: receives until `publishers` end markers have arrived or the
/// subscription ends (the session closed, e.g. when the run gives up waiting), counting each
/// delivery into `flow`.
pub async fn receive(
    mut sub: Subscription,
    index: usize,
    clock: Clock,
    publishers: usize,
    record: bool,
    flow: Arc<Flow>,
) -> SubscriberStats {
    let mut stats = SubscriberStats::new(record);
    let progress = flow.progress(index);
    while stats.markers < publishers as u64 {
        let Some(event) = sub.next().await else { break };
        let at = Instant::now();
        let what = Received::classify(event.args.as_ref());
        if let (Received::Stamped(_), Some(p)) = (what, &progress) {
            p.count();
        }
        stats.receive(&clock, what, at);
    }
    flow.release(index);
    stats
}

/// A histogram of 1 ns to 60 s with three significant digits.
pub fn new_histogram() -> Option<Histogram<u64>> {
    Histogram::new_with_bounds(1, MAX_LATENCY_NS, 3).ok()
}

/// Records a latency of `ns` nanoseconds (at least 1 ns; longer than 60 s as 60 s).
pub fn record_latency(h: &mut Histogram<u64>, ns: u64) {
    h.saturating_record(ns.clamp(1, MAX_LATENCY_NS));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deliveries_markers_and_latency_are_counted() {
        let clock = Clock::new();
        let mut s = SubscriberStats::new(true);
        s.receive(&clock, Received::Stamped(0), clock.instant_at(1_000));
        s.receive(&clock, Received::Stamped(500), clock.instant_at(3_000));
        s.receive(
            &clock,
            Received::End {
                publisher: 0,
                sent: 2,
            },
            clock.instant_at(4_000),
        );
        s.receive(&clock, Received::Other, clock.instant_at(5_000));
        assert_eq!(
            (s.delivered, s.markers, s.announced, s.foreign),
            (2, 1, 2, 1)
        );
        assert_eq!(s.last_ns, Some(4_000));
        let h = s.latency.unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h.min(), 1_000);
        assert!(h.equivalent(h.max(), 2_500), "{}", h.max());
    }

    #[test]
    fn a_subscriber_that_does_not_record_only_counts() {
        let clock = Clock::new();
        let mut s = SubscriberStats::new(false);
        s.receive(&clock, Received::Stamped(10), clock.instant_at(5));
        assert_eq!(s.delivered, 1);
        assert!(s.latency.is_none());
    }
}
