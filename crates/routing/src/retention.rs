//! Event retention: the last event published with `retain: true` on each topic of a realm, for
//! subscribers that ask for it (`get_retained`), bounded in topics and bytes.
//!
//! A topic keeps its last retained event that every subscriber may receive (no black- or
//! whitelist), and the few retained after it that have such lists, so that a subscriber gets the
//! most recent one it would have received. A retained payload is copied out of the frame it
//! came in (one allocation per retained event), so that it holds only its own bytes.
//!
//! When full: a new topic is not retained (counted, and logged at debug); a topic that has
//! retained events may always replace them while the total stays within the bounds; a
//! replacement that does not fit drops the topic's old events too, so that nobody gets a value
//! its publisher has replaced.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crossway_protocol::{Dict, Payload, PublicationId, Uri};

use crate::matcher::MatchPolicy;
use crate::publication::PublishOptions;
use crate::realm_options::RetentionLimits;

/// Retained events with a black- or whitelist kept after a topic's event for everyone.
const LIMITED_PER_TOPIC: usize = 4;

/// What each retained event is counted as beyond its payload and topic.
const OVERHEAD: usize = 64;

/// The retained events of one realm.
#[derive(Debug)]
pub(crate) struct Retention {
    limits: RetentionLimits,
    state: Mutex<State>,
    /// Retained events not kept because the bounds were reached.
    refused: AtomicU64,
}

/// One retained event.
#[derive(Debug)]
pub(crate) struct Retained {
    /// The publication's id.
    pub(crate) id: PublicationId,
    /// The topic it was published to.
    pub(crate) topic: Uri,
    /// EVENT details as the publication's live events had them (publisher, passthru options).
    pub(crate) details: Dict,
    /// Who may receive it (its black- and whitelists).
    pub(crate) options: PublishOptions,
    /// The payload, in bytes of its own.
    pub(crate) payload: Payload,
    /// What it counts against `max_bytes`.
    size: usize,
}

#[derive(Debug, Default)]
struct State {
    /// Per topic, oldest first.
    topics: HashMap<Uri, Vec<Arc<Retained>>>,
    bytes: usize,
}

impl Retention {
    /// An empty store bounded by `limits`.
    pub(crate) fn new(limits: RetentionLimits) -> Retention {
        Retention {
            limits,
            state: Mutex::new(State::default()),
            refused: AtomicU64::new(0),
        }
    }

    /// Whether retention is on (`max_topics` above 0).
    pub(crate) fn is_enabled(&self) -> bool {
        self.limits.max_topics > 0
    }

    /// A retained event, its payload copied out of its frame.
    pub(crate) fn event(
        id: PublicationId,
        topic: &Uri,
        details: Dict,
        options: &PublishOptions,
        payload: &Payload,
    ) -> Retained {
        let payload = match payload {
            Payload::Raw(raw) => Payload::Raw(raw.detached()),
            values => values.clone(),
        };
        let size = payload.raw().map_or(0, |raw| raw.len()) + topic.as_str().len() + OVERHEAD;
        Retained {
            id,
            topic: topic.clone(),
            details,
            options: options.clone(),
            payload,
            size,
        }
    }

    /// Keeps `event` as its topic's retained event; false if the bounds did not allow it.
    pub(crate) fn keep(&self, event: Retained) -> bool {
        let mut state = self.lock();
        let State { topics, bytes } = &mut *state;
        let size = event.size;
        let kept = match topics.get_mut(&event.topic) {
            Some(list) => {
                let before: usize = list.iter().map(|r| r.size).sum();
                let mut next = list.clone();
                if event.options.has_lists() {
                    if next.len() > LIMITED_PER_TOPIC {
                        let oldest_limited =
                            usize::from(next.first().is_some_and(|r| !r.options.has_lists()));
                        next.remove(oldest_limited.min(next.len() - 1));
                    }
                } else {
                    next.clear();
                }
                let after: usize = next.iter().map(|r| r.size).sum::<usize>() + size;
                let total = *bytes - before + after;
                if total <= self.limits.max_bytes {
                    next.push(Arc::new(event));
                    *list = next;
                    *bytes = total;
                    true
                } else {
                    topics.remove(&event.topic);
                    *bytes -= before;
                    false
                }
            }
            None => {
                let fits = topics.len() < self.limits.max_topics
                    && bytes.saturating_add(size) <= self.limits.max_bytes;
                if fits {
                    *bytes += size;
                    topics.insert(event.topic.clone(), vec![Arc::new(event)]);
                }
                fits
            }
        };
        drop(state);
        if !kept {
            self.refused.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(
                max_topics = self.limits.max_topics,
                max_bytes = self.limits.max_bytes,
                "retained event not kept: the realm's retention bounds are reached"
            );
        }
        kept
    }

    /// The retained events of every topic `pattern` matches with `policy`, each topic's oldest
    /// first.
    pub(crate) fn matching(&self, pattern: &Uri, policy: MatchPolicy) -> Vec<Vec<Arc<Retained>>> {
        let state = self.lock();
        if policy == MatchPolicy::Exact {
            return state.topics.get(pattern).cloned().into_iter().collect();
        }
        state
            .topics
            .iter()
            .filter(|(topic, _)| policy.matches(pattern.as_str(), topic.as_str()))
            .map(|(_, list)| list.clone())
            .collect()
    }

    /// Keeps `event` if its topic has no retained event yet (one from another node, older than
    /// what this node may have received live since it started).
    pub(crate) fn keep_if_absent(&self, event: Retained) -> bool {
        if self.lock().topics.contains_key(&event.topic) {
            return false;
        }
        self.keep(event)
    }

    /// Every retained event, each topic's oldest first.
    pub(crate) fn all(&self) -> Vec<Arc<Retained>> {
        self.lock().topics.values().flatten().cloned().collect()
    }

    /// How many topics have a retained event, and their bytes.
    pub(crate) fn usage(&self) -> (usize, usize) {
        let state = self.lock();
        (state.topics.len(), state.bytes)
    }

    /// Retained events not kept because the bounds were reached.
    pub(crate) fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossway_protocol::{Codec, Value};

    fn options(pairs: &[(&str, Value)]) -> PublishOptions {
        let dict: Dict = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        PublishOptions::parse(&dict).unwrap()
    }

    fn event(id: u64, topic: &str, bytes: usize, opts: &PublishOptions) -> Retained {
        let raw = crossway_protocol::RawPayload::encode(
            Codec::Json,
            Some(&vec![Value::from("x".repeat(bytes))]),
            None,
        )
        .unwrap();
        Retention::event(
            PublicationId(id),
            &Uri::new(topic),
            Dict::new(),
            opts,
            &Payload::Raw(raw),
        )
    }

    fn ids(lists: Vec<Vec<Arc<Retained>>>) -> Vec<Vec<u64>> {
        let mut out: Vec<Vec<u64>> = lists
            .into_iter()
            .map(|l| l.iter().map(|r| r.id.0).collect())
            .collect();
        out.sort();
        out
    }

    #[test]
    fn the_last_event_for_everyone_replaces_the_others() {
        let store = Retention::new(RetentionLimits::default());
        let open = options(&[]);
        let limited = options(&[("eligible_authrole", Value::List(vec!["admin".into()]))]);
        assert!(store.keep(event(1, "a.b", 10, &open)));
        assert!(store.keep(event(2, "a.b", 10, &limited)));
        assert!(store.keep(event(3, "a.b", 10, &limited)));
        assert_eq!(
            ids(store.matching(&Uri::new("a.b"), MatchPolicy::Exact)),
            [[1, 2, 3]]
        );
        assert!(store.keep(event(4, "a.b", 10, &open)));
        assert_eq!(
            ids(store.matching(&Uri::new("a.b"), MatchPolicy::Exact)),
            [[4]]
        );
        for id in 5..20 {
            assert!(store.keep(event(id, "a.b", 10, &limited)));
        }
        let kept = ids(store.matching(&Uri::new("a.b"), MatchPolicy::Exact));
        assert_eq!(kept[0].first(), Some(&4), "the event for everyone stays");
        assert_eq!(kept[0].len(), LIMITED_PER_TOPIC + 1);
        assert_eq!(kept[0].last(), Some(&19));
    }

    #[test]
    fn patterns_find_every_topic_they_match() {
        let store = Retention::new(RetentionLimits::default());
        let open = options(&[]);
        for (id, topic) in [(1, "a.b.c"), (2, "a.x.c"), (3, "a.b"), (4, "z")] {
            assert!(store.keep(event(id, topic, 1, &open)));
        }
        let prefix = store.matching(&Uri::new("a.b"), MatchPolicy::Prefix);
        assert_eq!(ids(prefix), [[1], [3]]);
        let wildcard = store.matching(&Uri::new("a..c"), MatchPolicy::Wildcard);
        assert_eq!(ids(wildcard), [[1], [2]]);
        assert!(
            store
                .matching(&Uri::new("q"), MatchPolicy::Exact)
                .is_empty()
        );
    }

    #[test]
    fn bounds_refuse_new_topics_and_replacements_that_do_not_fit() {
        let open = options(&[]);
        let one = event(0, "t.0", 100, &open).size;
        let store = Retention::new(RetentionLimits {
            max_topics: 2,
            max_bytes: 3 * one,
        });
        assert!(store.keep(event(1, "t.1", 100, &open)));
        assert!(store.keep(event(2, "t.2", 100, &open)));
        assert!(!store.keep(event(3, "t.3", 100, &open)), "a third topic");
        assert_eq!(store.refused(), 1);
        // Replacing works, even with a larger event, while the bytes fit.
        assert!(store.keep(event(4, "t.1", 150, &open)));
        assert_eq!(store.usage().0, 2);
        // A replacement beyond max_bytes drops the old event too.
        assert!(!store.keep(event(5, "t.2", 10_000, &open)));
        assert!(
            store
                .matching(&Uri::new("t.2"), MatchPolicy::Exact)
                .is_empty()
        );
        assert_eq!(store.usage().0, 1);
        assert!(store.keep(event(6, "t.3", 100, &open)), "room again");
        let (_, bytes) = store.usage();
        assert!(bytes <= 3 * one);
        let off = Retention::new(RetentionLimits {
            max_topics: 0,
            max_bytes: 1 << 20,
        });
        assert!(!off.is_enabled());
        assert!(!off.keep(event(1, "t", 1, &open)));
    }

    #[test]
    fn a_retained_payload_holds_only_its_own_bytes() {
        let frame = Codec::Json
            .encode(&crossway_protocol::Message::Publish {
                request: 1.into(),
                options: Dict::new(),
                topic: Uri::new("t"),
                payload: Payload::new(Some(vec![Value::Int(7)]), None),
            })
            .unwrap();
        let msg = Codec::Json.decode_bytes(bytes::Bytes::from(frame)).unwrap();
        let payload = msg.payload().unwrap();
        let kept = Retention::event(
            PublicationId(1),
            &Uri::new("t"),
            Dict::new(),
            &options(&[]),
            payload,
        );
        assert_eq!(kept.payload.raw().unwrap().args_bytes(), Some(&b"[7]"[..]));
        assert_eq!(kept.payload.raw().unwrap().len(), 3);
    }
}
