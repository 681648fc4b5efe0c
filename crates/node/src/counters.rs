//! Counters of what happened to connections, for logs, tests and the metrics endpoint.

use std::sync::atomic::{AtomicU64, Ordering};

/// Node-wide event counts. Relaxed atomics: each is a tally, not a synchronisation point.
#[derive(Debug, Default)]
pub struct Counters {
    /// Connections accepted on every endpoint.
    pub connections_accepted: AtomicU64,
    /// TLS handshakes that failed (bad or missing client certificate, protocol mismatch, ...).
    pub tls_handshake_failures: AtomicU64,
    /// WebSocket or RawSocket handshakes that failed after TLS (if any) succeeded.
    pub framing_handshake_failures: AtomicU64,
    /// Handshakes (TLS plus framing) that did not finish in time.
    pub handshake_timeouts: AtomicU64,
    /// Connections closed for want of an acceptable PROXY header: from a peer that is not a
    /// trusted proxy, without one, or with a malformed one.
    pub proxy_refusals: AtomicU64,
    /// Connections refused because the node or the endpoint was at its connection limit.
    pub connections_refused: AtomicU64,
    /// Sessions closed because their outbox was full (slow consumers).
    pub slow_consumers: AtomicU64,
    /// Connections closed because the peer did not answer a keep-alive ping.
    pub keepalive_timeouts: AtomicU64,
    /// Connection tasks that panicked (a bug; the node goes on).
    pub panics: AtomicU64,
    /// TLS reloads that put new certificates in use.
    pub tls_reloads: AtomicU64,
    /// TLS reloads refused because a new file was broken (the old certificates stay).
    pub tls_reload_failures: AtomicU64,
    /// Sessions that authenticated (any method, anonymous included).
    pub auth_successes: AtomicU64,
    /// Authentications that failed (wrong or unknown credentials, malformed answers).
    pub auth_failures: AtomicU64,
    /// Authentication verdicts held back because their address had failed before.
    pub auth_throttled: AtomicU64,
}

impl Counters {
    /// Adds one to `counter`.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The value of `counter`.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}
