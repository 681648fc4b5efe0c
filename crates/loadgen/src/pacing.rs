//! Time: the run's clock, and the schedule of paced publications.
//!
//! Every publisher and subscriber of a run is in this process, so one base `Instant` serves as
//! the clock: a publication carries the nanoseconds from the base to its send time, and the
//! subscriber subtracts that from its own reading. Paced publications are due at fixed
//! intervals from the start; latency runs from when a publication was due, not from when it was
//! actually sent, so a late sender (or a router that pushes back) shows as latency instead of
//! hiding it (no coordinated omission).

use std::time::{Duration, Instant};

/// Nanoseconds from a base instant shared by a run's publishers and subscribers.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    base: Instant,
}

/// When each paced publication is due: `start + i / rate`.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    start_ns: u64,
    interval_ns: f64,
}

impl Clock {
    /// A clock starting now.
    pub fn new() -> Clock {
        Clock {
            base: Instant::now(),
        }
    }

    /// Nanoseconds since the base.
    pub fn now_ns(&self) -> u64 {
        self.ns_at(Instant::now())
    }

    /// Nanoseconds from the base to `at` (0 before the base).
    pub fn ns_at(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.base).as_nanos()).unwrap_or(u64::MAX)
    }

    /// The instant `ns` nanoseconds after the base.
    pub fn instant_at(&self, ns: u64) -> Instant {
        self.base + Duration::from_nanos(ns)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

impl Schedule {
    /// `rate` publications per second (positive) from `start_ns` on the clock.
    pub fn new(start_ns: u64, rate: f64) -> Schedule {
        Schedule {
            start_ns,
            interval_ns: 1e9 / rate,
        }
    }

    /// When publication `i` (from 0) is due, on the clock.
    pub fn due(&self, i: u64) -> u64 {
        // The float product is exact enough: 2^53 ns is more than 100 days.
        self.start_ns + (i as f64 * self.interval_ns) as u64
    }
}

/// Blocks this thread until `due_ns` on `clock`: sleeps until `spin` before it (the kernel's
/// sleep is tens of microseconds late), then spins, yielding the core on every turn so that the
/// threads receiving events are not held up. Returns at once if `due_ns` has passed.
pub fn wait_until(clock: &Clock, due_ns: u64, spin: Duration) {
    let due = clock.instant_at(due_ns);
    let now = Instant::now();
    if due <= now {
        return;
    }
    if let Some(sleep) = (due - now).checked_sub(spin)
        && !sleep.is_zero()
    {
        std::thread::sleep(sleep);
    }
    while Instant::now() < due {
        std::thread::yield_now();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_spaces_publications_evenly() {
        let s = Schedule::new(1_000, 2_000.0);
        assert_eq!(s.due(0), 1_000);
        assert_eq!(s.due(1), 501_000);
        assert_eq!(s.due(2_000), 1_000_001_000);
    }

    #[test]
    fn the_clock_counts_from_its_base() {
        let c = Clock::new();
        let later = c.instant_at(5_000);
        assert_eq!(c.ns_at(later), 5_000);
        assert!(c.now_ns() < 60_000_000_000);
    }

    #[test]
    fn waiting_returns_on_time_and_never_early() {
        let c = Clock::new();
        let due = c.now_ns() + 2_000_000;
        wait_until(&c, due, Duration::from_micros(200));
        let now = c.now_ns();
        assert!(now >= due, "returned {} ns early", due - now);
        // A due time in the past returns at once.
        wait_until(&c, 0, Duration::from_micros(200));
    }
}
