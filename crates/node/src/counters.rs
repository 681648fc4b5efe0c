//! Counters of what happened on one endpoint, for logs, tests and the metrics endpoint
//! ([`crate::metrics`] turns them into series labelled with the endpoint's name).
//!
//! Every count is a relaxed atomic, bumped without a lock: a tally, not a synchronisation point.
//! Messages and bytes are counted per message on the reading side and per batch on the writing
//! side ([`Tally`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use crossway_protocol::Codec;
use crossway_protocol::message::code;
use crossway_routing::AuthMethod;

use crate::tls_failure::TlsFailure;

/// The WAMP message types counted, in the order of their codes; anything else counts as
/// `UNKNOWN` (the last slot).
pub const MESSAGE_TYPES: [u64; 25] = [
    code::HELLO,
    code::WELCOME,
    code::ABORT,
    code::CHALLENGE,
    code::AUTHENTICATE,
    code::GOODBYE,
    code::ERROR,
    code::PUBLISH,
    code::PUBLISHED,
    code::SUBSCRIBE,
    code::SUBSCRIBED,
    code::UNSUBSCRIBE,
    code::UNSUBSCRIBED,
    code::EVENT,
    code::EVENT_RECEIVED,
    code::CALL,
    code::CANCEL,
    code::RESULT,
    code::REGISTER,
    code::REGISTERED,
    code::UNREGISTER,
    code::UNREGISTERED,
    code::INVOCATION,
    code::INTERRUPT,
    code::YIELD,
];

/// Slots per serializer in the message counts: every type of [`MESSAGE_TYPES`], then `UNKNOWN`.
pub const TYPE_SLOTS: usize = MESSAGE_TYPES.len() + 1;

/// The authentication methods counted, in [`AuthMethod::ALL`] order.
pub const AUTH_SLOTS: usize = AuthMethod::ALL.len();

/// One endpoint's event counts.
#[derive(Debug)]
pub struct Counters {
    /// Connections accepted.
    pub connections_accepted: AtomicU64,
    /// Connections refused because the node was at `limits.max_connections`.
    pub refused_node_limit: AtomicU64,
    /// Connections refused because the endpoint was at its `max_connections`.
    pub refused_endpoint_limit: AtomicU64,
    /// TLS handshakes that failed, by [`TlsFailure`].
    pub tls_failures: [AtomicU64; TlsFailure::COUNT],
    /// WebSocket or RawSocket handshakes that failed after TLS (if any) succeeded.
    pub framing_handshake_failures: AtomicU64,
    /// Handshakes (TLS plus framing) that did not finish in time.
    pub handshake_timeouts: AtomicU64,
    /// Connections closed for want of an acceptable PROXY header: from a peer that is not a
    /// trusted proxy, without one, or with a malformed one.
    pub proxy_refusals: AtomicU64,
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
    /// When the server certificate in use expires (seconds since 1970); `i64::MIN` when the
    /// endpoint has no TLS or the certificate could not be read.
    pub certificate_not_after: AtomicI64,
    /// Sessions that authenticated, by method ([`AuthMethod::ALL`] order).
    pub auth_successes: [AtomicU64; AUTH_SLOTS],
    /// Authentications that failed (wrong or unknown credentials, malformed answers), by method.
    pub auth_failures: [AtomicU64; AUTH_SLOTS],
    /// Authentication verdicts held back because their address had failed before.
    pub auth_throttled: AtomicU64,
    /// WAMP messages received, by serializer ([`Codec::ALL`] order) and type.
    pub messages_in: [[AtomicU64; TYPE_SLOTS]; 3],
    /// WAMP messages sent, by serializer and type.
    pub messages_out: [[AtomicU64; TYPE_SLOTS]; 3],
    /// Octets of WAMP messages received (framing and TLS not counted).
    pub bytes_in: AtomicU64,
    /// Octets of WAMP messages sent (framing and TLS not counted).
    pub bytes_out: AtomicU64,
    /// Sessions open, by realm (in the order of the config's realms).
    pub sessions_open: Box<[AtomicU64]>,
    /// Requests to the HTTP publish bridge, by answer status ([`BRIDGE_STATUSES`] order).
    pub bridge_requests: [AtomicU64; BRIDGE_STATUSES.len()],
}

/// The statuses the HTTP publish bridge answers with, in the order of
/// [`Counters::bridge_requests`].
pub const BRIDGE_STATUSES: [u16; 12] = [200, 202, 400, 401, 403, 404, 405, 411, 413, 415, 500, 503];

/// Every endpoint's counters, in config order.
#[derive(Debug, Clone, Default)]
pub struct NodeCounters {
    endpoints: Vec<(String, Arc<Counters>)>,
}

impl NodeCounters {
    /// Adds endpoint `name`'s counters.
    pub fn push(&mut self, name: &str, counters: Arc<Counters>) {
        self.endpoints.push((name.to_owned(), counters));
    }

    /// Endpoint `name`'s counters.
    pub fn endpoint(&self, name: &str) -> Option<&Arc<Counters>> {
        self.endpoints
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c)
    }

    /// The sum over every endpoint of `value`.
    pub fn sum(&self, value: impl Fn(&Counters) -> u64) -> u64 {
        self.endpoints.iter().map(|(_, c)| value(c)).sum()
    }
}

/// Messages and bytes counted locally (one writer batch) and added to the shared counters at
/// once.
#[derive(Debug)]
pub struct Tally {
    by_type: [u32; TYPE_SLOTS],
    bytes: u64,
}

impl Counters {
    /// Counts of zero for an endpoint in a node with `realms` realms.
    pub fn new(realms: usize) -> Self {
        Counters {
            connections_accepted: AtomicU64::new(0),
            refused_node_limit: AtomicU64::new(0),
            refused_endpoint_limit: AtomicU64::new(0),
            tls_failures: Default::default(),
            framing_handshake_failures: AtomicU64::new(0),
            handshake_timeouts: AtomicU64::new(0),
            proxy_refusals: AtomicU64::new(0),
            slow_consumers: AtomicU64::new(0),
            keepalive_timeouts: AtomicU64::new(0),
            panics: AtomicU64::new(0),
            tls_reloads: AtomicU64::new(0),
            tls_reload_failures: AtomicU64::new(0),
            certificate_not_after: AtomicI64::new(i64::MIN),
            auth_successes: Default::default(),
            auth_failures: Default::default(),
            auth_throttled: AtomicU64::new(0),
            messages_in: Default::default(),
            messages_out: Default::default(),
            bytes_in: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
            sessions_open: (0..realms).map(|_| AtomicU64::new(0)).collect(),
            bridge_requests: Default::default(),
        }
    }

    /// Adds one to `counter`.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The value of `counter`.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    /// Connections refused at either limit.
    pub fn connections_refused(&self) -> u64 {
        Self::get(&self.refused_node_limit) + Self::get(&self.refused_endpoint_limit)
    }

    /// TLS handshakes that failed, whatever the reason.
    pub fn tls_handshake_failures(&self) -> u64 {
        self.tls_failures.iter().map(Self::get).sum()
    }

    /// Counts one TLS handshake failure.
    pub fn tls_failed(&self, why: TlsFailure) {
        if let Some(c) = self.tls_failures.get(why as usize) {
            Self::bump(c);
        }
    }

    /// Counts one authentication verdict of `method`.
    pub fn authenticated(&self, method: AuthMethod, ok: bool) {
        let slots = if ok {
            &self.auth_successes
        } else {
            &self.auth_failures
        };
        if let Some(i) = AuthMethod::ALL.iter().position(|m| *m == method)
            && let Some(c) = slots.get(i)
        {
            Self::bump(c);
        }
    }

    /// Authentications that failed, whatever the method.
    pub fn auth_failures_total(&self) -> u64 {
        self.auth_failures.iter().map(Self::get).sum()
    }

    /// Counts one received message of `len` octets whose type is `code`.
    pub fn received(&self, codec: Codec, code: u64, len: usize) {
        if let Some(c) = self
            .messages_in
            .get(codec_slot(codec))
            .and_then(|row| row.get(type_slot(code)))
        {
            Self::bump(c);
        }
        self.bytes_in.fetch_add(len as u64, Ordering::Relaxed);
    }

    /// Adds a writer's batch to the messages and bytes sent.
    pub fn sent(&self, codec: Codec, tally: &Tally) {
        if let Some(row) = self.messages_out.get(codec_slot(codec)) {
            for (slot, n) in row.iter().zip(tally.by_type) {
                if n > 0 {
                    slot.fetch_add(u64::from(n), Ordering::Relaxed);
                }
            }
        }
        if tally.bytes > 0 {
            self.bytes_out.fetch_add(tally.bytes, Ordering::Relaxed);
        }
    }

    /// Counts one request of the HTTP publish bridge answered with `status`.
    pub fn bridge_answered(&self, status: u16) {
        if let Some(i) = BRIDGE_STATUSES.iter().position(|s| *s == status)
            && let Some(c) = self.bridge_requests.get(i)
        {
            Self::bump(c);
        }
    }

    /// The count of messages of `codec` and type `code`, received (`incoming`) or sent.
    pub fn messages(&self, codec: Codec, code: u64, incoming: bool) -> u64 {
        let table = if incoming {
            &self.messages_in
        } else {
            &self.messages_out
        };
        table
            .get(codec_slot(codec))
            .and_then(|row| row.get(type_slot(code)))
            .map_or(0, Self::get)
    }
}

impl Tally {
    /// An empty tally.
    pub fn new() -> Self {
        Tally {
            by_type: [0; TYPE_SLOTS],
            bytes: 0,
        }
    }

    /// Counts one frame of `codec`: its type (read from its first octets) and its length.
    pub fn frame(&mut self, codec: Codec, frame: &[u8]) {
        let slot = crate::message_type::peek(codec, frame).map_or(TYPE_SLOTS - 1, type_slot);
        if let Some(n) = self.by_type.get_mut(slot) {
            *n = n.saturating_add(1);
        }
        self.bytes += frame.len() as u64;
    }
}

impl Default for Tally {
    fn default() -> Self {
        Self::new()
    }
}

/// The slot of a serializer in the message counts.
pub fn codec_slot(codec: Codec) -> usize {
    match codec {
        Codec::Json => 0,
        Codec::Cbor => 1,
        Codec::MsgPack => 2,
    }
}

/// The slot of message type `code` in the message counts (the last one for unknown types).
pub fn type_slot(code: u64) -> usize {
    MESSAGE_TYPES
        .iter()
        .position(|c| *c == code)
        .unwrap_or(TYPE_SLOTS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_its_slot_and_unknown_the_last() {
        assert_eq!(type_slot(code::HELLO), 0);
        assert_eq!(type_slot(code::YIELD), MESSAGE_TYPES.len() - 1);
        assert_eq!(type_slot(99), TYPE_SLOTS - 1);
    }

    #[test]
    fn a_tally_adds_to_the_shared_counts_once() {
        let counters = Counters::new(1);
        let mut tally = Tally::new();
        tally.frame(Codec::Json, b"[36,1,2,{}]");
        tally.frame(Codec::Json, b"[36,1,3,{}]");
        tally.frame(Codec::Json, b"[6,{},\"wamp.close.normal\"]");
        counters.sent(Codec::Json, &tally);
        assert_eq!(counters.messages(Codec::Json, code::EVENT, false), 2);
        assert_eq!(counters.messages(Codec::Json, code::GOODBYE, false), 1);
        assert_eq!(Counters::get(&counters.bytes_out), 11 + 11 + 26);
    }
}
