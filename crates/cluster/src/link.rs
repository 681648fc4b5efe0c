//! The router's side of the cluster: [`Link`] implements the routing crate's `ClusterLink`.
//! Every method returns at once, on whatever thread the router calls it from:
//!
//! - publications and call messages go into one bounded queue (`queue` messages) that the
//!   cluster thread empties into NATS; when it is full, or NATS is away, a message is dropped and
//!   counted (`crossway_cluster_dropped_total`), and a call message that cannot go makes the call
//!   end with `wamp.error.canceled` at once;
//! - interest (which topics this node wants) is a table of counts: the cluster thread turns it
//!   into NATS subscriptions when told it changed, so no change is ever lost to a full queue;
//! - this node's state changes apply to its own tables at once, and wait in a list for the
//!   cluster thread to send; a list grown past [`MAX_PENDING`] is dropped, and the other nodes,
//!   seeing the gap in the change numbers, ask for the whole state instead.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crossway_protocol::{Message, Uri};
use crossway_routing::MatchPolicy;
use crossway_routing::cluster::{
    ClusterLink, CrossPublication, RemoteSession, RemoteSubscription, Route, StateChange,
};
use tokio::sync::{Notify, mpsc};

use crate::peers::Peers;
use crate::stats::ClusterStats;
use crate::tables::Tables;

/// Changes waiting to be sent, at most; more make the other nodes ask for the whole state.
const MAX_PENDING: usize = 10_000;

/// What the cluster thread sends to NATS for the router.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// A publication made here.
    Publish(Uri, CrossPublication),
    /// A call's message for another node.
    Call(Route, Message),
}

/// This node's own state: its tables, its change count, and the changes not sent yet.
#[derive(Debug, Default)]
pub(crate) struct Local {
    /// This node's sessions, subscriptions and registrations.
    pub(crate) tables: Tables,
    /// Changes made since the node started.
    pub(crate) seq: u64,
    /// Changes not sent yet, the last of them numbered `seq`.
    pub(crate) pending: Vec<StateChange>,
}

/// The router's link to the cluster thread.
#[derive(Debug)]
pub(crate) struct Link {
    queue: mpsc::Sender<Outgoing>,
    interest: Mutex<HashMap<(Uri, Uri, MatchPolicy), usize>>,
    /// Told when `interest` changed.
    pub(crate) interest_changed: Notify,
    local: Mutex<Local>,
    /// Told when a change waits in `local`.
    pub(crate) local_changed: Notify,
    peers: Arc<Mutex<Peers>>,
    stats: Arc<ClusterStats>,
}

impl Link {
    /// A link queueing into `queue`, reading the other nodes from `peers`.
    pub(crate) fn new(
        queue: mpsc::Sender<Outgoing>,
        peers: Arc<Mutex<Peers>>,
        stats: Arc<ClusterStats>,
    ) -> Link {
        Link {
            queue,
            interest: Mutex::new(HashMap::new()),
            interest_changed: Notify::new(),
            local: Mutex::new(Local::default()),
            local_changed: Notify::new(),
            peers,
            stats,
        }
    }

    /// The topics this node wants, by realm: each subscription's topic and policy.
    pub(crate) fn interest(&self) -> Vec<(Uri, Uri, MatchPolicy)> {
        lock(&self.interest).keys().cloned().collect()
    }

    /// This node's state, locked.
    pub(crate) fn local(&self) -> MutexGuard<'_, Local> {
        lock(&self.local)
    }

    fn enqueue(&self, out: Outgoing) -> bool {
        if !self.stats.is_connected() {
            self.stats.dropped();
            return false;
        }
        match self.queue.try_send(out) {
            Ok(()) => true,
            Err(_) => {
                self.stats.dropped();
                false
            }
        }
    }
}

impl ClusterLink for Link {
    fn interest(&self, realm: &Uri, topic: &Uri, policy: MatchPolicy, present: bool) {
        let key = (realm.clone(), topic.clone(), policy);
        {
            let mut interest = lock(&self.interest);
            if present {
                *interest.entry(key).or_insert(0) += 1;
            } else if let Some(count) = interest.get_mut(&key) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    interest.remove(&key);
                }
            }
        }
        self.interest_changed.notify_one();
    }

    fn publish(&self, realm: &Uri, publication: CrossPublication) {
        self.enqueue(Outgoing::Publish(realm.clone(), publication));
    }

    fn send(&self, route: Route, message: Message) -> bool {
        self.enqueue(Outgoing::Call(route, message))
    }

    fn announce(&self, change: StateChange) {
        {
            let mut local = lock(&self.local);
            local.tables.apply(&change);
            local.seq += 1;
            if local.pending.len() >= MAX_PENDING {
                // The other nodes see the gap and ask for the whole state.
                local.pending.clear();
            }
            local.pending.push(change);
        }
        self.local_changed.notify_one();
    }

    fn remote_sessions(&self, realm: &Uri) -> Vec<RemoteSession> {
        lock(&self.peers).sessions(realm)
    }

    fn remote_subscriptions(&self, realm: &Uri) -> Vec<RemoteSubscription> {
        lock(&self.peers).subscriptions(realm)
    }
}

/// Locks `m`, whether or not a thread panicked with it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use crossway_protocol::{Dict, Payload, PublicationId, SessionId};

    use super::*;

    fn publication() -> CrossPublication {
        CrossPublication {
            id: PublicationId(1),
            topic: Uri::new("com.t"),
            publisher: SessionId(0),
            identity: None,
            options: Dict::new(),
            payload: Payload::new(None, None),
            broadcast: false,
        }
    }

    fn route() -> Route {
        Route {
            node: std::sync::Arc::from("b"),
            realm: Uri::new("realm1"),
            callee: SessionId(7),
            registration: None,
        }
    }

    fn interrupt() -> Message {
        Message::Interrupt {
            request: crossway_protocol::RequestId(1),
            options: Dict::new(),
        }
    }

    #[test]
    fn a_full_queue_drops_counts_and_refuses_calls_without_waiting() {
        let (tx, mut rx) = mpsc::channel(2);
        let stats = Arc::new(ClusterStats::default());
        let link = Link::new(tx, Arc::default(), Arc::clone(&stats));
        stats.set_connected(true);
        let realm = Uri::new("realm1");
        link.publish(&realm, publication());
        assert!(link.send(route(), interrupt()));
        // Full: dropped and counted, and a call message says it could not go.
        link.publish(&realm, publication());
        assert!(!link.send(route(), interrupt()));
        assert_eq!(stats.snapshot().dropped, 2);
        assert!(matches!(rx.try_recv(), Ok(Outgoing::Publish(..))));
        assert!(matches!(rx.try_recv(), Ok(Outgoing::Call(..))));
        assert!(rx.try_recv().is_err());
    }

    #[test]
    fn nothing_is_queued_while_nats_is_away() {
        let (tx, mut rx) = mpsc::channel(8);
        let stats = Arc::new(ClusterStats::default());
        let link = Link::new(tx, Arc::default(), Arc::clone(&stats));
        link.publish(&Uri::new("realm1"), publication());
        assert!(!link.send(route(), interrupt()));
        assert_eq!(stats.snapshot().dropped, 2);
        assert!(rx.try_recv().is_err());
    }

    #[test]
    fn state_changes_past_the_bound_leave_a_gap_the_others_see() {
        let (tx, _rx) = mpsc::channel(1);
        let link = Link::new(tx, Arc::default(), Arc::default());
        let left = |n: u64| StateChange::Left {
            realm: Uri::new("realm1"),
            session: SessionId(n),
        };
        for n in 0..=MAX_PENDING as u64 {
            link.announce(left(n));
        }
        let local = link.local();
        assert_eq!(local.seq, MAX_PENDING as u64 + 1);
        // The first MAX_PENDING were dropped: what waits starts after a gap.
        assert_eq!(local.pending.len(), 1);
    }

    #[test]
    fn interest_counts_subscriptions_of_a_topic() {
        let (tx, _rx) = mpsc::channel(1);
        let link = Link::new(tx, Arc::default(), Arc::default());
        let (realm, topic) = (Uri::new("realm1"), Uri::new("com.t"));
        ClusterLink::interest(&link, &realm, &topic, MatchPolicy::Exact, true);
        ClusterLink::interest(&link, &realm, &topic, MatchPolicy::Exact, true);
        ClusterLink::interest(&link, &realm, &topic, MatchPolicy::Exact, false);
        assert_eq!(link.interest().len(), 1);
        ClusterLink::interest(&link, &realm, &topic, MatchPolicy::Exact, false);
        assert!(link.interest().is_empty());
    }
}
