//! Authorization: what each role of a realm may do with which URIs.
//!
//! A realm with `roles` denies what no rule allows; the most specific matching rule decides
//! (an exact rule over a prefix rule over a wildcard rule, a longer pattern over a shorter one).
//! URIs under `wamp.` are the router's: only rules whose URI starts with `wamp.` apply to them.
//! A realm without roles lets every session do everything, except publish or register under
//! `wamp.`.
//!
//! - `rules`: one role's rules, compiled for lookup;
//! - `cache`: the decisions already made for a role, so that the hot path costs one lookup.

mod cache;
mod rules;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::matcher::MatchPolicy;

pub(crate) use rules::RolePermissions;

/// The prefix of URIs that belong to the router (meta API, errors).
pub(crate) const RESERVED_PREFIX: &str = "wamp.";

/// Something a session may be allowed to do with a URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// PUBLISH to a topic.
    Publish,
    /// SUBSCRIBE to a topic (or pattern).
    Subscribe,
    /// CALL a procedure.
    Call,
    /// REGISTER a procedure.
    Register,
}

/// A set of [`Action`]s.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Actions(u8);

/// One permission rule of a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionRule {
    /// The URI or URI pattern.
    pub uri: String,
    /// How `uri` matches.
    pub policy: MatchPolicy,
    /// What the rule allows; what it leaves out, it denies.
    pub allow: Actions,
    /// Whether the router reveals the publisher or caller to receivers (EVENT `publisher`,
    /// INVOCATION `caller`).
    pub disclose: bool,
}

/// One role of a realm: its name and its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleConfig {
    /// The role's name, as authentication assigns it.
    pub name: String,
    /// The rules, in any order (specificity decides, not order).
    pub permissions: Vec<PermissionRule>,
}

/// What a role may do with one URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Grant {
    allow: Actions,
    disclose: bool,
}

/// The roles of a realm that has them.
#[derive(Debug, Default)]
pub(crate) struct Roles {
    roles: HashMap<String, Arc<RolePermissions>>,
}

/// Whether the router reveals a publisher or caller to the receivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Disclose(pub(crate) bool);

/// What a session may do: its role's permissions, or everything (a realm without roles).
#[derive(Debug, Clone)]
pub(crate) enum Authorization {
    /// The realm has no roles.
    Open,
    /// The realm has roles; this is the session's.
    Role(Arc<RolePermissions>),
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 4] = [
        Action::Publish,
        Action::Subscribe,
        Action::Call,
        Action::Register,
    ];

    /// The action's name in the configuration.
    pub fn name(self) -> &'static str {
        match self {
            Action::Publish => "publish",
            Action::Subscribe => "subscribe",
            Action::Call => "call",
            Action::Register => "register",
        }
    }

    /// The action called `name`.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }

    fn bit(self) -> u8 {
        match self {
            Action::Publish => 1,
            Action::Subscribe => 2,
            Action::Call => 4,
            Action::Register => 8,
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Actions {
    /// No action.
    pub const NONE: Actions = Actions(0);

    /// Every action.
    pub fn all() -> Actions {
        Action::ALL.into_iter().collect()
    }

    /// Whether `action` is in the set.
    pub fn contains(self, action: Action) -> bool {
        self.0 & action.bit() != 0
    }

    /// The set with `action` added.
    pub fn with(self, action: Action) -> Actions {
        Actions(self.0 | action.bit())
    }
}

impl FromIterator<Action> for Actions {
    fn from_iter<I: IntoIterator<Item = Action>>(iter: I) -> Actions {
        iter.into_iter().fold(Actions::NONE, Actions::with)
    }
}

impl fmt::Debug for Actions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(Action::ALL.iter().filter(|a| self.contains(**a)))
            .finish()
    }
}

impl Grant {
    /// Whether the grant allows `action`.
    pub(crate) fn allows(self, action: Action) -> bool {
        self.allow.contains(action)
    }

    /// Whether the publisher or caller is revealed.
    pub(crate) fn discloses(self) -> bool {
        self.disclose
    }
}

impl Roles {
    /// The compiled roles of a realm.
    pub(crate) fn new(configs: &[RoleConfig]) -> Roles {
        Roles {
            roles: configs
                .iter()
                .map(|c| (c.name.clone(), Arc::new(RolePermissions::new(c))))
                .collect(),
        }
    }

    /// The role called `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&Arc<RolePermissions>> {
        self.roles.get(name)
    }
}

impl Authorization {
    /// Whether the session may do `action` with `uri`.
    pub(crate) fn allows(&self, action: Action, uri: &str) -> bool {
        match self {
            Authorization::Open => {
                !(uri.starts_with(RESERVED_PREFIX)
                    && matches!(action, Action::Publish | Action::Register))
            }
            Authorization::Role(role) => role.decide(uri).allows(action),
        }
    }

    /// Whether the session may do `action` with `uri` (publish or call) and, if so, whether the
    /// router reveals it as the publisher or caller: in a realm without roles when the session
    /// asks (`disclose_me`), otherwise when its rule for `uri` says so. One decision, looked up
    /// once.
    pub(crate) fn sends(&self, action: Action, uri: &str, asked: bool) -> Option<Disclose> {
        match self {
            Authorization::Open => self.allows(action, uri).then_some(Disclose(asked)),
            Authorization::Role(role) => {
                let grant = role.decide(uri);
                grant.allows(action).then_some(Disclose(grant.discloses()))
            }
        }
    }

    /// Whether the realm has roles (deliveries to pattern subscriptions are then checked).
    pub(crate) fn is_open(&self) -> bool {
        matches!(self, Authorization::Open)
    }
}

#[cfg(test)]
mod tests;
