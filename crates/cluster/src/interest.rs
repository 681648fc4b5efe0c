//! The node's NATS subscriptions for publications: one per pattern that its own subscriptions
//! need (see `subject::cover`), each read by a small task that forwards what arrives, in order,
//! into one bounded channel that the cluster task reads. So the task waits on one channel
//! however many patterns there are.
//!
//! When the channel is full (the cluster task is behind), the forwarders wait, and NATS's own
//! per-subscription buffer takes the rest; past it NATS drops messages and says so (a slow
//! consumer event, logged).

use std::collections::{BTreeSet, HashMap};

use async_nats::{Client, Message};
use futures_util::StreamExt;
use tokio::sync::{mpsc, oneshot};

/// Messages waiting between the forwarders and the cluster task, at most.
const CAPACITY: usize = 4096;

/// The subscriptions, by subject pattern.
#[derive(Debug)]
pub(crate) struct Interest {
    forwarders: HashMap<String, oneshot::Sender<()>>,
    tx: mpsc::Sender<Message>,
}

impl Interest {
    /// No subscription yet; what the subscriptions receive comes out of the receiver.
    pub(crate) fn new() -> (Interest, mpsc::Receiver<Message>) {
        let (tx, rx) = mpsc::channel(CAPACITY);
        let interest = Interest {
            forwarders: HashMap::new(),
            tx,
        };
        (interest, rx)
    }

    /// Subscribes to the patterns of `wanted` not subscribed yet, then unsubscribes from those
    /// not wanted any more (in that order: a publication is never missed while one pattern
    /// replaces another; it may come twice meanwhile). Whether anything changed.
    pub(crate) async fn set(&mut self, client: &Client, wanted: &BTreeSet<String>) -> bool {
        let mut changed = false;
        for subject in wanted {
            if self.forwarders.contains_key(subject) {
                continue;
            }
            match client.subscribe(subject.clone()).await {
                Ok(mut sub) => {
                    let (stop_tx, mut stop) = oneshot::channel::<()>();
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        loop {
                            tokio::select! {
                                biased;
                                _ = &mut stop => {
                                    let _ = sub.unsubscribe().await;
                                    break;
                                }
                                msg = sub.next() => match msg {
                                    Some(msg) => {
                                        if tx.send(msg).await.is_err() {
                                            break;
                                        }
                                    }
                                    None => break,
                                },
                            }
                        }
                    });
                    self.forwarders.insert(subject.clone(), stop_tx);
                    changed = true;
                }
                Err(error) => {
                    tracing::warn!(subject, %error, "cluster: cannot subscribe; tried again at the next change");
                }
            }
        }
        let gone: Vec<String> = self
            .forwarders
            .keys()
            .filter(|s| !wanted.contains(*s))
            .cloned()
            .collect();
        for subject in gone {
            if let Some(stop) = self.forwarders.remove(&subject) {
                let _ = stop.send(());
                changed = true;
            }
        }
        changed
    }

    /// The number of subscriptions.
    pub(crate) fn len(&self) -> usize {
        self.forwarders.len()
    }
}
