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
//! - [`counters`]: what happened to connections (handshake failures, timeouts).
//! - [`throttle`]: authentication failures per client address, and the wait they cost.
//! - [`proxy`]: behind a trusted proxy: the PROXY header, forwarding headers, the client's
//!   address decided once per connection.
//! - `call_timer`: ends calls whose timeout has passed.
//! - `reload`: TLS certificates picked up on SIGHUP and when their files change.
//! - [`signals`]: SIGINT and SIGTERM.
//! - [`logging`]: the log subscriber.
//! - [`cli`]: the `crossway` command line.
//! - [`certs`]: development certificates (`crossway certs`, `tls.create_if_missing`).
//! - [`import_crossbar`]: a Crossbar.io `config.json` as a `config.yaml` (`crossway import-crossbar`).
//! - [`tls_report`]: what each TLS endpoint offers (`crossway check`) and the TLS report.

mod call_timer;
pub mod certs;
pub mod cli;
pub mod config;
mod connection;
mod control;
pub mod counters;
mod endpoint;
pub mod gate;
pub mod import_crossbar;
pub mod limits;
pub mod logging;
pub mod node;
pub mod proxy;
mod reader;
mod reload;
pub mod signals;
mod stop;
pub mod throttle;
pub mod tls_report;
mod writer;

pub use node::{Node, StartError};
