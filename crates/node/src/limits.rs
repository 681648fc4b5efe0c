//! Fixed bounds of a connection's life that are not configuration (those are in
//! [`Limits`](crate::config::Limits)). Each keeps one peer from holding resources for ever.

use std::time::Duration;

/// After a session ends, how long its writer may take to send what is queued and close.
pub const FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

/// How long refusing a connection over the limit may take (reading its handshake, answering).
pub const REFUSAL_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a killed session (a slow consumer) may take to be told GOODBYE and closed: its peer
/// may not be reading at all.
pub const KILL_LINGER: Duration = Duration::from_secs(1);
