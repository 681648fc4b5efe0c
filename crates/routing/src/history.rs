//! Event history: the last publications to configured topics, kept per rule (`history:` in a
//! realm's configuration) whether or not anyone subscribes, and read back per subscription with
//! `wamp.subscription.get_events`.
//!
//! A publication is kept by the first rule (in configuration order) whose pattern matches its
//! topic; each rule keeps its last `limit` events within `max_bytes` (the oldest goes first).
//! Publications whose black- or whitelists name session ids are not kept, as the specification
//! asks (session ids mean nothing once those sessions are gone). Payloads are copied out of
//! their frames.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::SystemTime;

use crossway_protocol::{Dict, Payload, PublicationId, Uri};

use crate::matcher::MatchPolicy;
use crate::publication::PublishOptions;
use crate::realm_options::HistoryRule;

/// What each kept event is counted as beyond its payload and topic.
const OVERHEAD: usize = 96;

/// The event history of one realm.
#[derive(Debug)]
pub(crate) struct History {
    rules: Vec<Kept>,
}

/// One rule and the events it keeps.
#[derive(Debug)]
struct Kept {
    rule: HistoryRule,
    events: Mutex<Events>,
}

#[derive(Debug, Default)]
struct Events {
    list: VecDeque<Arc<Stored>>,
    bytes: usize,
}

/// One kept publication.
#[derive(Debug)]
pub(crate) struct Stored {
    /// When the router received it.
    pub(crate) time: SystemTime,
    /// In what order the realm received it (across rules).
    pub(crate) sequence: u64,
    /// The publication id.
    pub(crate) id: PublicationId,
    /// The topic.
    pub(crate) topic: Uri,
    /// EVENT details as live events had them (publisher, passthru options).
    pub(crate) details: Dict,
    /// Who received it (black- and whitelists by authid and authrole).
    pub(crate) options: PublishOptions,
    /// The payload, in bytes of its own.
    pub(crate) payload: Payload,
    size: usize,
}

impl History {
    /// A history keeping what `rules` say.
    pub(crate) fn new(rules: &[HistoryRule]) -> History {
        History {
            rules: rules
                .iter()
                .map(|rule| Kept {
                    rule: rule.clone(),
                    events: Mutex::new(Events::default()),
                })
                .collect(),
        }
    }

    /// Whether any rule is configured (a publication costs nothing more when none is).
    pub(crate) fn is_enabled(&self) -> bool {
        !self.rules.is_empty()
    }

    /// Whether a publication to `topic` is kept.
    pub(crate) fn keeps(&self, topic: &Uri) -> bool {
        self.rule_for(topic).is_some()
    }

    /// Keeps a publication, if a rule covers its topic and its lists name no session.
    pub(crate) fn record(&self, sequence: u64, event: Record<'_>) {
        if event.options.names_sessions() {
            return;
        }
        let Some(kept) = self.rule_for(event.topic) else {
            return;
        };
        let payload = match event.payload {
            Payload::Raw(raw) => Payload::Raw(raw.detached()),
            values => values.clone(),
        };
        let size = payload.raw().map_or(0, |raw| raw.len()) + event.topic.as_str().len() + OVERHEAD;
        if size > kept.rule.max_bytes || kept.rule.limit == 0 {
            return;
        }
        let stored = Arc::new(Stored {
            time: SystemTime::now(),
            sequence,
            id: event.id,
            topic: event.topic.clone(),
            details: event.details,
            options: event.options.clone(),
            payload,
            size,
        });
        let mut events = lock(&kept.events);
        while events.list.len() >= kept.rule.limit || events.bytes + size > kept.rule.max_bytes {
            match events.list.pop_front() {
                Some(old) => events.bytes -= old.size,
                None => break,
            }
        }
        events.bytes += size;
        events.list.push_back(stored);
    }

    /// Every kept event a subscription to `pattern` with `policy` would have received, in the
    /// order the realm received them.
    pub(crate) fn events_for(&self, pattern: &Uri, policy: MatchPolicy) -> Vec<Arc<Stored>> {
        let mut out: Vec<Arc<Stored>> = Vec::new();
        for kept in &self.rules {
            let events = lock(&kept.events);
            out.extend(
                events
                    .list
                    .iter()
                    .filter(|e| policy.matches(pattern.as_str(), e.topic.as_str()))
                    .cloned(),
            );
        }
        out.sort_by_key(|e| e.sequence);
        out
    }

    /// Whether a subscription to `pattern` with `policy` may have history: some rule's topics
    /// and the subscription's can overlap (both are matched as strings, so this errs towards
    /// yes for patterns).
    pub(crate) fn covers(&self, pattern: &Uri, policy: MatchPolicy) -> bool {
        self.rules.iter().any(|kept| {
            let rule = kept.rule.uri.as_str();
            match (policy, kept.rule.policy) {
                (MatchPolicy::Exact, p) => p.matches(rule, pattern.as_str()),
                (MatchPolicy::Prefix, MatchPolicy::Prefix) => {
                    rule.starts_with(pattern.as_str()) || pattern.as_str().starts_with(rule)
                }
                (MatchPolicy::Prefix, MatchPolicy::Exact) => rule.starts_with(pattern.as_str()),
                (_, _) => true,
            }
        })
    }

    fn rule_for(&self, topic: &Uri) -> Option<&Kept> {
        self.rules
            .iter()
            .find(|k| k.rule.policy.matches(&k.rule.uri, topic.as_str()))
    }
}

/// A publication offered to the history.
#[derive(Debug)]
pub(crate) struct Record<'a> {
    /// Its id.
    pub(crate) id: PublicationId,
    /// Its topic.
    pub(crate) topic: &'a Uri,
    /// Its EVENT details.
    pub(crate) details: Dict,
    /// Its options.
    pub(crate) options: &'a PublishOptions,
    /// Its payload (copied if kept).
    pub(crate) payload: &'a Payload,
}

fn lock(events: &Mutex<Events>) -> MutexGuard<'_, Events> {
    events.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossway_protocol::Value;

    fn rule(uri: &str, policy: MatchPolicy, limit: usize) -> HistoryRule {
        HistoryRule {
            uri: uri.to_owned(),
            policy,
            limit,
            max_bytes: HistoryRule::DEFAULT_MAX_BYTES,
        }
    }

    fn publish(history: &History, seq: u64, topic: &str, options: &PublishOptions) {
        let payload = Payload::new(Some(vec![Value::from(seq)]), None);
        history.record(
            seq,
            Record {
                id: PublicationId(seq),
                topic: &Uri::new(topic),
                details: Dict::new(),
                options,
                payload: &payload,
            },
        );
    }

    fn ids(events: &[Arc<Stored>]) -> Vec<u64> {
        events.iter().map(|e| e.id.0).collect()
    }

    #[test]
    fn the_spec_example_per_subscription() {
        let history = History::new(&[rule("com.mycompany.log", MatchPolicy::Prefix, 10)]);
        let none = PublishOptions::default();
        for (seq, topic) in [
            (1, "com.mycompany.log.auth"),
            (2, "com.mycompany.log.basket"),
            (3, "com.mycompany.log.basket"),
            (4, "com.mycompany.log.basket"),
            (5, "com.mycompany.log.checkout"),
        ] {
            publish(&history, seq, topic, &none);
        }
        let auth = history.events_for(&Uri::new("com.mycompany.log.auth"), MatchPolicy::Exact);
        assert_eq!(ids(&auth), [1]);
        let basket = history.events_for(&Uri::new("com.mycompany.log.basket"), MatchPolicy::Exact);
        assert_eq!(ids(&basket), [2, 3, 4]);
        let all = history.events_for(&Uri::new("com.mycompany.log"), MatchPolicy::Prefix);
        assert_eq!(ids(&all), [1, 2, 3, 4, 5]);
        assert!(history.covers(&Uri::new("com.mycompany.log.auth"), MatchPolicy::Exact));
        assert!(!history.covers(&Uri::new("org.other"), MatchPolicy::Exact));
    }

    #[test]
    fn limits_and_session_lists() {
        let history = History::new(&[
            rule("a.", MatchPolicy::Prefix, 3),
            rule("b..c", MatchPolicy::Wildcard, 1),
        ]);
        assert!(history.is_enabled());
        assert!(!History::new(&[]).is_enabled());
        let none = PublishOptions::default();
        for seq in 1..=5 {
            publish(&history, seq, "a.x", &none);
        }
        publish(&history, 6, "b.1.c", &none);
        publish(&history, 7, "b.2.c", &none);
        publish(&history, 8, "q", &none);
        let dict = Dict::from([("exclude".to_owned(), Value::List(vec![Value::Int(1)]))]);
        let by_session = PublishOptions::parse(&dict).unwrap();
        publish(&history, 9, "a.x", &by_session);
        assert_eq!(
            ids(&history.events_for(&Uri::new("a."), MatchPolicy::Prefix)),
            [3, 4, 5]
        );
        assert_eq!(
            ids(&history.events_for(&Uri::new("b..c"), MatchPolicy::Wildcard)),
            [7]
        );
        assert!(
            history
                .events_for(&Uri::new("q"), MatchPolicy::Exact)
                .is_empty()
        );
        assert!(!history.keeps(&Uri::new("q")));
        let small = History::new(&[HistoryRule {
            max_bytes: 2 * (OVERHEAD + 10),
            ..rule("s", MatchPolicy::Exact, 100)
        }]);
        for seq in 1..=4 {
            publish(&small, seq, "s", &none);
        }
        assert_eq!(
            ids(&small.events_for(&Uri::new("s"), MatchPolicy::Exact)).len(),
            2
        );
    }
}
