//! What GET /health answers: whether the node is serving.

use std::sync::atomic::{AtomicU8, Ordering};

/// The node's state as the health check sees it.
#[derive(Debug)]
pub struct Health {
    state: AtomicU8,
}

const STARTING: u8 = 0;
const SERVING: u8 = 1;
const DRAINING: u8 = 2;

impl Health {
    /// A node that is not serving yet.
    pub fn new() -> Self {
        Health {
            state: AtomicU8::new(STARTING),
        }
    }

    /// Every endpoint listens and accepts.
    pub fn serving(&self) {
        self.state.store(SERVING, Ordering::Release);
    }

    /// The node is shutting down: it accepts nothing new and waits for sessions to close.
    pub fn draining(&self) {
        self.state.store(DRAINING, Ordering::Release);
    }

    /// The status and the one-word body GET /health answers with.
    pub fn answer(&self) -> (u16, &'static str) {
        match self.state.load(Ordering::Acquire) {
            SERVING => (200, "serving"),
            DRAINING => (503, "draining"),
            _ => (503, "starting"),
        }
    }
}

impl Default for Health {
    fn default() -> Self {
        Health::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starting_then_serving_then_draining() {
        let h = Health::new();
        assert_eq!(h.answer(), (503, "starting"));
        h.serving();
        assert_eq!(h.answer(), (200, "serving"));
        h.draining();
        assert_eq!(h.answer(), (503, "draining"));
    }
}
