//! Connection limits: the node's and each endpoint's count of open connections, and the permit
//! a connection holds while it is open.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A count of open connections with its bound.
#[derive(Debug)]
pub struct ConnectionCount {
    open: AtomicUsize,
    max: usize,
}

/// Admits a connection if both the node's and the endpoint's count have room.
#[derive(Debug, Clone)]
pub struct Gate {
    node: Arc<ConnectionCount>,
    endpoint: Arc<ConnectionCount>,
}

/// Held by an open connection; dropping it frees its place in both counts.
#[derive(Debug)]
pub struct Permit {
    counts: [Arc<ConnectionCount>; 2],
}

/// Which bound refused a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    /// `limits.max_connections`.
    Node(usize),
    /// The endpoint's `max_connections`.
    Endpoint(usize),
}

impl ConnectionCount {
    /// A count of zero with bound `max`.
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(ConnectionCount {
            open: AtomicUsize::new(0),
            max,
        })
    }

    /// How many connections are open.
    pub fn open(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    /// Takes a place if one is free.
    fn take(&self) -> bool {
        self.open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            })
            .is_ok()
    }

    fn give_back(&self) {
        self.open.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Gate {
    /// A gate over the node's count and one endpoint's.
    pub fn new(node: Arc<ConnectionCount>, endpoint: Arc<ConnectionCount>) -> Self {
        Gate { node, endpoint }
    }

    /// A permit for one more connection, or which bound is reached.
    pub fn admit(&self) -> Result<Permit, Full> {
        if !self.node.take() {
            return Err(Full::Node(self.node.max));
        }
        if !self.endpoint.take() {
            self.node.give_back();
            return Err(Full::Endpoint(self.endpoint.max));
        }
        Ok(Permit {
            counts: [self.node.clone(), self.endpoint.clone()],
        })
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        for c in &self.counts {
            c.give_back();
        }
    }
}

impl std::fmt::Display for Full {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Full::Node(n) => write!(
                f,
                "the node has {n} connections open (limits.max_connections)"
            ),
            Full::Endpoint(n) => {
                write!(f, "the endpoint has {n} connections open (max_connections)")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_bounds_apply_and_permits_give_back() {
        let node = ConnectionCount::new(3);
        let a = Gate::new(node.clone(), ConnectionCount::new(2));
        let b = Gate::new(node.clone(), ConnectionCount::new(10));
        let p1 = a.admit().unwrap();
        let _p2 = a.admit().unwrap();
        assert_eq!(a.admit().unwrap_err(), Full::Endpoint(2));
        let _p3 = b.admit().unwrap();
        assert_eq!(b.admit().unwrap_err(), Full::Node(3));
        assert_eq!(node.open(), 3);
        drop(p1);
        assert_eq!(node.open(), 2);
        assert!(a.admit().is_ok());
    }
}
