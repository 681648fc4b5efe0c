//! A realm: a routing namespace with its URI rules, its joined sessions and its broker.

use std::sync::Arc;

use crossway_protocol::ids::IdSequence;
use crossway_protocol::{SessionId, Uri, UriRules};
use dashmap::DashMap;

use crate::broker::Broker;
use crate::member::Member;

/// One realm of the router.
#[derive(Debug)]
pub(crate) struct Realm {
    name: Uri,
    rules: UriRules,
    sessions: DashMap<SessionId, Arc<Member>>,
    broker: Broker,
}

impl Realm {
    /// An empty realm; its broker takes subscription ids from the router-wide `ids`.
    pub(crate) fn new(name: Uri, rules: UriRules, ids: Arc<IdSequence>) -> Realm {
        Realm {
            name,
            rules,
            sessions: DashMap::new(),
            broker: Broker::new(ids),
        }
    }

    /// The realm's name.
    pub(crate) fn name(&self) -> &Uri {
        &self.name
    }

    /// The URI rules for topics in this realm.
    pub(crate) fn rules(&self) -> UriRules {
        self.rules
    }

    /// The realm's broker.
    pub(crate) fn broker(&self) -> &Broker {
        &self.broker
    }

    /// Adds a joined session.
    pub(crate) fn insert(&self, member: Arc<Member>) {
        self.sessions.insert(member.id(), member);
    }

    /// Removes a session that leaves.
    pub(crate) fn remove(&self, id: SessionId) {
        self.sessions.remove(&id);
    }

    /// The number of joined sessions.
    pub(crate) fn session_count(&self) -> usize {
        self.sessions.len()
    }

    /// Every joined session, copied out so that no lock is held while they are used.
    pub(crate) fn members(&self) -> Vec<Arc<Member>> {
        self.sessions
            .iter()
            .map(|e| Arc::clone(e.value()))
            .collect()
    }
}
