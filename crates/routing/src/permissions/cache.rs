//! The decisions a role's rules made, by URI, so that a publication costs one hash lookup.
//!
//! Bounded: when it holds [`CAPACITY`] decisions it is emptied and fills again with the URIs in
//! use (a role's rules never change while the node runs, so a decision never goes stale).

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use super::Grant;

/// The most decisions one role's cache holds.
pub(crate) const CAPACITY: usize = 4096;

/// A role's decisions, shared by every session of the role.
#[derive(Debug, Default)]
pub(crate) struct DecisionCache {
    decisions: RwLock<HashMap<Box<str>, Grant>>,
}

impl DecisionCache {
    /// The decision made for `uri`, if any.
    pub(crate) fn get(&self, uri: &str) -> Option<Grant> {
        self.decisions
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(uri)
            .copied()
    }

    /// Remembers the decision for `uri`.
    pub(crate) fn insert(&self, uri: &str, grant: Grant) {
        let mut decisions = self
            .decisions
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if decisions.len() >= CAPACITY {
            decisions.clear();
        }
        decisions.insert(Box::from(uri), grant);
    }

    /// How many decisions are cached.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.decisions
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_is_bounded() {
        let cache = DecisionCache::default();
        for i in 0..CAPACITY + 10 {
            cache.insert(&format!("com.example.t{i}"), Grant::default());
            assert!(cache.len() <= CAPACITY);
        }
        assert_eq!(cache.get("com.example.t0"), None);
        assert_eq!(
            cache.get(&format!("com.example.t{}", CAPACITY + 9)),
            Some(Grant::default())
        );
    }
}
