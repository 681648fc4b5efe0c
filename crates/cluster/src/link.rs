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
