//! `wamp.session.add_testament(topic, args, kwargs, publish_options=, scope=)` and
//! `wamp.session.flush_testaments(scope=)`: what the caller leaves with the router for when it
//! goes without GOODBYE (see `crate::testament`).
//!
//! The caller's permissions when it adds a testament decide: it must be allowed to publish to
//! the topic then (`wamp.error.not_authorized` otherwise), and its rule for the topic decides
//! disclosure then. `acknowledge` and `exclude_me` are ignored. Neither procedure returns a
//! value, as the specification says.

use crossway_protocol::{Dict, Payload, RawPayload, Value};

use super::{Answer, MetaCall, invalid, kwarg_str, nothing, opt_arg, uri_arg};
use crate::error::RequestError;
use crate::permissions::{Action, Disclose};
use crate::publication::PublishOptions;
use crate::testament::{Scope, Testament, Testaments};

/// Whether `procedure` is one of these.
pub(super) fn answers(procedure: &str) -> bool {
    matches!(
        procedure,
        "wamp.session.add_testament" | "wamp.session.flush_testaments"
    )
}

/// Answers one of these.
pub(super) fn answer(procedure: &str, call: MetaCall<'_>) -> Answer {
    let scope = match kwarg_str(&call, "scope")? {
        None => Scope::Destroyed,
        Some(name) => Scope::from_name(name)
            .ok_or_else(|| invalid(format!("scope must be detached or destroyed, not '{name}'")))?,
    };
    if procedure == "wamp.session.flush_testaments" {
        if let Some(testaments) = call.testaments.as_mut() {
            testaments.flush(scope);
        }
        return nothing();
    }
    let topic = uri_arg(&call, 0, "topic")?;
    if !topic.is_valid(call.realm.rules()) {
        return Err(RequestError::InvalidUri(topic));
    }
    let args = match opt_arg(&call, 1, "args") {
        None => None,
        Some(Value::List(list)) => Some(list.clone()),
        Some(_) => return Err(invalid("argument 2 (args) must be a list".to_owned())),
    };
    let kwargs = match opt_arg(&call, 2, "kwargs") {
        None => None,
        Some(Value::Map(map)) => Some(map.clone()),
        Some(_) => return Err(invalid("argument 3 (kwargs) must be a dict".to_owned())),
    };
    let mut given: Dict = match call.kwargs.get("publish_options") {
        None | Some(Value::Null) => Dict::new(),
        Some(Value::Map(map)) => map.clone(),
        Some(_) => return Err(invalid("publish_options must be a dict".to_owned())),
    };
    given.remove("acknowledge");
    given.remove("exclude_me");
    let mut options = PublishOptions::parse(&given)?;
    let sends =
        call.member
            .authorization()
            .sends(Action::Publish, topic.as_str(), options.disclose_me);
    let Some(Disclose(disclose)) = sends else {
        return Err(RequestError::NotAuthorized {
            action: Action::Publish,
            uri: topic,
        });
    };
    options.disclose_me = disclose;
    let codec = call.member.codec();
    let raw = RawPayload::encode(codec, args.as_ref(), kwargs.as_ref())
        .map_err(|e| invalid(format!("the testament's payload cannot be encoded: {e}")))?;
    let size = raw.len();
    let testament = Testament {
        topic,
        options,
        payload: Payload::Raw(raw),
    };
    let limits = call.realm.testament_limits();
    let testaments = call
        .testaments
        .get_or_insert_with(|| Box::new(Testaments::new(limits)));
    if testaments.add(scope, testament, size) {
        nothing()
    } else {
        Err(RequestError::TooManyTestaments(format!(
            "a session may leave at most {} testaments of at most {} bytes together",
            limits.max_count, limits.max_bytes
        )))
    }
}
