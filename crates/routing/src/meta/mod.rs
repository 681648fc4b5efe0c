//! The WAMP meta API, answered by the router itself: a CALL of one of these procedures never
//! reaches an application callee (it is answered before any registration is looked up).
//!
//! - `sessions`: `wamp.session.count`, `list`, `get`, `kill`, `kill_by_authid`,
//!   `kill_by_authrole`, `kill_all`;
//! - `subscriptions`: `wamp.subscription.list`, `lookup`, `match`, `get`, `list_subscribers`,
//!   `count_subscribers`, `remove_subscriber`;
//! - `registrations`: `wamp.registration.list`, `lookup`, `match`, `get`, `list_callees`,
//!   `count_callees`, `remove_callee`;
//! - `testaments`: `wamp.session.add_testament`, `flush_testaments`;
//! - `history`: `wamp.subscription.get_events`;
//! - `events`: the meta events; `details`: what they and the procedures say about each thing.
//!
//! The caller's permission to `call` the procedure was checked before (in a realm without roles
//! every session may call them). With the realm's `meta_api` off, the session, subscription and
//! registration procedures answer `wamp.error.no_such_procedure` and no meta event is made;
//! testaments and the event history are features of their own and stay.

mod details;
pub(crate) mod events;
mod history;
mod registrations;
mod sessions;
mod subscriptions;
mod testaments;

use std::sync::Arc;

use crossway_protocol::{Dict, List, Payload, Uri, UriRules, Value};

use crate::error::RequestError;
use crate::member::Member;
use crate::realm::Realm;
use crate::testament::Testaments;

/// A call of a meta procedure: who calls, where, and its arguments.
pub(crate) struct MetaCall<'a> {
    /// The caller's realm.
    pub(crate) realm: &'a Arc<Realm>,
    /// The caller.
    pub(crate) member: &'a Arc<Member>,
    /// The caller's testaments, once it has any.
    pub(crate) testaments: &'a mut Option<Box<Testaments>>,
    /// `Arguments|list`.
    pub(crate) args: List,
    /// `ArgumentsKw|dict`.
    pub(crate) kwargs: Dict,
}

/// What a meta procedure answers: the RESULT's payload, or why it fails.
pub(crate) type Answer = Result<Payload, RequestError>;

/// Whether the router answers `procedure` itself (whatever its arguments).
pub(crate) fn is_meta(procedure: &str) -> bool {
    testaments::answers(procedure)
        || history::answers(procedure)
        || sessions::answers(procedure)
        || subscriptions::answers(procedure)
        || registrations::answers(procedure)
}

/// Answers a call of `procedure`, one of those [`is_meta`] names.
pub(crate) fn answer(procedure: &str, call: MetaCall<'_>) -> Answer {
    if testaments::answers(procedure) {
        return testaments::answer(procedure, call);
    }
    if history::answers(procedure) {
        return history::answer(call);
    }
    if !call.realm.meta_api() {
        return Err(RequestError::NoSuchProcedure(Uri::new(procedure)));
    }
    if sessions::answers(procedure) {
        sessions::answer(procedure, call)
    } else if subscriptions::answers(procedure) {
        subscriptions::answer(procedure, call)
    } else {
        registrations::answer(procedure, call)
    }
}

/// A RESULT with one positional value.
fn one(value: Value) -> Answer {
    Ok(Payload::new(Some(vec![value]), None))
}

/// A RESULT with no payload.
fn nothing() -> Answer {
    Ok(Payload::EMPTY)
}

/// An `invalid_argument` error.
fn invalid(message: String) -> RequestError {
    RequestError::InvalidArgument(message)
}

/// Positional argument `index` (named `name`), required.
fn arg<'a>(call: &'a MetaCall<'_>, index: usize, name: &str) -> Result<&'a Value, RequestError> {
    call.args
        .get(index)
        .or_else(|| call.kwargs.get(name))
        .filter(|v| !matches!(v, Value::Null))
        .ok_or_else(|| invalid(format!("argument {} ({name}) is missing", index + 1)))
}

/// Positional argument `index` (or keyword `name`), if given and not null.
fn opt_arg<'a>(call: &'a MetaCall<'_>, index: usize, name: &str) -> Option<&'a Value> {
    call.args
        .get(index)
        .or_else(|| call.kwargs.get(name))
        .filter(|v| !matches!(v, Value::Null))
}

/// An id argument.
fn id_arg(call: &MetaCall<'_>, index: usize, name: &str) -> Result<u64, RequestError> {
    arg(call, index, name)?
        .as_u64()
        .ok_or_else(|| invalid(format!("argument {} ({name}) must be an id", index + 1)))
}

/// A string argument.
fn str_arg<'a>(call: &'a MetaCall<'_>, index: usize, name: &str) -> Result<&'a str, RequestError> {
    arg(call, index, name)?
        .as_str()
        .ok_or_else(|| invalid(format!("argument {} ({name}) must be a string", index + 1)))
}

/// A URI argument (any string; the caller's realm's rules apply where it matters).
fn uri_arg(call: &MetaCall<'_>, index: usize, name: &str) -> Result<Uri, RequestError> {
    str_arg(call, index, name).map(Uri::new)
}

/// A list of strings (`filter_authroles`), if given.
fn strings_arg(
    call: &MetaCall<'_>,
    index: usize,
    name: &str,
) -> Result<Option<Vec<String>>, RequestError> {
    let Some(value) = opt_arg(call, index, name) else {
        return Ok(None);
    };
    let wrong = || {
        invalid(format!(
            "argument {} ({name}) must be a list of strings",
            index + 1
        ))
    };
    value
        .as_list()
        .ok_or_else(wrong)?
        .iter()
        .map(|v| v.as_str().map(str::to_owned).ok_or_else(wrong))
        .collect::<Result<Vec<String>, RequestError>>()
        .map(Some)
}

/// A keyword argument that must be a string if given.
fn kwarg_str<'a>(call: &'a MetaCall<'_>, name: &str) -> Result<Option<&'a str>, RequestError> {
    match call.kwargs.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(format!("keyword argument {name} must be a string"))),
    }
}

/// A close reason given as a keyword argument: a valid URI, `wamp.close.killed` if absent.
fn reason_kwarg(call: &MetaCall<'_>) -> Result<Uri, RequestError> {
    match kwarg_str(call, "reason")? {
        None => Ok(Uri::new(crossway_protocol::errors::KILLED)),
        Some(reason) => {
            let uri = Uri::new(reason);
            if uri.is_valid(UriRules::Loose) {
                Ok(uri)
            } else {
                Err(RequestError::InvalidUri(uri))
            }
        }
    }
}

#[cfg(test)]
mod tests;
