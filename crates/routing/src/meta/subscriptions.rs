//! The subscription meta procedures. Subscriptions to URIs under `wamp.` (the meta events
//! themselves) are the router's: these procedures do not show them.
//!
//! `remove_subscriber` takes a session off a subscription; the session is told with
//! `UNSUBSCRIBED` (`[35, 0, {"subscription": id, "reason": ...}]`) if it announced
//! `subscription_revocation`, and watchers get `on_unsubscribe` (and `on_delete`).

use std::sync::Arc;

use crossway_protocol::{Dict, Message, RequestId, SessionId, SubscriptionId, Value};

use super::{Answer, MetaCall, details, events, id_arg, kwarg_str, nothing, one, opt_arg, uri_arg};
use crate::error::RequestError;
use crate::matcher::MatchPolicy;
use crate::permissions::RESERVED_PREFIX;
use crate::subscription::Subscription;

const PROCEDURES: [&str; 7] = [
    "wamp.subscription.list",
    "wamp.subscription.lookup",
    "wamp.subscription.match",
    "wamp.subscription.get",
    "wamp.subscription.list_subscribers",
    "wamp.subscription.count_subscribers",
    "wamp.subscription.remove_subscriber",
];

/// Whether `procedure` is one of these.
pub(super) fn answers(procedure: &str) -> bool {
    PROCEDURES.contains(&procedure)
}

/// Answers one of these.
pub(super) fn answer(procedure: &str, call: MetaCall<'_>) -> Answer {
    let broker = call.realm.broker();
    match procedure {
        "wamp.subscription.list" => {
            let session = opt_arg(&call, 0, "session")
                .map(|v| {
                    v.as_u64().map(SessionId).ok_or_else(|| {
                        RequestError::InvalidArgument("argument 1 (session) must be an id".into())
                    })
                })
                .transpose()?;
            if let Some(id) = session
                && call.realm.member(id).is_none()
            {
                return Err(RequestError::NoSuchSession(id));
            }
            let mut lists = Dict::new();
            for policy in MatchPolicy::ALL {
                lists.insert(policy.name().to_owned(), Value::List(Vec::new()));
            }
            for sub in broker.all().into_iter().filter(|s| visible(s)) {
                if session.is_some_and(|id| !sub.sessions().contains(&id)) {
                    continue;
                }
                if let Some(Value::List(ids)) = lists.get_mut(sub.policy().name()) {
                    ids.push(Value::from(sub.id().0));
                }
            }
            one(Value::Map(lists))
        }
        "wamp.subscription.lookup" => {
            let topic = uri_arg(&call, 0, "topic")?;
            let policy = match opt_arg(&call, 1, "options").and_then(Value::as_map) {
                Some(options) => MatchPolicy::from_options(options)?,
                None => MatchPolicy::Exact,
            };
            let found = broker.lookup(&topic, policy).filter(|s| visible(s));
            one(found.map_or(Value::Null, |s| Value::from(s.id().0)))
        }
        "wamp.subscription.match" => {
            let topic = uri_arg(&call, 0, "topic")?;
            let ids: Vec<Value> = broker
                .matching(&topic)
                .iter()
                .filter(|s| visible(s))
                .map(|s| Value::from(s.id().0))
                .collect();
            one(if ids.is_empty() {
                Value::Null
            } else {
                Value::List(ids)
            })
        }
        "wamp.subscription.get" => {
            let sub = find(&call)?;
            one(Value::Map(details::subscription(&sub)))
        }
        "wamp.subscription.list_subscribers" => {
            let sub = find(&call)?;
            let remote = remote_subscribers(&call, &sub);
            one(Value::List(
                sub.sessions()
                    .iter()
                    .chain(remote.iter())
                    .map(|id| Value::from(id.0))
                    .collect(),
            ))
        }
        "wamp.subscription.count_subscribers" => {
            let sub = find(&call)?;
            let remote = remote_subscribers(&call, &sub).len();
            one(Value::from((sub.len() + remote) as u64))
        }
        _ => remove_subscriber(&call),
    }
}

/// The subscribers on the other nodes of a cluster to the same topic, with the same policy, as
/// `sub` (subscription ids are each node's own; the topic and policy name the subscription).
fn remote_subscribers(call: &MetaCall<'_>, sub: &Subscription) -> Vec<SessionId> {
    call.realm
        .cluster()
        .map(|link| link.remote_subscriptions(call.realm.name()))
        .unwrap_or_default()
        .into_iter()
        .filter(|r| &r.topic == sub.topic() && r.policy == sub.policy())
        .map(|r| r.session)
        .collect()
}

/// `wamp.subscription.remove_subscriber(subscription, session, reason=)`.
fn remove_subscriber(call: &MetaCall<'_>) -> Answer {
    let sub = find(call)?;
    let id = SessionId(id_arg(call, 1, "subscriber")?);
    let reason = kwarg_str(call, "reason")?;
    let member = call
        .realm
        .member(id)
        .ok_or(RequestError::NoSuchSession(id))?;
    let Some(deleted) = call.realm.broker().unsubscribe(id, &sub) else {
        return Err(RequestError::NotSubscribed {
            session: id,
            subscription: sub.id(),
        });
    };
    if member.features().subscriber_revocation {
        let mut details = Dict::from([("subscription".to_owned(), Value::from(sub.id().0))]);
        if let Some(reason) = reason {
            details.insert("reason".to_owned(), Value::from(reason));
        }
        member.deliver(&Message::Unsubscribed {
            request: RequestId(0),
            details: Some(details),
        });
    }
    tracing::info!(session = %id, subscription = %sub.id(), by = %call.member.id(),
        "subscriber removed through the meta API");
    events::unsubscribed(call.realm, id, &sub, deleted);
    nothing()
}

/// The subscription named by the first argument.
fn find(call: &MetaCall<'_>) -> Result<Arc<Subscription>, RequestError> {
    let id = SubscriptionId(id_arg(call, 0, "subscription")?);
    call.realm
        .broker()
        .get(id)
        .filter(|s| visible(s))
        .ok_or(RequestError::UnknownSubscription(id))
}

/// Whether the meta API shows `sub` (not one of the router's own URIs).
fn visible(sub: &Subscription) -> bool {
    !sub.topic().as_str().starts_with(RESERVED_PREFIX)
}
