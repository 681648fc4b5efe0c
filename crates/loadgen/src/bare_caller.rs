//! The lean callers of RPC runs: bare sessions that each keep `--in-flight` calls outstanding,
//! sending another as each is answered, and check that every call id is answered exactly once.
//!
//! A call's arguments are the publications' `[stamp, pad]`; the callee echoes them. The caller
//! remembers each call's send time by its request id: a RESULT for an id it is waiting for
//! counts (and times the round trip), one for an id it is not waiting for (answered already,
//! or never sent) is a duplicate, an ERROR is an error, and what is still waiting at the end is
//! lost. One RESULT in `--sample` is decoded to check that the echo is the call's own.

use crossway_client::ConnectOptions;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use crossway_protocol::message::code;
use crossway_protocol::{Codec, Dict, Message, Payload as WampPayload, RequestId, Uri};
use crossway_transport::{Connection, Serializer, rt};
use hdrhistogram::Histogram;

use crate::bare;
use crate::options::Length;
use crate::pacing::Clock;
use crate::payload::{Payload, Received};
use crate::subscriber::{new_histogram, record_latency};

/// How long closing may take once the caller is done.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// A joined session that calls one procedure.
pub struct BareCaller {
    conn: Connection,
    codec: Codec,
    procedure: Uri,
    next_request: u64,
}

/// What every caller of a run is told.
#[derive(Debug, Clone)]
pub struct CallPlan {
    /// The run's clock.
    pub clock: Clock,
    /// How long (or how many calls) each caller calls.
    pub length: Length,
    /// When calling starts, on the clock.
    pub start_ns: u64,
    /// Calls each caller keeps outstanding.
    pub in_flight: usize,
    /// The calls' padding.
    pub payload: Payload,
    /// How long a caller waits for its last answers once it has stopped calling.
    pub drain: Duration,
    /// Check the echo of one RESULT in this many.
    pub sample: u64,
}

/// What one caller saw.
#[derive(Debug, Clone)]
pub struct CallerStats {
    /// Calls sent.
    pub sent: u64,
    /// Calls answered with a RESULT, each once.
    pub answered: u64,
    /// Calls answered with an ERROR.
    pub errors: u64,
    /// Answers for calls that were not waiting for one (answered already, or never sent).
    pub duplicates: u64,
    /// Calls still unanswered at the end.
    pub unanswered: u64,
    /// Sampled RESULTs whose arguments were not the call's own.
    pub mismatched: u64,
    /// When the last answer arrived, on the run's clock.
    pub last_ns: Option<u64>,
    /// Round trips in nanoseconds.
    pub latency: Option<Histogram<u64>>,
    /// Why the caller stopped early, if it did.
    pub failure: Option<String>,
}

impl BareCaller {
    /// Connects to `url` and joins `realm` (`tls` for `wss://` and `rss://`), to call
    /// `procedure`.
    pub async fn connect(
        url: &str,
        realm: &str,
        serializer: Serializer,
        connect: &ConnectOptions,
        procedure: &str,
    ) -> Result<BareCaller, String> {
        let (conn, codec) = bare::join(url, realm, serializer, connect).await?;
        Ok(BareCaller {
            conn,
            codec,
            procedure: Uri::new(procedure),
            next_request: 1,
        })
    }

    /// Calls as the plan says, until every call is answered, the drain time has passed, the
    /// session ends or `stop` is closed.
    pub async fn call(mut self, plan: CallPlan, stop: async_channel::Receiver<()>) -> CallerStats {
        let mut stats = CallerStats {
            sent: 0,
            answered: 0,
            errors: 0,
            duplicates: 0,
            unanswered: 0,
            mismatched: 0,
            last_ns: None,
            latency: new_histogram(),
            failure: None,
        };
        let mut waiting = HashMap::with_capacity(plan.in_flight * 2);
        if let Err(e) = self.exchange(&plan, &mut waiting, &mut stats, &stop).await {
            stats.failure = Some(e);
        }
        stats.unanswered = waiting.len() as u64;
        let _ = rt::timeout(CLOSE_TIMEOUT, self.conn.writer.close()).await;
        stats
    }

    /// The calling loop: keep the window full while calling, then drain.
    async fn exchange(
        &mut self,
        plan: &CallPlan,
        waiting: &mut HashMap<u64, u64>,
        stats: &mut CallerStats,
        stop: &async_channel::Receiver<()>,
    ) -> Result<(), String> {
        let mut calling = true;
        let mut drain_until: Option<Instant> = None;
        let mut results = 0u64;
        loop {
            while calling && waiting.len() < plan.in_flight {
                let now = plan.clock.now_ns();
                if plan.length.reached(plan.start_ns, stats.sent, now) {
                    calling = false;
                    break;
                }
                self.send_call(plan, now).await?;
                waiting.insert(self.next_request - 1, now);
                stats.sent += 1;
            }
            if !calling && waiting.is_empty() {
                return Ok(());
            }
            let until = match (calling, drain_until) {
                (true, _) => None,
                (false, Some(t)) => Some(t),
                (false, None) => Some(*drain_until.insert(Instant::now() + plan.drain)),
            };
            let next = bare::recv_flushing(&mut self.conn, stop);
            let frame = match until {
                None => next.await?,
                Some(t) => match rt::timeout(t.saturating_duration_since(Instant::now()), next)
                    .await
                {
                    Ok(frame) => frame?,
                    Err(_) => return Err(format!("answers still missing after {:?}", plan.drain)),
                },
            };
            let Some(frame) = frame else {
                return Err("the session ended".to_owned());
            };
            let at = plan.clock.now_ns();
            match self.codec.decode_bytes(frame).map_err(|e| e.to_string())? {
                Message::Result {
                    request, payload, ..
                } => match waiting.remove(&request.0) {
                    Some(sent_ns) => {
                        stats.answered += 1;
                        stats.last_ns = Some(at);
                        if let Some(h) = &mut stats.latency {
                            record_latency(h, at.saturating_sub(sent_ns));
                        }
                        results += 1;
                        if results.is_multiple_of(plan.sample.max(1)) && !echoes(&payload, sent_ns)
                        {
                            stats.mismatched += 1;
                        }
                    }
                    None => stats.duplicates += 1,
                },
                Message::Error {
                    request_type: code::CALL,
                    request,
                    ..
                } => match waiting.remove(&request.0) {
                    Some(_) => stats.errors += 1,
                    None => stats.duplicates += 1,
                },
                Message::Goodbye { reason, .. } | Message::Abort { reason, .. } => {
                    return Err(format!("the router closed the session: {reason}"));
                }
                _ => {}
            }
        }
    }

    /// Queues one CALL stamped `now_ns` (written when the caller next waits).
    async fn send_call(&mut self, plan: &CallPlan, now_ns: u64) -> Result<(), String> {
        let call = Message::Call {
            request: RequestId(self.next_request),
            options: Dict::new(),
            procedure: self.procedure.clone(),
            payload: WampPayload::new(Some(plan.payload.args(now_ns)), None),
        };
        self.next_request += 1;
        let frame = self.codec.encode(&call).map_err(|e| e.to_string())?;
        self.conn
            .writer
            .feed(Bytes::from(frame))
            .await
            .map_err(|e| e.to_string())
    }
}

/// Whether a RESULT's arguments are the call's own (stamped `sent_ns`).
fn echoes(payload: &WampPayload, sent_ns: u64) -> bool {
    Received::classify(payload.args().ok().flatten().as_ref()) == Received::Stamped(sent_ns)
}

impl std::fmt::Debug for BareCaller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BareCaller")
            .field("codec", &self.codec)
            .field("procedure", &self.procedure)
            .finish()
    }
}
