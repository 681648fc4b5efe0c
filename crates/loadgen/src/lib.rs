//! `crossway-loadgen`: publish/subscribe and RPC load against a WAMP router (or publish/subscribe
//! against a NATS server or an MQTT broker), with throughput, latency, loss and the router's CPU
//! per delivery or call.
//!
//! P publishers and S subscribers, each its own connection and session, on one topic: full Rust
//! clients of `crossway-client` (ws, wss, rs, rss and unix, any serializer), or lean clients that
//! skip decoding, for WAMP, NATS and MQTT alike. Publishers go as fast as the router takes it
//! (within an end-to-end window), or at a fixed total rate; each ends with an acknowledged
//! publication so that only what the router processed counts. Subscribers count deliveries and
//! record latency in an HDR histogram; loss is expected minus delivered. With `--rpc`, C lean
//! callers keep a window of calls each to one lean callee that echoes them.
//!
//! - [`options`]: [`Options`], the command line; [`protocol`]: WAMP, NATS or MQTT.
//! - [`run`]: [`run_all`] and [`run_once`]: publish, drain, measure; [`setup`]: connecting
//!   and closing a run's publishers and subscribers.
//! - [`publisher`]: unpaced publisher tasks (full and lean) and the paced sending thread.
//! - [`subscriber`]: counting and recording on the receiving side; [`tally`]: the same for
//!   lean subscribers of every protocol.
//! - [`lean`]: lean subscribers and publishers of every protocol behind one face.
//! - [`bare`]: bare WAMP sessions (handshakes, HELLO, WELCOME); [`bare_subscriber`],
//!   [`bare_publisher`], [`bare_caller`] and [`bare_callee`]: the lean WAMP clients.
//! - [`stream`]: a buffered byte stream; [`stream_client`]: a lean client of a stream protocol,
//!   generic over its [`Wire`](stream_client::Wire); [`nats`] and [`mqtt`]: the two wires.
//! - [`rpc`]: one RPC run; [`rpc_report`]: its report and medians.
//! - [`payload`]: the timestamp-and-padding arguments (and bodies) and the end marker.
//! - [`flow`]: the window that keeps unpaced publishers just ahead of the slowest subscriber.
//! - [`pacing`]: the run's clock and the schedule of paced sends.
//! - [`idle`]: [`run_idle`](idle::run_idle), idle sessions and the router's memory per session.
//! - [`meter`]: the CPU a run cost the router, the generator and the rest of the machine;
//!   [`cpu`]: CPU time and memory of a process from `/proc`.
//! - [`report`]: [`RunReport`], [`Medians`], the summary lines and the JSON.
//! - [`error`]: [`LoadError`], why a run stops.

pub mod bare;
pub mod bare_callee;
pub mod bare_caller;
pub mod bare_publisher;
pub mod bare_subscriber;
pub mod cpu;
pub mod error;
pub mod flow;
pub mod idle;
pub mod lean;
pub mod meter;
pub mod mqtt;
pub mod nats;
pub mod options;
pub mod pacing;
pub mod payload;
pub mod protocol;
pub mod publisher;
pub mod report;
pub mod rpc;
pub mod rpc_report;
pub mod run;
pub mod setup;
pub mod stream;
pub mod stream_client;
pub mod subscriber;
pub mod tally;

pub use error::LoadError;
pub use options::Options;
pub use report::{Medians, Results, RunReport};
pub use run::{run_all, run_once};
