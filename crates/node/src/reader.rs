//! A session's reader: takes frames from the peer, hands each decoded message to the session and
//! queues its reply; watches the HELLO deadline and the peer's keep-alive.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use crossway_protocol::{Codec, Message};
use crossway_routing::{Outbox, PeerAddress, Session, Verdict};
use crossway_transport::{CloseReason, FrameReader, TransportError, rt};
use futures_util::future::{Either, select};
use tracing::{debug, info, warn};

use crate::config::Limits;
use crate::control::Control;
use crate::counters::Counters;
use crate::stop::StopSignal;
use crate::throttle::AuthThrottle;

/// How long the timer sleeps when nothing is due (no keep-alive, already joined).
const IDLE_CHECK: Duration = Duration::from_secs(3600);

/// After this many messages handled in a row, the reader yields to the executor, so that a
/// publisher whose socket never runs dry cannot starve the writers it wakes on its thread (they
/// would fall behind and be closed as slow consumers).
const YIELD_EVERY: u32 = 64;

/// What the reader works with, besides the frames.
pub struct ReaderParts<'a> {
    /// The session's outbox, for replies.
    pub tx: Outbox,
    /// The session's serializer.
    pub codec: Codec,
    /// The node's stop signal: a connection that has not joined leaves at once on shutdown.
    pub stop: StopSignal,
    /// Asks the writer to ping the peer, and tells it how to close the framing when the peer
    /// broke a rule or went silent.
    pub control: &'a Control,
    /// The node's limits.
    pub limits: &'a Limits,
    /// The silence after which the peer is pinged; `None` when this connection is not pinged.
    pub keepalive: Option<Duration>,
    /// The node's counters.
    pub counters: &'a Counters,
    /// Authentication failures by client address.
    pub throttle: &'a AuthThrottle,
    /// The client's address.
    pub peer: PeerAddress,
    /// The node's realms, in config order (the slots of the sessions-open counts).
    pub realms: &'a [String],
}

/// Counts a joined session as open in its realm's slot while it lives.
struct OpenSession<'a>(&'a AtomicU64);

impl<'a> OpenSession<'a> {
    fn new(slot: &'a AtomicU64) -> Self {
        slot.fetch_add(1, Ordering::Relaxed);
        OpenSession(slot)
    }
}

impl Drop for OpenSession<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One thing the reader waited for.
enum Event {
    Frame(Result<Option<Bytes>, TransportError>),
    Timer,
    Stop,
    /// A dynamic authenticator answered: the session goes on with authentication.
    Answered,
}

/// Reads until the peer closes, breaks a rule, goes silent, or the session ends.
///
/// A plain function returning the loop, so that the future does not hold its arguments twice
/// (an `async fn` keeps them beside the locals it moves them into): this is memory every idle
/// connection pays.
#[expect(
    clippy::manual_async_fn,
    reason = "an async fn would hold its arguments twice"
)]
pub fn read_loop<'a>(
    mut reader: FrameReader,
    mut session: Session,
    parts: ReaderParts<'a>,
) -> impl Future<Output = ()> + 'a {
    async move {
        let opened = Instant::now();
        let mut pinged = false;
        let mut handled: u32 = 0;
        let mut _open: Option<OpenSession<'_>> = None;
        let mut timer = Box::pin(rt::sleep(next_check(
            &parts,
            opened,
            false,
            reader.last_activity(),
        )));
        loop {
            let joined = session.id().is_some();
            let event = {
                let recv = pin!(reader.recv());
                if joined {
                    match select(recv, &mut timer).await {
                        Either::Left((frame, _)) => Event::Frame(frame),
                        Either::Right(_) => Event::Timer,
                    }
                } else {
                    let stop = pin!(parts.stop.stopped());
                    // Listening before looking: an answer that comes in between wakes it.
                    let waiter = session.waiter();
                    let answered = waiter.as_ref().map(|w| (w.listen(), w.is_answered()));
                    match answered {
                        Some((_, true)) => Event::Answered,
                        Some((listener, false)) => {
                            match select(select(select(recv, &mut timer), stop), listener).await {
                                Either::Left((Either::Left((Either::Left((frame, _)), _)), _)) => {
                                    Event::Frame(frame)
                                }
                                Either::Left((Either::Left((Either::Right(_), _)), _)) => {
                                    Event::Timer
                                }
                                Either::Left((Either::Right(_), _)) => Event::Stop,
                                Either::Right(_) => Event::Answered,
                            }
                        }
                        None => match select(select(recv, &mut timer), stop).await {
                            Either::Left((Either::Left((frame, _)), _)) => Event::Frame(frame),
                            Either::Left((Either::Right(_), _)) => Event::Timer,
                            Either::Right(_) => Event::Stop,
                        },
                    }
                }
            };
            let frame = match event {
                Event::Stop => return,
                Event::Answered => None,
                Event::Timer => {
                    let now = Instant::now();
                    if !joined && now >= opened + parts.limits.hello_timeout {
                        debug!(
                            "no session within {:?}: closing",
                            parts.limits.hello_timeout
                        );
                        return;
                    }
                    if let Some(interval) = parts.keepalive {
                        let idle = now.saturating_duration_since(reader.last_activity());
                        if idle >= interval + parts.limits.keepalive_timeout {
                            Counters::bump(&parts.counters.keepalive_timeouts);
                            debug!(
                                ?idle,
                                "the peer did not answer the keep-alive ping: closing"
                            );
                            parts.control.close_with(CloseReason::GoingAway);
                            return;
                        }
                        if idle >= interval && !pinged {
                            pinged = parts.control.request_ping();
                        }
                        if idle < interval {
                            pinged = false;
                        }
                    }
                    timer = Box::pin(rt::sleep(next_check(
                        &parts,
                        opened,
                        joined,
                        reader.last_activity(),
                    )));
                    continue;
                }
                Event::Frame(frame) => Some(frame),
            };
            let outcome = match frame {
                None => match session.resume() {
                    Some(outcome) => outcome,
                    None => continue,
                },
                Some(Ok(Some(frame))) => {
                    let len = frame.len();
                    match parts.codec.decode_bytes(frame) {
                        Ok(msg) => {
                            parts.counters.received(parts.codec, msg.code(), len);
                            session.handle(msg)
                        }
                        Err(e) => {
                            parts.counters.received(parts.codec, 0, len);
                            debug!(error = %e, "undecodable message");
                            session.protocol_violation(&e.to_string())
                        }
                    }
                }
                Some(Ok(None)) => {
                    debug!("peer closed the connection");
                    return;
                }
                Some(Err(e)) => {
                    debug!(error = %e, "read failed");
                    parts.control.close_with(e.close_reason());
                    return;
                }
            };
            if let Some(verdict) = &outcome.verdict
                && !judge(&parts, verdict).await
            {
                return;
            }
            if !joined && let Some(id) = session.id() {
                let span = tracing::Span::current();
                span.record("id", id.0);
                if let Some(realm) = session.realm() {
                    span.record("realm", realm.as_str());
                    _open = parts
                        .realms
                        .iter()
                        .position(|r| r == realm.as_str())
                        .and_then(|i| parts.counters.sessions_open.get(i))
                        .map(OpenSession::new);
                }
                if let Some(identity) = session.identity() {
                    span.record("authid", identity.authid.as_str());
                }
                // Joined: the HELLO deadline no longer applies; keep-alive takes over.
                timer = Box::pin(rt::sleep(next_check(
                    &parts,
                    opened,
                    true,
                    reader.last_activity(),
                )));
            }
            if let Some(reply) = outcome.reply
                && !queue(&parts.tx, parts.codec, &reply).await
            {
                return;
            }
            if outcome.close {
                return;
            }
            handled = handled.wrapping_add(1);
            if handled.is_multiple_of(YIELD_EVERY) {
                rt::yield_now().await;
            }
        }
    }
}

/// Logs and counts an authentication's verdict, and holds it back as long as the client's
/// address must wait for its earlier failures (methods that prove a secret only). False when the
/// node stops meanwhile.
async fn judge(parts: &ReaderParts<'_>, verdict: &Verdict) -> bool {
    let method = verdict.method.name();
    let authid = verdict.authid.as_deref().unwrap_or("");
    let now = Instant::now();
    let secret = verdict.method.proves_a_secret();
    let wait = if secret {
        parts.throttle.delay(&parts.peer, now)
    } else {
        Duration::ZERO
    };
    parts
        .counters
        .authenticated(verdict.method, verdict.failure.is_none());
    match verdict.failure.as_deref() {
        None => {}
        Some(why) => {
            if secret {
                let failures = parts.throttle.fail(&parts.peer, now);
                warn!(
                    method,
                    authid,
                    failures,
                    ?wait,
                    why,
                    "authentication failed"
                );
            } else {
                info!(method, authid, why, "authentication failed");
            }
        }
    }
    if wait.is_zero() {
        return true;
    }
    Counters::bump(&parts.counters.auth_throttled);
    debug!(
        ?wait,
        "authentication verdict held back after earlier failures"
    );
    let stop = pin!(parts.stop.stopped());
    matches!(select(pin!(rt::sleep(wait)), stop).await, Either::Left(_))
}

/// How long to sleep before the next look at the HELLO deadline or the keep-alive.
fn next_check(parts: &ReaderParts<'_>, opened: Instant, joined: bool, last: Instant) -> Duration {
    let now = Instant::now();
    let mut due = IDLE_CHECK;
    if !joined {
        due = due.min((opened + parts.limits.hello_timeout).saturating_duration_since(now));
    }
    if let Some(interval) = parts.keepalive {
        let idle = now.saturating_duration_since(last);
        let step = if idle < interval {
            interval - idle
        } else {
            // Pinged (or about to be): look again when the answer is due, at the latest.
            (interval + parts.limits.keepalive_timeout)
                .saturating_sub(idle)
                .min(interval)
        };
        due = due.min(step);
    }
    due.max(Duration::from_millis(10))
}

/// Encodes `msg` and waits for room in the outbox; false when the outbox is closed.
async fn queue(tx: &Outbox, codec: Codec, msg: &Message) -> bool {
    match codec.encode(msg) {
        Ok(bytes) => tx.send(Bytes::from(bytes)).await.is_ok(),
        Err(e) => {
            warn!(error = %e, message = msg.name(), "cannot encode a reply");
            true
        }
    }
}
