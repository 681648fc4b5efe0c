//! Session testaments: publications a session leaves with the router (`wamp.session.add_testament`),
//! made for it when it goes without saying GOODBYE itself: a dropped connection, a keep-alive
//! timeout, a kill, a slow consumer's end, a protocol violation. A session that says GOODBYE
//! has its testaments discarded.
//!
//! The router has no session resumption, so `detached` and `destroyed` happen together; as the
//! specification asks, `detached` testaments are published first, each scope in the order its
//! testaments were added. Owned by the session's own state: no lock.

use crossway_protocol::{Payload, Uri};

use crate::publication::PublishOptions;
use crate::realm_options::TestamentLimits;

/// What each testament is counted as beyond its payload and topic.
const OVERHEAD: usize = 64;

/// When a testament is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// When the session is detached from its transport.
    Detached,
    /// When the session is destroyed (the default).
    Destroyed,
}

/// One testament: a publication the router makes when the session goes.
#[derive(Debug, Clone)]
pub(crate) struct Testament {
    /// The topic (valid, and the session was allowed to publish to it when it was added).
    pub(crate) topic: Uri,
    /// The publication's options as given, `disclose_me` decided when it was added.
    pub(crate) options: PublishOptions,
    /// The payload.
    pub(crate) payload: Payload,
}

/// The testaments of one session, in both scopes.
#[derive(Debug)]
pub(crate) struct Testaments {
    limits: TestamentLimits,
    detached: Vec<(Testament, usize)>,
    destroyed: Vec<(Testament, usize)>,
    bytes: usize,
}

impl Scope {
    /// The scope named `name` (`detached` or `destroyed`).
    pub(crate) fn from_name(name: &str) -> Option<Scope> {
        match name {
            "detached" => Some(Scope::Detached),
            "destroyed" => Some(Scope::Destroyed),
            _ => None,
        }
    }
}

impl Testaments {
    /// No testament yet, bounded by `limits`.
    pub(crate) fn new(limits: TestamentLimits) -> Testaments {
        Testaments {
            limits,
            detached: Vec::new(),
            destroyed: Vec::new(),
            bytes: 0,
        }
    }

    /// Adds a testament to `scope`; false if the bounds do not allow it.
    pub(crate) fn add(&mut self, scope: Scope, testament: Testament, encoded_len: usize) -> bool {
        let size = encoded_len + testament.topic.as_str().len() + OVERHEAD;
        let count = self.detached.len() + self.destroyed.len();
        if count >= self.limits.max_count || self.bytes + size > self.limits.max_bytes {
            return false;
        }
        self.bytes += size;
        self.list(scope).push((testament, size));
        true
    }

    /// Removes every testament of `scope`; returns how many there were.
    pub(crate) fn flush(&mut self, scope: Scope) -> usize {
        let removed = std::mem::take(self.list(scope));
        self.bytes -= removed.iter().map(|(_, size)| size).sum::<usize>();
        removed.len()
    }

    /// Every testament, in the order they are published: `detached` ones first.
    pub(crate) fn take_all(&mut self) -> Vec<Testament> {
        self.bytes = 0;
        let detached = std::mem::take(&mut self.detached);
        let destroyed = std::mem::take(&mut self.destroyed);
        detached
            .into_iter()
            .chain(destroyed)
            .map(|(t, _)| t)
            .collect()
    }

    /// Whether there is none.
    pub(crate) fn is_empty(&self) -> bool {
        self.detached.is_empty() && self.destroyed.is_empty()
    }

    fn list(&mut self, scope: Scope) -> &mut Vec<(Testament, usize)> {
        match scope {
            Scope::Detached => &mut self.detached,
            Scope::Destroyed => &mut self.destroyed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn testament(topic: &str) -> Testament {
        Testament {
            topic: Uri::new(topic),
            options: PublishOptions::default(),
            payload: Payload::EMPTY,
        }
    }

    #[test]
    fn detached_first_then_destroyed_each_in_order() {
        let mut t = Testaments::new(TestamentLimits::default());
        assert!(t.add(Scope::Destroyed, testament("d.1"), 10));
        assert!(t.add(Scope::Detached, testament("x.1"), 10));
        assert!(t.add(Scope::Destroyed, testament("d.2"), 10));
        assert!(t.add(Scope::Detached, testament("x.2"), 10));
        let topics: Vec<String> = t
            .take_all()
            .into_iter()
            .map(|t| t.topic.to_string())
            .collect();
        assert_eq!(topics, ["x.1", "x.2", "d.1", "d.2"]);
        assert!(t.is_empty());
    }

    #[test]
    fn bounded_in_count_and_bytes_and_flushed_per_scope() {
        let mut t = Testaments::new(TestamentLimits {
            max_count: 3,
            max_bytes: 1000,
        });
        assert!(t.add(Scope::Destroyed, testament("a"), 100));
        assert!(t.add(Scope::Detached, testament("a"), 100));
        assert!(!t.add(Scope::Destroyed, testament("a"), 1000), "too large");
        assert!(t.add(Scope::Destroyed, testament("a"), 100));
        assert!(!t.add(Scope::Destroyed, testament("a"), 1), "too many");
        assert_eq!(t.flush(Scope::Destroyed), 2);
        assert_eq!(t.flush(Scope::Destroyed), 0);
        assert!(t.add(Scope::Destroyed, testament("a"), 600));
        assert_eq!(Scope::from_name("detached"), Some(Scope::Detached));
        assert_eq!(Scope::from_name("later"), None);
    }
}
