//! A new subscription's retained events (SUBSCRIBE `get_retained`): for each topic it matches,
//! the most recent retained event this subscriber would have received when it was published,
//! as an EVENT with `details.retained: true`, queued to follow SUBSCRIBED and to come before
//! any live event.
//!
//! A pattern subscription gets those of every matching topic its role may subscribe to.
//! Whether the subscriber would have received an event is decided by the publication's black-
//! and whitelists; `exclude_me` is not applied (as Crossbar.io does: a publisher that subscribes
//! later gets its own retained event).

use bytes::Bytes;
use crossway_protocol::{SessionId, Value};

use super::Joined;
use crate::broker::Event;
use crate::matcher::MatchPolicy;
use crate::permissions::Action;
use crate::publication::Audience;
use crate::subscription::Subscription;

impl Joined {
    /// Queues `sub`'s retained events for this session, after the SUBSCRIBED reply.
    pub(super) fn send_retained(&self, sub: &Subscription) {
        let retention = self.realm.retention();
        if !retention.is_enabled() {
            return;
        }
        let pattern = sub.policy() != MatchPolicy::Exact;
        let authorization = self.member.authorization();
        let mut frames = Vec::new();
        for list in retention.matching(sub.topic(), sub.policy()) {
            let newest = list
                .iter()
                .rev()
                .find(|r| Audience::new(SessionId(0), &r.options).admits(&self.member));
            let Some(retained) = newest else {
                continue;
            };
            if pattern
                && !authorization.is_open()
                && !authorization.allows(Action::Subscribe, retained.topic.as_str())
            {
                continue;
            }
            let mut details = retained.details.clone();
            details.insert("retained".to_owned(), Value::Bool(true));
            if pattern {
                details.insert("topic".to_owned(), Value::from(retained.topic.as_str()));
            }
            let mut event = Event::new(retained.id, details, retained.payload.clone());
            match event.encode(sub.id(), self.member.codec()) {
                Ok(frame) => frames.push(Bytes::from(frame)),
                Err(error) => {
                    tracing::warn!(subscription = %sub.id(), %error,
                        "cannot encode a retained EVENT for this subscriber; it is left out");
                }
            }
        }
        if !frames.is_empty() && self.member.outbox().after_reply(frames).is_err() {
            tracing::debug!(session = %self.member.id(), "retained events not queued: outbox closed");
        }
    }
}
