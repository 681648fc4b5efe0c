//! What this node tells the other nodes of a cluster about its sessions, subscriptions and
//! registrations: called where the meta events are made, so that every change is told once.
//! Only this node's own sessions are announced (a proxy of another node's callee never is).

use crossway_protocol::{Dict, SessionId, Value};

use super::{RemoteRegistration, RemoteSession, RemoteSubscription, StateChange};
use crate::dealer::Registration;
use crate::member::Member;
use crate::realm::Realm;
use crate::subscription::Subscription;

/// A session joined.
pub(crate) fn session_joined(realm: &Realm, member: &Member) {
    if let Some(link) = realm.cluster() {
        link.announce(StateChange::Joined {
            realm: realm.name().clone(),
            session: RemoteSession {
                id: member.id(),
                identity: member.identity().clone(),
            },
        });
    }
}

/// A session left.
pub(crate) fn session_left(realm: &Realm, member: &Member) {
    if let Some(link) = realm.cluster() {
        link.announce(StateChange::Left {
            realm: realm.name().clone(),
            session: member.id(),
        });
    }
}

/// Session `session` subscribed to `sub` (`added`), or unsubscribed.
pub(crate) fn subscription(realm: &Realm, session: SessionId, sub: &Subscription, added: bool) {
    let Some(link) = realm.cluster() else {
        return;
    };
    let subscription = RemoteSubscription {
        id: sub.id(),
        session,
        topic: sub.topic().clone(),
        policy: sub.policy(),
    };
    let realm = realm.name().clone();
    link.announce(if added {
        StateChange::Subscribed {
            realm,
            subscription,
        }
    } else {
        StateChange::Unsubscribed {
            realm,
            subscription,
        }
    });
}

/// Session `session`, of this node, registered as a callee of `reg`.
pub(crate) fn registered(realm: &Realm, session: SessionId, reg: &Registration) {
    let Some(link) = realm.cluster() else {
        return;
    };
    let Some(member) = realm.member(session) else {
        return;
    };
    let options = Dict::from([
        ("match".to_owned(), Value::from(reg.policy().name())),
        ("invoke".to_owned(), Value::from(reg.invoke().name())),
        (
            "forward_timeout".to_owned(),
            Value::Bool(reg.forwards_timeout()),
        ),
    ]);
    link.announce(StateChange::Registered {
        realm: realm.name().clone(),
        registration: RemoteRegistration {
            session,
            identity: member.identity().clone(),
            features: member.features().to_bits(),
            procedure: reg.procedure().clone(),
            options,
        },
    });
}

/// Session `session`, of this node, is no longer a callee of `reg`.
pub(crate) fn unregistered(realm: &Realm, session: SessionId, reg: &Registration) {
    let Some(link) = realm.cluster() else {
        return;
    };
    if realm.member(session).is_none() {
        return;
    }
    link.announce(StateChange::Unregistered {
        realm: realm.name().clone(),
        session,
        procedure: reg.procedure().clone(),
        policy: reg.policy(),
    });
}
