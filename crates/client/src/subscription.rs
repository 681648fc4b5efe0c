//! Subscriptions and the events they receive.

use async_channel::Receiver;
use crossway_protocol::{Dict, List, PublicationId, RawPayload, SubscriptionId};

/// How many events wait in one subscription's queue. When it is full the client stops reading
/// from the router until there is room: no event is dropped, and a subscriber that never reads
/// eventually backs up to the router, which then treats the session as a slow consumer. Replies
/// to requests wait behind that too, so read subscriptions you publish to.
pub const EVENT_QUEUE: usize = 8192;

/// One subscription held by this client.
///
/// Events arrive in order. Dropping it stops local delivery but does not unsubscribe at the
/// router; use [`Client::unsubscribe`](crate::Client::unsubscribe) for that.
#[derive(Debug)]
pub struct Subscription {
    /// The router's id for it (shared by every subscriber of the same topic and policy).
    pub id: SubscriptionId,
    events: Receiver<Event>,
}

/// One event received on a subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The subscription it matched.
    pub subscription: SubscriptionId,
    /// The publication's id.
    pub publication: PublicationId,
    /// Details: `topic` for pattern subscriptions, `publisher` when disclosed, ...
    pub details: Dict,
    /// The positional payload, as published.
    pub args: Option<List>,
    /// The keyword payload, as published.
    pub kwargs: Option<Dict>,
    /// The payload as the router sent it, encoded with this client's serializer (`None` when the
    /// event has neither element): byte for byte what the publisher sent when it used the same
    /// serializer. A payload-transparent event (details with `ppt_scheme` or `enc_algo`) has no
    /// `args` or `kwargs`: its one binary is here (`Payload::Raw(raw).binary_data()`).
    pub raw: Option<RawPayload>,
}

impl Subscription {
    /// A subscription receiving from `events`.
    pub(crate) fn new(id: SubscriptionId, events: Receiver<Event>) -> Self {
        Subscription { id, events }
    }

    /// The next event; `None` once the subscription or the session has ended.
    pub async fn next(&mut self) -> Option<Event> {
        self.events.recv().await.ok()
    }

    /// The next event if one is already queued.
    pub fn try_next(&mut self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// How many events are queued.
    pub fn queued(&self) -> usize {
        self.events.len()
    }
}

impl Event {
    /// The topic the event was published to, when the router says (pattern subscriptions).
    pub fn topic(&self) -> Option<&str> {
        self.details.get("topic").and_then(|v| v.as_str())
    }
}
