//! A realm's broker: its subscriptions, and the delivery of publications to them.
//!
//! A publication's payload goes out as the publisher encoded it; `event` (a child module) encodes
//! its EVENT per subscription and serializer, converting the payload once per other serializer.
//!
//! Locks, and the order they are taken in (never the reverse, never across anything slow):
//! the exact map's shard, or the pattern index, before a subscription's subscriber list. Delivery
//! holds no map lock: it clones the matching subscriptions (`Arc`) out first.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crossway_protocol::ids::IdSequence;
use crossway_protocol::{Dict, Payload, PublicationId, SessionId, SubscriptionId, Uri, Value};
use dashmap::DashMap;

use crate::matcher::{MatchPolicy, PatternIndex};
use crate::member::Member;
use crate::publication::{Audience, PublishOptions};
use crate::subscription::{Delivery, Subscription};

mod event;

pub(crate) use event::Event;

/// The subscriptions of one realm.
#[derive(Debug)]
pub(crate) struct Broker {
    exact: DashMap<Uri, Arc<Subscription>>,
    patterns: RwLock<PatternIndex>,
    /// How many pattern subscriptions exist: publications skip the pattern index when none do.
    pattern_count: AtomicUsize,
    /// Router-scope subscription ids, shared by every realm.
    ids: Arc<IdSequence>,
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

impl Broker {
    /// A broker with no subscription, taking subscription ids from `ids`.
    pub(crate) fn new(ids: Arc<IdSequence>) -> Broker {
        Broker {
            exact: DashMap::new(),
            patterns: RwLock::new(PatternIndex::default()),
            pattern_count: AtomicUsize::new(0),
            ids,
        }
    }

    /// Subscribes `member` to `topic` (valid for `policy`): the one subscription of this topic and
    /// policy, made if needed. Subscribing twice gives the same subscription.
    pub(crate) fn subscribe(
        &self,
        member: &Arc<Member>,
        topic: &Uri,
        policy: MatchPolicy,
    ) -> Arc<Subscription> {
        let make = || Arc::new(Subscription::new(self.next_id(), topic.clone(), policy));
        if policy == MatchPolicy::Exact {
            // The entry's shard stays locked while the member is added, so that the subscription
            // cannot be removed as empty in between.
            let entry = self.exact.entry(topic.clone()).or_insert_with(make);
            entry.value().add(member);
            return Arc::clone(entry.value());
        }
        let mut patterns = self.patterns_write();
        let before = patterns.len();
        let sub = match policy {
            MatchPolicy::Prefix => patterns.prefix_entry(topic, make),
            MatchPolicy::Wildcard | MatchPolicy::Exact => patterns.wildcard_entry(topic, make),
        };
        sub.add(member);
        self.pattern_count.store(patterns.len(), Ordering::Release);
        if patterns.len() > before {
            tracing::trace!(subscription = %sub.id(), %topic, policy = policy.name(), "new subscription");
        }
        sub
    }

    /// Removes `session` from `sub`; the subscription goes when its last subscriber does.
    /// Returns whether the session was subscribed.
    pub(crate) fn unsubscribe(&self, session: SessionId, sub: &Arc<Subscription>) -> bool {
        if !sub.remove(session) {
            return false;
        }
        if !sub.is_empty() {
            return true;
        }
        // Checked again under the map's lock: a subscriber may have come in the meantime.
        if sub.policy() == MatchPolicy::Exact {
            self.exact
                .remove_if(sub.topic(), |_, s| Arc::ptr_eq(s, sub) && s.is_empty());
        } else {
            let mut patterns = self.patterns_write();
            if sub.is_empty() {
                patterns.remove(sub);
                self.pattern_count.store(patterns.len(), Ordering::Release);
            }
        }
        true
    }

    /// Delivers a publication to every matching subscription: one EVENT per subscription,
    /// encoded once per serializer among its receivers, with the payload converted at most once
    /// per serializer other than the publisher's.
    pub(crate) fn publish(&self, publisher: &Member, publication: Publication<'_>) -> Dispatch {
        let mut details = Dict::new();
        if publication.options.disclose_me {
            let identity = publisher.identity();
            details.insert("publisher".to_owned(), Value::from(publisher.id().0));
            details.insert(
                "publisher_authid".to_owned(),
                identity.authid.as_str().into(),
            );
            details.insert(
                "publisher_authrole".to_owned(),
                identity.authrole.as_str().into(),
            );
        }
        let audience = Audience::new(publisher.id(), publication.options);
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
