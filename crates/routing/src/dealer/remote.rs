//! Calls that cross between nodes, on the callee's side: an INVOCATION that another node's
//! dealer routed to a callee here becomes a call whose caller is that node ([`RemoteCaller`]);
//! RESULT and ERROR go back through the cluster link. The caller's node keeps the call's
//! timeout and answers its caller when the call is canceled; this side keeps no timer.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use crossway_protocol::message::code;
use crossway_protocol::{Dict, Message, Payload, RequestId, SessionId, Uri, Value};

use super::caller::{Caller, RemoteCaller};
use super::calls::Call;
use super::in_flight::Side;
use super::options::{CancelMode, is_progress};
use super::{Dealer, interrupt};
use crate::error::RequestError;
use crate::matcher::MatchPolicy;
use crate::member::Member;

/// An INVOCATION from another node, as it arrived.
#[derive(Debug)]
pub(crate) struct RemoteInvocation {
    /// The caller's node's invocation id: the request id of the call here.
    pub(crate) request: RequestId,
    /// For the INVOCATION that starts a call: the callee's registration.
    pub(crate) registration: Option<(Uri, MatchPolicy)>,
    /// The INVOCATION details the caller's node made.
    pub(crate) details: Dict,
    /// The payload, as the caller encoded it.
    pub(crate) payload: Payload,
}

impl Dealer {
    /// Routes an INVOCATION from another node to `callee`, a session here: a new call, or the
    /// next chunk of a progressive one. What cannot be routed is answered with ERROR.
    pub(crate) fn remote_invoke(
        &self,
        caller: RemoteCaller,
        callee: &Arc<Member>,
        invocation: RemoteInvocation,
    ) {
        let RemoteInvocation {
            request,
            registration,
            mut details,
            payload,
        } = invocation;
        let progress = is_progress(&details);
        if let Some(active) = self.calls.by_request(caller.origin, request) {
            if !active.is_streaming() {
                tracing::debug!(%request, "remote continuation of a call that is not progressive: dropped");
                return;
            }
            if !progress {
                active.streaming.store(false, Ordering::Release);
            }
            active.callee.deliver(&Message::Invocation {
                request: active.invocation,
                registration: active.registration,
                details,
                payload,
            });
            return;
        }
        let refuse = |error: RequestError| {
            caller
                .target
                .send(callee.id(), None, &error.to_error(code::CALL, request));
        };
        let Some((procedure, policy)) = registration else {
            return refuse(RequestError::Canceled(
                "the call had ended on the callee's node".to_owned(),
            ));
        };
        let found = self.registry_read().get(&procedure, policy).cloned();
        let Some(reg) = found.filter(|r| r.callee_ids().contains(&callee.id())) else {
            return refuse(RequestError::NoSuchProcedure(procedure));
        };
        let invocation = self.calls.next_invocation();
        if !callee
            .in_flight()
            .add(Side::Callee, invocation, self.limits.per_callee)
        {
            return refuse(RequestError::TooManyCalls(format!(
                "the callee has {} invocations in flight, the most it may",
                self.limits.per_callee
            )));
        }
        let receive_progress = details.get("receive_progress") == Some(&Value::Bool(true));
        let mut frozen = details.clone();
        frozen.remove("progress");
        if !progress {
            details.remove("progress");
        }
        let started = self.calls.start(Call {
            invocation,
            caller: Caller::Remote(Arc::new(caller)),
            request,
            callee: Arc::clone(callee),
            registration: reg.id(),
            receive_progress,
            streaming: progress.into(),
            killing: false.into(),
            details: frozen,
            timeout: None,
            deadline: Mutex::new(None),
        });
        let sent = callee.deliver(&Message::Invocation {
            request: invocation,
            registration: reg.id(),
            details,
            payload,
        });
        if !sent && let Some(call) = self.calls.finish(started.invocation) {
            call.caller.deliver(
                &RequestError::Canceled("the callee could not take the invocation".to_owned())
                    .to_error(code::CALL, request),
            );
        }
    }

    /// An INTERRUPT from the caller's node for its call `request` (keyed by `origin`, the
    /// node's pseudo session id): canceled here as a CANCEL with the same mode would be. The
    /// caller's node has answered its caller already, unless the mode is `kill`.
    pub(crate) fn remote_interrupt(&self, origin: SessionId, request: RequestId, options: &Dict) {
        let _answered_there = self.cancel(origin, request, options);
    }

    /// The node `node` is gone: the calls its sessions made here end, their callees get an
    /// INTERRUPT. Returns how many.
    pub(crate) fn remote_node_gone(&self, node: &str) -> usize {
        let ids = self.calls.made_from(node);
        let mut ended = 0;
        for id in ids {
            if let Some(call) = self.calls.finish(id) {
                interrupt(&call, CancelMode::KillNoWait);
                ended += 1;
            }
        }
        ended
    }
}
