//! One role's rules, compiled: a hash map for exact rules, prefix and wildcard rules longest
//! first, and a cache of the decisions made.

use std::collections::HashMap;

use super::cache::DecisionCache;
use super::{Grant, RESERVED_PREFIX, RoleConfig};
use crate::matcher::{MatchPolicy, wildcard_matches};

/// A role's permissions, ready for lookups.
#[derive(Debug)]
pub(crate) struct RolePermissions {
    exact: HashMap<Box<str>, Grant>,
    /// Longest pattern first: the first match is the most specific.
    prefix: Vec<(Box<str>, Grant)>,
    /// Longest pattern first.
    wildcard: Vec<(Box<str>, Grant)>,
    cache: DecisionCache,
}

impl RolePermissions {
    /// Compiles `config`'s rules. Where two rules have the same URI and policy, the first counts
    /// (the configuration refuses that).
    pub(crate) fn new(config: &RoleConfig) -> RolePermissions {
        let mut exact = HashMap::new();
        let mut prefix = Vec::new();
        let mut wildcard = Vec::new();
        for rule in &config.permissions {
            let grant = Grant {
                allow: rule.allow,
                disclose: rule.disclose,
            };
            let uri: Box<str> = Box::from(rule.uri.as_str());
            match rule.policy {
                MatchPolicy::Exact => {
                    exact.entry(uri).or_insert(grant);
                }
                MatchPolicy::Prefix => push_new(&mut prefix, uri, grant),
                MatchPolicy::Wildcard => push_new(&mut wildcard, uri, grant),
            }
        }
        // Stable: among patterns of one length, file order stays (they cannot both match, but
        // the order is then well defined anyway).
        prefix.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        wildcard.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        RolePermissions {
            exact,
            prefix,
            wildcard,
            cache: DecisionCache::default(),
        }
    }

    /// What the role may do with `uri`: the most specific matching rule's grant, or nothing.
    pub(crate) fn decide(&self, uri: &str) -> Grant {
        if let Some(grant) = self.cache.get(uri) {
            return grant;
        }
        let grant = self.compute(uri);
        self.cache.insert(uri, grant);
        grant
    }

    /// [`RolePermissions::decide`] without the cache.
    fn compute(&self, uri: &str) -> Grant {
        let reserved = uri.starts_with(RESERVED_PREFIX);
        // Under `wamp.`, only rules that name `wamp.` themselves apply.
        let applies = |pattern: &str| !reserved || pattern.starts_with(RESERVED_PREFIX);
        if let Some(grant) = self.exact.get(uri) {
            return *grant;
        }
        if let Some((_, grant)) = self
            .prefix
            .iter()
            .find(|(p, _)| uri.starts_with(&**p) && applies(p))
        {
            return *grant;
        }
        if let Some((_, grant)) = self
            .wildcard
            .iter()
            .find(|(p, _)| applies(p) && wildcard_matches(p, uri))
        {
            return *grant;
        }
        Grant::default()
    }
}

/// Adds a pattern unless it is already listed.
fn push_new(list: &mut Vec<(Box<str>, Grant)>, pattern: Box<str>, grant: Grant) {
    if !list.iter().any(|(p, _)| *p == pattern) {
        list.push((pattern, grant));
    }
}
