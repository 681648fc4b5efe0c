//! The seam between the router and the cluster: what one node tells the others, and what it
//! takes from them. The router names no message system here; the node's cluster crate implements
//! [`ClusterLink`] over NATS and calls the `Router::cluster_*` methods with what arrives.
//!
//! - Publications: every publication made on this node is handed to [`ClusterLink::publish`]
//!   once, after its local delivery; one that arrives from another node is delivered here only
//!   (never handed on again). Which topics this node wants is [`ClusterLink::interest`]: one call
//!   when a subscription is made, one when it goes.
//! - Calls: a callee on another node is a proxy member in the local dealer (its registrations are
//!   announced by its node, see [`StateChange`]), so the invocation policies pick among every
//!   callee of the realm. What the dealer sends such a callee, and the answers a local callee
//!   gives a caller on another node, go through [`ClusterLink::send`].
//! - State: sessions, subscriptions and registrations made and gone here are announced with
//!   [`ClusterLink::announce`]; the meta API reads the other nodes' ones back.
//!
//! Every method returns at once: the link queues, and says what it could not queue.

pub(crate) mod announce;
mod inbound;
mod proxies;

use std::fmt;
use std::sync::Arc;

use crossway_protocol::{Dict, Message, Payload, PublicationId, SessionId, SubscriptionId, Uri};

use crate::identity::Identity;
use crate::matcher::MatchPolicy;

pub(crate) use proxies::{Proxies, RemoteTarget};

/// How a node reaches the others. Implemented by the node's cluster crate.
pub trait ClusterLink: Send + Sync + fmt::Debug {
    /// A subscription of `topic` with `policy` was made (`present`) or went, in `realm`: this
    /// node wants, or no longer wants, the publications it matches.
    fn interest(&self, realm: &Uri, topic: &Uri, policy: MatchPolicy, present: bool);

    /// A publication made on this node (and delivered here already), for the other nodes.
    fn publish(&self, realm: &Uri, publication: CrossPublication);

    /// `message` for a callee on another node (INVOCATION, INTERRUPT), or the answer of a local
    /// callee for a caller on another node (RESULT, ERROR). False when it could not be queued.
    fn send(&self, route: Route, message: Message) -> bool;

    /// Something the other nodes keep of this one changed.
    fn announce(&self, change: StateChange);

    /// The sessions of `realm` on the other nodes (the meta API).
    fn remote_sessions(&self, realm: &Uri) -> Vec<RemoteSession>;

    /// The subscriptions of `realm` on the other nodes (the meta API).
    fn remote_subscriptions(&self, realm: &Uri) -> Vec<RemoteSubscription>;
}

/// A publication crossing between nodes: everything a subscriber's node needs to deliver it as
/// the publisher's node does.
#[derive(Debug, Clone)]
pub struct CrossPublication {
    /// The publication id, the same on every node.
    pub id: PublicationId,
    /// The topic.
    pub topic: Uri,
    /// The publisher (session id 0: the router); its identity when it asked to be disclosed.
    pub publisher: SessionId,
    /// The publisher's identity, when EVENT details name it.
    pub identity: Option<Identity>,
    /// The PUBLISH options the publisher's node acted on (receivers, details, retention).
    pub options: Dict,
    /// The payload, as the publisher encoded it.
    pub payload: Payload,
    /// Every node must see it, subscribed or not: a retained event, or one the event history
    /// keeps.
    pub broadcast: bool,
}

/// A retained event, as a node that starts takes it from another (the retained events published
/// before it started).
#[derive(Debug, Clone)]
pub struct RetainedEvent {
    /// The publication id.
    pub id: PublicationId,
    /// The topic.
    pub topic: Uri,
    /// The EVENT details its live events had.
    pub details: Dict,
    /// The PUBLISH options that decide who may receive it.
    pub options: Dict,
    /// The payload.
    pub payload: Payload,
}

/// Where a call's message goes between nodes.
#[derive(Debug, Clone)]
pub struct Route {
    /// The other node.
    pub node: Arc<str>,
    /// The realm.
    pub realm: Uri,
    /// The callee's session id (on the callee's node; the same on both).
    pub callee: SessionId,
    /// For an INVOCATION that starts a call: the callee's registration (procedure or pattern,
    /// and match policy), which its node looks up.
    pub registration: Option<(Uri, MatchPolicy)>,
}

/// A session of another node, as the meta API shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSession {
    /// Its session id.
    pub id: SessionId,
    /// Who it is.
    pub identity: Identity,
}

/// A subscriber of another node, as the meta API counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSubscription {
    /// The subscription's id on its node.
    pub id: SubscriptionId,
    /// The subscriber.
    pub session: SessionId,
    /// The topic or pattern.
    pub topic: Uri,
    /// How it matches.
    pub policy: MatchPolicy,
}

/// A change of this node's sessions, subscriptions or registrations.
#[derive(Debug, Clone, PartialEq)]
pub enum StateChange {
    /// A session joined.
    Joined {
        /// Its realm.
        realm: Uri,
        /// The session.
        session: RemoteSession,
    },
    /// A session left (after its registrations and subscriptions went).
    Left {
        /// Its realm.
        realm: Uri,
        /// Its id.
        session: SessionId,
    },
    /// A session subscribed.
    Subscribed {
        /// Its realm.
        realm: Uri,
        /// The subscription.
        subscription: RemoteSubscription,
    },
    /// A session unsubscribed.
    Unsubscribed {
        /// Its realm.
        realm: Uri,
        /// The subscription.
        subscription: RemoteSubscription,
    },
    /// A session registered a procedure.
    Registered {
        /// Its realm.
        realm: Uri,
        /// The registration.
        registration: RemoteRegistration,
    },
    /// A session gave a registration up.
    Unregistered {
        /// Its realm.
        realm: Uri,
        /// The callee.
        session: SessionId,
        /// The procedure or pattern.
        procedure: Uri,
        /// How it matches.
        policy: MatchPolicy,
    },
}

/// A callee's registration, as other nodes enter it in their dealers.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteRegistration {
    /// The callee.
    pub session: SessionId,
    /// Who the callee is.
    pub identity: Identity,
    /// What the callee announced it can do (see `ClientFeatures::to_bits`).
    pub features: u16,
    /// The procedure or pattern.
    pub procedure: Uri,
    /// The REGISTER options that decide the routing (`match`, `invoke`, `forward_timeout`).
    pub options: Dict,
}

#[cfg(test)]
mod tests;
