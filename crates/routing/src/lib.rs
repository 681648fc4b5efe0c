//! The Crossway router without I/O: realms, sessions, the broker and the dealer.
//!
//! The node decodes each frame into a [`Message`](crossway_protocol::Message), hands it to the
//! connection's [`Session`], and sends the [`Outcome`]'s reply through the session's [`Outbox`].
//! Events reach other sessions' outboxes straight from the broker, encoded once per serializer.
//! Nothing here names a socket, a runtime or a timer: every protocol rule is a plain `#[test]`.
//!
//! - [`router`]: [`Router`], its realms ([`RealmConfig`]) and shutdown.
//! - [`session`]: [`Session`], the WAMP state machine of one client, and its [`Outcome`]s.
//! - [`mod@outbox`]: [`Outbox`], a session's one bounded queue of encoded frames.
//! - [`auth`]: authentication per endpoint: [`AuthPolicy`] (the methods and principals) and
//!   [`Authenticator`] (the policy, ready to answer HELLO and AUTHENTICATE).
//! - [`permissions`]: the roles of a realm and what each may do with which URIs.
//! - [`identity`]: [`Identity`], who a session is (authid, role, method, provider).
//! - [`peer`]: [`PeerAddress`], where a session's client is, one value per connection.
//! - [`certificate`]: [`ClientCertificate`], the verified client certificate of a connection.
//! - [`cluster`]: [`ClusterLink`](cluster::ClusterLink), the seam to the other nodes of a
//!   cluster (what crosses, and the `Router::cluster_*` methods that take what arrives).
//! - [`stats`]: [`RealmStats`], what each realm routed, for the node's metrics.
//! - [`error`]: why the router aborts a session or refuses a request, and the WAMP URIs for it.
//! - `realm`: a realm's URI rules, session table and broker.
//! - `welcome`: what HELLO must hold and what WELCOME announces.
//! - `joined`: a joined session's requests (subscribe, unsubscribe, publish; in `joined/rpc`
//!   register, unregister, call).
//! - `dealer`: registrations, and calls routed to callees and their answers back.
//! - `features`: what a client announced it can do (call canceling, progressive calls).
//! - `member`: a joined session as the broker sees it.
//! - `broker`: subscribing, unsubscribing and delivering publications.
//! - `subscription`: one subscription and its subscribers; encoding an event once per serializer.
//! - `matcher`: [`MatchPolicy`] (exact, prefix, wildcard) and the pattern index.
//! - `publication`: PUBLISH options and which subscribers receive an event.
//! - [`realm_options`]: [`RealmOptions`], what a realm offers beyond routing, and its bounds.
//! - `retention`: the retained event of each topic (PUBLISH `retain`, SUBSCRIBE `get_retained`).
//! - `history`: the event history of configured topics.
//! - `testament`: what a session leaves for when it goes without GOODBYE.
//! - `meta`: the meta API the router answers (sessions, subscriptions, registrations,
//!   testaments, event history) and its meta events.
//! - `timestamp`: UTC timestamps written and read as WAMP carries them.

pub mod auth;
pub mod certificate;
pub mod cluster;
pub mod error;
pub mod identity;
pub mod outbox;
pub mod peer;
pub mod permissions;
pub mod realm_options;
pub mod router;
pub mod session;
pub mod stats;

mod broker;
mod dealer;
mod features;
mod history;
mod joined;
mod matcher;
mod member;
mod meta;
mod publication;
mod realm;
mod retention;
mod subscription;
mod testament;
mod timestamp;
mod welcome;

#[cfg(test)]
mod testing;

pub use auth::{AuthMethod, AuthPolicy, Authenticator, Verdict};
pub use certificate::ClientCertificate;
pub use dealer::{CallLimits, Waiter};
pub use error::{AbortReason, RequestError};
pub use identity::Identity;
pub use matcher::MatchPolicy;
pub use outbox::{
    CloseReason, Outbox, OutboxClosed, OutboxLimits, OutboxReceiver, outbox, outbox_with,
};
pub use peer::PeerAddress;
pub use permissions::{Action, Actions, PermissionRule, RoleConfig};
pub use realm_options::{HistoryRule, RealmOptions, RetentionLimits, TestamentLimits};
pub use router::{RealmConfig, Router};
pub use session::{Outcome, Session, TransportInfo};
pub use stats::{RealmSnapshot, RealmStats};
