//! The node's NATS subscriptions for publications: one per pattern that its own subscriptions
//! need (see `subject::cover`), and the one every node has for publications all nodes keep
//! (`P.all.>`), read together.
//!
//! The events of one publisher must reach a subscriber in the order they were published, across
//! topics too (the specification's ordering guarantee), but two topics may come through two NATS
//! subscriptions, each with its own queue. NATS sends a node one publisher's messages in order,
//! and the client puts each into its subscription's queue in that order, on this thread (the
//! cluster runtime has one). So [`Interest::next_batch`] takes everything that has arrived in
//! every queue at once, without yielding between queues, and the caller sorts the batch by the
//! sequence number each node gives its publications: a later message can never be in a batch
//! without an earlier one of the same node.

use std::collections::{BTreeSet, HashMap};

use async_nats::{Client, Message, Subscriber};
use futures_util::FutureExt;
use futures_util::stream::{SelectAll, StreamExt, TakeUntil};
use tokio::sync::oneshot;

/// One subscription, read until told to stop.
type Stream = TakeUntil<Subscriber, oneshot::Receiver<()>>;

/// The subscriptions, and how to stop each.
pub(crate) struct Interest {
    streams: SelectAll<Stream>,
    stops: HashMap<String, oneshot::Sender<()>>,
    /// The subscription every node has (never stopped), so that `streams` is never empty.
    _always: oneshot::Sender<()>,
}

impl std::fmt::Debug for Interest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interest")
            .field("subjects", &self.stops.len())
            .finish_non_exhaustive()
    }
}

impl Interest {
    /// Reading `always` (the subscription every node has) and nothing else yet.
    pub(crate) fn new(always: Subscriber) -> Interest {
        let (stop, stopped) = oneshot::channel();
        let mut streams = SelectAll::new();
        streams.push(always.take_until(stopped));
        Interest {
            streams,
            stops: HashMap::new(),
            _always: stop,
        }
    }

    /// Waits for a message, then takes every other message already in any queue. Call it from
    /// a future that tokio's cooperative budget does not constrain (`tokio::task::unconstrained`):
    /// a queue that says "not now" with messages in it would break the batch.
    pub(crate) async fn next_batch(&mut self) -> Vec<Message> {
        let Some(first) = self.streams.next().await else {
            // Never: the subscription every node has is never stopped. Wait instead of spinning.
            std::future::pending::<()>().await;
            return Vec::new();
        };
        let mut batch = vec![first];
        while let Some(Some(msg)) = self.streams.next().now_or_never() {
            batch.push(msg);
        }
        batch
    }

    /// Subscribes to the patterns of `wanted` not subscribed yet, then unsubscribes from those
    /// not wanted any more (in that order: a publication is never missed while one pattern
    /// replaces another; it may come twice meanwhile). Whether anything changed.
    pub(crate) async fn set(&mut self, client: &Client, wanted: &BTreeSet<String>) -> bool {
        let mut changed = false;
        for subject in wanted {
            if self.stops.contains_key(subject) {
                continue;
            }
            match client.subscribe(subject.clone()).await {
                Ok(sub) => {
                    let (stop, stopped) = oneshot::channel();
                    self.streams.push(sub.take_until(stopped));
                    self.stops.insert(subject.clone(), stop);
                    changed = true;
                }
                Err(error) => {
                    tracing::warn!(subject, %error, "cluster: cannot subscribe; tried again at the next change");
                }
            }
        }
        let gone: Vec<String> = self
            .stops
            .keys()
            .filter(|s| !wanted.contains(*s))
            .cloned()
            .collect();
        for subject in gone {
            // The stream ends; dropping its subscriber unsubscribes it.
            if let Some(stop) = self.stops.remove(&subject) {
                let _ = stop.send(());
                changed = true;
            }
        }
        changed
    }

    /// The number of pattern subscriptions.
    pub(crate) fn len(&self) -> usize {
        self.stops.len()
    }
}
