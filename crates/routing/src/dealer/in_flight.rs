//! One session's calls in flight, as caller and as callee: what the dealer bounds, and what it
//! ends when the session leaves.
//!
//! Once the session has left, nothing can be added: a call routed to a callee that is leaving
//! (or made by a caller that is leaving) is refused instead of left without an answer.

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crossway_protocol::RequestId;

/// A session's calls in flight, by invocation id.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    left: bool,
    as_caller: HashSet<RequestId>,
    as_callee: HashSet<RequestId>,
}

/// Which side of a call a session is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// It made the call.
    Caller,
    /// It runs the invocation.
    Callee,
}

/// The calls a session had in flight when it left.
#[derive(Debug, Default)]
pub(crate) struct Orphans {
    /// As caller.
    pub(crate) as_caller: Vec<RequestId>,
    /// As callee.
    pub(crate) as_callee: Vec<RequestId>,
}

impl InFlight {
    /// Adds invocation `id` on `side` if fewer than `limit` are in flight there and the session
    /// has not left; returns whether it did.
    pub(crate) fn add(&self, side: Side, id: RequestId, limit: usize) -> bool {
        let mut state = self.lock();
        if state.left {
            return false;
        }
        let set = match side {
            Side::Caller => &mut state.as_caller,
            Side::Callee => &mut state.as_callee,
        };
        if set.len() >= limit {
            return false;
        }
        set.insert(id);
        true
    }

    /// Removes invocation `id` from `side`.
    pub(crate) fn remove(&self, side: Side, id: RequestId) {
        let mut state = self.lock();
        match side {
            Side::Caller => state.as_caller.remove(&id),
            Side::Callee => state.as_callee.remove(&id),
        };
    }

    /// How many calls are in flight on `side`.
    #[cfg(test)]
    pub(crate) fn count(&self, side: Side) -> usize {
        let state = self.lock();
        match side {
            Side::Caller => state.as_caller.len(),
            Side::Callee => state.as_callee.len(),
        }
    }

    /// Marks the session as gone and takes what it had in flight.
    pub(crate) fn leave(&self) -> Orphans {
        let mut state = self.lock();
        state.left = true;
        Orphans {
            as_caller: state.as_caller.drain().collect(),
            as_callee: state.as_callee.drain().collect(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_per_side_and_closed_after_leaving() {
        let f = InFlight::default();
        assert!(f.add(Side::Caller, RequestId(1), 2));
        assert!(f.add(Side::Caller, RequestId(2), 2));
        assert!(!f.add(Side::Caller, RequestId(3), 2));
        assert!(f.add(Side::Callee, RequestId(3), 2));
        f.remove(Side::Caller, RequestId(1));
        assert_eq!(f.count(Side::Caller), 1);
        let orphans = f.leave();
        assert_eq!(orphans.as_caller, vec![RequestId(2)]);
        assert_eq!(orphans.as_callee, vec![RequestId(3)]);
        assert!(!f.add(Side::Callee, RequestId(4), 10));
    }
}
