//! `wamp.subscription.get_events(subscription, limit=)`: the kept events a subscription would
//! have received (see `crate::history`), with the specification's filters as keyword
//! arguments: `reverse`, `limit`, `from_time`, `after_time`, `before_time`, `until_time`,
//! `topic`, `from_publication`, `after_publication`, `before_publication`,
//! `until_publication` (all together: logical AND). `limit` may also be the second positional
//! argument, as Crossbar.io takes it.
//!
//! The caller must be allowed to subscribe to the subscription's topic; events whose black- or
//! whitelists by authid or authrole leave the caller out are left out, and so are events on
//! topics a pattern subscription's caller may not subscribe to. A subscription no history rule
//! covers answers `wamp.error.history_unavailable`. A `*_publication` filter naming an event
//! the history no longer holds counts it as older than every event it holds.

use std::time::SystemTime;

use crossway_protocol::{Dict, SubscriptionId, Value};

use super::{Answer, MetaCall, id_arg, invalid, one, opt_arg};
use crate::error::RequestError;
use crate::history::Stored;
use crate::matcher::MatchPolicy;
use crate::permissions::{Action, RESERVED_PREFIX};
use crate::publication::Audience;
use crate::timestamp::{parse_timestamp, utc_timestamp};

/// Whether `procedure` is this one.
pub(super) fn answers(procedure: &str) -> bool {
    procedure == "wamp.subscription.get_events"
}

/// Answers it.
pub(super) fn answer(call: MetaCall<'_>) -> Answer {
    let id = SubscriptionId(id_arg(&call, 0, "subscription")?);
    let sub = call
        .realm
        .broker()
        .get(id)
        .filter(|s| !s.topic().as_str().starts_with(RESERVED_PREFIX))
        .ok_or(RequestError::UnknownSubscription(id))?;
    let authorization = call.member.authorization();
    if !authorization.allows(Action::Subscribe, sub.topic().as_str()) {
        return Err(RequestError::NotAuthorized {
            action: Action::Subscribe,
            uri: sub.topic().clone(),
        });
    }
    let history = call.realm.history();
    if !history.covers(sub.topic(), sub.policy()) {
        return Err(RequestError::HistoryUnavailable(format!(
            "no event history is kept for '{}'",
            sub.topic()
        )));
    }
    let filter = Filter::read(&call)?;
    let pattern = sub.policy() != MatchPolicy::Exact;
    let mut events: Vec<_> = history
        .events_for(sub.topic(), sub.policy())
        .into_iter()
        .filter(|e| Audience::new(crossway_protocol::SessionId(0), &e.options).admits(call.member))
        .filter(|e| {
            !pattern
                || authorization.is_open()
                || authorization.allows(Action::Subscribe, e.topic.as_str())
        })
        .collect();
    filter.apply(&mut events);
    let list = events
        .iter()
        .map(|e| Value::Map(describe(e, id, pattern)))
        .collect();
    one(Value::List(list))
}

/// The filters of one query.
#[derive(Debug, Default)]
struct Filter {
    reverse: bool,
    limit: Option<usize>,
    from_time: Option<SystemTime>,
    after_time: Option<SystemTime>,
    before_time: Option<SystemTime>,
    until_time: Option<SystemTime>,
    topic: Option<String>,
    from_publication: Option<u64>,
    after_publication: Option<u64>,
    before_publication: Option<u64>,
    until_publication: Option<u64>,
}

impl Filter {
    fn read(call: &MetaCall<'_>) -> Result<Filter, RequestError> {
        let kw = &call.kwargs;
        let time = |name: &str| -> Result<Option<SystemTime>, RequestError> {
            match kw.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Str(s)) => parse_timestamp(s)
                    .map(Some)
                    .ok_or_else(|| invalid(format!("{name} must be an RFC 3339 timestamp"))),
                Some(_) => Err(invalid(format!("{name} must be an RFC 3339 timestamp"))),
            }
        };
        let id = |name: &str| -> Result<Option<u64>, RequestError> {
            match kw.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_u64()
                    .map(Some)
                    .ok_or_else(|| invalid(format!("{name} must be a publication id"))),
            }
        };
        let limit = match opt_arg(call, 1, "limit") {
            None => None,
            Some(v) => match v.as_u64() {
                Some(n) if n > 0 => Some(usize::try_from(n).unwrap_or(usize::MAX)),
                _ => return Err(invalid("limit must be a positive integer".to_owned())),
            },
        };
        let reverse = match kw.get("reverse") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(invalid("reverse must be a boolean".to_owned())),
        };
        let topic = match kw.get("topic") {
            None | Some(Value::Null) => None,
            Some(Value::Str(s)) => Some(s.clone()),
            Some(_) => return Err(invalid("topic must be a URI".to_owned())),
        };
        Ok(Filter {
            reverse,
            limit,
            from_time: time("from_time")?,
            after_time: time("after_time")?,
            before_time: time("before_time")?,
            until_time: time("until_time")?,
            topic,
            from_publication: id("from_publication")?,
            after_publication: id("after_publication")?,
            before_publication: id("before_publication")?,
            until_publication: id("until_publication")?,
        })
    }

    /// Keeps the events (in the order received) that pass, then orders and limits them.
    fn apply(&self, events: &mut Vec<std::sync::Arc<Stored>>) {
        let position = |id: u64| events.iter().position(|e| e.id.0 == id);
        // An event no longer held is older than every event held.
        let start = match (self.from_publication, self.after_publication) {
            (Some(id), _) => position(id).unwrap_or(0),
            (None, Some(id)) => position(id).map_or(0, |p| p + 1),
            (None, None) => 0,
        };
        let end = match (self.until_publication, self.before_publication) {
            (Some(id), _) => position(id).map_or(0, |p| p + 1),
            (None, Some(id)) => position(id).unwrap_or(0),
            (None, None) => events.len(),
        };
        let mut kept: Vec<_> = events
            .get(start..end.max(start))
            .unwrap_or_default()
            .iter()
            .filter(|e| {
                self.from_time.is_none_or(|t| e.time >= t)
                    && self.after_time.is_none_or(|t| e.time > t)
                    && self.before_time.is_none_or(|t| e.time < t)
                    && self.until_time.is_none_or(|t| e.time <= t)
                    && self.topic.as_deref().is_none_or(|t| e.topic.as_str() == t)
            })
            .cloned()
            .collect();
        if self.reverse {
            kept.reverse();
        }
        if let Some(limit) = self.limit {
            kept.truncate(limit);
        }
        *events = kept;
    }
}

/// One event as `get_events` gives it: `timestamp`, `subscription`, `publication`, `topic`,
/// `details`, and `args` and `kwargs` (or, for a passthru payload, its binary as `payload`).
fn describe(event: &Stored, subscription: SubscriptionId, pattern: bool) -> Dict {
    let mut details = event.details.clone();
    if pattern {
        details.insert("topic".to_owned(), Value::from(event.topic.as_str()));
    }
    let mut out = Dict::from([
        (
            "timestamp".to_owned(),
            Value::from(utc_timestamp(event.time)),
        ),
        ("subscription".to_owned(), Value::from(subscription.0)),
        ("publication".to_owned(), Value::from(event.id.0)),
        ("topic".to_owned(), Value::from(event.topic.as_str())),
        ("details".to_owned(), Value::Map(details)),
    ]);
    if let Some(data) = event.payload.binary_data() {
        out.insert("payload".to_owned(), Value::Bytes(data));
        return out;
    }
    if let Ok(Some(args)) = event.payload.args() {
        out.insert("args".to_owned(), Value::List(args));
    }
    if let Ok(Some(kwargs)) = event.payload.kwargs() {
        out.insert("kwargs".to_owned(), Value::Map(kwargs));
    }
    out
}
