//! A session's one bounded queue of encoded frames: the only way anything reaches its connection's
//! writer.
//!
//! Replies to the session's own requests wait for room ([`Outbox::send`]); events fanned out by the
//! broker never wait ([`Outbox::try_send`]), and a full queue kills the outbox as a slow consumer,
//! so that no other session ever waits for this one. A killed outbox drops what it still holds:
//! its writer sees the end of the queue at once and can read why with
//! [`OutboxReceiver::close_reason`].

use std::collections::VecDeque;
use std::fmt;
use std::future::poll_fn;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Poll, Waker};

use bytes::Bytes;
use crossway_protocol::errors;
use crossway_protocol::{Codec, Dict, Message, Uri};
use event_listener::Event;

/// A batch that grew beyond this many frames is not kept for the next one: an idle session holds
/// no large queue (what a burst needed is allocated again for the next burst).
const KEEP_CAPACITY: usize = 16;

/// A session's outbox holding at most `capacity` frames (and any number of bytes), and the
/// receiving side for its writer.
pub fn outbox(codec: Codec, capacity: usize) -> (Outbox, OutboxReceiver) {
    outbox_with(
        codec,
        OutboxLimits {
            messages: capacity,
            bytes: usize::MAX,
        },
    )
}

/// A session's outbox bounded by `limits`, and the receiving side for its writer.
///
/// The queue is a `VecDeque` behind a mutex that is held only to push one frame or to take every
/// ready frame at once, never across an `.await`; it grows as frames arrive, so an idle session
/// holds no queue storage.
pub fn outbox_with(codec: Codec, limits: OutboxLimits) -> (Outbox, OutboxReceiver) {
    let shared = Arc::new(Shared {
        codec,
        reason: OnceLock::new(),
        state: Mutex::new(State {
            frames: VecDeque::new(),
            bytes: 0,
            waker: None,
            senders: 1,
            closed: false,
            ending: false,
            reply_at: None,
        }),
        killed: Event::new(),
        room: Event::new(),
        max_frames: limits.messages.max(1),
        max_bytes: limits.bytes,
    });
    (
        Outbox {
            shared: Arc::clone(&shared),
        },
        OutboxReceiver { shared },
    )
}

/// How much one outbox may hold before an event that does not fit closes the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxLimits {
    /// Frames queued at most.
    pub messages: usize,
    /// Bytes of queued frames at most. Events are refused past it; replies to the session's own
    /// requests are counted but only wait for message room, so one large reply always fits.
    pub bytes: usize,
}

/// The sending half of a session's outbox. Cheap to clone.
pub struct Outbox {
    shared: Arc<Shared>,
}

/// The receiving half of a session's outbox, owned by its connection's writer.
pub struct OutboxReceiver {
    shared: Arc<Shared>,
}

/// The outbox was killed or its writer is gone: the frame was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the session's outbox is closed")]
pub struct OutboxClosed;

/// Why the router killed an outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The session did not read its events fast enough: its outbox was full.
    SlowConsumer,
    /// The node is shutting down.
    Shutdown,
    /// The router (an administrator) closed the session.
    Killed,
}

impl Outbox {
    /// The serializer of the session's connection: frames in this outbox are encoded with it.
    pub fn codec(&self) -> Codec {
        self.shared.codec
    }

    /// Queues a frame, waiting for room: for replies to the session's own requests.
    pub async fn send(&self, frame: Bytes) -> Result<(), OutboxClosed> {
        loop {
            {
                let mut st = self.shared.lock();
                if st.closed || st.ending {
                    return Err(OutboxClosed);
                }
                if let Some(at) = st.reply_at.take() {
                    // Frames wait behind this reply (see `after_reply`): it takes its place
                    // whatever the bounds, since the writer cannot free room before it.
                    st.bytes = st.bytes.saturating_add(frame.len());
                    st.frames.insert(at, frame);
                    let waker = st.waker.take();
                    drop(st);
                    wake(waker);
                    return Ok(());
                }
                if st.frames.len() < self.shared.max_frames {
                    let waker = st.push(frame);
                    drop(st);
                    wake(waker);
                    return Ok(());
                }
            }
            let listener = self.shared.room.listen();
            {
                let st = self.shared.lock();
                if st.closed || st.ending || st.frames.len() < self.shared.max_frames {
                    continue;
                }
            }
            listener.await;
        }
    }

    /// Queues a frame without waiting: for events. When the queue is full the session is too slow,
    /// and the outbox is killed with [`CloseReason::SlowConsumer`].
    pub fn try_send(&self, frame: Bytes) -> Result<(), OutboxClosed> {
        let mut st = self.shared.lock();
        if st.closed || st.ending {
            return Err(OutboxClosed);
        }
        let full = st.frames.len() >= self.shared.max_frames
            || st.bytes > 0 && st.bytes.saturating_add(frame.len()) > self.shared.max_bytes;
        if full {
            drop(st);
            self.kill(CloseReason::SlowConsumer);
            return Err(OutboxClosed);
        }
        let waker = st.push(frame);
        drop(st);
        wake(waker);
        Ok(())
    }

    /// Queues `frames` to follow the next reply ([`Outbox::send`]) and to come before any event
    /// queued after this call: a SUBSCRIBE's retained events go out after its SUBSCRIBED, and
    /// before the live events. Until that reply comes, the writer takes only what was queued
    /// before. Like events, these frames never wait: a full outbox kills the session.
    pub(crate) fn after_reply(&self, frames: Vec<Bytes>) -> Result<(), OutboxClosed> {
        {
            let mut st = self.shared.lock();
            if st.closed || st.ending {
                return Err(OutboxClosed);
            }
            if st.reply_at.is_none() {
                st.reply_at = Some(st.frames.len());
            }
        }
        frames
            .into_iter()
            .try_for_each(|frame| self.try_send(frame))
    }

    /// Queues `frame` as the last one: nothing is queued after it, and once the writer has taken
    /// every frame the outbox ends, as when the session is dropped (the router's GOODBYE to a
    /// session it closes, which may not answer).
    pub(crate) fn finish_with(&self, frame: Bytes) -> Result<(), OutboxClosed> {
        let mut st = self.shared.lock();
        if st.closed || st.ending {
            return Err(OutboxClosed);
        }
        st.reply_at = None;
        let waker = st.push(frame);
        st.ending = true;
        drop(st);
        wake(waker);
        self.shared.room.notify(usize::MAX);
        Ok(())
    }

    /// Bytes of the frames queued now.
    pub fn queued_bytes(&self) -> usize {
        self.shared.lock().bytes
    }

    /// Closes the outbox: nothing more is queued, and what is queued is dropped. The first reason
    /// given is the one kept.
    pub fn kill(&self, reason: CloseReason) {
        if self.shared.reason.set(reason).is_ok() {
            tracing::debug!(%reason, "outbox killed");
        }
        let (dropped, waker) = {
            let mut st = self.shared.lock();
            st.closed = true;
            st.bytes = 0;
            st.reply_at = None;
            (std::mem::take(&mut st.frames), st.waker.take())
        };
        drop(dropped);
        wake(waker);
        self.shared.killed.notify(usize::MAX);
        self.shared.room.notify(usize::MAX);
    }

    /// Why the outbox was killed, if it was.
    pub fn close_reason(&self) -> Option<CloseReason> {
        self.shared.reason.get().copied()
    }

    /// Whether nothing more can be queued (killed, finished, or the writer is gone).
    pub fn is_closed(&self) -> bool {
        let st = self.shared.lock();
        st.closed || st.ending
    }

    /// The number of frames waiting for the writer.
    pub fn len(&self) -> usize {
        self.shared.lock().frames.len()
    }

    /// Whether no frame is waiting for the writer.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Clone for Outbox {
    fn clone(&self) -> Self {
        self.shared.lock().senders += 1;
        Outbox {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl Drop for Outbox {
    /// The last sender gone ends the writer's queue once it is empty.
    fn drop(&mut self) {
        let waker = {
            let mut st = self.shared.lock();
            st.senders = st.senders.saturating_sub(1);
            if st.senders > 0 {
                return;
            }
            st.waker.take()
        };
        wake(waker);
    }
}

impl fmt::Debug for Outbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outbox")
            .field("codec", &self.shared.codec)
            .field("queued", &self.len())
            .field("close_reason", &self.close_reason())
            .finish()
    }
}

impl OutboxReceiver {
    /// Waits until at least one frame is ready, then moves every ready frame to the end of
    /// `batch`; false once the outbox has ended: at once when it is killed (even if frames remain:
    /// a killed session's queue is dropped), or once every sender is gone and the queue is
    /// empty. One lock takes the whole queue, however many frames it holds: for writing them
    /// with one flush.
    pub async fn recv_batch(&self, batch: &mut VecDeque<Bytes>) -> bool {
        poll_fn(|cx| {
            let mut st = self.shared.lock();
            if let Some(at) = st.reply_at.filter(|at| *at > 0) {
                // Only what came before the awaited reply.
                let at = at.min(st.frames.len());
                let rest = st.frames.split_off(at);
                let ready = std::mem::replace(&mut st.frames, rest);
                st.bytes = st.frames.iter().map(Bytes::len).sum();
                st.reply_at = Some(0);
                batch.extend(ready);
                drop(st);
                self.shared.room.notify(usize::MAX);
                return Poll::Ready(true);
            }
            if !st.frames.is_empty() && st.reply_at.is_none() {
                st.bytes = 0;
                if batch.is_empty() {
                    std::mem::swap(&mut st.frames, batch);
                } else {
                    batch.append(&mut st.frames);
                }
                drop(st);
                self.shared.room.notify(usize::MAX);
                return Poll::Ready(true);
            }
            if st.closed || st.senders == 0 || st.ending && st.frames.is_empty() {
                return Poll::Ready(false);
            }
            // About to wait: an idle session keeps no large queue on either side.
            if st.frames.capacity() > KEEP_CAPACITY {
                st.frames = VecDeque::new();
            }
            if batch.is_empty() && batch.capacity() > KEEP_CAPACITY {
                *batch = VecDeque::new();
            }
            st.wait(cx.waker());
            Poll::Pending
        })
        .await
    }

    /// The next frame if one is ready.
    pub fn try_recv(&self) -> Option<Bytes> {
        let mut st = self.shared.lock();
        match st.reply_at {
            Some(0) => return None,
            Some(at) => st.reply_at = Some(at - 1),
            None => {}
        }
        let frame = st.frames.pop_front()?;
        st.bytes = st.bytes.saturating_sub(frame.len());
        drop(st);
        self.shared.room.notify(1);
        Some(frame)
    }

    /// Why the outbox was killed, if it was.
    pub fn close_reason(&self) -> Option<CloseReason> {
        self.shared.reason.get().copied()
    }

    /// Waits until the outbox is killed (at once if it already is), and says why. A writer
    /// blocked on a peer that does not read races this, so that a slow consumer's connection
    /// ends without waiting for the peer.
    pub async fn killed(&self) -> CloseReason {
        loop {
            if let Some(reason) = self.close_reason() {
                return reason;
            }
            let listener = self.shared.killed.listen();
            if let Some(reason) = self.close_reason() {
                return reason;
            }
            listener.await;
        }
    }

    /// The serializer the frames are encoded with.
    pub fn codec(&self) -> Codec {
        self.shared.codec
    }
}

impl Drop for OutboxReceiver {
    /// The writer gone: nothing more is queued, and replies waiting for room give up.
    fn drop(&mut self) {
        let dropped = {
            let mut st = self.shared.lock();
            st.closed = true;
            st.bytes = 0;
            st.waker = None;
            std::mem::take(&mut st.frames)
        };
        drop(dropped);
        self.shared.room.notify(usize::MAX);
    }
}

impl fmt::Debug for OutboxReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboxReceiver")
            .field("codec", &self.shared.codec)
            .field("queued", &self.shared.lock().frames.len())
            .field("close_reason", &self.close_reason())
            .finish()
    }
}

impl CloseReason {
    /// The WAMP URI to close the session with (`GOODBYE` or `ABORT` reason).
    pub fn uri(self) -> &'static str {
        match self {
            CloseReason::SlowConsumer | CloseReason::Killed => errors::KILLED,
            CloseReason::Shutdown => errors::SYSTEM_SHUTDOWN,
        }
    }

    /// A human-readable message for the closing message's `details.message`.
    pub fn message(self) -> &'static str {
        match self {
            CloseReason::SlowConsumer => "the session did not read its events fast enough",
            CloseReason::Shutdown => "the router is shutting down",
            CloseReason::Killed => "the session was closed by the router",
        }
    }

    /// The GOODBYE closing a session for this reason: `details.message` and the reason's URI.
    pub fn goodbye(self) -> Message {
        let mut details = Dict::new();
        details.insert("message".to_owned(), self.message().into());
        Message::Goodbye {
            details,
            reason: Uri::new(self.uri()),
        }
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            CloseReason::SlowConsumer => "slow consumer",
            CloseReason::Shutdown => "shutdown",
            CloseReason::Killed => "killed",
        };
        f.write_str(name)
    }
}

/// What both halves of an outbox share.
#[derive(Debug)]
struct Shared {
    codec: Codec,
    reason: OnceLock<CloseReason>,
    /// The queue; held only for a push or a take, never across an `.await`.
    state: Mutex<State>,
    /// Notified once when the outbox is killed.
    killed: Event,
    /// Notified when frames leave the queue, for replies waiting for room.
    room: Event,
    /// The bound on queued frames.
    max_frames: usize,
    /// The bound on queued bytes for events.
    max_bytes: usize,
}

/// The queue and who waits on it.
#[derive(Debug)]
struct State {
    frames: VecDeque<Bytes>,
    /// Bytes of `frames`.
    bytes: usize,
    /// The writer, while it waits for a frame.
    waker: Option<Waker>,
    /// Live [`Outbox`] handles.
    senders: usize,
    /// Killed, or the writer is gone: nothing more is queued.
    closed: bool,
    /// The router's last frame is queued ([`Outbox::finish_with`]): nothing more is, and the
    /// queue ends once the writer has taken it.
    ending: bool,
    /// Where the next reply goes: frames from here on wait for it ([`Outbox::after_reply`]).
    reply_at: Option<usize>,
}

impl Shared {
    /// The state, whatever a panicking holder left (every update leaves it consistent).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Wakes the writer if it was waiting.
fn wake(waker: Option<Waker>) {
    if let Some(waker) = waker {
        waker.wake();
    }
}

impl State {
    /// Queues `frame`; gives the writer's waker if it waits, to be woken once the lock is
    /// released.
    #[must_use]
    fn push(&mut self, frame: Bytes) -> Option<Waker> {
        self.bytes = self.bytes.saturating_add(frame.len());
        self.frames.push_back(frame);
        self.waker.take()
    }

    /// Records the writer's waker (cloning only when it changed).
    fn wait(&mut self, waker: &Waker) {
        match &self.waker {
            Some(w) if w.will_wake(waker) => {}
            _ => self.waker = Some(waker.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::block_on;

    #[test]
    fn a_reply_waits_for_room_and_an_event_does_not() {
        use std::future::Future;
        use std::task::{Context, Poll, Waker};
        let (tx, rx) = outbox(Codec::Json, 1);
        block_on(tx.send(Bytes::from_static(b"first"))).unwrap();
        let mut reply = std::pin::pin!(tx.send(Bytes::from_static(b"reply")));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(
            reply.as_mut().poll(&mut cx).is_pending(),
            "no room: the reply waits"
        );
        assert_eq!(rx.try_recv().unwrap(), Bytes::from_static(b"first"));
        assert_eq!(reply.as_mut().poll(&mut cx), Poll::Ready(Ok(())));
        assert_eq!(rx.try_recv().unwrap(), Bytes::from_static(b"reply"));
        // The queue is empty again; an event fills it, and the next event finds it full.
        tx.try_send(Bytes::from_static(b"event")).unwrap();
        assert_eq!(tx.try_send(Bytes::from_static(b"event")), Err(OutboxClosed));
        assert_eq!(rx.close_reason(), Some(CloseReason::SlowConsumer));
    }

    #[test]
    fn an_event_past_the_byte_bound_kills_the_outbox() {
        let (tx, rx) = outbox_with(
            Codec::Json,
            OutboxLimits {
                messages: 100,
                bytes: 10,
            },
        );
        tx.try_send(Bytes::from_static(b"12345678")).unwrap();
        assert_eq!(tx.queued_bytes(), 8);
        assert_eq!(rx.try_recv().unwrap().len(), 8);
        assert_eq!(tx.queued_bytes(), 0);
        tx.try_send(Bytes::from_static(b"123456")).unwrap();
        assert_eq!(
            tx.try_send(Bytes::from_static(b"123456")),
            Err(OutboxClosed)
        );
        assert_eq!(rx.close_reason(), Some(CloseReason::SlowConsumer));
        assert_eq!(rx.try_recv(), None);
    }

    #[test]
    fn one_frame_larger_than_the_byte_bound_passes_an_empty_outbox() {
        let (tx, _rx) = outbox_with(
            Codec::Json,
            OutboxLimits {
                messages: 100,
                bytes: 4,
            },
        );
        tx.try_send(Bytes::from_static(b"123456")).unwrap();
        block_on(tx.send(Bytes::from_static(b"reply"))).unwrap();
        assert_eq!(tx.queued_bytes(), 11);
    }

    fn frame(s: &'static str) -> Bytes {
        Bytes::from_static(s.as_bytes())
    }

    #[test]
    fn frames_come_out_in_order() {
        let (tx, rx) = outbox(Codec::Json, 4);
        assert_eq!(tx.codec(), Codec::Json);
        tx.try_send(frame("a")).unwrap();
        tx.try_send(frame("b")).unwrap();
        assert_eq!(rx.try_recv(), Some(frame("a")));
        assert_eq!(rx.try_recv(), Some(frame("b")));
        assert_eq!(rx.try_recv(), None);
        assert_eq!(rx.close_reason(), None);
    }

    #[test]
    fn a_full_outbox_is_killed_as_a_slow_consumer() {
        let (tx, rx) = outbox(Codec::Cbor, 2);
        tx.try_send(frame("1")).unwrap();
        tx.try_send(frame("2")).unwrap();
        assert_eq!(tx.try_send(frame("3")), Err(OutboxClosed));
        assert_eq!(tx.close_reason(), Some(CloseReason::SlowConsumer));
        assert_eq!(rx.close_reason(), Some(CloseReason::SlowConsumer));
        // The queue of a killed session is dropped.
        assert_eq!(rx.try_recv(), None);
        assert!(!block_on(rx.recv_batch(&mut VecDeque::new())));
        assert_eq!(tx.try_send(frame("4")), Err(OutboxClosed));
        assert!(tx.is_closed());
    }

    #[test]
    fn the_first_kill_reason_wins() {
        let (tx, rx) = outbox(Codec::Json, 2);
        tx.kill(CloseReason::Shutdown);
        tx.kill(CloseReason::SlowConsumer);
        assert_eq!(rx.close_reason(), Some(CloseReason::Shutdown));
        assert_eq!(block_on(tx.send(frame("x"))), Err(OutboxClosed));
    }

    #[test]
    fn send_queues_and_the_batches_end_when_every_sender_is_gone() {
        let (tx, rx) = outbox(Codec::MsgPack, 1);
        let tx2 = tx.clone();
        block_on(tx.send(frame("a"))).unwrap();
        drop(tx);
        drop(tx2);
        // Frames queued before the senders went are still delivered.
        let mut batch = VecDeque::new();
        assert!(block_on(rx.recv_batch(&mut batch)));
        assert_eq!(Vec::from(batch), [frame("a")]);
        assert!(!block_on(rx.recv_batch(&mut VecDeque::new())));
        assert_eq!(rx.close_reason(), None);
    }

    #[test]
    fn a_gone_writer_closes_the_outbox() {
        let (tx, rx) = outbox(Codec::Json, 1);
        drop(rx);
        assert_eq!(tx.try_send(frame("a")), Err(OutboxClosed));
        assert_eq!(block_on(tx.send(frame("a"))), Err(OutboxClosed));
        assert_eq!(tx.close_reason(), None);
    }

    #[test]
    fn a_batch_takes_every_ready_frame_in_order_and_frees_the_room() {
        let (tx, rx) = outbox(Codec::Json, 3);
        let mut batch = VecDeque::new();
        for f in ["a", "b", "c"] {
            tx.try_send(frame(f)).unwrap();
        }
        assert!(block_on(rx.recv_batch(&mut batch)));
        assert_eq!(
            Vec::from(batch.clone()),
            [frame("a"), frame("b"), frame("c")]
        );
        assert_eq!((tx.len(), tx.queued_bytes()), (0, 0));
        // The room is back: three more fit, and they follow what the batch still holds.
        for f in ["d", "e", "f"] {
            tx.try_send(frame(f)).unwrap();
        }
        assert!(block_on(rx.recv_batch(&mut batch)));
        assert_eq!(batch.len(), 6);
        assert_eq!(batch.get(3), Some(&frame("d")));
    }

    #[test]
    fn a_waiting_batch_wakes_for_a_frame_and_ends_with_the_outbox() {
        use std::future::Future;
        use std::task::{Context, Poll, Wake, Waker};
        struct Count(std::sync::atomic::AtomicUsize);
        impl Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
        let woken = Arc::new(Count(0.into()));
        let waker = Waker::from(woken.clone());
        let mut cx = Context::from_waker(&waker);
        let (tx, rx) = outbox(Codec::Json, 4);
        let mut batch = VecDeque::new();
        {
            let mut next = std::pin::pin!(rx.recv_batch(&mut batch));
            assert!(next.as_mut().poll(&mut cx).is_pending());
            tx.try_send(frame("a")).unwrap();
            assert_eq!(woken.0.load(std::sync::atomic::Ordering::SeqCst), 1);
            assert_eq!(next.as_mut().poll(&mut cx), Poll::Ready(true));
        }
        assert_eq!(batch.pop_front(), Some(frame("a")));
        {
            let mut next = std::pin::pin!(rx.recv_batch(&mut batch));
            assert!(next.as_mut().poll(&mut cx).is_pending());
            tx.kill(CloseReason::Shutdown);
            assert_eq!(woken.0.load(std::sync::atomic::Ordering::SeqCst), 2);
            assert_eq!(next.as_mut().poll(&mut cx), Poll::Ready(false));
        }
        // The last sender gone ends a waiting batch too.
        let (tx, rx) = outbox(Codec::Json, 4);
        let mut next = std::pin::pin!(rx.recv_batch(&mut batch));
        assert!(next.as_mut().poll(&mut cx).is_pending());
        drop(tx);
        assert_eq!(next.as_mut().poll(&mut cx), Poll::Ready(false));
    }

    #[test]
    fn a_reply_waiting_for_room_gives_up_when_the_writer_goes() {
        use std::future::Future;
        use std::task::{Context, Poll, Waker};
        let (tx, rx) = outbox(Codec::Json, 1);
        tx.try_send(frame("a")).unwrap();
        let mut reply = std::pin::pin!(tx.send(frame("b")));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(reply.as_mut().poll(&mut cx).is_pending());
        drop(rx);
        assert_eq!(reply.as_mut().poll(&mut cx), Poll::Ready(Err(OutboxClosed)));
    }

    #[test]
    fn zero_capacity_holds_one_frame() {
        let (tx, rx) = outbox(Codec::Json, 0);
        tx.try_send(frame("a")).unwrap();
        assert_eq!(rx.try_recv(), Some(frame("a")));
    }

    #[test]
    fn close_reasons_have_uris() {
        assert_eq!(CloseReason::SlowConsumer.uri(), "wamp.close.killed");
        assert_eq!(CloseReason::Shutdown.uri(), "wamp.close.system_shutdown");
        assert!(!CloseReason::SlowConsumer.message().is_empty());
        match CloseReason::Shutdown.goodbye() {
            Message::Goodbye { details, reason } => {
                assert_eq!(reason.as_str(), "wamp.close.system_shutdown");
                assert_eq!(details["message"], CloseReason::Shutdown.message().into());
            }
            other => panic!("not a GOODBYE: {other:?}"),
        }
    }

    #[test]
    fn frames_after_a_reply_wait_for_it_and_come_before_later_events() {
        let (tx, rx) = outbox(Codec::Json, 3);
        tx.try_send(Bytes::from_static(b"old")).unwrap();
        tx.after_reply(vec![Bytes::from_static(b"retained")])
            .unwrap();
        tx.try_send(Bytes::from_static(b"live")).unwrap();
        assert_eq!(rx.try_recv().unwrap(), Bytes::from_static(b"old"));
        assert_eq!(rx.try_recv(), None, "held until the reply");
        // The reply takes its place whatever the bounds (the queue is full).
        block_on(tx.send(Bytes::from_static(b"reply"))).unwrap();
        let order: Vec<Bytes> = std::iter::from_fn(|| rx.try_recv()).collect();
        assert_eq!(order, ["reply", "retained", "live"].map(Bytes::from));
        tx.after_reply(vec![Bytes::from_static(b"r2")]).unwrap();
        let mut batch = std::collections::VecDeque::new();
        block_on(tx.send(Bytes::from_static(b"reply2"))).unwrap();
        assert!(block_on(rx.recv_batch(&mut batch)));
        assert_eq!(
            batch,
            [Bytes::from_static(b"reply2"), Bytes::from_static(b"r2")]
        );
    }

    #[test]
    fn a_finished_outbox_ends_after_its_last_frame() {
        let (tx, rx) = outbox(Codec::Json, 4);
        tx.try_send(Bytes::from_static(b"event")).unwrap();
        tx.finish_with(Bytes::from_static(b"goodbye")).unwrap();
        assert!(tx.is_closed());
        assert_eq!(tx.try_send(Bytes::from_static(b"late")), Err(OutboxClosed));
        assert_eq!(
            block_on(tx.send(Bytes::from_static(b"late"))),
            Err(OutboxClosed)
        );
        assert_eq!(
            tx.finish_with(Bytes::from_static(b"again")),
            Err(OutboxClosed)
        );
        let mut batch = std::collections::VecDeque::new();
        assert!(block_on(rx.recv_batch(&mut batch)));
        assert_eq!(
            batch,
            [Bytes::from_static(b"event"), Bytes::from_static(b"goodbye")]
        );
        batch.clear();
        assert!(
            !block_on(rx.recv_batch(&mut batch)),
            "ended, though a sender lives"
        );
        assert_eq!(rx.close_reason(), None);
    }
}
