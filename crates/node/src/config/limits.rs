//! Reading the node-wide `limits` block: connection counts, timeouts, outbox bounds and the
//! authentication throttle.

use config::Value;

use super::check::{Checker, Table};
use super::model::Limits;
use crate::throttle::ThrottleSettings;

const LIMIT_KEYS: &[&str] = &[
    "max_connections",
    "handshake_timeout",
    "hello_timeout",
    "keepalive_interval",
    "keepalive_timeout",
    "keepalive_rawsocket",
    "outbox_messages",
    "outbox_bytes",
    "shutdown_timeout",
    "auth_delay",
    "auth_delay_max",
    "auth_forget",
    "auth_peers",
    "calls_per_caller",
    "invocations_per_callee",
];

/// Reads the `limits` block; what is left out keeps its default.
pub fn read_limits(c: &mut Checker, value: &Value) -> Limits {
    let mut limits = Limits::default();
    let Some(t) = c.table("limits", value) else {
        return limits;
    };
    c.only_keys(&t, LIMIT_KEYS);
    if let Some(n) = c.optional_u64(&t, "max_connections") {
        limits.max_connections = positive(c, &t.child("max_connections"), n).unwrap_or(1);
    }
    for (key, slot) in [
        ("handshake_timeout", &mut limits.handshake_timeout),
        ("hello_timeout", &mut limits.hello_timeout),
        ("keepalive_timeout", &mut limits.keepalive_timeout),
        ("shutdown_timeout", &mut limits.shutdown_timeout),
    ] {
        if let Some(d) = c.optional_seconds(&t, key) {
            if d.is_zero() && key != "shutdown_timeout" {
                c.problem(&t.child(key), "must be more than 0 seconds");
            }
            *slot = d;
        }
    }
    if let Some(d) = c.optional_seconds(&t, "keepalive_interval") {
        limits.keepalive_interval = (!d.is_zero()).then_some(d);
    }
    if let Some(b) = c.optional_bool(&t, "keepalive_rawsocket") {
        limits.keepalive_rawsocket = b;
    }
    if let Some(n) = c.optional_u64(&t, "outbox_messages") {
        limits.outbox_messages = positive(c, &t.child("outbox_messages"), n).unwrap_or(1);
    }
    if let Some(n) = c.optional_u64(&t, "outbox_bytes") {
        limits.outbox_bytes = positive(c, &t.child("outbox_bytes"), n).unwrap_or(1);
    }
    if let Some(n) = c.optional_u64(&t, "calls_per_caller") {
        limits.calls.per_caller = positive(c, &t.child("calls_per_caller"), n).unwrap_or(1);
    }
    if let Some(n) = c.optional_u64(&t, "invocations_per_callee") {
        limits.calls.per_callee = positive(c, &t.child("invocations_per_callee"), n).unwrap_or(1);
    }
    limits.auth_throttle = read_throttle(c, &t);
    limits
}

/// `auth_delay`, `auth_delay_max`, `auth_forget` and `auth_peers`.
fn read_throttle(c: &mut Checker, t: &Table<'_>) -> ThrottleSettings {
    let mut s = ThrottleSettings::default();
    if let Some(d) = c.optional_seconds(t, "auth_delay") {
        s.delay = d;
    }
    if let Some(d) = c.optional_seconds(t, "auth_delay_max") {
        s.delay_max = d;
    }
    if s.delay_max < s.delay {
        let (key, message) = match t.get("auth_delay_max") {
            Some(_) => (
                "auth_delay_max",
                format!("must be at least auth_delay ({} s)", s.delay.as_secs_f64()),
            ),
            None => (
                "auth_delay",
                format!(
                    "must be at most auth_delay_max ({} s by default); set auth_delay_max too",
                    s.delay_max.as_secs_f64()
                ),
            ),
        };
        c.problem(&t.child(key), message);
    }
    if let Some(d) = c.optional_seconds(t, "auth_forget") {
        if d.is_zero() {
            c.problem(&t.child("auth_forget"), "must be more than 0 seconds");
        }
        s.forget = d;
    }
    if let Some(n) = c.optional_u64(t, "auth_peers") {
        s.peers = positive(c, &t.child("auth_peers"), n).unwrap_or(1);
    }
    s
}

/// `n` as a count of at least 1, or a problem at `path`.
pub fn positive(c: &mut Checker, path: &str, n: u64) -> Option<usize> {
    match usize::try_from(n) {
        Ok(n) if n >= 1 => Some(n),
        _ => {
            c.problem(path, "must be at least 1");
            None
        }
    }
}
