//! One node's sessions, subscriptions and registrations, as the cluster keeps them: this node's
//! own (sent whole to a node that asks) and each other node's (the meta API reads them, the
//! dealer holds their registrations). A change applies once: applying it again changes nothing.

use std::collections::HashMap;

use crossway_protocol::{SessionId, SubscriptionId, Uri};
use crossway_routing::cluster::{
    RemoteRegistration, RemoteSession, RemoteSubscription, StateChange,
};
use crossway_routing::{Identity, MatchPolicy};

/// A registration's key: realm, callee, procedure, policy.
pub(crate) type RegKey = (Uri, SessionId, Uri, MatchPolicy);

/// The sessions, subscriptions and registrations of one node.
#[derive(Debug, Default, Clone)]
pub(crate) struct Tables {
    sessions: HashMap<(Uri, SessionId), Identity>,
    /// By realm, subscriber, topic and policy: the subscription's id on its node.
    subscriptions: HashMap<(Uri, SessionId, Uri, MatchPolicy), SubscriptionId>,
    registrations: HashMap<RegKey, RemoteRegistration>,
}

impl Tables {
    /// Applies `change`; whether anything changed.
    pub(crate) fn apply(&mut self, change: &StateChange) -> bool {
        match change {
            StateChange::Joined { realm, session } => self
                .sessions
                .insert((realm.clone(), session.id), session.identity.clone())
                .is_none(),
            StateChange::Left { realm, session } => {
                self.subscriptions
                    .retain(|(r, s, _, _), _| !(r == realm && s == session));
                self.registrations
                    .retain(|(r, s, _, _), _| !(r == realm && s == session));
                self.sessions.remove(&(realm.clone(), *session)).is_some()
            }
            StateChange::Subscribed {
                realm,
                subscription: s,
            } => self
                .subscriptions
                .insert((realm.clone(), s.session, s.topic.clone(), s.policy), s.id)
                .is_none(),
            StateChange::Unsubscribed {
                realm,
                subscription: s,
            } => self
                .subscriptions
                .remove(&(realm.clone(), s.session, s.topic.clone(), s.policy))
                .is_some(),
            StateChange::Registered {
                realm,
                registration,
            } => {
                let key = reg_key(realm, registration);
                self.registrations
                    .insert(key, registration.clone())
                    .is_none()
            }
            StateChange::Unregistered {
                realm,
                session,
                procedure,
                policy,
            } => self
                .registrations
                .remove(&(realm.clone(), *session, procedure.clone(), *policy))
                .is_some(),
        }
    }

    /// The changes that make these tables from empty: sessions, then subscriptions, then
    /// registrations.
    pub(crate) fn to_changes(&self) -> Vec<StateChange> {
        let sessions = self
            .sessions
            .iter()
            .map(|((realm, id), identity)| StateChange::Joined {
                realm: realm.clone(),
                session: RemoteSession {
                    id: *id,
                    identity: identity.clone(),
                },
            });
        let subscriptions =
            self.subscriptions
                .iter()
                .map(
                    |((realm, session, topic, policy), id)| StateChange::Subscribed {
                        realm: realm.clone(),
                        subscription: RemoteSubscription {
                            id: *id,
                            session: *session,
                            topic: topic.clone(),
                            policy: *policy,
                        },
                    },
                );
        let registrations = self
            .registrations
            .iter()
            .map(|((realm, ..), registration)| StateChange::Registered {
                realm: realm.clone(),
                registration: registration.clone(),
            });
        sessions.chain(subscriptions).chain(registrations).collect()
    }

    /// Tables made by `changes` from empty.
    pub(crate) fn from_changes(changes: &[StateChange]) -> Tables {
        let mut tables = Tables::default();
        for change in changes {
            tables.apply(change);
        }
        tables
    }

    /// The sessions of `realm`.
    pub(crate) fn sessions<'a>(
        &'a self,
        realm: &'a Uri,
    ) -> impl Iterator<Item = RemoteSession> + 'a {
        self.sessions
            .iter()
            .filter(move |((r, _), _)| r == realm)
            .map(|((_, id), identity)| RemoteSession {
                id: *id,
                identity: identity.clone(),
            })
    }

    /// The subscriptions of `realm`.
    pub(crate) fn subscriptions<'a>(
        &'a self,
        realm: &'a Uri,
    ) -> impl Iterator<Item = RemoteSubscription> + 'a {
        self.subscriptions
            .iter()
            .filter(move |((r, ..), _)| r == realm)
            .map(|((_, session, topic, policy), id)| RemoteSubscription {
                id: *id,
                session: *session,
                topic: topic.clone(),
                policy: *policy,
            })
    }

    /// Every registration, by key.
    pub(crate) fn registrations(&self) -> &HashMap<RegKey, RemoteRegistration> {
        &self.registrations
    }

    /// Every session, by realm and id.
    pub(crate) fn session_keys(&self) -> impl Iterator<Item = &(Uri, SessionId)> {
        self.sessions.keys()
    }

    /// Whether session `id` of `realm` is here.
    pub(crate) fn has_session(&self, realm: &Uri, id: SessionId) -> bool {
        self.sessions.contains_key(&(realm.clone(), id))
    }
}

/// The key of `registration` in `realm`.
pub(crate) fn reg_key(realm: &Uri, registration: &RemoteRegistration) -> RegKey {
    let policy = registration
        .options
        .get("match")
        .and_then(|v| v.as_str())
        .and_then(|name| MatchPolicy::ALL.into_iter().find(|p| p.name() == name))
        .unwrap_or_default();
    (
        realm.clone(),
        registration.session,
        registration.procedure.clone(),
        policy,
    )
}
