//! The registration meta procedures. Registrations of URIs under `wamp.` are not shown.
//!
//! `remove_callee` takes a session off a registration (its calls in flight go on); the session
//! is told with `UNREGISTERED` (`[67, 0, {"registration": id, "reason": ...}]`) if it announced
//! `registration_revocation`, and watchers get `on_unregister` (and `on_delete`).

use std::sync::Arc;

use crossway_protocol::{Dict, Message, RegistrationId, RequestId, SessionId, Value};

use super::{Answer, MetaCall, details, events, id_arg, kwarg_str, nothing, one, opt_arg, uri_arg};
use crate::dealer::Registration;
use crate::error::RequestError;
use crate::matcher::MatchPolicy;
use crate::permissions::RESERVED_PREFIX;

const PROCEDURES: [&str; 7] = [
    "wamp.registration.list",
    "wamp.registration.lookup",
    "wamp.registration.match",
    "wamp.registration.get",
    "wamp.registration.list_callees",
    "wamp.registration.count_callees",
    "wamp.registration.remove_callee",
];

/// Whether `procedure` is one of these.
pub(super) fn answers(procedure: &str) -> bool {
    PROCEDURES.contains(&procedure)
}

/// Answers one of these.
pub(super) fn answer(procedure: &str, call: MetaCall<'_>) -> Answer {
    let dealer = call.realm.dealer();
    match procedure {
        "wamp.registration.list" => {
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
            for reg in dealer.all().into_iter().filter(|r| visible(r)) {
                if session.is_some_and(|id| !reg.callee_ids().contains(&id)) {
                    continue;
                }
                if let Some(Value::List(ids)) = lists.get_mut(reg.policy().name()) {
                    ids.push(Value::from(reg.id().0));
                }
            }
            one(Value::Map(lists))
        }
        "wamp.registration.lookup" => {
            let procedure = uri_arg(&call, 0, "procedure")?;
            let policy = match opt_arg(&call, 1, "options").and_then(Value::as_map) {
                Some(options) => MatchPolicy::from_options(options)?,
                None => MatchPolicy::Exact,
            };
            let found = dealer.lookup(&procedure, policy).filter(|r| visible(r));
            one(found.map_or(Value::Null, |r| Value::from(r.id().0)))
        }
        "wamp.registration.match" => {
            let procedure = uri_arg(&call, 0, "procedure")?;
            let found = dealer.best_match(&procedure).filter(|r| visible(r));
            one(found.map_or(Value::Null, |r| Value::from(r.id().0)))
        }
        "wamp.registration.get" => {
            let reg = find(&call)?;
            one(Value::Map(details::registration(&reg)))
        }
        "wamp.registration.list_callees" => {
            let reg = find(&call)?;
            one(Value::List(
                reg.callee_ids()
                    .iter()
                    .map(|id| Value::from(id.0))
                    .collect(),
            ))
        }
        "wamp.registration.count_callees" => {
            let reg = find(&call)?;
            one(Value::from(reg.callee_ids().len() as u64))
        }
        _ => remove_callee(&call),
    }
}

/// `wamp.registration.remove_callee(registration, callee, reason=)`.
fn remove_callee(call: &MetaCall<'_>) -> Answer {
    let reg = find(call)?;
    let id = SessionId(id_arg(call, 1, "callee")?);
    let reason = kwarg_str(call, "reason")?;
    let member = call
        .realm
        .member(id)
        .ok_or(RequestError::NoSuchSession(id))?;
    let Some(deleted) = call.realm.dealer().unregister(id, &reg) else {
        return Err(RequestError::NotRegistered {
            session: id,
            registration: reg.id(),
        });
    };
    if member.features().callee_revocation {
        let mut details = Dict::from([("registration".to_owned(), Value::from(reg.id().0))]);
        if let Some(reason) = reason {
            details.insert("reason".to_owned(), Value::from(reason));
        }
        member.deliver(&Message::Unregistered {
            request: RequestId(0),
            details: Some(details),
        });
    }
    tracing::info!(session = %id, registration = %reg.id(), by = %call.member.id(),
        "callee removed through the meta API");
    events::unregistered(call.realm, id, &reg, deleted);
    nothing()
}

/// The registration named by the first argument.
fn find(call: &MetaCall<'_>) -> Result<Arc<Registration>, RequestError> {
    let id = RegistrationId(id_arg(call, 0, "registration")?);
    call.realm
        .dealer()
        .get(id)
        .filter(|r| visible(r))
        .ok_or(RequestError::NoSuchRegistration(id))
}

/// Whether the meta API shows `reg` (not one of the router's own URIs).
fn visible(reg: &Registration) -> bool {
    !reg.procedure().as_str().starts_with(RESERVED_PREFIX)
}
