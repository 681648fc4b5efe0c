//! One subscription: a topic and match policy, its id, and every session subscribed to it.
//!
//! All subscribers of a topic and policy share one subscription id, so an event is encoded once
//! per serializer in use among them and the same frame (`Bytes`) goes to each.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::SystemTime;

use bytes::Bytes;
use crossway_protocol::{Codec, SessionId, SubscriptionId, Uri};

use crate::broker::Event;
use crate::matcher::MatchPolicy;
use crate::member::Member;
use crate::publication::Audience;

/// A subscription shared by every subscriber of one topic and match policy in a realm.
#[derive(Debug)]
pub(crate) struct Subscription {
    id: SubscriptionId,
    topic: Uri,
    policy: MatchPolicy,
    /// When it was made (the meta API's `created`).
    created: SystemTime,
    subscribers: RwLock<Subscribers>,
}

/// What one delivery did, for logs, metrics and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Delivery {
    /// Sessions the event was queued for.
    pub(crate) receivers: usize,
    /// Sessions that were eligible but whose outbox was closed or full (killed).
    pub(crate) dropped: usize,
    /// Encodings of the EVENT (at most one per serializer).
    pub(crate) encodes: usize,
}

impl Subscription {
    /// An empty subscription.
    pub(crate) fn new(id: SubscriptionId, topic: Uri, policy: MatchPolicy) -> Subscription {
        Subscription {
            id,
            topic,
            policy,
            created: SystemTime::now(),
            subscribers: RwLock::new(Subscribers::default()),
        }
    }

    /// The subscription id.
    pub(crate) fn id(&self) -> SubscriptionId {
        self.id
    }

    /// The topic or topic pattern.
    pub(crate) fn topic(&self) -> &Uri {
        &self.topic
    }

    /// The match policy.
    pub(crate) fn policy(&self) -> MatchPolicy {
        self.policy
    }

    /// When the subscription was made.
    pub(crate) fn created(&self) -> SystemTime {
        self.created
    }

    /// The session ids of its subscribers.
    pub(crate) fn sessions(&self) -> Vec<SessionId> {
        self.read().members.iter().map(|m| m.id()).collect()
    }

    /// Adds a subscriber; false if it was already subscribed.
    pub(crate) fn add(&self, member: &Arc<Member>) -> bool {
        self.write().add(member)
    }

    /// Removes a subscriber; false if it was not subscribed.
    pub(crate) fn remove(&self, session: SessionId) -> bool {
        self.write().remove(session)
    }

    /// Whether no session is subscribed.
    pub(crate) fn is_empty(&self) -> bool {
        self.read().members.is_empty()
    }

    /// Queues `event` under this subscription's id for every subscriber `audience` admits,
    /// never waiting: a full outbox kills that subscriber, and delivery goes on to the others.
    ///
    /// The event is encoded once per serializer needed, with no lock held.
    pub(crate) fn deliver(&self, event: &mut Event, audience: &Audience<'_>) -> Delivery {
        let needed = self.read().codecs_needed(audience);
        let mut delivery = Delivery::default();
        let mut frames: PerCodec<Option<Bytes>> = PerCodec::default();
        for codec in Codec::ALL {
            if !*needed.get(codec) {
                continue;
            }
            delivery.encodes += 1;
            match event.encode(self.id, codec) {
                Ok(frame) => *frames.get_mut(codec) = Some(Bytes::from(frame)),
                Err(error) => {
                    tracing::warn!(subscription = %self.id, codec = codec.name(), %error,
                        "cannot encode EVENT; its subscribers with this serializer miss it");
                }
            }
        }
        let subscribers = self.read();
        for member in &subscribers.members {
            if !audience.admits(member) {
                continue;
            }
            // A subscriber with a serializer not needed a moment ago joined during this
            // publication: like any concurrent subscriber, it may or may not see it.
            let Some(frame) = frames.get(member.codec()) else {
                continue;
            };
            if member.outbox().try_send(frame.clone()).is_ok() {
                delivery.receivers += 1;
            } else {
                delivery.dropped += 1;
            }
        }
        delivery
    }

    fn read(&self) -> RwLockReadGuard<'_, Subscribers> {
        self.subscribers
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Subscribers> {
        self.subscribers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// The subscribers of one subscription: a dense list for fast fan-out, an index for O(1) removal,
/// and how many use each serializer.
#[derive(Debug, Default)]
struct Subscribers {
    members: Vec<Arc<Member>>,
    positions: HashMap<SessionId, usize>,
    codecs: PerCodec<usize>,
}

impl Subscribers {
    fn add(&mut self, member: &Arc<Member>) -> bool {
        if self.positions.contains_key(&member.id()) {
            return false;
        }
        self.positions.insert(member.id(), self.members.len());
        self.members.push(Arc::clone(member));
        *self.codecs.get_mut(member.codec()) += 1;
        true
    }

    fn remove(&mut self, session: SessionId) -> bool {
        let Some(position) = self.positions.remove(&session) else {
            return false;
        };
        if position >= self.members.len() {
            return false;
        }
        let removed = self.members.swap_remove(position);
        let count = self.codecs.get_mut(removed.codec());
        *count = count.saturating_sub(1);
        if let Some(moved) = self.members.get(position) {
            self.positions.insert(moved.id(), position);
        }
        true
    }

    /// Which serializers the admitted subscribers use; stops looking once every serializer in use
    /// is known to be needed (usually at the first admitted subscriber).
    fn codecs_needed(&self, audience: &Audience<'_>) -> PerCodec<bool> {
        let mut needed = PerCodec::<bool>::default();
        let in_use = Codec::ALL
            .iter()
            .filter(|c| *self.codecs.get(**c) > 0)
            .count();
        let mut found = 0;
        for member in &self.members {
            if found == in_use {
                break;
            }
            let slot = needed.get_mut(member.codec());
            if !*slot && audience.admits(member) {
                *slot = true;
                found += 1;
            }
        }
        needed
    }
}

/// One value per serializer.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PerCodec<T> {
    json: T,
    cbor: T,
    msgpack: T,
}

impl<T> PerCodec<T> {
    /// The value for `codec`.
    pub(crate) fn get(&self, codec: Codec) -> &T {
        match codec {
            Codec::Json => &self.json,
            Codec::Cbor => &self.cbor,
            Codec::MsgPack => &self.msgpack,
        }
    }

    /// The value for `codec`, to change.
    pub(crate) fn get_mut(&mut self, codec: Codec) -> &mut T {
        match codec {
            Codec::Json => &mut self.json,
            Codec::Cbor => &mut self.cbor,
            Codec::MsgPack => &mut self.msgpack,
        }
    }
}
