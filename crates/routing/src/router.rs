//! The router: its realms, the session ids in use, and shutdown.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crossway_protocol::errors;
use crossway_protocol::ids::{IdSequence, random_id};
use crossway_protocol::{SessionId, Uri, UriRules};
use dashmap::DashSet;
use event_listener::{Event, EventListener};

use crate::dealer::{CallLimits, Dealer};
use crate::error::AbortReason;
use crate::features::ClientFeatures;
use crate::identity::Identity;
use crate::member::Member;
use crate::outbox::Outbox;
use crate::permissions::RoleConfig;
use crate::realm::Realm;
use crate::realm_options::RealmOptions;
use crate::session::TransportInfo;
use crate::stats::RealmSnapshot;

/// How many random session ids to try before giving up (each try collides with probability
/// sessions / 2^53).
const SESSION_ID_TRIES: usize = 16;

/// One realm's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealmConfig {
    /// The realm's name, as clients give it in HELLO.
    pub name: String,
    /// The URI rules topics must follow in this realm.
    pub uri_rules: UriRules,
    /// The realm's roles; `None` lets every session do everything (see [`crate::permissions`]).
    pub roles: Option<Vec<RoleConfig>>,
    /// The meta API, event retention, event history and testaments, and their bounds.
    pub options: RealmOptions,
}

/// The router: every realm, shared (`Arc`) by every session of the node.
#[derive(Debug)]
pub struct Router {
    realms: HashMap<Uri, Arc<Realm>>,
    session_ids: DashSet<SessionId>,
    shutting_down: AtomicBool,
    /// Notified when a call's deadline comes before every other (the node's timer waits on it).
    earlier_deadline: Arc<Event>,
}

impl RealmConfig {
    /// A realm with loose URI rules.
    pub fn new(name: &str) -> RealmConfig {
        RealmConfig {
            name: name.to_owned(),
            uri_rules: UriRules::Loose,
            roles: None,
            options: RealmOptions::default(),
        }
    }
}

impl Router {
    /// A router serving `realms`, with the default bounds on calls in flight. A name given twice
    /// keeps its first configuration.
    pub fn new(realms: Vec<RealmConfig>) -> Arc<Router> {
        Router::with_limits(realms, CallLimits::default())
    }

    /// A router serving `realms`, bounding calls in flight by `limits`.
    pub fn with_limits(realms: Vec<RealmConfig>, limits: CallLimits) -> Arc<Router> {
        let subscription_ids = Arc::new(IdSequence::new());
        let registration_ids = Arc::new(IdSequence::new());
        let invocation_ids = Arc::new(IdSequence::new());
        let earlier_deadline = Arc::new(Event::new());
        let mut map = HashMap::with_capacity(realms.len());
        for config in realms {
            let name = Uri::from(config.name);
            match map.entry(name.clone()) {
                Entry::Occupied(_) => tracing::warn!(realm = %name, "realm configured twice"),
                Entry::Vacant(slot) => {
                    let dealer = Dealer::new(
                        Arc::clone(&registration_ids),
                        Arc::clone(&invocation_ids),
                        Arc::clone(&earlier_deadline),
                        limits,
                    );
                    let realm = Realm::new(
                        name,
                        config.uri_rules,
                        config.roles.as_deref(),
                        &config.options,
                        dealer,
                        Arc::clone(&subscription_ids),
                    );
                    slot.insert(Arc::new(realm));
                }
            }
        }
        Arc::new(Router {
            realms: map,
            session_ids: DashSet::new(),
            shutting_down: AtomicBool::new(false),
            earlier_deadline,
        })
    }

    /// The number of joined sessions, in all realms.
    pub fn session_count(&self) -> usize {
        self.realms.values().map(|r| r.session_count()).sum()
    }

    /// The number of subscriptions (one per topic and match policy in use), in all realms.
    pub fn subscription_count(&self) -> usize {
        self.realms
            .values()
            .map(|r| r.broker().subscription_count())
            .sum()
    }

    /// The number of joined sessions in realm `name`, if the router serves it.
    pub fn realm_session_count(&self, name: &str) -> Option<usize> {
        self.realms.get(&Uri::new(name)).map(|r| r.session_count())
    }

    /// The number of registrations, in all realms.
    pub fn registration_count(&self) -> usize {
        self.realms
            .values()
            .map(|r| r.dealer().registration_count())
            .sum()
    }

    /// The number of calls in flight, in all realms.
    pub fn call_count(&self) -> usize {
        self.realms.values().map(|r| r.dealer().call_count()).sum()
    }

    /// Ends every call whose timeout has passed at `now` (its caller gets ERROR
    /// `wamp.error.canceled`, its callee an INTERRUPT); returns how many. The node calls this
    /// when [`Router::next_call_deadline`] comes.
    pub fn expire_calls(&self, now: Instant) -> usize {
        self.realms.values().map(|r| r.dealer().expire(now)).sum()
    }

    /// The earliest timeout of a call in flight, in all realms.
    pub fn next_call_deadline(&self) -> Option<Instant> {
        self.realms
            .values()
            .filter_map(|r| r.dealer().next_deadline())
            .min()
    }

    /// A listener woken when a call gets a timeout earlier than every other: whoever waits for
    /// [`Router::next_call_deadline`] must look again. Listen first, then read the deadline.
    pub fn listen_call_deadlines(&self) -> EventListener {
        self.earlier_deadline.listen()
    }

    /// Publications refused by permissions without `acknowledge`, in all realms (nobody was told
    /// of them, so they are counted).
    pub fn refused_publications(&self) -> u64 {
        self.realms.values().map(|r| r.refused_publications()).sum()
    }

    /// Retained events not kept because a realm's retention bounds were reached, in all realms.
    pub fn retained_events_refused(&self) -> u64 {
        self.realms.values().map(|r| r.retention().refused()).sum()
    }

    /// Topics with a retained event, and their bytes, in all realms.
    pub fn retained_usage(&self) -> (usize, usize) {
        self.realms
            .values()
            .map(|r| r.retention().usage())
            .fold((0, 0), |(t, b), (t2, b2)| (t + t2, b + b2))
    }

    /// Each realm's counts (sessions, publications, events, calls), for the node's metrics.
    pub fn realm_stats(&self) -> Vec<RealmSnapshot> {
        self.realms
            .values()
            .map(|r| RealmSnapshot {
                realm: r.name().to_string(),
                sessions: r.session_count(),
                publications: r.stats().publications(),
                events_delivered: r.stats().events_delivered(),
                calls_routed: r.stats().calls_routed(),
                refused_publications: r.refused_publications(),
            })
            .collect()
    }

    /// Whether the router serves realm `name`.
    pub fn has_realm(&self, name: &str) -> bool {
        self.realms.contains_key(&Uri::new(name))
    }

    /// Starts shutting down: from now on HELLO is answered with ABORT
    /// `wamp.close.system_shutdown`, and every joined session is sent GOODBYE
    /// `wamp.close.system_shutdown` through its outbox, without waiting (a full outbox is killed
    /// as a slow consumer). The client's GOODBYE in reply is not answered again.
    pub fn shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
        let mut sent = 0;
        for realm in self.realms.values() {
            for member in realm.members() {
                member.send_goodbye(errors::SYSTEM_SHUTDOWN, "The router is shutting down.");
                sent += 1;
            }
        }
        tracing::info!(sessions = sent, "router shutting down: GOODBYE sent");
    }

    /// Whether [`Router::shutdown`] was called.
    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }

    /// The realm `name`.
    pub(crate) fn realm(&self, name: &Uri) -> Option<&Arc<Realm>> {
        self.realms.get(name)
    }

    /// Every realm.
    pub(crate) fn realms(&self) -> impl Iterator<Item = &Arc<Realm>> {
        self.realms.values()
    }

    /// Joins a session admitted as `identity` to `realm`, with the session id `id` reserved for
    /// it. A role the realm lacks is refused. On error the id is still reserved: the caller
    /// releases it.
    pub(crate) fn join(
        &self,
        realm: &Arc<Realm>,
        id: SessionId,
        identity: Identity,
        features: ClientFeatures,
        outbox: Outbox,
        transport: Arc<TransportInfo>,
    ) -> Result<Arc<Member>, AbortReason> {
        if self.is_shutting_down() {
            return Err(AbortReason::SystemShutdown);
        }
        let authorization = realm.authorization(&identity.authrole)?;
        let member = Arc::new(Member::new(
            id,
            identity,
            authorization,
            features,
            outbox,
            transport,
        ));
        realm.insert(Arc::clone(&member));
        // Checked again after the insertion: a shutdown that started meanwhile either saw this
        // session (and sent it GOODBYE) or is seen here; either way no session joins unnoticed.
        if self.is_shutting_down() {
            realm.remove(id);
            return Err(AbortReason::SystemShutdown);
        }
        Ok(member)
    }

    /// Removes session `id` from `realm` and frees its id.
    pub(crate) fn leave(&self, realm: &Realm, id: SessionId) {
        realm.remove(id);
        self.release_session_id(id);
    }

    /// Frees a session id reserved for a session that did not join.
    pub(crate) fn release_session_id(&self, id: SessionId) {
        self.session_ids.remove(&id);
    }

    /// How many session ids are reserved (joined sessions and those authenticating).
    #[cfg(test)]
    pub(crate) fn reserved_session_ids(&self) -> usize {
        self.session_ids.len()
    }

    /// A random session id no live session has, reserved until released.
    pub(crate) fn reserve_session_id(&self) -> Result<SessionId, AbortReason> {
        for _ in 0..SESSION_ID_TRIES {
            let id = SessionId(random_id());
            if self.session_ids.insert(id) {
                return Ok(id);
            }
        }
        tracing::error!("no free session id after {SESSION_ID_TRIES} tries");
        Err(AbortReason::NoSessionId)
    }
}
