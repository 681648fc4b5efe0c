//! The subscription meta procedures. Subscriptions to URIs under `wamp.` (the meta events
//! themselves) are the router's: these procedures do not show them.
//!
//! `remove_subscriber` takes a session off a subscription; the session is told with
//! `UNSUBSCRIBED` (`[35, 0, {"subscription": id, "reason": ...}]`) if it announced
//! `subscription_revocation`, and watchers get `on_unsubscribe` (and `on_delete`).

use std::collections::HashSet;
use std::sync::Arc;

use crossway_protocol::{Dict, Message, RequestId, SessionId, SubscriptionId, Uri, Value};

use super::{Answer, MetaCall, details, events, id_arg, kwarg_str, nothing, one, opt_arg, uri_arg};
use crate::cluster::RemoteSubscription;
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

/// Answers one of these. In a cluster they cover the whole realm: subscription ids are each
/// node's own, so a topic subscribed on several nodes has one id on each, and any of them names
/// the topic's subscribers on every node.
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
            let remote = remote(&call);
            if let Some(id) = session
                && call.realm.member(id).is_none()
                && !remote.iter().any(|r| r.session == id)
                && !is_remote_session(&call, id)
            {
                return Err(RequestError::NoSuchSession(id));
            }
            let mut lists = Dict::new();
            for policy in MatchPolicy::ALL {
                lists.insert(policy.name().to_owned(), Value::List(Vec::new()));
            }
            let mut seen = HashSet::new();
            let local = broker
                .all()
                .into_iter()
                .filter(|s| visible(s))
                .filter(|s| session.is_none_or(|id| s.sessions().contains(&id)))
                .map(|s| (s.id(), s.policy()));
            let others = remote
                .iter()
                .filter(|r| session.is_none_or(|id| r.session == id))
                .map(|r| (r.id, r.policy));
            for (id, policy) in local.chain(others) {
                if seen.insert(id)
                    && let Some(Value::List(ids)) = lists.get_mut(policy.name())
                {
                    ids.push(Value::from(id.0));
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
            let found = broker
                .lookup(&topic, policy)
                .filter(|s| visible(s))
                .map(|s| s.id())
                .or_else(|| {
                    remote(&call)
                        .into_iter()
                        .find(|r| r.topic == topic && r.policy == policy)
                        .map(|r| r.id)
                });
            one(found.map_or(Value::Null, |id| Value::from(id.0)))
        }
        "wamp.subscription.match" => {
            let topic = uri_arg(&call, 0, "topic")?;
            let mut seen = HashSet::new();
            let local = broker.matching(&topic).into_iter().filter(|s| visible(s));
            let ids: Vec<Value> = local
                .map(|s| s.id())
                .chain(
                    remote(&call)
                        .into_iter()
                        .filter(|r| r.policy.matches(r.topic.as_str(), topic.as_str()))
                        .map(|r| r.id),
                )
                .filter(|id| seen.insert(*id))
                .map(|id| Value::from(id.0))
                .collect();
            one(if ids.is_empty() {
                Value::Null
            } else {
                Value::List(ids)
            })
        }
        "wamp.subscription.get" => match resolve(&call)? {
            (_, _, Some(sub)) => one(Value::Map(details::subscription(&sub))),
            (topic, policy, None) => {
                let id = SubscriptionId(id_arg(&call, 0, "subscription")?);
                one(Value::Map(Dict::from([
                    ("id".to_owned(), Value::from(id.0)),
                    ("uri".to_owned(), Value::from(topic.as_str())),
                    ("match".to_owned(), Value::from(policy.name())),
                ])))
            }
        },
        "wamp.subscription.list_subscribers" => {
            let (topic, policy, local) = resolve(&call)?;
            let ids = subscribers(&call, &topic, policy, local.as_deref());
            one(Value::List(
                ids.iter().map(|id| Value::from(id.0)).collect(),
            ))
        }
        "wamp.subscription.count_subscribers" => {
            let (topic, policy, local) = resolve(&call)?;
            let count = subscribers(&call, &topic, policy, local.as_deref()).len();
            one(Value::from(count as u64))
        }
        _ => remove_subscriber(&call),
    }
}

/// The subscriptions of the other nodes of a cluster.
fn remote(call: &MetaCall<'_>) -> Vec<RemoteSubscription> {
    call.realm
        .cluster()
        .map(|link| link.remote_subscriptions(call.realm.name()))
        .unwrap_or_default()
}

/// Whether `id` is a session of another node of the cluster.
fn is_remote_session(call: &MetaCall<'_>, id: SessionId) -> bool {
    call.realm.cluster().is_some_and(|link| {
        link.remote_sessions(call.realm.name())
            .iter()
            .any(|s| s.id == id)
    })
}

/// The topic and policy of the subscription the first argument names (this node's, or
/// another's), and this node's subscription of that topic and policy, if it has one.
fn resolve(
    call: &MetaCall<'_>,
) -> Result<(Uri, MatchPolicy, Option<Arc<Subscription>>), RequestError> {
    let id = SubscriptionId(id_arg(call, 0, "subscription")?);
    let broker = call.realm.broker();
    if let Some(sub) = broker.get(id).filter(|s| visible(s)) {
        return Ok((sub.topic().clone(), sub.policy(), Some(sub)));
    }
    let remote = remote(call)
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(RequestError::UnknownSubscription(id))?;
    let local = broker
        .lookup(&remote.topic, remote.policy)
        .filter(|s| visible(s));
    Ok((remote.topic, remote.policy, local))
}

/// The subscribers of `topic` with `policy` on every node: this node's (`local`), then the
/// others'.
fn subscribers(
    call: &MetaCall<'_>,
    topic: &Uri,
    policy: MatchPolicy,
    local: Option<&Subscription>,
) -> Vec<SessionId> {
    let mut ids = local.map(Subscription::sessions).unwrap_or_default();
    ids.extend(
        remote(call)
            .into_iter()
            .filter(|r| &r.topic == topic && r.policy == policy)
            .map(|r| r.session),
    );
    ids
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
