//! A realm's dealer: registrations, and the routing of calls to callees and of their answers back.
//!
//! - `registry`: the registrations by procedure, and which one a called URI goes to;
//! - `registration`: one registration and the callees that share it;
//! - `calls`: the calls in flight, by invocation id, by caller request, by deadline;
//! - `in_flight`: one session's calls in flight, bounded, and ended when it leaves;
//! - `options`: REGISTER, CALL and CANCEL options;
//! - `lookup`: the registrations as the meta API reads them;
//! - `remote`: calls that cross between nodes (a callee here for a caller there).
//!
//! A caller's own requests are answered through its reply path (waiting for room, as every
//! reply); everything the dealer sends to another session (INVOCATION, INTERRUPT, a RESULT or
//! ERROR caused by a callee) is queued without waiting, and a full outbox closes that session as a
//! slow consumer, as events do.

mod caller;
mod calls;
mod in_flight;
mod lookup;
mod options;
mod registration;
mod registry;
mod remote;

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use crossway_protocol::ids::IdSequence;
use crossway_protocol::message::code;
use crossway_protocol::{
    Dict, List, Message, Payload, RegistrationId, RequestId, SessionId, Uri, Value, errors,
    is_passthru,
};
use event_listener::Event;

use crate::error::RequestError;
use crate::matcher::MatchPolicy;
use crate::member::Member;
use crate::publication::passthru_options;

use caller::Caller;
pub(crate) use caller::RemoteCaller;
pub use caller::Waiter;
pub(crate) use calls::Call;
use calls::Calls;
pub(crate) use in_flight::InFlight;
use in_flight::Side;
pub(crate) use options::{CallOptions, CancelMode, RegisterOptions, is_progress};
pub(crate) use registration::Registration;
use registry::Registry;
pub(crate) use remote::RemoteInvocation;

/// How many of a session's progressive CALL request ids are remembered after the call ends, so
/// that a late continuation is dropped rather than taken for a new call.
const RECENT_PROGRESSIVE: usize = 64;

/// The bounds on calls in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallLimits {
    /// Calls one session may have in flight as caller.
    pub per_caller: usize,
    /// Invocations one session may have in flight as callee.
    pub per_callee: usize,
}

impl Default for CallLimits {
    fn default() -> Self {
        CallLimits {
            per_caller: 1024,
            per_callee: 1024,
        }
    }
}

/// One realm's registrations and calls in flight.
#[derive(Debug)]
pub(crate) struct Dealer {
    registry: RwLock<Registry>,
    calls: Calls,
    registration_ids: Arc<IdSequence>,
    limits: CallLimits,
}

/// A new call, as the caller sent it.
#[derive(Debug)]
pub(crate) struct NewCall<'a> {
    /// The CALL request id.
    pub(crate) request: RequestId,
    /// Its options, read.
    pub(crate) options: CallOptions,
    /// The procedure called (a valid URI the caller may call).
    pub(crate) procedure: &'a Uri,
    /// Whether the caller is disclosed to the callee.
    pub(crate) disclose: bool,
    /// The payload, passed on as it came.
    pub(crate) payload: Payload,
    /// The passthru options (`ppt_*`, `enc_*`) of a passthru payload, which INVOCATION details
    /// carry as given.
    pub(crate) passthru: Option<Dict>,
}

/// What the dealer did about a CALL.
#[derive(Debug)]
pub(crate) enum CallOutcome {
    /// Routed to a callee (or a continuation delivered): nothing to answer now.
    Routed,
    /// Answered with this error.
    Refused(RequestError),
    /// A continuation of a progressive call that has ended: dropped.
    Dropped,
    /// The caller broke the protocol.
    Violation(String),
}

/// A session's state the dealer keeps on its own thread: the progressive calls it made lately.
#[derive(Debug, Default)]
pub(crate) struct CallerState {
    recent_progressive: VecDeque<RequestId>,
}

impl Dealer {
    /// A dealer with no registration. Registration and invocation ids come from the router-wide
    /// sequences; `earlier_deadline` is notified when a call's deadline comes before all others.
    pub(crate) fn new(
        registration_ids: Arc<IdSequence>,
        invocation_ids: Arc<IdSequence>,
        earlier_deadline: Arc<Event>,
        limits: CallLimits,
    ) -> Dealer {
        Dealer {
            registry: RwLock::new(Registry::default()),
            calls: Calls::new(invocation_ids, earlier_deadline),
            registration_ids,
            limits,
        }
    }

    /// Registers `member` as a callee of `procedure` (valid for the options' policy, and allowed);
    /// `true` with a registration made for it.
    pub(crate) fn register(
        &self,
        member: &Arc<Member>,
        procedure: &Uri,
        options: RegisterOptions,
    ) -> Result<(Arc<Registration>, bool), RequestError> {
        let ids = &self.registration_ids;
        self.registry_write()
            .register(member, procedure, options, || RegistrationId(ids.next_id()))
    }

    /// Removes `session` from `registration`; the registration goes with its last callee. Calls
    /// in flight go on. `None` if the session was not a callee of it, else whether the
    /// registration went.
    pub(crate) fn unregister(
        &self,
        session: SessionId,
        registration: &Arc<Registration>,
    ) -> Option<bool> {
        if !registration.remove(session) {
            return None;
        }
        if !registration.is_empty() {
            return Some(false);
        }
        let mut registry = self.registry_write();
        let present = registry.by_id(registration.id()).is_some();
        registry.remove_if_empty(registration);
        Some(present && registry.by_id(registration.id()).is_none())
    }

    /// Routes a CALL from `caller`, or continues its progressive call.
    pub(crate) fn call(
        &self,
        caller: &Arc<Member>,
        state: &mut CallerState,
        call: NewCall<'_>,
    ) -> CallOutcome {
        if call.options.progress && !caller.features().caller_progressive_invocations {
            return CallOutcome::Violation(
                "CALL with progress, but the caller did not announce progressive_call_invocations"
                    .to_owned(),
            );
        }
        if let Some(active) = self.calls.by_request(caller.id(), call.request) {
            return self.continue_call(&active, call);
        }
        if state.recent_progressive.contains(&call.request) {
            tracing::debug!(request = %call.request, "continuation of an ended progressive call dropped");
            return CallOutcome::Dropped;
        }
        let Some(registration) = self.registry_read().lookup(call.procedure).cloned() else {
            return CallOutcome::Refused(RequestError::NoSuchProcedure(call.procedure.clone()));
        };
        let Some(callee) = registration.pick() else {
            return CallOutcome::Refused(RequestError::NoSuchProcedure(call.procedure.clone()));
        };
        if call.passthru.is_some() && !callee.features().callee_passthru {
            return CallOutcome::Refused(RequestError::FeatureNotSupported(
                "the callee does not support payload passthru mode".to_owned(),
            ));
        }
        if call.options.progress && !callee.features().callee_progressive_invocations {
            return CallOutcome::Refused(RequestError::FeatureNotSupported(
                "the callee does not support progressive call invocations".to_owned(),
            ));
        }
        let invocation = self.calls.next_invocation();
        if !caller
            .in_flight()
            .add(Side::Caller, invocation, self.limits.per_caller)
        {
            return CallOutcome::Refused(RequestError::TooManyCalls(format!(
                "this session has {} calls in flight, the most it may",
                self.limits.per_caller
            )));
        }
        if !callee
            .in_flight()
            .add(Side::Callee, invocation, self.limits.per_callee)
        {
            caller.in_flight().remove(Side::Caller, invocation);
            return CallOutcome::Refused(RequestError::TooManyCalls(format!(
                "the callee has {} invocations in flight, the most it may",
                self.limits.per_callee
            )));
        }
        let receive_progress =
            call.options.receive_progress && callee.features().callee_progressive_results;
        let forward_timeout = registration.forwards_timeout();
        let deadline = match call.options.timeout {
            Some(timeout) if !forward_timeout => Instant::now().checked_add(timeout),
            _ => None,
        };
        let mut details = call.passthru.unwrap_or_default();
        if registration.policy() != MatchPolicy::Exact {
            details.insert("procedure".to_owned(), call.procedure.as_str().into());
        }
        if receive_progress {
            details.insert("receive_progress".to_owned(), Value::Bool(true));
        }
        if let Some(timeout) = call.options.timeout.filter(|_| forward_timeout) {
            let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
            details.insert("timeout".to_owned(), Value::from(ms));
        }
        if call.disclose {
            let identity = caller.identity();
            details.insert("caller".to_owned(), Value::from(caller.id().0));
            details.insert("caller_authid".to_owned(), identity.authid.as_str().into());
            details.insert(
                "caller_authrole".to_owned(),
                identity.authrole.as_str().into(),
            );
        }
        if call.options.progress {
            remember(state, call.request);
        }
        let frozen = details.clone();
        if call.options.progress {
            details.insert("progress".to_owned(), Value::Bool(true));
        }
        let started = self.calls.start(Call {
            invocation,
            caller: Caller::Session(Arc::clone(caller)),
            request: call.request,
            callee: Arc::clone(&callee),
            registration: registration.id(),
            receive_progress: call.options.receive_progress,
            streaming: call.options.progress.into(),
            killing: false.into(),
            details: frozen,
            timeout: call.options.timeout.filter(|_| !forward_timeout),
            deadline: Mutex::new(deadline),
        });
        let invocation_msg = Message::Invocation {
            request: invocation,
            registration: registration.id(),
            details,
            payload: call.payload,
        };
        let sent = callee.deliver_invocation(&invocation_msg, &registration);
        if !sent && self.calls.finish(started.invocation).is_some() {
            return CallOutcome::Refused(RequestError::Canceled(
                "the callee could not take the invocation (it is leaving)".to_owned(),
            ));
        }
        CallOutcome::Routed
    }

    /// Calls `procedure` for the router itself (a dynamic authenticator) with `args`, giving up
    /// after `timeout`; the answer (RESULT, or ERROR: the callee's, or `wamp.error.canceled` when
    /// time runs out or the callee leaves) comes to the returned [`Waiter`].
    pub(crate) fn consult(
        &self,
        procedure: &Uri,
        args: List,
        timeout: Duration,
    ) -> Result<Arc<Waiter>, RequestError> {
        let missing = || RequestError::NoSuchProcedure(procedure.clone());
        let registration = self
            .registry_read()
            .lookup(procedure)
            .cloned()
            .ok_or_else(missing)?;
        let callee = registration.pick().ok_or_else(missing)?;
        let invocation = self.calls.next_invocation();
        if !callee
            .in_flight()
            .add(Side::Callee, invocation, self.limits.per_callee)
        {
            return Err(RequestError::TooManyCalls(
                "the authenticator has too many invocations in flight".to_owned(),
            ));
        }
        let mut details = Dict::new();
        if registration.policy() != MatchPolicy::Exact {
            details.insert("procedure".to_owned(), procedure.as_str().into());
        }
        let waiter = Arc::new(Waiter::default());
        self.calls.start(Call {
            invocation,
            caller: Caller::Router(Arc::clone(&waiter)),
            request: invocation,
            callee: Arc::clone(&callee),
            registration: registration.id(),
            receive_progress: false,
            streaming: false.into(),
            killing: false.into(),
            details: details.clone(),
            timeout: Some(timeout),
            deadline: Mutex::new(Instant::now().checked_add(timeout)),
        });
        let invocation_msg = Message::Invocation {
            request: invocation,
            registration: registration.id(),
            details,
            payload: Payload::new(Some(args), None),
        };
        let sent = callee.deliver_invocation(&invocation_msg, &registration);
        if !sent && self.calls.finish(invocation).is_some() {
            return Err(RequestError::Canceled(
                "the authenticator could not take the invocation".to_owned(),
            ));
        }
        Ok(waiter)
    }

    /// A CALL with the request id of a call in flight: the next chunk of a progressive call.
    fn continue_call(&self, active: &Arc<Call>, call: NewCall<'_>) -> CallOutcome {
        if !active.is_streaming() {
            return CallOutcome::Violation(format!(
                "CALL request {} is already in flight and is not a progressive call",
                call.request
            ));
        }
        if !call.options.progress {
            active.streaming.store(false, Ordering::Release);
        }
        // Every chunk carries the initiating CALL's details; only `progress` and the passthru
        // options are the chunk's own.
        let mut details = active.details.clone();
        if let Some(passthru) = call.passthru {
            details.extend(passthru);
        }
        if call.options.progress {
            details.insert("progress".to_owned(), Value::Bool(true));
        }
        active.callee.deliver(&Message::Invocation {
            request: active.invocation,
            registration: active.registration,
            details,
            payload: call.payload,
        });
        CallOutcome::Routed
    }

    /// A YIELD from `callee` for its invocation `request`: a RESULT to the caller.
    pub(crate) fn yield_result(
        &self,
        callee: SessionId,
        request: RequestId,
        options: &Dict,
        payload: Payload,
    ) {
        let Some(call) = self.calls.get(request).filter(|c| c.callee.id() == callee) else {
            tracing::debug!(%request, "YIELD for no invocation in flight (ended, canceled or not this session's): dropped");
            return;
        };
        let passthru = is_passthru(options).then(|| passthru_options(options));
        if passthru.is_some() && !call.caller.takes_passthru() {
            if let Some(call) = self.calls.finish(request) {
                call.caller.deliver(
                    &RequestError::FeatureNotSupported(
                        "the callee answered in payload passthru mode, which the caller did not announce"
                            .to_owned(),
                    )
                    .to_error(code::CALL, call.request),
                );
                interrupt(&call, CancelMode::KillNoWait);
            }
            return;
        }
        let mut details = passthru.unwrap_or_default();
        if is_progress(options) {
            if call.receive_progress && !call.killing.load(Ordering::Acquire) {
                self.calls.extend(&call, Instant::now());
                details.insert("progress".to_owned(), Value::Bool(true));
                call.caller.deliver(&Message::Result {
                    request: call.request,
                    details,
                    payload,
                });
            } else {
                tracing::debug!(%request, "progressive YIELD the caller did not ask for: dropped");
            }
            return;
        }
        if let Some(call) = self.calls.finish(request) {
            call.caller.deliver(&Message::Result {
                request: call.request,
                details,
                payload,
            });
        }
    }

    /// An ERROR from `callee` for its invocation `request`: passed on to the caller.
    pub(crate) fn callee_error(
        &self,
        callee: SessionId,
        request: RequestId,
        details: Dict,
        error: Uri,
        payload: Payload,
    ) {
        if self
            .calls
            .get(request)
            .is_none_or(|c| c.callee.id() != callee)
        {
            tracing::debug!(%request, "ERROR for no invocation in flight: dropped");
            return;
        }
        if let Some(call) = self.calls.finish(request) {
            call.caller.deliver(&Message::Error {
                request_type: code::CALL,
                request: call.request,
                details,
                error,
                payload,
            });
        }
    }

    /// A CANCEL from `caller` for its call `request`; returns the ERROR that answers the caller
    /// at once, if any.
    pub(crate) fn cancel(
        &self,
        caller: SessionId,
        request: RequestId,
        options: &Dict,
    ) -> Option<Message> {
        let Some(call) = self.calls.by_request(caller, request) else {
            tracing::debug!(%request, "CANCEL of no call in flight: ignored");
            return None;
        };
        let Some(mut mode) = CancelMode::parse(options) else {
            tracing::debug!(%request, "CANCEL with an unknown mode: ignored");
            return None;
        };
        if !call.callee.features().callee_canceling {
            mode = CancelMode::Skip;
        }
        if mode == CancelMode::Kill {
            call.killing.store(true, Ordering::Release);
            interrupt(&call, mode);
            return None;
        }
        let call = self.calls.finish(call.invocation)?;
        if mode == CancelMode::KillNoWait {
            interrupt(&call, mode);
        }
        Some(
            RequestError::Canceled("the call was canceled by its caller".to_owned())
                .to_error(code::CALL, call.request),
        )
    }

    /// Ends every call `member` (which is leaving) had in flight: its callers get ERROR
    /// `wamp.error.canceled`, its callees an INTERRUPT.
    pub(crate) fn leave(&self, member: &Member) {
        let orphans = member.in_flight().leave();
        for id in orphans.as_callee {
            if let Some(call) = self.calls.finish(id) {
                call.caller.deliver(
                    &RequestError::Canceled("the callee left".to_owned())
                        .to_error(code::CALL, call.request),
                );
            }
        }
        for id in orphans.as_caller {
            if let Some(call) = self.calls.finish(id) {
                interrupt(&call, CancelMode::KillNoWait);
            }
        }
    }

    /// Ends the calls whose deadline has passed at `now`: ERROR `wamp.error.canceled` to the
    /// caller, INTERRUPT to the callee. Returns how many.
    pub(crate) fn expire(&self, now: Instant) -> usize {
        let expired = self.calls.expire(now);
        for call in &expired {
            let mut error = RequestError::Canceled("the call timed out".to_owned())
                .to_error(code::CALL, call.request);
            if let Message::Error { details, .. } = &mut error {
                details.insert("reason".to_owned(), errors::TIMEOUT.into());
            }
            call.caller.deliver(&error);
            interrupt(call, CancelMode::KillNoWait);
        }
        expired.len()
    }

    /// The earliest deadline of a call in flight.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.calls.next_deadline()
    }

    /// The number of registrations.
    pub(crate) fn registration_count(&self) -> usize {
        self.registry_read().len()
    }

    /// The number of calls in flight.
    pub(crate) fn call_count(&self) -> usize {
        self.calls.len()
    }

    fn registry_read(&self) -> RwLockReadGuard<'_, Registry> {
        self.registry.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn registry_write(&self) -> RwLockWriteGuard<'_, Registry> {
        self.registry
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Tells the callee to stop `call`, if it understands INTERRUPT.
fn interrupt(call: &Call, mode: CancelMode) {
    if !call.callee.features().callee_canceling {
        return;
    }
    let options = Dict::from([("mode".to_owned(), Value::from(mode.name()))]);
    call.callee.deliver(&Message::Interrupt {
        request: call.invocation,
        options,
    });
}

/// Remembers a progressive call's request id (the last [`RECENT_PROGRESSIVE`]).
fn remember(state: &mut CallerState, request: RequestId) {
    if state.recent_progressive.len() >= RECENT_PROGRESSIVE {
        state.recent_progressive.pop_front();
    }
    state.recent_progressive.push_back(request);
}

#[cfg(test)]
mod tests;
