//! Counts the node reads for its metrics: what each realm routed. Relaxed atomics, bumped once
//! per publication or call (never per delivery), with no lock.

use std::sync::atomic::{AtomicU64, Ordering};

/// One realm's routing counts.
#[derive(Debug, Default)]
pub struct RealmStats {
    publications: AtomicU64,
    events_delivered: AtomicU64,
    calls_routed: AtomicU64,
}

/// A realm's counts as read at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealmSnapshot {
    /// The realm's name.
    pub realm: String,
    /// Sessions joined now.
    pub sessions: usize,
    /// Publications accepted (and dispatched).
    pub publications: u64,
    /// Events queued for subscribers.
    pub events_delivered: u64,
    /// Calls sent on to a callee as INVOCATION.
    pub calls_routed: u64,
    /// Publications refused by permissions without `acknowledge` (nobody was told).
    pub refused_publications: u64,
}

impl RealmStats {
    /// Counts one publication queued for `receivers` sessions.
    pub(crate) fn published(&self, receivers: usize) {
        self.publications.fetch_add(1, Ordering::Relaxed);
        if receivers > 0 {
            self.events_delivered
                .fetch_add(receivers as u64, Ordering::Relaxed);
        }
    }

    /// Counts one call routed to a callee.
    pub(crate) fn call_routed(&self) {
        self.calls_routed.fetch_add(1, Ordering::Relaxed);
    }

    /// Publications accepted.
    pub fn publications(&self) -> u64 {
        self.publications.load(Ordering::Relaxed)
    }

    /// Events queued for subscribers.
    pub fn events_delivered(&self) -> u64 {
        self.events_delivered.load(Ordering::Relaxed)
    }

    /// Calls routed to a callee.
    pub fn calls_routed(&self) -> u64 {
        self.calls_routed.load(Ordering::Relaxed)
    }
}
