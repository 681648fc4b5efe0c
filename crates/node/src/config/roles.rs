//! Reading a realm's `roles`: what sessions of each role may do with which URIs.

use std::collections::HashSet;

use config::{Value, ValueKind};
use crossway_protocol::{Uri, UriRules};
use crossway_routing::{Action, Actions, MatchPolicy, PermissionRule, RoleConfig};

use super::check::{Checker, Table};

const ROLE_KEYS: &[&str] = &["name", "permissions"];
const RULE_KEYS: &[&str] = &["uri", "match", "allow", "disclose"];

/// Reads the `roles` list at `path` of the realm `realm`, whose URIs follow `rules`. An empty
/// list is allowed (it refuses every session) with a warning. `None` if a role has a problem
/// (each is recorded).
pub fn read_roles(
    c: &mut Checker,
    path: &str,
    value: &Value,
    realm: &str,
    rules: UriRules,
    warnings: &mut Vec<String>,
) -> Option<Vec<RoleConfig>> {
    let items = c.list(path, value)?;
    if items.is_empty() {
        warnings.push(format!(
            "{path}: realm \"{realm}\" has no roles, so every session will be refused; leave roles out to let every session do everything"
        ));
    }
    let mut names = HashSet::new();
    let mut roles = Vec::new();
    let mut ok = true;
    for (p, v) in items {
        let Some(t) = c.table(&p, v) else {
            ok = false;
            continue;
        };
        // Names are compared even when a role has other problems, so that a copied role is
        // found in the same run.
        if let Some(ValueKind::String(name)) = t.get("name").map(|n| &n.kind)
            && !names.insert(name.clone())
        {
            c.problem(
                &t.child("name"),
                format!("role \"{name}\" is defined more than once"),
            );
            ok = false;
        }
        match read_role(c, &t, rules) {
            Some(role) => roles.push(role),
            None => ok = false,
        }
    }
    ok.then_some(roles)
}

/// One role: its name and rules.
fn read_role(c: &mut Checker, t: &Table<'_>, rules: UriRules) -> Option<RoleConfig> {
    c.only_keys(t, ROLE_KEYS);
    let name = c.required_text(t, "name");
    let items = c.optional_list(t, "permissions");
    if t.get("permissions").is_none() {
        c.problem(
            &t.child("permissions"),
            "required key is missing; give a list of rules ([] allows nothing)",
        );
    }
    let mut seen = HashSet::new();
    let mut permissions = Vec::new();
    let mut ok = true;
    for (p, v) in items.into_iter().flatten() {
        match c.table(&p, v).and_then(|rt| read_rule(c, &rt, rules)) {
            Some(rule) => {
                if !seen.insert((rule.uri.clone(), rule.policy)) {
                    c.problem(
                        &format!("{p}.uri"),
                        format!(
                            "a rule for \"{}\" with match {} is already in this role",
                            rule.uri,
                            rule.policy.name()
                        ),
                    );
                    ok = false;
                }
                permissions.push(rule);
            }
            None => ok = false,
        }
    }
    if !ok || t.get("permissions").is_none() {
        return None;
    }
    Some(RoleConfig {
        name: name?,
        permissions,
    })
}

/// One permission rule.
fn read_rule(c: &mut Checker, t: &Table<'_>, rules: UriRules) -> Option<PermissionRule> {
    c.only_keys(t, RULE_KEYS);
    let policy = match c.optional_string(t, "match") {
        None if t.get("match").is_none() => Some(MatchPolicy::Exact),
        None => None,
        Some(name) => {
            let policy = MatchPolicy::from_name(&name);
            if policy.is_none() {
                c.problem(
                    &t.child("match"),
                    format!("\"{name}\" is not a match policy; expected exact, prefix or wildcard"),
                );
            }
            policy
        }
    };
    let mut uri = c.required_string(t, "uri");
    if let (Some(u), Some(policy)) = (&uri, policy)
        && let Some(expected) = uri_problem(u, policy, rules)
    {
        c.problem(&t.child("uri"), format!("\"{u}\" is not {expected}"));
        uri = None;
    }
    let allow = read_actions(c, t);
    let disclose = match t.get("disclose") {
        Some(_) => c.optional_bool(t, "disclose"),
        None => Some(false),
    };
    Some(PermissionRule {
        uri: uri?,
        policy: policy?,
        allow: allow?,
        disclose: disclose?,
    })
}

/// What `uri` should be under `policy` and `rules`, if it is not.
fn uri_problem(uri: &str, policy: MatchPolicy, rules: UriRules) -> Option<String> {
    // An empty prefix is a rule (everything but `wamp.`), though not a subscription topic.
    let valid =
        (policy == MatchPolicy::Prefix && uri.is_empty()) || policy.accepts(&Uri::new(uri), rules);
    if valid {
        return None;
    }
    let what = match policy {
        MatchPolicy::Exact => "a valid URI: dot-separated components, none empty".to_owned(),
        _ => format!(
            "a valid {} pattern: dot-separated components, empty ones matching any",
            policy.name()
        ),
    };
    let chars = match rules {
        UriRules::Strict => "only lowercase letters, digits and '_' (uri_check: strict)",
        UriRules::Loose => "no spaces or '#'",
    };
    Some(format!("{what}, {chars}"))
}

/// `allow`: a list of actions, none by default.
fn read_actions(c: &mut Checker, t: &Table<'_>) -> Option<Actions> {
    let Some(items) = c.optional_list(t, "allow") else {
        return t.get("allow").is_none().then_some(Actions::NONE);
    };
    let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
    let mut allow = Actions::NONE;
    let mut ok = true;
    for (p, v) in items {
        let Some(name) = c.string(&p, v) else {
            ok = false;
            continue;
        };
        match Action::from_name(&name) {
            Some(a) if allow.contains(a) => {
                c.problem(&p, format!("\"{name}\" is listed twice"));
                ok = false;
            }
            Some(a) => allow = allow.with(a),
            None => {
                c.problem(
                    &p,
                    format!(
                        "\"{name}\" is not an action; expected one of: {}",
                        names.join(", ")
                    ),
                );
                ok = false;
            }
        }
    }
    ok.then_some(allow)
}
