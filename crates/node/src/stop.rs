//! The node-wide stop signal and the count of live tasks that shutdown waits for.

use std::time::Duration;

use async_channel::{Receiver, Sender};

/// Fired once when the node begins to shut down; every listener and every connection that has
/// not joined a realm yet watches it.
#[derive(Clone, Debug)]
pub struct StopSignal {
    rx: Receiver<()>,
}

/// The side that fires a [`StopSignal`].
#[derive(Debug)]
pub struct StopTrigger {
    tx: Sender<()>,
}

/// Creates a stop signal and its trigger.
pub fn stop_signal() -> (StopTrigger, StopSignal) {
    let (tx, rx) = async_channel::bounded(1);
    (StopTrigger { tx }, StopSignal { rx })
}

impl StopTrigger {
    /// Fires the signal: every [`StopSignal::stopped`] returns.
    pub fn fire(&self) {
        self.tx.close();
    }
}

impl StopSignal {
    /// Waits until the signal fires.
    pub async fn stopped(&self) {
        // Nothing is ever sent: recv returns only when the channel is closed.
        let _ = self.rx.recv().await;
    }
}

/// Counts live tasks: each holds a [`TaskToken`]; [`TaskCount::wait_idle`] returns when none is
/// left.
#[derive(Debug)]
pub struct TaskCount {
    tx: Sender<()>,
    rx: Receiver<()>,
}

/// Held by a live task; dropping it ends the task's count.
#[derive(Clone, Debug)]
pub struct TaskToken {
    _tx: Sender<()>,
}

impl TaskCount {
    /// A count of zero tasks.
    pub fn new() -> Self {
        let (tx, rx) = async_channel::bounded(1);
        TaskCount { tx, rx }
    }

    /// A token for one more task.
    pub fn token(&self) -> TaskToken {
        TaskToken {
            _tx: self.tx.clone(),
        }
    }

    /// Waits until every token is dropped, or `limit` has passed; returns whether all ended.
    pub async fn wait_idle(self, limit: Duration) -> bool {
        let TaskCount { tx, rx } = self;
        drop(tx);
        // Nothing is ever sent: recv returns when the last token is dropped.
        crossway_transport::rt::timeout(limit, rx.recv())
            .await
            .is_ok()
    }
}

impl Default for TaskCount {
    fn default() -> Self {
        Self::new()
    }
}
