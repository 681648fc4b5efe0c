//! The remote procedure calls' part of the state a client shares with its background task: the
//! registrations' queues, the calls waiting for answers, and the invocations being served.
//!
//! Every lock here is held for a few map operations, never across `.await`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_channel::{Receiver, Sender};
use crossway_protocol::{RegistrationId, RequestId};

use crate::error::ClientError;
use crate::rpc::call::CallResult;
use crate::rpc::invocation::{Interrupt, Invocation};
use crate::state::{MAX_PENDING, lock};

/// How many answers (progressive results, then the final result or error) wait in one call's
/// queue. When it is full the client stops reading from the router until there is room, as for
/// events: no result is dropped.
pub const CALL_QUEUE: usize = 1024;

/// Registrations, calls and invocations of one session.
#[derive(Debug, Default)]
pub(crate) struct RpcState {
    registrations: Mutex<HashMap<RegistrationId, Sender<Invocation>>>,
    calls: Mutex<HashMap<RequestId, Sender<Answer>>>,
    invocations: Mutex<HashMap<RequestId, Arc<Flight>>>,
}

/// One answer to a call: a progressive result, or the final result or error.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The result, or why there is none.
    pub result: Result<CallResult, ClientError>,
    /// Whether it ends the call.
    pub last: bool,
}

/// Why an INVOCATION cannot be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Its request id is already being served.
    Duplicate,
    /// [`MAX_PENDING`] invocations are being served.
    Full,
}

/// One invocation being served: whether it has been answered, whether and why it was
/// interrupted, and its deadline when the router forwarded the call's timeout.
#[derive(Debug)]
pub(crate) struct Flight {
    answered: AtomicBool,
    interrupt: Mutex<Option<Interrupt>>,
    /// The forwarded time limit, and when it runs out.
    deadline: Mutex<Option<(Duration, Instant)>>,
    /// Closed when the invocation is answered or interrupted (nothing is ever sent on it).
    signal: Sender<()>,
    ended: Receiver<()>,
}

impl RpcState {
    /// Delivers the invocations of registration `id` to `queue` (on REGISTERED, before anything
    /// else is read).
    pub fn install(&self, id: RegistrationId, queue: Sender<Invocation>) {
        lock(&self.registrations).insert(id, queue);
    }

    /// The queue of registration `id`.
    pub fn queue(&self, id: RegistrationId) -> Option<Sender<Invocation>> {
        lock(&self.registrations).get(&id).cloned()
    }

    /// Stops delivering registration `id`'s invocations; says whether it was delivering them.
    pub fn remove_registration(&self, id: RegistrationId) -> bool {
        lock(&self.registrations).remove(&id).is_some()
    }

    /// A call with this request id is about to be sent: gives where its answers will arrive.
    pub fn start_call(&self, request: RequestId) -> Result<Receiver<Answer>, ClientError> {
        let (tx, rx) = async_channel::bounded(CALL_QUEUE);
        let mut calls = lock(&self.calls);
        if calls.len() >= MAX_PENDING {
            return Err(ClientError::TooManyPending(MAX_PENDING));
        }
        calls.insert(request, tx);
        Ok(rx)
    }

    /// Forgets a call; says whether it was still waiting for its final answer.
    pub fn forget_call(&self, request: RequestId) -> bool {
        lock(&self.calls).remove(&request).is_some()
    }

    /// Hands an answer to its call, waiting (without a lock) while the call's queue is full.
    pub async fn answer_call(&self, request: RequestId, answer: Answer) {
        let queue = {
            let mut calls = lock(&self.calls);
            if answer.last {
                calls.remove(&request)
            } else {
                calls.get(&request).cloned()
            }
        };
        let Some(queue) = queue else {
            tracing::debug!(%request, "answer to no call in flight (canceled or given up)");
            return;
        };
        if queue.send(answer).await.is_err() {
            // The call's handle is gone; it has forgotten the call already.
            tracing::debug!(%request, "answer to a call nobody waits for");
        }
    }

    /// An INVOCATION with this request id arrived: its flight, unless it cannot be served.
    pub fn start_invocation(
        &self,
        request: RequestId,
        timeout: Option<Duration>,
    ) -> Result<Arc<Flight>, Refusal> {
        let mut invocations = lock(&self.invocations);
        if invocations.contains_key(&request) {
            return Err(Refusal::Duplicate);
        }
        if invocations.len() >= MAX_PENDING {
            return Err(Refusal::Full);
        }
        let flight = Arc::new(Flight::new(timeout));
        invocations.insert(request, Arc::clone(&flight));
        Ok(flight)
    }

    /// The invocation has been answered (or will never be).
    pub fn end_invocation(&self, request: RequestId) {
        lock(&self.invocations).remove(&request);
    }

    /// The router sent INTERRUPT for an invocation.
    pub fn interrupt(&self, request: RequestId, why: Interrupt) {
        let flight = lock(&self.invocations).get(&request).cloned();
        match flight {
            Some(flight) => flight.signal(Some(why)),
            None => tracing::debug!(%request, "INTERRUPT for no invocation being served"),
        }
    }

    /// The connection has ended: registrations and calls see their end, invocations are
    /// interrupted.
    pub fn finish(&self) {
        lock(&self.registrations).clear();
        lock(&self.calls).clear();
        let flights: Vec<Arc<Flight>> = lock(&self.invocations).drain().map(|(_, f)| f).collect();
        for flight in flights {
            flight.signal(Some(Interrupt::SessionEnded));
        }
    }
}

impl Flight {
    /// A flight, with a deadline `timeout` from now if there is one.
    fn new(timeout: Option<Duration>) -> Flight {
        let (signal, ended) = async_channel::bounded(1);
        let deadline = timeout.and_then(|t| Some((t, Instant::now().checked_add(t)?)));
        Flight {
            answered: AtomicBool::new(false),
            interrupt: Mutex::new(None),
            deadline: Mutex::new(deadline),
            signal,
            ended,
        }
    }

    /// Claims the right to send the final answer: true the first time only.
    pub fn claim(&self) -> bool {
        !self.answered.swap(true, Ordering::AcqRel)
    }

    /// Whether the final answer has been claimed.
    pub fn is_answered(&self) -> bool {
        self.answered.load(Ordering::Acquire)
    }

    /// Records why the invocation was interrupted (the first reason counts), if it was, and
    /// wakes whoever waits for its end.
    pub fn signal(&self, why: Option<Interrupt>) {
        if let Some(why) = why {
            lock(&self.interrupt).get_or_insert(why);
        }
        self.signal.close();
    }

    /// Why the invocation was interrupted, if it was.
    pub fn interrupt(&self) -> Option<Interrupt> {
        *lock(&self.interrupt)
    }

    /// Waits until the invocation is answered or interrupted.
    pub async fn ended(&self) {
        // Nothing is sent: this returns when the channel is closed.
        let _ = self.ended.recv().await;
    }

    /// A progressive result was sent: the forwarded time limit starts again.
    pub fn extend(&self) {
        if let Some((limit, deadline)) = lock(&self.deadline).as_mut()
            && let Some(later) = Instant::now().checked_add(*limit)
        {
            *deadline = later;
        }
    }

    /// When the forwarded time limit runs out, if there is one.
    pub fn deadline(&self) -> Option<Instant> {
        lock(&self.deadline).map(|(_, deadline)| deadline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::FutureExt;

    #[test]
    fn calls_are_bounded_and_final_answers_forget_them() {
        let s = RpcState::default();
        let rx = s.start_call(RequestId(1)).unwrap();
        let progress = Answer {
            result: Err(ClientError::Closed),
            last: false,
        };
        s.answer_call(RequestId(1), progress)
            .now_or_never()
            .unwrap();
        let last = Answer {
            result: Err(ClientError::Closed),
            last: true,
        };
        s.answer_call(RequestId(1), last).now_or_never().unwrap();
        assert!(!rx.try_recv().unwrap().last);
        assert!(rx.try_recv().unwrap().last);
        assert!(rx.is_closed(), "the final answer forgets the call");
        assert!(!s.forget_call(RequestId(1)));
    }

    #[test]
    fn duplicate_invocations_are_refused_and_flights_end_once() {
        let s = RpcState::default();
        let f = s.start_invocation(RequestId(9), None).unwrap();
        assert_eq!(
            s.start_invocation(RequestId(9), None).unwrap_err(),
            Refusal::Duplicate
        );
        assert!(f.claim());
        assert!(!f.claim());
        s.interrupt(RequestId(9), Interrupt::SessionEnded);
        assert_eq!(f.interrupt(), Some(Interrupt::SessionEnded));
        f.ended().now_or_never().unwrap();
    }

    #[test]
    fn finish_interrupts_invocations_and_ends_calls() {
        let s = RpcState::default();
        let f = s.start_invocation(RequestId(1), None).unwrap();
        let rx = s.start_call(RequestId(2)).unwrap();
        s.finish();
        assert_eq!(f.interrupt(), Some(Interrupt::SessionEnded));
        assert!(rx.is_closed());
    }

    #[test]
    fn progress_extends_a_forwarded_deadline() {
        let f = Flight::new(Some(Duration::from_secs(10)));
        let first = f.deadline().unwrap();
        std::thread::sleep(Duration::from_millis(2));
        f.extend();
        assert!(f.deadline().unwrap() > first);
        assert_eq!(Flight::new(None).deadline(), None);
    }
}
