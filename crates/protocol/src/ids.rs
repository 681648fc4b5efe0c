//! Identifiers: newtypes so that one kind of id never passes for another.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use rand::RngExt;

/// The largest id WAMP allows: 2^53, so that every id is exact in an IEEE double.
pub const MAX_ID: u64 = 1 << 53;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<u64> for $name {
            fn from(n: u64) -> Self {
                $name(n)
            }
        }
    };
}

id_type!(
    /// A session id: global scope, random in 1..=2^53.
    SessionId
);
id_type!(
    /// A request id: session scope, chosen by the sender of the request.
    RequestId
);
id_type!(
    /// A subscription id: router scope, shared by every subscriber of one topic and policy.
    SubscriptionId
);
id_type!(
    /// A publication id: global scope, random in 1..=2^53.
    PublicationId
);
id_type!(
    /// A registration id: router scope.
    RegistrationId
);

/// Whether `n` is a valid WAMP id (1..=2^53).
pub fn is_valid_id(n: u64) -> bool {
    (1..=MAX_ID).contains(&n)
}

/// A random id in 1..=2^53, as global-scope ids (sessions, publications) must be.
pub fn random_id() -> u64 {
    rand::rng().random_range(1..=MAX_ID)
}

/// Hands out router-scope ids in sequence: 1, 2, 3, ... wrapping back to 1 after 2^53.
#[derive(Debug)]
pub struct IdSequence {
    next: AtomicU64,
}

impl IdSequence {
    /// A sequence whose first id is 1.
    pub const fn new() -> Self {
        IdSequence {
            next: AtomicU64::new(1),
        }
    }

    /// The next id of the sequence.
    pub fn next_id(&self) -> u64 {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        (n - 1) % MAX_ID + 1
    }
}

impl Default for IdSequence {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_in_range() {
        for _ in 0..1000 {
            assert!(is_valid_id(random_id()));
        }
    }

    #[test]
    fn validity_bounds() {
        assert!(!is_valid_id(0));
        assert!(is_valid_id(1));
        assert!(is_valid_id(MAX_ID));
        assert!(!is_valid_id(MAX_ID + 1));
    }

    #[test]
    fn sequence_counts_from_one() {
        let s = IdSequence::new();
        assert_eq!(s.next_id(), 1);
        assert_eq!(s.next_id(), 2);
    }
}
