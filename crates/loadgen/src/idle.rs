//! Idle sessions: how much memory a router spends per joined session that does nothing, and
//! how many it holds.
//!
//! These sessions are bare (see [`bare`]: the transport's handshakes, HELLO,
//! WELCOME, then nothing), not [`Client`](crossway_client::Client)s: a client keeps queues of its
//! own, and tens of thousands of them would measure the generator rather than the router. For a
//! NATS server or an MQTT broker they are connections after CONNECT.

use crossway_client::ConnectOptions;
use std::time::{Duration, Instant};

use crossway_transport::rt;
use futures_util::StreamExt;
use futures_util::stream;
use serde::Serialize;

use crate::bare;
use crate::cpu;
use crate::error::LoadError;
use crate::mqtt;
use crate::nats;
use crate::options::Options;
use crate::protocol::Protocol;

/// How long one session may take to join.
const JOIN_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the router is given to settle before its memory is read again.
const SETTLE: Duration = Duration::from_secs(2);

/// What holding idle sessions cost the router.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdleReport {
    /// Sessions asked for.
    pub wanted: usize,
    /// Sessions joined and held.
    pub held: usize,
    /// Seconds taken to open them.
    pub connect_seconds: f64,
    /// The router's resident memory before, in KiB (with `--router-pid`).
    pub router_rss_before_kib: Option<u64>,
    /// The router's resident memory with every session held, in KiB.
    pub router_rss_after_kib: Option<u64>,
    /// The difference per held session, in bytes.
    pub router_bytes_per_session: Option<f64>,
    /// The first failure, if any session could not join.
    pub first_error: Option<String>,
}

/// Opens `count` sessions over the comma-separated `--url`s (round robin: more than one
/// listening port gets past the ephemeral ports of one address pair; each URL's scheme names its
/// protocol), holds them, and measures the router's memory.
pub async fn run_idle(opts: &Options, count: usize) -> Result<IdleReport, LoadError> {
    let urls: Vec<&str> = opts.url.split(',').map(str::trim).collect();
    let connect = &opts.connect_options();
    let rss_before = opts.router_pid.and_then(cpu::process_rss_kib);
    let started = Instant::now();
    let mut held = Vec::with_capacity(count);
    let mut first_error = None;
    let mut joins = stream::iter(0..count)
        .map(|i| {
            let url = urls.get(i % urls.len()).copied().unwrap_or_default();
            rt::timeout(JOIN_TIMEOUT, open(opts, url, connect))
        })
        .buffer_unordered(opts.connect_concurrency);
    while let Some(joined) = joins.next().await {
        match joined {
            Ok(Ok(session)) => held.push(session),
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(e) => {
                first_error.get_or_insert(e.to_string());
            }
        }
    }
    drop(joins);
    let connect_seconds = started.elapsed().as_secs_f64();
    rt::sleep(SETTLE).await;
    let rss_after = opts.router_pid.and_then(cpu::process_rss_kib);
    let per_session = match (rss_before, rss_after) {
        (Some(a), Some(b)) if !held.is_empty() => {
            Some((b.saturating_sub(a) * 1024) as f64 / held.len() as f64)
        }
        _ => None,
    };
    let report = IdleReport {
        wanted: count,
        held: held.len(),
        connect_seconds,
        router_rss_before_kib: rss_before,
        router_rss_after_kib: rss_after,
        router_bytes_per_session: per_session,
        first_error,
    };
    drop(held);
    Ok(report)
}

/// One idle session at `url`, whose protocol its scheme names: a joined WAMP session, a NATS
/// connection after CONNECT, an MQTT one after CONNACK. Held only to be dropped.
async fn open(
    opts: &Options,
    url: &str,
    connect: &ConnectOptions,
) -> Result<Box<dyn Send>, String> {
    let protocol = Protocol::of_url(url);
    Ok(match protocol {
        Protocol::Wamp => Box::new(
            bare::join(url, &opts.realm, opts.serializer, connect)
                .await?
                .0,
        ),
        Protocol::Nats => Box::new(nats::connect(&protocol.host_port(url)?, &opts.topic).await?),
        Protocol::Mqtt => Box::new(mqtt::connect(&protocol.host_port(url)?, &opts.topic).await?),
    })
}

impl std::fmt::Display for IdleReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "idle: {} of {} sessions joined in {:.1} s",
            self.held, self.wanted, self.connect_seconds
        )?;
        if let (Some(a), Some(b)) = (self.router_rss_before_kib, self.router_rss_after_kib) {
            write!(f, "; router RSS {a} KiB -> {b} KiB")?;
        }
        if let Some(per) = self.router_bytes_per_session {
            write!(f, " = {:.0} B ({:.2} KiB) per session", per, per / 1024.0)?;
        }
        if let Some(e) = &self.first_error {
            write!(f, "; first failure: {e}")?;
        }
        Ok(())
    }
}
