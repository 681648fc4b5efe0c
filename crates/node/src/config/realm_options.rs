//! Reading a realm's `meta_api`, `retention`, `history` and `testaments` keys: the meta API, event
//! retention, event history and session testaments, and their bounds.

use config::Value;
use crossway_protocol::{Uri, UriRules};
use crossway_routing::{HistoryRule, MatchPolicy, RealmOptions, RetentionLimits, TestamentLimits};

use super::check::{Checker, Table};

const RETENTION_KEYS: &[&str] = &["max_topics", "max_bytes"];
const HISTORY_KEYS: &[&str] = &["uri", "match", "limit", "max_bytes"];
const TESTAMENT_KEYS: &[&str] = &["max_count", "max_bytes"];

/// The most events one history rule may keep.
const MAX_HISTORY_LIMIT: u64 = 1_000_000;

/// Reads the realm options of the realm table `t`, whose URIs follow `rules`; what is left out
/// keeps its default.
pub fn read_realm_options(c: &mut Checker, t: &Table<'_>, rules: UriRules) -> RealmOptions {
    let mut options = RealmOptions::default();
    if let Some(on) = c.optional_bool(t, "meta_api") {
        options.meta_api = on;
    }
    if let Some(v) = t.get("retention") {
        options.retention = read_retention(c, &t.child("retention"), v);
    }
    if let Some(v) = t.get("testaments") {
        options.testaments = read_testaments(c, &t.child("testaments"), v);
    }
    if let Some(v) = t.get("history") {
        options.history = read_history(c, &t.child("history"), v, rules);
    }
    options
}

fn read_retention(c: &mut Checker, path: &str, value: &Value) -> RetentionLimits {
    let mut limits = RetentionLimits::default();
    let Some(t) = c.table(path, value) else {
        return limits;
    };
    c.only_keys(&t, RETENTION_KEYS);
    if let Some(n) = c.optional_u64(&t, "max_topics") {
        limits.max_topics = usize::try_from(n).unwrap_or(usize::MAX);
    }
    if let Some(n) = c.optional_u64(&t, "max_bytes") {
        limits.max_bytes = at_least_one(c, &t.child("max_bytes"), n);
    }
    limits
}

fn read_testaments(c: &mut Checker, path: &str, value: &Value) -> TestamentLimits {
    let mut limits = TestamentLimits::default();
    let Some(t) = c.table(path, value) else {
        return limits;
    };
    c.only_keys(&t, TESTAMENT_KEYS);
    if let Some(n) = c.optional_u64(&t, "max_count") {
        limits.max_count = usize::try_from(n).unwrap_or(usize::MAX);
    }
    if let Some(n) = c.optional_u64(&t, "max_bytes") {
        limits.max_bytes = at_least_one(c, &t.child("max_bytes"), n);
    }
    limits
}

fn read_history(c: &mut Checker, path: &str, value: &Value, rules: UriRules) -> Vec<HistoryRule> {
    let Some(items) = c.list(path, value) else {
        return Vec::new();
    };
    let mut out: Vec<HistoryRule> = Vec::new();
    for (p, v) in items {
        let Some(t) = c.table(&p, v) else {
            continue;
        };
        let Some(rule) = read_history_rule(c, &t, rules) else {
            continue;
        };
        if out
            .iter()
            .any(|r| r.uri == rule.uri && r.policy == rule.policy)
        {
            c.problem(
                &t.child("uri"),
                format!(
                    "a history rule for \"{}\" with match {} is already in this realm",
                    rule.uri,
                    rule.policy.name()
                ),
            );
            continue;
        }
        out.push(rule);
    }
    out
}

fn read_history_rule(c: &mut Checker, t: &Table<'_>, rules: UriRules) -> Option<HistoryRule> {
    c.only_keys(t, HISTORY_KEYS);
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
    let uri = c.required_string(t, "uri");
    if let (Some(u), Some(policy)) = (&uri, policy)
        && !policy.accepts(&Uri::new(u), rules)
    {
        c.problem(
            &t.child("uri"),
            format!(
                "\"{u}\" is not a valid topic {} for this realm",
                if policy == MatchPolicy::Exact {
                    "URI"
                } else {
                    "pattern"
                }
            ),
        );
        return None;
    }
    let limit = match c.optional_u64(t, "limit") {
        None => HistoryRule::DEFAULT_LIMIT,
        Some(n) if (1..=MAX_HISTORY_LIMIT).contains(&n) => usize::try_from(n).unwrap_or(1),
        Some(_) => {
            c.problem(
                &t.child("limit"),
                format!("must be 1 to {MAX_HISTORY_LIMIT} events"),
            );
            1
        }
    };
    let max_bytes = match c.optional_u64(t, "max_bytes") {
        None => HistoryRule::DEFAULT_MAX_BYTES,
        Some(n) => at_least_one(c, &t.child("max_bytes"), n),
    };
    Some(HistoryRule {
        uri: uri?,
        policy: policy?,
        limit,
        max_bytes,
    })
}

/// `n` as a size of at least 1.
fn at_least_one(c: &mut Checker, path: &str, n: u64) -> usize {
    if n == 0 {
        c.problem(path, "must be at least 1");
    }
    usize::try_from(n.max(1)).unwrap_or(usize::MAX)
}
