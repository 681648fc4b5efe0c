//! Meta events: publications the router makes about sessions, subscriptions and registrations
//! of a realm (`wamp.session.on_join`, `wamp.subscription.on_create`, ...), from the router
//! (no publisher), through the broker like any publication. In a cluster they go to the other
//! nodes too, and each change is announced to them (`cluster::announce`) before its events.
//!
//! They are made on join, leave, subscribe, unsubscribe, register and unregister, never per
//! publication; with nobody subscribed each costs one hash lookup (and an atomic load while the
//! realm has no pattern subscription) before anything is built. Subscriptions and registrations
//! of URIs under `wamp.` make no event (a meta API watcher would otherwise see its own).

use std::sync::LazyLock;

use crossway_protocol::ids::random_id;
use crossway_protocol::{List, Payload, PublicationId, SessionId, Uri, Value};

use super::details;
use crate::broker::Publication;
use crate::cluster::{CrossPublication, announce};
use crate::dealer::Registration;
use crate::member::Member;
use crate::permissions::RESERVED_PREFIX;
use crate::publication::PublishOptions;
use crate::realm::Realm;
use crate::subscription::Subscription;

macro_rules! topics {
    ($($name:ident = $uri:literal;)*) => {
        $(
            #[doc = concat!("`", $uri, "`")]
            static $name: LazyLock<Uri> = LazyLock::new(|| Uri::new($uri));
        )*
    };
}

topics! {
    ON_JOIN = "wamp.session.on_join";
    ON_LEAVE = "wamp.session.on_leave";
    ON_CREATE = "wamp.subscription.on_create";
    ON_SUBSCRIBE = "wamp.subscription.on_subscribe";
    ON_UNSUBSCRIBE = "wamp.subscription.on_unsubscribe";
    ON_SUBSCRIPTION_DELETE = "wamp.subscription.on_delete";
    ON_REGISTRATION_CREATE = "wamp.registration.on_create";
    ON_REGISTER = "wamp.registration.on_register";
    ON_UNREGISTER = "wamp.registration.on_unregister";
    ON_REGISTRATION_DELETE = "wamp.registration.on_delete";
}

/// `wamp.session.on_join`: the session's details.
pub(crate) fn session_joined(realm: &Realm, member: &Member) {
    announce::session_joined(realm, member);
    publish(realm, &ON_JOIN, || {
        vec![Value::Map(details::session(member, realm.name()))]
    });
}

/// `wamp.session.on_leave`: session id, authid and authrole.
pub(crate) fn session_left(realm: &Realm, member: &Member) {
    announce::session_left(realm, member);
    publish(realm, &ON_LEAVE, || {
        let identity = member.identity();
        vec![
            Value::from(member.id().0),
            identity.authid.as_str().into(),
            identity.authrole.as_str().into(),
        ]
    });
}

/// `wamp.subscription.on_create` (if `created`), then `on_subscribe`.
pub(crate) fn subscribed(realm: &Realm, session: SessionId, sub: &Subscription, created: bool) {
    if sub.topic().as_str().starts_with(RESERVED_PREFIX) {
        return;
    }
    announce::subscription(realm, session, sub, true);
    if created {
        publish(realm, &ON_CREATE, || {
            vec![
                Value::from(session.0),
                Value::Map(details::subscription(sub)),
            ]
        });
    }
    publish(realm, &ON_SUBSCRIBE, || pair(session, sub.id().0));
}

/// `wamp.subscription.on_unsubscribe`, then `on_delete` (if `deleted`).
pub(crate) fn unsubscribed(realm: &Realm, session: SessionId, sub: &Subscription, deleted: bool) {
    if sub.topic().as_str().starts_with(RESERVED_PREFIX) {
        return;
    }
    announce::subscription(realm, session, sub, false);
    publish(realm, &ON_UNSUBSCRIBE, || pair(session, sub.id().0));
    if deleted {
        publish(realm, &ON_SUBSCRIPTION_DELETE, || pair(session, sub.id().0));
    }
}

/// `wamp.registration.on_create` (if `created`), then `on_register`.
pub(crate) fn registered(realm: &Realm, session: SessionId, reg: &Registration, created: bool) {
    if reg.procedure().as_str().starts_with(RESERVED_PREFIX) {
        return;
    }
    announce::registered(realm, session, reg);
    if created {
        publish(realm, &ON_REGISTRATION_CREATE, || {
            vec![
                Value::from(session.0),
                Value::Map(details::registration(reg)),
            ]
        });
    }
    publish(realm, &ON_REGISTER, || pair(session, reg.id().0));
}

/// `wamp.registration.on_unregister`, then `on_delete` (if `deleted`).
pub(crate) fn unregistered(realm: &Realm, session: SessionId, reg: &Registration, deleted: bool) {
    if reg.procedure().as_str().starts_with(RESERVED_PREFIX) {
        return;
    }
    announce::unregistered(realm, session, reg);
    publish(realm, &ON_UNREGISTER, || pair(session, reg.id().0));
    if deleted {
        publish(realm, &ON_REGISTRATION_DELETE, || pair(session, reg.id().0));
    }
}

fn pair(session: SessionId, id: u64) -> List {
    vec![Value::from(session.0), Value::from(id)]
}

/// Publishes `args` on `topic` from the router, if the realm has the meta API on and anyone
/// subscribes to the topic (here, or anywhere in a cluster: the other nodes' interest is theirs
/// to check); `args` is not built otherwise.
fn publish(realm: &Realm, topic: &Uri, args: impl FnOnce() -> List) {
    if !realm.meta_api() {
        return;
    }
    let here = realm.broker().has_subscribers(topic);
    let link = realm.cluster();
    if !here && link.is_none() {
        return;
    }
    let options = PublishOptions::router();
    let id = PublicationId(random_id());
    let payload = Payload::new(Some(args()), None);
    if let Some(link) = link {
        let cross = CrossPublication {
            id,
            topic: topic.clone(),
            publisher: SessionId(0),
            identity: None,
            options: options.to_dict(),
            payload: payload.clone(),
            broadcast: false,
        };
        link.publish(realm.name(), cross);
    }
    if here {
        let publication = Publication {
            id,
            topic,
            options: &options,
            payload,
        };
        realm.broker().publish(None, publication);
    }
}
