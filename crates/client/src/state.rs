//! The state a client shares with its background task: requests waiting for answers, the
//! subscriptions' queues, registrations, calls and invocations (`rpc::state`), and how the
//! session ended.
//!
//! Every lock here is a `std::sync::Mutex` held for a few map operations, never across `.await`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_channel::{Receiver, Sender, TrySendError};
use crossway_protocol::ids::MAX_ID;
use crossway_protocol::{Dict, Message, RequestId, SubscriptionId};

use crate::error::ClientError;
use crate::rpc::Invocation;
use crate::rpc::state::RpcState;
use crate::subscription::Event;

/// The most requests that may wait for answers at once.
pub const MAX_PENDING: usize = 65_536;

/// How a session ended, as the router said with GOODBYE or ABORT.
#[derive(Debug, Clone, PartialEq)]
pub struct CloseInfo {
    /// The reason URI (`wamp.close.system_shutdown`, `wamp.close.goodbye_and_out`, ...).
    pub reason: String,
    /// The `message` of the details, when present.
    pub message: Option<String>,
    /// The details as sent.
    pub details: Dict,
    /// Whether the router ended it with ABORT rather than GOODBYE.
    pub aborted: bool,
}

/// State shared by a client and its background task.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pending: Mutex<HashMap<u64, Pending>>,
    subscriptions: Mutex<HashMap<SubscriptionId, Vec<Sender<Event>>>>,
    /// Registrations, calls and invocations.
    pub rpc: RpcState,
    close_info: Mutex<Option<CloseInfo>>,
    next_request: AtomicU64,
    ended: AtomicBool,
    leaving: AtomicBool,
}

/// A request waiting for its answer.
#[derive(Debug)]
struct Pending {
    reply: Sender<Message>,
    on_success: OnSuccess,
}

/// What the background task does when a request succeeds, before anything else is read: a
/// subscription's queue must be in place before its first event arrives, a registration's
/// before its first invocation.
#[derive(Debug)]
pub(crate) enum OnSuccess {
    /// Nothing.
    Nothing,
    /// SUBSCRIBED: start delivering the subscription's events to this queue.
    Subscribe(Sender<Event>),
    /// UNSUBSCRIBED: stop delivering this subscription's events.
    Unsubscribe(SubscriptionId),
    /// REGISTERED: start delivering the registration's invocations to this queue.
    Register(Sender<Invocation>),
}

/// Removes a pending request when its caller stops waiting.
#[derive(Debug)]
pub(crate) struct PendingGuard {
    shared: Arc<Shared>,
    id: u64,
}

impl Shared {
    /// The next request id: 1, 2, 3, ... wrapping within 1..=2^53.
    pub fn next_request_id(&self) -> RequestId {
        let n = self.next_request.fetch_add(1, Ordering::Relaxed);
        RequestId(n % MAX_ID + 1)
    }

    /// Registers a request; gives its id, where its answer will arrive, and a guard that forgets
    /// it when dropped.
    pub fn register(
        self: &Arc<Self>,
        on_success: OnSuccess,
    ) -> Result<(RequestId, Receiver<Message>, PendingGuard), ClientError> {
        if self.is_ended() {
            return Err(ClientError::Closed);
        }
        let id = self.next_request_id();
        let (reply, rx) = async_channel::bounded(1);
        {
            let mut pending = lock(&self.pending);
            if pending.len() >= MAX_PENDING {
                return Err(ClientError::TooManyPending(MAX_PENDING));
            }
            pending.insert(id.0, Pending { reply, on_success });
        }
        let guard = PendingGuard {
            shared: Arc::clone(self),
            id: id.0,
        };
        Ok((id, rx, guard))
    }

    /// Hands an answer to the request waiting for it; a successful SUBSCRIBE, UNSUBSCRIBE or
    /// REGISTER updates the subscriptions or registrations first.
    pub fn answer(&self, request: RequestId, msg: Message) {
        let Some(pending) = lock(&self.pending).remove(&request.0) else {
            tracing::debug!(%request, kind = msg.name(), "answer to no waiting request");
            return;
        };
        match (&msg, pending.on_success) {
            (Message::Subscribed { subscription, .. }, OnSuccess::Subscribe(events)) => {
                lock(&self.subscriptions)
                    .entry(*subscription)
                    .or_default()
                    .push(events);
            }
            (Message::Unsubscribed { .. }, OnSuccess::Unsubscribe(id)) => self.revoke(id),
            (Message::Registered { registration, .. }, OnSuccess::Register(queue)) => {
                self.rpc.install(*registration, queue);
            }
            _ => {}
        }
        // Capacity 1 and one answer per request: this never finds the queue full.
        let _ = pending.reply.try_send(msg);
    }

    /// Delivers an event to every queue of its subscription, waiting (without a lock) while a
    /// queue is full.
    pub async fn deliver(&self, event: Event) {
        let mut full: Vec<(Sender<Event>, Event)> = Vec::new();
        {
            let mut subs = lock(&self.subscriptions);
            let Some(queues) = subs.get_mut(&event.subscription) else {
                tracing::debug!(subscription = %event.subscription, "event for no subscription");
                return;
            };
            let id = event.subscription;
            let mut event = Some(event);
            let last = queues.len().saturating_sub(1);
            for (i, queue) in queues.iter().enumerate() {
                let ev = if i == last {
                    event.take()
                } else {
                    event.clone()
                };
                let Some(ev) = ev else { break };
                if let Err(TrySendError::Full(ev)) = queue.try_send(ev) {
                    full.push((queue.clone(), ev));
                }
            }
            queues.retain(|q| !q.is_closed());
            if queues.is_empty() {
                subs.remove(&id);
            }
        }
        for (queue, ev) in full {
            let _ = queue.send(ev).await;
        }
    }

    /// Stops delivering a subscription's events (its queues see the end).
    pub fn revoke(&self, id: SubscriptionId) {
        lock(&self.subscriptions).remove(&id);
    }

    /// Records how the router ended the session (the first GOODBYE or ABORT counts).
    pub fn set_close_info(&self, info: CloseInfo) {
        lock(&self.close_info).get_or_insert(info);
    }

    /// How the router ended the session, if it did.
    pub fn close_info(&self) -> Option<CloseInfo> {
        lock(&self.close_info).clone()
    }

    /// Marks that this client said GOODBYE first.
    pub fn set_leaving(&self) {
        self.leaving.store(true, Ordering::Release);
    }

    /// Whether this client said GOODBYE first.
    pub fn is_leaving(&self) -> bool {
        self.leaving.load(Ordering::Acquire)
    }

    /// Whether the connection has ended.
    pub fn is_ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }

    /// The connection has ended: waiting requests fail, subscriptions, registrations and calls
    /// see their end, invocations are interrupted.
    pub fn finish(&self) {
        self.ended.store(true, Ordering::Release);
        lock(&self.pending).clear();
        lock(&self.subscriptions).clear();
        self.rpc.finish();
    }
}

impl Drop for PendingGuard {
    fn drop(&mut self) {
        lock(&self.shared.pending).remove(&self.id);
    }
}

/// Locks `m`; a poisoned lock still holds consistent maps (no code panics while holding one).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossway_protocol::PublicationId;

    fn event(sub: u64, n: u64) -> Event {
        Event {
            subscription: SubscriptionId(sub),
            publication: PublicationId(n),
            details: Dict::new(),
            args: None,
            kwargs: None,
            raw: None,
        }
    }

    #[test]
    fn request_ids_count_from_one() {
        let s = Shared::default();
        assert_eq!(s.next_request_id(), RequestId(1));
        assert_eq!(s.next_request_id(), RequestId(2));
    }

    #[test]
    fn subscribed_installs_the_queue_before_the_answer() {
        let s = Arc::new(Shared::default());
        let (tx, events) = async_channel::bounded(4);
        let (id, reply, _guard) = s.register(OnSuccess::Subscribe(tx)).unwrap();
        s.answer(
            id,
            Message::Subscribed {
                request: id,
                subscription: SubscriptionId(7),
            },
        );
        futures_util::FutureExt::now_or_never(s.deliver(event(7, 1))).unwrap();
        assert_eq!(events.try_recv().unwrap().publication, PublicationId(1));
        assert!(matches!(
            reply.try_recv().unwrap(),
            Message::Subscribed { .. }
        ));
    }

    #[test]
    fn dropped_waiters_are_forgotten_and_finish_fails_the_rest() {
        let s = Arc::new(Shared::default());
        let (_, _, guard) = s.register(OnSuccess::Nothing).unwrap();
        drop(guard);
        assert!(lock(&s.pending).is_empty());
        let (_, reply, _guard) = s.register(OnSuccess::Nothing).unwrap();
        s.finish();
        assert!(reply.try_recv().is_err());
        assert!(reply.is_closed());
        assert!(matches!(
            s.register(OnSuccess::Nothing),
            Err(ClientError::Closed)
        ));
    }

    #[test]
    fn closed_queues_are_dropped() {
        let s = Arc::new(Shared::default());
        let (tx, rx) = async_channel::bounded(1);
        lock(&s.subscriptions).insert(SubscriptionId(1), vec![tx]);
        drop(rx);
        futures_util::FutureExt::now_or_never(s.deliver(event(1, 1))).unwrap();
        assert!(lock(&s.subscriptions).is_empty());
    }
}
