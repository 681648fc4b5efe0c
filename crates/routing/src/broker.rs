//! A realm's broker: its subscriptions, and the delivery of publications to them.
//!
//! A publication's payload goes out as the publisher encoded it; `event` (a child module) encodes
//! its EVENT per subscription and serializer, converting the payload once per other serializer.
//!
//! Locks, and the order they are taken in (never the reverse, never across anything slow):
//! the exact map's shard, or the pattern index, before a subscription's subscriber list. Delivery
//! holds no map lock: it clones the matching subscriptions (`Arc`) out first.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crossway_protocol::ids::IdSequence;
use crossway_protocol::{Dict, Payload, PublicationId, SessionId, SubscriptionId, Uri, Value};
use dashmap::DashMap;

use crate::cluster::ClusterLink;
use crate::matcher::{MatchPolicy, PatternIndex};
use crate::member::Member;
use crate::publication::{Audience, PublishOptions, Publisher};
use crate::subscription::{Delivery, Subscription};

mod event;

pub(crate) use event::Event;

/// The subscriptions of one realm.
#[derive(Debug)]
pub(crate) struct Broker {
    exact: DashMap<Uri, Arc<Subscription>>,
    /// Every subscription by id (the meta API's lookups; never touched by a publication).
    by_id: DashMap<SubscriptionId, Arc<Subscription>>,
    patterns: RwLock<PatternIndex>,
    /// How many pattern subscriptions exist: publications skip the pattern index when none do.
    pattern_count: AtomicUsize,
    /// Router-scope subscription ids, shared by every realm.
    ids: Arc<IdSequence>,
    /// In a cluster: the realm's name, and where each subscription made or gone is told (the
    /// node's interest in topics).
    cluster: OnceLock<(Uri, Arc<dyn ClusterLink>)>,
}

/// What one publication did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Dispatch {
    /// Matching subscriptions.
    pub(crate) subscriptions: usize,
    /// The sum of their deliveries.
    pub(crate) delivery: Delivery,
    /// Conversions of the payload to another serializer (at most one per serializer).
    pub(crate) conversions: usize,
}

/// One publication, as the broker delivers it.
#[derive(Debug)]
pub(crate) struct Publication<'a> {
    /// The publication id.
    pub(crate) id: PublicationId,
    /// The topic published to (a valid URI).
    pub(crate) topic: &'a Uri,
    /// The options that decide the receivers and the details.
    pub(crate) options: &'a PublishOptions,
    /// The payload, forwarded as the publisher encoded it.
    pub(crate) payload: Payload,
}

/// What SUBSCRIBE did.
#[derive(Debug)]
pub(crate) struct Subscribed {
    /// The subscription.
    pub(crate) subscription: Arc<Subscription>,
    /// It was made for this subscriber.
    pub(crate) created: bool,
    /// The session was not subscribed already.
    pub(crate) added: bool,
}

impl Broker {
    /// A broker with no subscription, taking subscription ids from `ids`.
    pub(crate) fn new(ids: Arc<IdSequence>) -> Broker {
        Broker {
            exact: DashMap::new(),
            by_id: DashMap::new(),
            patterns: RwLock::new(PatternIndex::default()),
            pattern_count: AtomicUsize::new(0),
            ids,
            cluster: OnceLock::new(),
        }
    }

    /// Tells `link` of every subscription made or gone from now on (the realm `realm` is in a
    /// cluster); set once, before any session joins.
    pub(crate) fn attach_cluster(&self, realm: Uri, link: Arc<dyn ClusterLink>) {
        let _first_stays = self.cluster.set((realm, link));
    }

    /// Tells the cluster, if any, that a subscription was made or went.
    fn interest(&self, sub: &Subscription, present: bool) {
        if let Some((realm, link)) = self.cluster.get() {
            link.interest(realm, sub.topic(), sub.policy(), present);
        }
    }

    /// Subscribes `member` to `topic` (valid for `policy`): the one subscription of this topic and
    /// policy, made if needed. Subscribing twice gives the same subscription.
    pub(crate) fn subscribe(
        &self,
        member: &Arc<Member>,
        topic: &Uri,
        policy: MatchPolicy,
    ) -> Subscribed {
        let mut created = false;
        let make = || {
            created = true;
            Arc::new(Subscription::new(self.next_id(), topic.clone(), policy))
        };
        let (subscription, added) = if policy == MatchPolicy::Exact {
            // The entry's shard stays locked while the member is added, so that the subscription
            // cannot be removed as empty in between.
            let entry = self.exact.entry(topic.clone()).or_insert_with(make);
            let added = entry.value().add(member);
            (Arc::clone(entry.value()), added)
        } else {
            let mut patterns = self.patterns_write();
            let sub = match policy {
                MatchPolicy::Prefix => patterns.prefix_entry(topic, make),
                MatchPolicy::Wildcard | MatchPolicy::Exact => patterns.wildcard_entry(topic, make),
            };
            let added = sub.add(member);
            self.pattern_count.store(patterns.len(), Ordering::Release);
            (sub, added)
        };
        if created {
            self.by_id
                .insert(subscription.id(), Arc::clone(&subscription));
            self.interest(&subscription, true);
            tracing::trace!(subscription = %subscription.id(), %topic, policy = policy.name(), "new subscription");
        }
        Subscribed {
            subscription,
            created,
            added,
        }
    }

    /// Removes `session` from `sub`; the subscription goes when its last subscriber does.
    /// `None` if the session was not subscribed, else whether the subscription went.
    pub(crate) fn unsubscribe(&self, session: SessionId, sub: &Arc<Subscription>) -> Option<bool> {
        if !sub.remove(session) {
            return None;
        }
        if !sub.is_empty() {
            return Some(false);
        }
        // Checked again under the map's lock: a subscriber may have come in the meantime.
        let deleted = if sub.policy() == MatchPolicy::Exact {
            self.exact
                .remove_if(sub.topic(), |_, s| Arc::ptr_eq(s, sub) && s.is_empty())
                .is_some()
        } else {
            let mut patterns = self.patterns_write();
            let removed = sub.is_empty() && patterns.remove(sub);
            self.pattern_count.store(patterns.len(), Ordering::Release);
            removed
        };
        if deleted {
            self.by_id.remove_if(&sub.id(), |_, s| Arc::ptr_eq(s, sub));
            self.interest(sub, false);
        }
        Some(deleted)
    }

    /// The subscription with id `id`.
    pub(crate) fn get(&self, id: SubscriptionId) -> Option<Arc<Subscription>> {
        self.by_id.get(&id).map(|s| Arc::clone(s.value()))
    }

    /// Every subscription, copied out.
    pub(crate) fn all(&self) -> Vec<Arc<Subscription>> {
        self.by_id.iter().map(|s| Arc::clone(s.value())).collect()
    }

    /// The subscription of `topic` with `policy`, if any.
    pub(crate) fn lookup(&self, topic: &Uri, policy: MatchPolicy) -> Option<Arc<Subscription>> {
        match policy {
            MatchPolicy::Exact => self.exact.get(topic).map(|s| Arc::clone(s.value())),
            _ => self.patterns_read().get(topic, policy),
        }
    }

    /// Every subscription a publication to `topic` reaches.
    pub(crate) fn matching(&self, topic: &Uri) -> Vec<Arc<Subscription>> {
        let mut out: Vec<Arc<Subscription>> = self
            .exact
            .get(topic)
            .map(|s| Arc::clone(s.value()))
            .into_iter()
            .collect();
        if self.pattern_count.load(Ordering::Acquire) != 0 {
            self.patterns_read()
                .collect_matches(topic.as_str(), &mut out);
        }
        out
    }

    /// Whether a publication to `topic` would reach any subscription: one hash lookup, and one
    /// atomic load while no pattern subscription exists (what a meta event costs when nobody
    /// watches).
    pub(crate) fn has_subscribers(&self, topic: &Uri) -> bool {
        if self.exact.contains_key(topic) {
            return true;
        }
        if self.pattern_count.load(Ordering::Acquire) == 0 {
            return false;
        }
        let mut out = Vec::new();
        self.patterns_read()
            .collect_matches(topic.as_str(), &mut out);
        !out.is_empty()
    }

    /// Delivers a publication to every matching subscription: one EVENT per subscription,
    /// encoded once per serializer among its receivers, with the payload converted at most once
    /// per serializer other than the publisher's. The publisher is a session, or the router
    /// itself (`None`: meta events, testaments).
    pub(crate) fn publish(
        &self,
        publisher: Option<Publisher<'_>>,
        publication: Publication<'_>,
    ) -> Dispatch {
        let details = event_details(publisher, publication.options);
        let publisher = publisher.map_or(SessionId(0), |p| p.id);
        let audience = Audience::new(publisher, publication.options);
        let mut event = Event::new(publication.id, details, publication.payload);
        let mut dispatch = Dispatch::default();
        // One hash lookup; the shard's lock is released at the end of the statement.
        let exact = self
            .exact
            .get(publication.topic)
            .map(|s| Arc::clone(s.value()));
        if let Some(sub) = exact {
            dispatch.add(sub.deliver(&mut event, &audience));
        }
        if self.pattern_count.load(Ordering::Acquire) != 0 {
            let mut matched = Vec::new();
            self.patterns_read()
                .collect_matches(publication.topic.as_str(), &mut matched);
            if !matched.is_empty()
                && let Some(details) = event.details_mut()
            {
                details.insert(
                    "topic".to_owned(),
                    Value::Str(publication.topic.as_str().to_owned()),
                );
            }
            let audience = audience.checking(publication.topic.as_str());
            for sub in &matched {
                dispatch.add(sub.deliver(&mut event, &audience));
            }
        }
        dispatch.conversions = event.conversions();
        dispatch
    }

    /// The number of subscriptions (exact and pattern).
    pub(crate) fn subscription_count(&self) -> usize {
        self.exact.len() + self.pattern_count.load(Ordering::Acquire)
    }

    fn next_id(&self) -> SubscriptionId {
        SubscriptionId(self.ids.next_id())
    }

    fn patterns_read(&self) -> RwLockReadGuard<'_, PatternIndex> {
        self.patterns.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn patterns_write(&self) -> RwLockWriteGuard<'_, PatternIndex> {
        self.patterns
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// The details every EVENT of a publication carries: the publisher when disclosed, and the
/// passthru options (`ppt_*`, `enc_*`) as the publisher gave them.
pub(crate) fn event_details(publisher: Option<Publisher<'_>>, options: &PublishOptions) -> Dict {
    let mut details = options.passthru().cloned().unwrap_or_default();
    if let Some(publisher) = publisher.filter(|_| options.disclose_me) {
        let identity = publisher.identity;
        details.insert("publisher".to_owned(), Value::from(publisher.id.0));
        details.insert(
            "publisher_authid".to_owned(),
            identity.authid.as_str().into(),
        );
        details.insert(
            "publisher_authrole".to_owned(),
            identity.authrole.as_str().into(),
        );
    }
    details
}

impl Dispatch {
    fn add(&mut self, delivery: Delivery) {
        self.subscriptions += 1;
        self.delivery.receivers += delivery.receivers;
        self.delivery.dropped += delivery.dropped;
        self.delivery.encodes += delivery.encodes;
    }
}

#[cfg(test)]
mod tests;
