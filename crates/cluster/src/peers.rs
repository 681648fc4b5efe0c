//! The other nodes: what each has told (its sessions, subscriptions and registrations), how far
//! its numbered changes have come, and when it was last heard.
//!
//! A node sends its changes as they happen, numbered, and a heartbeat with the last number. A
//! node first heard, restarted (another incarnation), or whose numbers jump (changes lost while
//! NATS was away, or dropped on its side) is asked for its whole state; changes that arrive
//! meanwhile wait (bounded) and apply after it. A node not heard for `node_timeout`, or that
//! said goodbye, is gone: its callees leave the dealer, its calls end.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crossway_protocol::{SessionId, Uri};
use crossway_routing::MatchPolicy;
use crossway_routing::cluster::{
    RemoteRegistration, RemoteSession, RemoteSubscription, StateChange,
};

use crate::tables::Tables;
use crate::wire::NodeSeq;

/// Changes of one node kept while its whole state is on its way, at most; past that they are
/// dropped, and the gap is seen at the next heartbeat.
const MAX_WAITING: usize = 10_000;

/// What the router must be told after a peer's state changed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Effect {
    /// A remote callee registered.
    Registered(String, Uri, RemoteRegistration),
    /// A remote callee gave a registration up.
    Unregistered(Uri, SessionId, Uri, MatchPolicy),
    /// A remote session left.
    SessionLeft(Uri, SessionId),
    /// A node is gone.
    NodeGone(String),
}

/// What to do after hearing from a peer.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Outcome {
    /// Tell the router these.
    pub(crate) effects: Vec<Effect>,
    /// Ask this node for its whole state.
    pub(crate) sync: Option<String>,
}

#[derive(Debug)]
struct Peer {
    incarnation: u64,
    seq: u64,
    last_seen: Instant,
    tables: Tables,
    /// Its whole state was asked for and has not come yet.
    syncing: bool,
    /// Changes that came while syncing, by number.
    waiting: Vec<(u64, StateChange)>,
}

/// Every other node heard from.
#[derive(Debug, Default)]
pub(crate) struct Peers {
    by_node: HashMap<String, Peer>,
}

impl Peers {
    /// A heartbeat from `at`.
    pub(crate) fn heartbeat(&mut self, at: &NodeSeq, now: Instant) -> Outcome {
        let mut out = self.heard(at, now);
        if let Some(peer) = self.by_node.get_mut(&at.node)
            && at.seq > peer.seq
            && !peer.syncing
        {
            peer.syncing = true;
            out.sync = Some(at.node.clone());
        }
        out
    }

    /// Changes from `from.node`, the first numbered `from.seq`.
    pub(crate) fn changes(
        &mut self,
        from: &NodeSeq,
        changes: Vec<StateChange>,
        now: Instant,
    ) -> Outcome {
        let mut out = self.heard(from, now);
        let Some(peer) = self.by_node.get_mut(&from.node) else {
            return out;
        };
        for (n, change) in (from.seq..).zip(changes) {
            if peer.syncing {
                if peer.waiting.len() < MAX_WAITING {
                    peer.waiting.push((n, change));
                }
                continue;
            }
            if n <= peer.seq {
                continue;
            }
            if n != peer.seq + 1 {
                peer.syncing = true;
                peer.waiting.push((n, change));
                out.sync = Some(from.node.clone());
                continue;
            }
            peer.seq = n;
            apply(&from.node, &mut peer.tables, &change, &mut out.effects);
        }
        out
    }

    /// The whole state of `from.node`, as of its change `from.seq`.
    pub(crate) fn snapshot(
        &mut self,
        from: &NodeSeq,
        state: &[StateChange],
        now: Instant,
    ) -> Outcome {
        let mut out = self.heard(from, now);
        let Some(peer) = self.by_node.get_mut(&from.node) else {
            return out;
        };
        let fresh = Tables::from_changes(state);
        diff(&from.node, &peer.tables, &fresh, &mut out.effects);
        peer.tables = fresh;
        peer.seq = from.seq;
        peer.syncing = false;
        let mut waiting = std::mem::take(&mut peer.waiting);
        waiting.sort_by_key(|(n, _)| *n);
        for (n, change) in waiting {
            if n == peer.seq + 1 {
                peer.seq = n;
                apply(&from.node, &mut peer.tables, &change, &mut out.effects);
            }
        }
        out
    }

    /// A sync with `node` failed (no answer): it may be asked again.
    pub(crate) fn sync_failed(&mut self, node: &str) {
        if let Some(peer) = self.by_node.get_mut(node) {
            peer.syncing = false;
        }
    }

    /// `node` said goodbye.
    pub(crate) fn bye(&mut self, node: &str, incarnation: u64) -> Outcome {
        let mut out = Outcome::default();
        if self
            .by_node
            .get(node)
            .is_some_and(|p| p.incarnation == incarnation)
        {
            self.by_node.remove(node);
            out.effects.push(Effect::NodeGone(node.to_owned()));
        }
        out
    }

    /// The nodes not heard for `timeout` at `now`, removed.
    pub(crate) fn expire(&mut self, now: Instant, timeout: Duration) -> Vec<String> {
        let gone: Vec<String> = self
            .by_node
            .iter()
            .filter(|(_, p)| now.saturating_duration_since(p.last_seen) > timeout)
            .map(|(n, _)| n.clone())
            .collect();
        for node in &gone {
            self.by_node.remove(node);
        }
        gone
    }

    /// The number of other nodes.
    pub(crate) fn len(&self) -> usize {
        self.by_node.len()
    }

    /// The sessions of `realm` on every other node.
    pub(crate) fn sessions(&self, realm: &Uri) -> Vec<RemoteSession> {
        self.by_node
            .values()
            .flat_map(|p| p.tables.sessions(realm))
            .collect()
    }

    /// The subscriptions of `realm` on every other node.
    pub(crate) fn subscriptions(&self, realm: &Uri) -> Vec<RemoteSubscription> {
        self.by_node
            .values()
            .flat_map(|p| p.tables.subscriptions(realm))
            .collect()
    }

    /// Notes that `at.node` was heard; a new node, or a new run of it, starts empty (the old
    /// run is gone) and is asked for its state.
    fn heard(&mut self, at: &NodeSeq, now: Instant) -> Outcome {
        let mut out = Outcome::default();
        if let Some(peer) = self.by_node.get_mut(&at.node) {
            if peer.incarnation == at.incarnation {
                peer.last_seen = now;
                return out;
            }
            tracing::info!(node = %at.node, "cluster: node restarted");
            out.effects.push(Effect::NodeGone(at.node.clone()));
        } else {
            tracing::info!(node = %at.node, "cluster: node joined");
        }
        self.by_node.insert(
            at.node.clone(),
            Peer {
                incarnation: at.incarnation,
                seq: 0,
                last_seen: now,
                tables: Tables::default(),
                syncing: true,
                waiting: Vec::new(),
            },
        );
        out.sync = Some(at.node.clone());
        out
    }
}

/// Applies one change of `node` to its tables, and notes what the router must hear of it.
fn apply(node: &str, tables: &mut Tables, change: &StateChange, effects: &mut Vec<Effect>) {
    if !tables.apply(change) {
        return;
    }
    match change {
        StateChange::Registered {
            realm,
            registration,
        } => effects.push(Effect::Registered(
            node.to_owned(),
            realm.clone(),
            registration.clone(),
        )),
        StateChange::Unregistered {
            realm,
            session,
            procedure,
            policy,
        } => effects.push(Effect::Unregistered(
            realm.clone(),
            *session,
            procedure.clone(),
            *policy,
        )),
        StateChange::Left { realm, session } => {
            effects.push(Effect::SessionLeft(realm.clone(), *session));
        }
        _ => {}
    }
}

/// What the router must hear for `node`'s tables to go from `old` to `new`.
fn diff(node: &str, old: &Tables, new: &Tables, effects: &mut Vec<Effect>) {
    for key @ (realm, session, procedure, policy) in old.registrations().keys() {
        if !new.registrations().contains_key(key) {
            effects.push(Effect::Unregistered(
                realm.clone(),
                *session,
                procedure.clone(),
                *policy,
            ));
        }
    }
    for (realm, id) in old.session_keys() {
        if !new.has_session(realm, *id) {
            effects.push(Effect::SessionLeft(realm.clone(), *id));
        }
    }
    for (key, registration) in new.registrations() {
        if !old.registrations().contains_key(key) {
            effects.push(Effect::Registered(
                node.to_owned(),
                key.0.clone(),
                registration.clone(),
            ));
        }
    }
}

#[cfg(test)]
mod tests;
