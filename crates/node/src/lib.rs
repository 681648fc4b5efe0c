//! The Crossway node: the process around the router.
//!
//! - [`config`]: the YAML configuration, checked, with every problem reported at once.
//! - [`node`]: binding every endpoint, serving, graceful shutdown.
//! - `endpoint`: one bound endpoint's accept loop.
//! - `connection`: one connection's task: handshake, then reader and writer side by side.
//! - `control`: the reader's requests to the writer (ping, close reason).
//! - `reader`: a session's reader (decode, handle, reply; HELLO deadline, keep-alive).
//! - `writer`: a session's writer (batches, one flush, pings, the slow-consumer GOODBYE).
//! - [`gate`]: the node's and each endpoint's connection limits.
//! - [`limits`]: the timeouts and queue bounds of a connection.
//! - `stop`: the stop signal and the count of live tasks.
//! - [`counters`]: what happened on each endpoint (connections, handshake failures, messages,
//!   bytes, sessions, authentications), counted without locks.
//! - [`metrics`]: GET /metrics (the Prometheus text format) and GET /health.
//! - [`tls_failure`]: why a TLS handshake failed, as a metrics label.
//! - `message_type`: the type of an encoded message, read from its first octets.
//! - `cert_expiry`: when a server certificate expires.
//! - [`bridge`]: the HTTP publish bridge (`http_publish`).
//! - `http_route`: an endpoint's HTTP paths and their handlers.
//! - `session_task`: a WAMP session's reader and writer side by side.
//! - [`throttle`]: authentication failures per client address, and the wait they cost.
//! - [`proxy`]: behind a trusted proxy: the PROXY header, forwarding headers, the client's
//!   address decided once per connection.
//! - `call_timer`: ends calls whose timeout has passed.
//! - `reload`: TLS certificates picked up on SIGHUP and when their files change.
//! - [`signals`]: SIGINT and SIGTERM.
//! - [`logging`]: the log subscriber.
//! - [`cli`]: the `crossway` command line.
//! - [`client_commands`]: `crossway pub`, `sub` and `call`, a WAMP client for scripts.
//! - [`certs`]: development certificates (`crossway certs`, `tls.create_if_missing`).
//! - [`device_certs`]: signing a device's certificate request (`crossway certs sign`), and
//!   making one (`crossway certs request`).
//! - [`import_crossbar`]: a Crossbar.io `config.json` as a `config.yaml` (`crossway import-crossbar`).
//! - [`tls_report`]: what each TLS endpoint offers (`crossway check`) and the TLS report.

pub mod bridge;
mod call_timer;
mod cert_expiry;
pub mod certs;
pub mod cli;
pub mod client_commands;
pub mod config;
mod connection;
mod control;
pub mod counters;
pub mod device_certs;
mod endpoint;
pub mod gate;
mod http_route;
pub mod import_crossbar;
pub mod limits;
pub mod logging;
mod message_type;
pub mod metrics;
pub mod node;
pub mod proxy;
mod reader;
mod reload;
mod session_task;
pub mod signals;
mod stop;
pub mod throttle;
pub mod tls_failure;
pub mod tls_report;
mod writer;

pub use node::{Node, StartError};
