//! Authentication throttling: failed attempts from one client address slow every later attempt
//! from it.
//!
//! Each failure doubles the wait, from `auth_delay` up to `auth_delay_max`; an address that has
//! not failed for `auth_forget` is forgotten. While an address has failures on record, every
//! verdict for it (success too) waits, so that a guesser cannot tell a refusal by its speed, nor
//! get around the wait by running many connections at once (each of them waits).
//!
//! The table of addresses is bounded (`auth_peers`). When it is full, entries past their quiet
//! period are dropped first, then the one whose last failure is oldest: under a flood from more
//! addresses than the table holds, the oldest offenders are forgotten first. IPv6 clients are
//! counted by /64 (one host usually holds a whole /64); clients on a Unix socket share one entry.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crossway_routing::PeerAddress;

/// The throttle's settings (`limits.auth_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleSettings {
    /// The wait after the first failure; doubled with each further one. Zero turns throttling
    /// off.
    pub delay: Duration,
    /// The longest wait.
    pub delay_max: Duration,
    /// A quiet period after which an address's failures are forgotten.
    pub forget: Duration,
    /// How many addresses the table remembers.
    pub peers: usize,
}

/// The failures on record, by client address.
#[derive(Debug)]
pub struct AuthThrottle {
    settings: ThrottleSettings,
    table: Mutex<HashMap<Key, Entry>>,
}

/// Whom failures are counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key {
    /// An IPv4 address, or an IPv6 /64.
    Ip(IpAddr),
    /// Every client of a Unix socket.
    Local,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    last: Instant,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        ThrottleSettings {
            delay: Duration::from_millis(500),
            delay_max: Duration::from_secs(30),
            forget: Duration::from_secs(600),
            peers: 65_536,
        }
    }
}

impl AuthThrottle {
    /// An empty table.
    pub fn new(settings: ThrottleSettings) -> AuthThrottle {
        AuthThrottle {
            settings,
            table: Mutex::new(HashMap::new()),
        }
    }

    /// How long a verdict for `peer` must wait, given its failures so far (zero when it has none
    /// on record).
    pub fn delay(&self, peer: &PeerAddress, now: Instant) -> Duration {
        let Some(key) = key(peer) else {
            return Duration::ZERO;
        };
        let table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        match table.get(&key) {
            Some(entry) if !self.forgotten(entry, now) => self.wait(entry.failures),
            _ => Duration::ZERO,
        }
    }

    /// Records a failure for `peer`; returns how many it has on record now.
    pub fn fail(&self, peer: &PeerAddress, now: Instant) -> u32 {
        let Some(key) = key(peer) else {
            return 0;
        };
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        if !table.contains_key(&key) && table.len() >= self.settings.peers {
            self.make_room(&mut table, now);
        }
        let entry = table.entry(key).or_insert(Entry {
            failures: 0,
            last: now,
        });
        if self.forgotten(entry, now) {
            entry.failures = 0;
        }
        entry.failures = entry.failures.saturating_add(1);
        entry.last = now;
        entry.failures
    }

    /// How many addresses are on record.
    pub fn len(&self) -> usize {
        self.table
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Whether no address is on record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The wait after `failures` failures: `delay` doubled for each one after the first, capped.
    fn wait(&self, failures: u32) -> Duration {
        if failures == 0 {
            return Duration::ZERO;
        }
        let doublings = (failures - 1).min(31);
        self.settings
            .delay
            .saturating_mul(1u32 << doublings)
            .min(self.settings.delay_max)
    }

    fn forgotten(&self, entry: &Entry, now: Instant) -> bool {
        now.saturating_duration_since(entry.last) >= self.settings.forget
    }

    /// Drops entries past their quiet period; if none is, the one whose last failure is oldest.
    fn make_room(&self, table: &mut HashMap<Key, Entry>, now: Instant) {
        table.retain(|_, e| !self.forgotten(e, now));
        if table.len() < self.settings.peers {
            return;
        }
        if let Some(oldest) = table.iter().min_by_key(|(_, e)| e.last).map(|(k, _)| *k) {
            table.remove(&oldest);
        }
    }
}

/// The key failures from `peer` count against.
fn key(peer: &PeerAddress) -> Option<Key> {
    match peer {
        PeerAddress::Tcp(_) => peer.ip().map(|ip| match ip {
            IpAddr::V4(_) => Key::Ip(ip),
            IpAddr::V6(v6) => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                Key::Ip(IpAddr::V6(Ipv6Addr::from(prefix)))
            }
        }),
        PeerAddress::Unix => Some(Key::Local),
        PeerAddress::Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> ThrottleSettings {
        ThrottleSettings {
            delay: Duration::from_millis(100),
            delay_max: Duration::from_millis(350),
            forget: Duration::from_secs(60),
            peers: 3,
        }
    }

    fn tcp(addr: &str) -> PeerAddress {
        PeerAddress::Tcp(addr.parse().unwrap())
    }

    #[test]
    fn the_wait_doubles_to_its_cap_and_is_forgotten() {
        let t = AuthThrottle::new(settings());
        let a = tcp("192.0.2.1:1000");
        let now = Instant::now();
        assert_eq!(t.delay(&a, now), Duration::ZERO);
        let expected = [100, 200, 350, 350];
        for (n, ms) in expected.iter().enumerate() {
            assert_eq!(t.fail(&a, now), n as u32 + 1);
            assert_eq!(t.delay(&a, now), Duration::from_millis(*ms));
        }
        // Another port of the same address counts too; another address does not.
        assert_eq!(
            t.delay(&tcp("192.0.2.1:2000"), now),
            Duration::from_millis(350)
        );
        assert_eq!(t.delay(&tcp("192.0.2.2:1000"), now), Duration::ZERO);
        let later = now + Duration::from_secs(61);
        assert_eq!(t.delay(&a, later), Duration::ZERO);
        assert_eq!(t.fail(&a, later), 1);
    }

    #[test]
    fn ipv6_counts_by_slash_64_and_unix_as_one() {
        let t = AuthThrottle::new(settings());
        let now = Instant::now();
        t.fail(&tcp("[2001:db8:1:2::5]:1"), now);
        assert!(t.delay(&tcp("[2001:db8:1:2::99]:1"), now) > Duration::ZERO);
        assert_eq!(t.delay(&tcp("[2001:db8:1:3::5]:1"), now), Duration::ZERO);
        t.fail(&PeerAddress::Unix, now);
        assert!(t.delay(&PeerAddress::Unix, now) > Duration::ZERO);
        assert_eq!(t.fail(&PeerAddress::Unknown, now), 0);
    }

    #[test]
    fn the_table_is_bounded_and_forgets_the_oldest_first() {
        let t = AuthThrottle::new(settings());
        let start = Instant::now();
        for i in 0..10u64 {
            let at = start + Duration::from_secs(i);
            t.fail(&tcp(&format!("198.51.100.{i}:1")), at);
            assert!(t.len() <= 3);
        }
        let now = start + Duration::from_secs(10);
        assert!(t.delay(&tcp("198.51.100.9:1"), now) > Duration::ZERO);
        assert_eq!(t.delay(&tcp("198.51.100.0:1"), now), Duration::ZERO);
        // Quiet entries go before active ones.
        let much_later = start + Duration::from_secs(200);
        t.fail(&tcp("203.0.113.1:1"), much_later);
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn a_zero_delay_turns_throttling_off() {
        let t = AuthThrottle::new(ThrottleSettings {
            delay: Duration::ZERO,
            ..settings()
        });
        let a = tcp("192.0.2.1:1");
        let now = Instant::now();
        t.fail(&a, now);
        t.fail(&a, now);
        assert_eq!(t.delay(&a, now), Duration::ZERO);
    }
}
