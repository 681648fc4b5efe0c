//! A session's one bounded queue of encoded frames: the only way anything reaches its connection's
//! writer.
//!
//! Replies to the session's own requests wait for room ([`Outbox::send`]); events fanned out by the
//! broker never wait ([`Outbox::try_send`]), and a full queue kills the outbox as a slow consumer,
//! so that no other session ever waits for this one. A killed outbox drops what it still holds:
//! its writer sees the end of the queue at once and can read why with
//! [`OutboxReceiver::close_reason`].

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use async_channel::{Receiver, Sender};
use bytes::Bytes;
use crossway_protocol::errors;
use crossway_protocol::{Codec, Dict, Message, Uri};
use event_listener::Event;

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
pub fn outbox_with(codec: Codec, limits: OutboxLimits) -> (Outbox, OutboxReceiver) {
    // Unbounded underneath, bounded by the counts in `Shared`: async-channel's bounded queue
    // allocates its whole capacity up front (about 160 KiB for 4,096 frames), which idle
    // sessions cannot afford; the unbounded one grows in small blocks as frames arrive.
    let (tx, rx) = async_channel::unbounded();
    let shared = Arc::new(Shared {
        codec,
        reason: OnceLock::new(),
        killed: Event::new(),
        room: Event::new(),
        frames: AtomicUsize::new(0),
        max_frames: limits.messages.max(1),
        bytes: AtomicUsize::new(0),
        max_bytes: limits.bytes,
    });
    (
        Outbox {
            tx,
            shared: Arc::clone(&shared),
        },
        OutboxReceiver { rx, shared },
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
#[derive(Clone)]
pub struct Outbox {
    tx: Sender<Bytes>,
    shared: Arc<Shared>,
}

/// The receiving half of a session's outbox, owned by its connection's writer.
pub struct OutboxReceiver {
    rx: Receiver<Bytes>,
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
            if self.is_killed() || self.tx.is_closed() {
                return Err(OutboxClosed);
            }
            if self.shared.take_frame_slot() {
                break;
            }
            let listener = self.shared.room.listen();
            if self.shared.has_room() || self.is_killed() {
                continue;
            }
            listener.await;
        }
        self.push(frame)
    }

    /// Queues a frame without waiting: for events. When the queue is full the session is too slow,
    /// and the outbox is killed with [`CloseReason::SlowConsumer`].
    pub fn try_send(&self, frame: Bytes) -> Result<(), OutboxClosed> {
        if self.tx.is_closed() {
            return Err(OutboxClosed);
        }
        let n = frame.len();
        let before = self.shared.bytes.load(Ordering::Relaxed);
        if before > 0 && before.saturating_add(n) > self.shared.max_bytes
            || !self.shared.take_frame_slot()
        {
            self.kill(CloseReason::SlowConsumer);
            return Err(OutboxClosed);
        }
        self.push(frame)
    }

    /// Queues a frame whose slot is taken.
    fn push(&self, frame: Bytes) -> Result<(), OutboxClosed> {
        let n = frame.len();
        self.shared.bytes.fetch_add(n, Ordering::Relaxed);
        match self.tx.try_send(frame) {
            Ok(()) => Ok(()),
            Err(_) => {
                self.shared.bytes.fetch_sub(n, Ordering::Relaxed);
                self.shared.frames.fetch_sub(1, Ordering::AcqRel);
                Err(OutboxClosed)
            }
        }
    }

    /// Bytes of the frames queued now.
    pub fn queued_bytes(&self) -> usize {
        self.shared.bytes.load(Ordering::Relaxed)
    }

    /// Closes the outbox: nothing more is queued, and what is queued is dropped. The first reason
    /// given is the one kept.
    pub fn kill(&self, reason: CloseReason) {
        if self.shared.reason.set(reason).is_ok() {
            tracing::debug!(%reason, "outbox killed");
        }
        self.tx.close();
        self.shared.killed.notify(usize::MAX);
        self.shared.room.notify(usize::MAX);
    }

    /// Why the outbox was killed, if it was.
    pub fn close_reason(&self) -> Option<CloseReason> {
        self.shared.reason.get().copied()
    }

    /// Whether nothing more can be queued (killed, or the writer is gone).
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// The number of frames waiting for the writer.
    pub fn len(&self) -> usize {
        self.tx.len()
    }

    /// Whether no frame is waiting for the writer.
    pub fn is_empty(&self) -> bool {
        self.tx.is_empty()
    }

    fn is_killed(&self) -> bool {
        self.shared.reason.get().is_some()
    }
}

impl fmt::Debug for Outbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outbox")
            .field("codec", &self.shared.codec)
            .field("queued", &self.tx.len())
            .field("close_reason", &self.close_reason())
            .finish()
    }
}

impl OutboxReceiver {
    /// The next frame, waiting for one; `None` once the outbox is killed (even if frames remain: a
    /// killed session's queue is dropped) or once every sender is gone and the queue is empty.
    pub async fn recv(&self) -> Option<Bytes> {
        if self.is_killed() {
            return None;
        }
        let frame = self.rx.recv().await.ok()?;
        self.shared.taken(&frame);
        (!self.is_killed()).then_some(frame)
    }

    /// The next frame if one is ready: for draining every ready frame before one flush.
    pub fn try_recv(&self) -> Option<Bytes> {
        if self.is_killed() {
            return None;
        }
        let frame = self.rx.try_recv().ok()?;
        self.shared.taken(&frame);
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

    fn is_killed(&self) -> bool {
        self.shared.reason.get().is_some()
    }
}

impl fmt::Debug for OutboxReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboxReceiver")
            .field("codec", &self.shared.codec)
            .field("queued", &self.rx.len())
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
    /// Notified once when the outbox is killed.
    killed: Event,
    /// Notified when a frame leaves the queue, for replies waiting for room.
    room: Event,
    /// Frames in the queue.
    frames: AtomicUsize,
    /// The bound on `frames`.
    max_frames: usize,
    /// Bytes of the frames in the queue (a tally: relaxed atomics).
    bytes: AtomicUsize,
    /// The bound on `bytes` for events.
    max_bytes: usize,
}

impl Shared {
    /// Takes a place for one more frame if the queue has one.
    fn take_frame_slot(&self) -> bool {
        self.frames
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max_frames).then_some(n + 1)
            })
            .is_ok()
    }

    /// Whether a frame would fit now.
    fn has_room(&self) -> bool {
        self.frames.load(Ordering::Acquire) < self.max_frames
    }

    /// Accounts for a frame that left the queue and wakes one reply waiting for room.
    fn taken(&self, frame: &Bytes) {
        self.bytes.fetch_sub(frame.len(), Ordering::Relaxed);
        self.frames.fetch_sub(1, Ordering::AcqRel);
        self.room.notify(1);
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
        assert_eq!(block_on(rx.recv()), None);
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
    fn send_queues_and_recv_ends_when_every_sender_is_gone() {
        let (tx, rx) = outbox(Codec::MsgPack, 1);
        let tx2 = tx.clone();
        block_on(tx.send(frame("a"))).unwrap();
        drop(tx);
        drop(tx2);
        // Frames queued before the senders went are still delivered.
        assert_eq!(block_on(rx.recv()), Some(frame("a")));
        assert_eq!(block_on(rx.recv()), None);
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
}
