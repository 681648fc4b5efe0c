//! A realm: a routing namespace with its URI rules, its joined sessions, its broker and dealer,
//! and what it keeps for later (retained events, event history).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use crossway_protocol::ids::{IdSequence, random_id};
use crossway_protocol::{Payload, PublicationId, SessionId, Uri, UriRules};
use dashmap::DashMap;

use crate::broker::{Broker, Dispatch, Publication, event_details};
use crate::cluster::{ClusterLink, CrossPublication, Proxies};
use crate::dealer::Dealer;
use crate::error::AbortReason;
use crate::history::{History, Record};
use crate::identity::Identity;
use crate::member::Member;
use crate::permissions::{Authorization, RoleConfig, Roles};
use crate::publication::{PublishOptions, Publisher};
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
    /// The link to the other nodes, when the node is in a cluster (set once, at start).
    cluster: OnceLock<Arc<dyn ClusterLink>>,
    /// The callees and callers of other nodes.
    proxies: Proxies,
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
            cluster: OnceLock::new(),
            proxies: Proxies::default(),
        }
    }

    /// Publishes to `topic` (valid, and allowed): keeps the publication as the topic's retained
    /// event when it asks to be, and in the event history when a rule covers the topic, then
    /// delivers it, then hands it to the other nodes of the cluster, if any. The publisher is a
    /// session, or the router (`None`). A publication that is neither retained nor kept costs
    /// two branches more than its delivery (three in a cluster).
    pub(crate) fn publish(
        &self,
        publisher: Option<&Member>,
        topic: &Uri,
        options: &PublishOptions,
        payload: Payload,
    ) -> (PublicationId, Dispatch) {
        let id = PublicationId(random_id());
        let publisher = publisher.map(Publisher::from);
        let kept = self.keep(id, publisher, topic, options, &payload);
        let Some(link) = self.cluster.get() else {
            return (id, self.deliver(id, publisher, topic, options, payload));
        };
        let cross = CrossPublication {
            id,
            topic: topic.clone(),
            publisher: publisher.map_or(SessionId(0), |p| p.id),
            identity: publisher
                .filter(|_| options.disclose_me)
                .map(|p| p.identity.clone()),
            options: options.to_dict(),
            payload: payload.clone(),
            broadcast: kept,
        };
        let dispatch = self.deliver(id, publisher, topic, options, payload);
        link.publish(&self.name, cross);
        (id, dispatch)
    }

    /// Delivers a publication another node made, as that node delivered it: the same id,
    /// receivers and details; kept as a retained event or in the history as it was there.
    pub(crate) fn deliver_remote(&self, publication: CrossPublication) {
        let options = match PublishOptions::parse(&publication.options) {
            Ok(options) => options,
            Err(error) => {
                tracing::warn!(realm = %self.name, topic = %publication.topic, %error,
                    "publication from another node with unreadable options: dropped");
                return;
            }
        };
        // Details name the publisher only when it asked to be disclosed, and then its node sent
        // its identity: otherwise only its id is needed (`exclude_me`).
        let nobody = Identity {
            authid: String::new(),
            authrole: String::new(),
            authmethod: String::new(),
            authprovider: String::new(),
        };
        let publisher = (publication.publisher != SessionId(0)).then(|| Publisher {
            id: publication.publisher,
            identity: publication.identity.as_ref().unwrap_or(&nobody),
        });
        let (id, topic) = (publication.id, &publication.topic);
        self.keep(id, publisher, topic, &options, &publication.payload);
        self.deliver(id, publisher, topic, &options, publication.payload);
    }

    /// Keeps a publication as the topic's retained event when it asks to be, and in the event
    /// history when a rule covers the topic; whether it was either.
    fn keep(
        &self,
        id: PublicationId,
        publisher: Option<Publisher<'_>>,
        topic: &Uri,
        options: &PublishOptions,
        payload: &Payload,
    ) -> bool {
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
                    payload,
                };
                self.history.record(self.next_history_sequence(), record);
            }
            if retain {
                let event = Retention::event(id, topic, details, options, payload);
                self.retention.keep(event);
            }
        }
        retain || history
    }

    /// Delivers a publication to this node's subscribers.
    fn deliver(
        &self,
        id: PublicationId,
        publisher: Option<Publisher<'_>>,
        topic: &Uri,
        options: &PublishOptions,
        payload: Payload,
    ) -> Dispatch {
        let publication = Publication {
            id,
            topic,
            options,
            payload,
        };
        let dispatch = self.broker.publish(publisher, publication);
        self.stats.published(dispatch.delivery.receivers);
        dispatch
    }

    /// The link to the other nodes, when the node is in a cluster.
    pub(crate) fn cluster(&self) -> Option<&Arc<dyn ClusterLink>> {
        self.cluster.get()
    }

    /// Joins the realm to a cluster: its publications and interest go to `link` from now on.
    pub(crate) fn attach_cluster(&self, link: Arc<dyn ClusterLink>) {
        self.broker
            .attach_cluster(self.name.clone(), Arc::clone(&link));
        if self.cluster.set(link).is_err() {
            tracing::warn!(realm = %self.name, "cluster link attached twice: the first stays");
        }
    }

    /// The callees and callers of other nodes.
    pub(crate) fn proxies(&self) -> &Proxies {
        &self.proxies
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
