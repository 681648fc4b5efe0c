//! Fixed limits of a connection's life. Each is a bound that keeps one peer from holding
//! resources for ever; the README lists them.

use std::time::Duration;

/// How long the WebSocket upgrade (and later TLS) may take, from accept to the first WAMP byte.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a connection may stay open without completing HELLO -> WELCOME.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// How many encoded frames a session's outbox holds. Replies wait for room (which slows the
/// session's own reads); an event that finds the outbox full closes that session as a slow
/// consumer.
pub const OUTBOX_CAPACITY: usize = 4096;

/// How many frames the writer takes from the outbox before one flush.
pub const WRITE_BATCH: usize = 256;

/// After a session ends, how long its writer may take to send what is queued and close.
pub const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

/// On shutdown, how long the node waits for sessions to answer GOODBYE and close.
pub const SHUTDOWN_DRAIN: Duration = Duration::from_secs(5);
