//! The calls in flight in a realm: by invocation id, by the caller's request id, and by deadline.
//!
//! Whoever takes a call out of the table ([`Calls::finish`]) answers it: a final YIELD or ERROR,
//! a cancel, a timeout, or a session leaving can race, and exactly one of them wins.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crossway_protocol::ids::IdSequence;
use crossway_protocol::{Dict, RegistrationId, RequestId, SessionId};
use dashmap::DashMap;
use event_listener::Event;

use super::caller::Caller;
use super::in_flight::Side;
use crate::member::Member;

/// One call in flight.
#[derive(Debug)]
pub(crate) struct Call {
    /// The router's id of the INVOCATION (unique in the router).
    pub(crate) invocation: RequestId,
    /// Who called.
    pub(crate) caller: Caller,
    /// The caller's CALL request id.
    pub(crate) request: RequestId,
    /// The session that runs it.
    pub(crate) callee: Arc<Member>,
    /// The registration it was routed by.
    pub(crate) registration: RegistrationId,
    /// Progressive results go to the caller.
    pub(crate) receive_progress: bool,
    /// The caller is still sending progressive CALLs for it.
    pub(crate) streaming: AtomicBool,
    /// CANCEL `kill` was sent on: the callee's answer, whichever, ends it.
    pub(crate) killing: AtomicBool,
    /// The INVOCATION details of the initiating CALL, which every later chunk of a progressive
    /// call carries too (the specification freezes a progressive call's options).
    pub(crate) details: Dict,
    /// The router's time limit: to the first result, and from each progressive result to the
    /// next.
    pub(crate) timeout: Option<Duration>,
    /// When the router gives up on it: moved on by each progressive result.
    pub(crate) deadline: Mutex<Option<Instant>>,
}

/// The calls in flight of one realm.
#[derive(Debug)]
pub(crate) struct Calls {
    by_invocation: DashMap<RequestId, Arc<Call>>,
    by_request: DashMap<(SessionId, RequestId), RequestId>,
    deadlines: Mutex<BTreeSet<(Instant, RequestId)>>,
    /// Notified when a deadline earlier than all others is set.
    earlier_deadline: Arc<Event>,
    ids: Arc<IdSequence>,
}

impl Calls {
    /// An empty table taking invocation ids from `ids` and notifying `earlier_deadline`.
    pub(crate) fn new(ids: Arc<IdSequence>, earlier_deadline: Arc<Event>) -> Calls {
        Calls {
            by_invocation: DashMap::new(),
            by_request: DashMap::new(),
            deadlines: Mutex::new(BTreeSet::new()),
            earlier_deadline,
            ids,
        }
    }

    /// A fresh invocation id.
    pub(crate) fn next_invocation(&self) -> RequestId {
        RequestId(self.ids.next_id())
    }

    /// Enters `call` in the table; its caller and callee have counted it in flight already.
    pub(crate) fn start(&self, call: Call) -> Arc<Call> {
        let call = Arc::new(call);
        self.by_request
            .insert((call.caller.id(), call.request), call.invocation);
        self.by_invocation
            .insert(call.invocation, Arc::clone(&call));
        if let Some(deadline) = *call.deadline() {
            self.set_deadline(call.invocation, None, deadline);
        }
        call
    }

    /// Moves `call`'s deadline to a full timeout from `now` (a progressive result came).
    pub(crate) fn extend(&self, call: &Call, now: Instant) {
        let Some(timeout) = call.timeout else {
            return;
        };
        let Some(next) = now.checked_add(timeout) else {
            return;
        };
        let mut deadline = call.deadline();
        // A call already expired or finished keeps its state: only a pending deadline moves.
        if let Some(old) = *deadline
            && self.deadlines().contains(&(old, call.invocation))
        {
            *deadline = Some(next);
            drop(deadline);
            self.set_deadline(call.invocation, Some(old), next);
        }
    }

    /// Enters `deadline` for invocation `id` (in place of `old`), waking the timer when it comes
    /// before every other.
    fn set_deadline(&self, id: RequestId, old: Option<Instant>, deadline: Instant) {
        let mut deadlines = self.deadlines();
        if let Some(old) = old {
            deadlines.remove(&(old, id));
        }
        let earliest = deadlines.first().is_none_or(|(d, _)| deadline < *d);
        deadlines.insert((deadline, id));
        drop(deadlines);
        if earliest {
            self.earlier_deadline.notify(usize::MAX);
        }
    }

    /// The call of invocation `id`, still in flight.
    pub(crate) fn get(&self, id: RequestId) -> Option<Arc<Call>> {
        self.by_invocation.get(&id).map(|c| Arc::clone(c.value()))
    }

    /// The call `caller` made with request id `request`, still in flight.
    pub(crate) fn by_request(&self, caller: SessionId, request: RequestId) -> Option<Arc<Call>> {
        let id = *self.by_request.get(&(caller, request))?;
        self.get(id)
    }

    /// Takes the call of invocation `id` out of the table; `None` if another did first.
    pub(crate) fn finish(&self, id: RequestId) -> Option<Arc<Call>> {
        let (_, call) = self.by_invocation.remove(&id)?;
        self.by_request
            .remove_if(&(call.caller.id(), call.request), |_, inv| *inv == id);
        if let Some(in_flight) = call.caller.in_flight() {
            in_flight.remove(Side::Caller, id);
        }
        call.callee.in_flight().remove(Side::Callee, id);
        let deadline = *call.deadline();
        if let Some(deadline) = deadline {
            self.deadlines().remove(&(deadline, id));
        }
        Some(call)
    }

    /// Takes every call whose deadline has passed at `now` out of the table.
    pub(crate) fn expire(&self, now: Instant) -> Vec<Arc<Call>> {
        let due: Vec<RequestId> = {
            let mut deadlines = self.deadlines();
            let mut due = Vec::new();
            while let Some(&(deadline, id)) = deadlines.first() {
                if deadline > now {
                    break;
                }
                deadlines.pop_first();
                due.push(id);
            }
            due
        };
        due.into_iter().filter_map(|id| self.finish(id)).collect()
    }

    /// The earliest deadline of a call in flight.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.deadlines().first().map(|(d, _)| *d)
    }

    /// The invocation ids of the calls made from `node` (another node of the cluster).
    pub(crate) fn made_from(&self, node: &str) -> Vec<RequestId> {
        self.by_invocation
            .iter()
            .filter(|c| c.value().caller.remote_node() == Some(node))
            .map(|c| *c.key())
            .collect()
    }

    /// The number of calls in flight.
    pub(crate) fn len(&self) -> usize {
        self.by_invocation.len()
    }

    fn deadlines(&self) -> MutexGuard<'_, BTreeSet<(Instant, RequestId)>> {
        self.deadlines
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Call {
    /// The call's deadline, locked (never held while the table's deadlines are locked first).
    pub(crate) fn deadline(&self) -> MutexGuard<'_, Option<Instant>> {
        self.deadline.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the caller still streams progressive CALLs into it.
    pub(crate) fn is_streaming(&self) -> bool {
        self.streaming.load(Ordering::Acquire)
    }
}
