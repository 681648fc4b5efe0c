//! A realm: a routing namespace with its URI rules, its joined sessions and its broker.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crossway_protocol::ids::IdSequence;
use crossway_protocol::{SessionId, Uri, UriRules};
use dashmap::DashMap;

use crate::broker::Broker;
use crate::dealer::Dealer;
use crate::error::AbortReason;
use crate::member::Member;
use crate::permissions::{Authorization, RoleConfig, Roles};
use crate::stats::RealmStats;

/// One realm of the router.
#[derive(Debug)]
pub(crate) struct Realm {
    name: Uri,
    rules: UriRules,
    sessions: DashMap<SessionId, Arc<Member>>,
    broker: Broker,
    dealer: Dealer,
    /// `None`: the realm has no roles, and lets every session do everything.
    roles: Option<Roles>,
    /// Publications refused by permissions without `acknowledge` (so nobody was told).
    refused_publications: AtomicU64,
    /// What the realm routed, for the node's metrics.
    stats: RealmStats,
}

impl Realm {
    /// An empty realm; its broker and dealer take ids from the router-wide sequences. With
    /// `roles`, what no rule of a session's role allows is denied.
    pub(crate) fn new(
        name: Uri,
        rules: UriRules,
        roles: Option<&[RoleConfig]>,
        dealer: Dealer,
        subscription_ids: Arc<IdSequence>,
    ) -> Realm {
        Realm {
            name,
            rules,
            sessions: DashMap::new(),
            broker: Broker::new(subscription_ids),
            dealer,
            roles: roles.map(Roles::new),
            refused_publications: AtomicU64::new(0),
            stats: RealmStats::default(),
        }
    }

    /// What a session of role `role` may do here; a role the realm lacks is refused.
    pub(crate) fn authorization(&self, role: &str) -> Result<Authorization, AbortReason> {
        match &self.roles {
            None => Ok(Authorization::Open),
            Some(roles) => roles
                .get(role)
                .map(|r| Authorization::Role(Arc::clone(r)))
                .ok_or_else(|| AbortReason::NoSuchRole(role.to_owned())),
        }
    }

    /// Counts a publication that permissions refused without telling the publisher.
    pub(crate) fn count_refused_publication(&self) {
        self.refused_publications.fetch_add(1, Ordering::Relaxed);
    }

    /// How many publications permissions refused without telling the publisher.
    pub(crate) fn refused_publications(&self) -> u64 {
        self.refused_publications.load(Ordering::Relaxed)
    }

    /// What the realm routed.
    pub(crate) fn stats(&self) -> &RealmStats {
        &self.stats
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

    /// The realm's dealer.
    pub(crate) fn dealer(&self) -> &Dealer {
        &self.dealer
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
