//! What the background task's reader does with the messages of remote procedure calls: RESULT
//! and ERROR for a CALL go to the call's queue; INVOCATION goes to its registration's queue, or
//! is answered at once when it cannot be served; INTERRUPT reaches the invocation; an
//! UNREGISTERED with request 0 ends a registration the router revoked.

use std::sync::Arc;

use async_channel::TrySendError;
use crossway_protocol::message::code;
use crossway_protocol::{Dict, Message, Payload, RegistrationId, RequestId, Uri, Value, errors};

use crate::error::ClientError;
use crate::link::Link;
use crate::rpc::call::CallResult;
use crate::rpc::invocation::{
    Interrupt, Invocation, error_message, forwarded_timeout, watch_deadline,
};
use crate::rpc::options::CancelMode;
use crate::rpc::state::{Answer, Refusal};

/// Handles RESULT, ERROR for a CALL, INVOCATION, INTERRUPT and UNREGISTERED with request 0.
pub(crate) async fn route(link: &Link, msg: Message) {
    match msg {
        Message::Result {
            request,
            details,
            payload,
        } => result(link, request, details, payload).await,
        Message::Error {
            request_type: code::CALL,
            request,
            details,
            error,
            payload,
        } => call_error(link, request, details, &error, payload).await,
        Message::Invocation {
            request,
            registration,
            details,
            payload,
        } => invocation(link, request, registration, details, payload).await,
        Message::Interrupt { request, options } => interrupt(link, request, &options),
        Message::Unregistered {
            request,
            details: Some(details),
        } if request.0 == 0 => revoked(link, &details),
        other => tracing::debug!(kind = other.name(), "not a message of calls: ignored"),
    }
}

/// RESULT for call `request`: a progressive or the final result.
async fn result(link: &Link, request: RequestId, details: Dict, payload: Payload) {
    let last = details.get("progress").and_then(Value::as_bool) != Some(true);
    let raw = payload.raw().cloned();
    let result = match payload.into_values() {
        Ok((args, kwargs)) => Ok(CallResult {
            details,
            args,
            kwargs,
            raw,
        }),
        Err(e) => Err(ClientError::Decode(e)),
    };
    link.shared
        .rpc
        .answer_call(request, Answer { result, last })
        .await;
}

/// ERROR for call `request`: the call's end.
async fn call_error(link: &Link, request: RequestId, details: Dict, error: &Uri, payload: Payload) {
    let result = Err(ClientError::wamp(error, details, payload));
    link.shared
        .rpc
        .answer_call(request, Answer { result, last: true })
        .await;
}

/// INVOCATION `request` of `registration`: queued for the application, or refused with ERROR
/// (no such registration here, the queue full or gone, arguments that do not decode).
async fn invocation(
    link: &Link,
    request: RequestId,
    registration: RegistrationId,
    details: Dict,
    payload: Payload,
) {
    let Some(queue) = link.shared.rpc.queue(registration) else {
        let why = "the callee does not serve this registration";
        return refuse(link, request, errors::CANCELED, why).await;
    };
    let raw = payload.raw().cloned();
    let values = match payload.into_values() {
        Ok(values) => values,
        Err(e) => {
            tracing::warn!(error = %e, %request, "an INVOCATION's arguments do not decode");
            let why = "the arguments do not decode";
            return refuse(link, request, errors::INVALID_ARGUMENT, why).await;
        }
    };
    let timeout = forwarded_timeout(&details);
    let flight = match link.shared.rpc.start_invocation(request, timeout) {
        Ok(flight) => flight,
        Err(Refusal::Duplicate) => {
            tracing::debug!(%request, "INVOCATION with the id of one being served: dropped");
            return;
        }
        Err(Refusal::Full) => {
            let why = "the callee serves too many invocations";
            return refuse(link, request, errors::TOO_MANY_CALLS, why).await;
        }
    };
    let invocation = Invocation::new(
        request,
        registration,
        details,
        values,
        raw,
        Arc::clone(&flight),
        link.clone(),
    );
    match queue.try_send(invocation) {
        Ok(()) => {
            if timeout.is_some() {
                watch_deadline(request, flight, link.clone());
            }
        }
        Err(TrySendError::Full(invocation)) => {
            invocation.refuse();
            let why = "the callee's queue of invocations is full";
            refuse(link, request, errors::TOO_MANY_CALLS, why).await;
        }
        Err(TrySendError::Closed(invocation)) => {
            invocation.refuse();
            link.shared.rpc.remove_registration(registration);
            let why = "the callee no longer serves this registration";
            refuse(link, request, errors::CANCELED, why).await;
        }
    }
}

/// INTERRUPT of invocation `request`; a missing or unknown mode counts as `killnowait`.
fn interrupt(link: &Link, request: RequestId, options: &Dict) {
    let mode = options
        .get("mode")
        .and_then(Value::as_str)
        .and_then(CancelMode::from_name)
        .unwrap_or(CancelMode::KillNoWait);
    link.shared.rpc.interrupt(request, Interrupt::Router(mode));
}

/// UNREGISTERED with request 0: the router revoked the registration `details.registration`.
fn revoked(link: &Link, details: &Dict) {
    match details.get("registration").and_then(Value::as_u64) {
        Some(id) => {
            link.shared.rpc.remove_registration(RegistrationId(id));
        }
        None => tracing::debug!("UNREGISTERED revoking no registration: ignored"),
    }
}

/// Answers invocation `request` with ERROR `error`, saying `why`.
async fn refuse(link: &Link, request: RequestId, error: &str, why: &str) {
    let payload = Payload::new(Some(vec![Value::from(why)]), None);
    if let Err(e) = link.send(&error_message(request, error, payload)).await {
        tracing::debug!(error = %e, %request, "cannot refuse an INVOCATION");
    }
}
