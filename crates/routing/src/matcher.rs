//! Subscription matching: the match policies, and the index of pattern subscriptions.
//!
//! Exact subscriptions are found with one hash lookup (in the broker's map). Prefix subscriptions
//! are found by probing the published topic's prefixes, only at the lengths some prefix
//! subscription has; wildcard subscriptions by comparing those with the topic's component count.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crossway_protocol::{Dict, Uri, UriRules, Value};

use crate::error::RequestError;
use crate::subscription::Subscription;

/// How a pattern is matched against URIs: a subscription's topic (`SUBSCRIBE.Options.match`), a
/// permission rule's URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MatchPolicy {
    /// The published topic equals the subscription's topic.
    #[default]
    Exact,
    /// The subscription's topic is a prefix of the published topic (as strings).
    Prefix,
    /// Same number of components; an empty component of the pattern matches any component.
    Wildcard,
}

/// The pattern subscriptions of a realm (prefix and wildcard).
#[derive(Debug, Default)]
pub(crate) struct PatternIndex {
    prefix: HashMap<Box<str>, Arc<Subscription>>,
    /// Byte length of prefix patterns -> how many prefix subscriptions have it.
    prefix_lengths: BTreeMap<usize, usize>,
    /// Component count -> wildcard subscriptions with that many components.
    wildcard: HashMap<usize, HashMap<Uri, Arc<Subscription>>>,
}

impl MatchPolicy {
    /// The policy `SUBSCRIBE.Options` ask for; `match` absent means exact.
    pub(crate) fn from_options(options: &Dict) -> Result<MatchPolicy, RequestError> {
        match options.get("match") {
            None => Ok(MatchPolicy::Exact),
            Some(Value::Str(s)) => MatchPolicy::from_name(s).ok_or_else(|| {
                RequestError::InvalidArgument(format!(
                    "unknown match policy '{s}' (exact, prefix or wildcard)"
                ))
            }),
            Some(_) => Err(RequestError::InvalidArgument(
                "option 'match' must be a string".to_owned(),
            )),
        }
    }

    /// Every policy.
    pub const ALL: [MatchPolicy; 3] = [
        MatchPolicy::Exact,
        MatchPolicy::Prefix,
        MatchPolicy::Wildcard,
    ];

    /// The policy called `name` (`exact`, `prefix`, `wildcard`).
    pub fn from_name(name: &str) -> Option<MatchPolicy> {
        MatchPolicy::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The policy's name in `SUBSCRIBE.Options.match`.
    pub fn name(self) -> &'static str {
        match self {
            MatchPolicy::Exact => "exact",
            MatchPolicy::Prefix => "prefix",
            MatchPolicy::Wildcard => "wildcard",
        }
    }

    /// Whether `pattern`, matched with this policy, matches the published `topic`.
    pub(crate) fn matches(self, pattern: &str, topic: &str) -> bool {
        match self {
            MatchPolicy::Exact => pattern == topic,
            MatchPolicy::Prefix => topic.starts_with(pattern),
            MatchPolicy::Wildcard => wildcard_matches(pattern, topic),
        }
    }

    /// Whether `topic` is valid under `rules` for this policy: patterns may have empty components.
    pub fn accepts(self, topic: &Uri, rules: UriRules) -> bool {
        match self {
            MatchPolicy::Exact => topic.is_valid(rules),
            MatchPolicy::Prefix | MatchPolicy::Wildcard => topic.is_valid_pattern(rules),
        }
    }
}

impl PatternIndex {
    /// The number of pattern subscriptions.
    pub(crate) fn len(&self) -> usize {
        self.prefix.len() + self.wildcard.values().map(HashMap::len).sum::<usize>()
    }

    /// The prefix subscription for `topic`, made with `make` if there is none.
    pub(crate) fn prefix_entry(
        &mut self,
        topic: &Uri,
        make: impl FnOnce() -> Arc<Subscription>,
    ) -> Arc<Subscription> {
        if let Some(sub) = self.prefix.get(topic.as_str()) {
            return Arc::clone(sub);
        }
        let sub = make();
        self.prefix
            .insert(Box::from(topic.as_str()), Arc::clone(&sub));
        *self.prefix_lengths.entry(topic.as_str().len()).or_insert(0) += 1;
        sub
    }

    /// The wildcard subscription for `topic`, made with `make` if there is none.
    pub(crate) fn wildcard_entry(
        &mut self,
        topic: &Uri,
        make: impl FnOnce() -> Arc<Subscription>,
    ) -> Arc<Subscription> {
        let same_length = self
            .wildcard
            .entry(component_count(topic.as_str()))
            .or_default();
        Arc::clone(same_length.entry(topic.clone()).or_insert_with(make))
    }

    /// Removes `sub` (this very subscription, not another one for the same pattern); returns
    /// whether it was there.
    pub(crate) fn remove(&mut self, sub: &Arc<Subscription>) -> bool {
        let topic = sub.topic();
        match sub.policy() {
            MatchPolicy::Prefix => {
                let same = self
                    .prefix
                    .get(topic.as_str())
                    .is_some_and(|s| Arc::ptr_eq(s, sub));
                if !same {
                    return false;
                }
                self.prefix.remove(topic.as_str());
                let len = topic.as_str().len();
                if let Some(count) = self.prefix_lengths.get_mut(&len) {
                    *count = count.saturating_sub(1);
                    if *count == 0 {
                        self.prefix_lengths.remove(&len);
                    }
                }
                true
            }
            MatchPolicy::Wildcard => {
                let count = component_count(topic.as_str());
                let Some(same_length) = self.wildcard.get_mut(&count) else {
                    return false;
                };
                let same = same_length.get(topic).is_some_and(|s| Arc::ptr_eq(s, sub));
                if same {
                    same_length.remove(topic);
                }
                if same_length.is_empty() {
                    self.wildcard.remove(&count);
                }
                same
            }
            MatchPolicy::Exact => false,
        }
    }

    /// The subscription of pattern `topic` with `policy`, if there is one.
    pub(crate) fn get(&self, topic: &Uri, policy: MatchPolicy) -> Option<Arc<Subscription>> {
        match policy {
            MatchPolicy::Prefix => self.prefix.get(topic.as_str()).cloned(),
            MatchPolicy::Wildcard => self
                .wildcard
                .get(&component_count(topic.as_str()))
                .and_then(|same_length| same_length.get(topic))
                .cloned(),
            MatchPolicy::Exact => None,
        }
    }

    /// Appends every pattern subscription matching the published `topic` to `out`.
    pub(crate) fn collect_matches(&self, topic: &str, out: &mut Vec<Arc<Subscription>>) {
        for &len in self
            .prefix_lengths
            .range(..=topic.len())
            .map(|(len, _)| len)
        {
            if let Some(sub) = topic.get(..len).and_then(|p| self.prefix.get(p)) {
                out.push(Arc::clone(sub));
            }
        }
        if let Some(same_length) = self.wildcard.get(&component_count(topic)) {
            out.extend(
                same_length
                    .values()
                    .filter(|sub| wildcard_matches(sub.topic().as_str(), topic))
                    .cloned(),
            );
        }
    }
}

/// Whether the wildcard `pattern` matches `topic`: same number of components, and each component
/// of the pattern is empty or equal to the topic's.
pub(crate) fn wildcard_matches(pattern: &str, topic: &str) -> bool {
    let mut pattern_parts = pattern.split('.');
    let mut topic_parts = topic.split('.');
    loop {
        match (pattern_parts.next(), topic_parts.next()) {
            (None, None) => return true,
            (Some(p), Some(t)) if p.is_empty() || p == t => {}
            _ => return false,
        }
    }
}

/// The number of `.`-separated components of a URI.
fn component_count(uri: &str) -> usize {
    uri.bytes().filter(|b| *b == b'.').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossway_protocol::SubscriptionId;

    fn sub(id: u64, topic: &str, policy: MatchPolicy) -> Arc<Subscription> {
        Arc::new(Subscription::new(
            SubscriptionId(id),
            Uri::new(topic),
            policy,
        ))
    }

    fn matches(index: &PatternIndex, topic: &str) -> Vec<u64> {
        let mut out = Vec::new();
        index.collect_matches(topic, &mut out);
        let mut ids: Vec<u64> = out.iter().map(|s| s.id().0).collect();
        ids.sort_unstable();
        ids
    }

    #[test]
    fn policies_from_options() {
        let mut options = Dict::new();
        assert_eq!(MatchPolicy::from_options(&options), Ok(MatchPolicy::Exact));
        for (name, policy) in [
            ("exact", MatchPolicy::Exact),
            ("prefix", MatchPolicy::Prefix),
            ("wildcard", MatchPolicy::Wildcard),
        ] {
            options.insert("match".into(), name.into());
            assert_eq!(MatchPolicy::from_options(&options), Ok(policy));
            assert_eq!(policy.name(), name);
        }
        options.insert("match".into(), "regex".into());
        assert!(MatchPolicy::from_options(&options).is_err());
        options.insert("match".into(), Value::Int(1));
        assert!(MatchPolicy::from_options(&options).is_err());
    }

    #[test]
    fn patterns_may_have_empty_components() {
        let rules = UriRules::Loose;
        assert!(!MatchPolicy::Exact.accepts(&Uri::new("a..b"), rules));
        assert!(MatchPolicy::Wildcard.accepts(&Uri::new("a..b"), rules));
        assert!(MatchPolicy::Prefix.accepts(&Uri::new("a.b."), rules));
        assert!(!MatchPolicy::Prefix.accepts(&Uri::new("a b"), rules));
    }

    #[test]
    fn wildcard_matching_follows_the_spec_examples() {
        let p = "com.myapp..userevent";
        assert!(wildcard_matches(p, "com.myapp.foo.userevent"));
        assert!(wildcard_matches(p, "com.myapp.a12.userevent"));
        assert!(!wildcard_matches(p, "com.myapp.foo.userevent.bar"));
        assert!(!wildcard_matches(p, "com.myapp.foo.user"));
        assert!(!wildcard_matches(p, "com.myapp2.foo.userevent"));
    }

    #[test]
    fn prefix_matching_follows_the_spec_examples() {
        let mut index = PatternIndex::default();
        let s = sub(1, "com.myapp.topic.emergency", MatchPolicy::Prefix);
        index.prefix_entry(s.topic(), || Arc::clone(&s));
        for topic in [
            "com.myapp.topic.emergency.11",
            "com.myapp.topic.emergency-low",
            "com.myapp.topic.emergency.category.severe",
            "com.myapp.topic.emergency",
        ] {
            assert_eq!(matches(&index, topic), vec![1], "{topic}");
        }
        assert!(matches(&index, "com.myapp.topic.emerge").is_empty());
    }

    #[test]
    fn index_finds_every_matching_pattern_and_forgets_removed_ones() {
        let mut index = PatternIndex::default();
        assert_eq!(index.len(), 0);
        let a = sub(1, "com", MatchPolicy::Prefix);
        let b = sub(2, "com.x", MatchPolicy::Prefix);
        let c = sub(3, "com..z", MatchPolicy::Wildcard);
        let d = sub(4, "..", MatchPolicy::Wildcard);
        index.prefix_entry(a.topic(), || Arc::clone(&a));
        index.prefix_entry(b.topic(), || Arc::clone(&b));
        index.wildcard_entry(c.topic(), || Arc::clone(&c));
        index.wildcard_entry(d.topic(), || Arc::clone(&d));
        // The same pattern gives the same subscription.
        let again = index.prefix_entry(&Uri::new("com"), || sub(9, "com", MatchPolicy::Prefix));
        assert!(Arc::ptr_eq(&again, &a));
        assert_eq!(matches(&index, "com.x.z"), vec![1, 2, 3, 4]);
        assert_eq!(matches(&index, "com.y.z"), vec![1, 3, 4]);
        assert_eq!(matches(&index, "org.y.z"), vec![4]);
        assert_eq!(matches(&index, "co"), Vec::<u64>::new());
        // Multi-byte characters: probing never splits one.
        assert_eq!(matches(&index, "cöm"), Vec::<u64>::new());
        assert!(index.remove(&a));
        assert!(!index.remove(&a));
        assert!(index.remove(&c));
        assert_eq!(matches(&index, "com.x.z"), vec![2, 4]);
        index.remove(&b);
        index.remove(&d);
        assert_eq!(index.len(), 0);
        assert!(index.prefix_lengths.is_empty());
    }
}
