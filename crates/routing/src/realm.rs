//! A realm: a routing namespace with its URI rules, its joined sessions, its broker and dealer,
//! and what it keeps for later (retained events, event history).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crossway_protocol::ids::{IdSequence, random_id};
use crossway_protocol::{Payload, PublicationId, SessionId, Uri, UriRules};
use dashmap::DashMap;

use crate::broker::{Broker, Dispatch, Publication, event_details};
use crate::dealer::Dealer;
use crate::error::AbortReason;
use crate::history::{History, Record};
use crate::member::Member;
use crate::permissions::{Authorization, RoleConfig, Roles};
use crate::publication::PublishOptions;
use crate::realm_options::{RealmOptions, TestamentLimits};
use crate::retention::Retention;
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
    /// Whether the meta API is on.
    meta_api: bool,
    /// Retained events.
    retention: Retention,
    /// The event history.
    history: History,
    /// The order in which the history keeps publications.
    history_sequence: AtomicU64,
    /// The bounds on each session's testaments.
    testaments: TestamentLimits,
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
        options: &RealmOptions,
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
            meta_api: options.meta_api,
            retention: Retention::new(options.retention),
            history: History::new(&options.history),
            history_sequence: AtomicU64::new(0),
            testaments: options.testaments,
            stats: RealmStats::default(),
        }
    }

    /// Publishes to `topic` (valid, and allowed): keeps the publication as the topic's retained
    /// event when it asks to be, and in the event history when a rule covers the topic, then
    /// delivers it. The publisher is a session, or the router (`None`). A publication that is
    /// neither retained nor kept costs two branches more than its delivery.
    pub(crate) fn publish(
        &self,
        publisher: Option<&Member>,
        topic: &Uri,
        options: &PublishOptions,
        payload: Payload,
    ) -> (PublicationId, Dispatch) {
        let id = PublicationId(random_id());
        let retain = options.retain && self.retention.is_enabled();
        let history = self.history.is_enabled() && self.history.keeps(topic);
        if retain || history {
            let details = event_details(publisher, options);
            if history {
                let record = Record {
                    id,
                    topic,
                    details: details.clone(),
                    options,
                    payload: &payload,
                };
                self.history.record(self.next_history_sequence(), record);
            }
            if retain {
                let event = Retention::event(id, topic, details, options, &payload);
                self.retention.keep(event);
            }
        }
        let publication = Publication {
            id,
            topic,
            options,
            payload,
        };
        let dispatch = self.broker.publish(publisher, publication);
        self.stats.published(dispatch.delivery.receivers);
        (id, dispatch)
    }

    /// Whether the router answers the meta procedures and publishes meta events here.
    pub(crate) fn meta_api(&self) -> bool {
        self.meta_api
    }

    /// The realm's retained events.
    pub(crate) fn retention(&self) -> &Retention {
        &self.retention
    }

    /// The realm's event history.
    pub(crate) fn history(&self) -> &History {
        &self.history
    }

    /// The next position in the history's order.
    pub(crate) fn next_history_sequence(&self) -> u64 {
        self.history_sequence.fetch_add(1, Ordering::Relaxed)
    }

    /// The bounds on each session's testaments.
    pub(crate) fn testament_limits(&self) -> TestamentLimits {
        self.testaments
    }

    /// The joined session `id`.
    pub(crate) fn member(&self, id: SessionId) -> Option<Arc<Member>> {
        self.sessions.get(&id).map(|m| Arc::clone(m.value()))
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
