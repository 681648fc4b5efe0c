//! `crossway-loadgen`: publish/subscribe load against a WAMP router, with throughput, latency
//! and loss.
//!
//! P publishers and S subscribers, each its own connection and session (the Rust client of
//! `crossway-client`, so ws, wss, rs, rss and unix, any serializer), on one topic. Publishers
//! go as fast as the router takes it, or at a fixed total rate; each ends with an acknowledged
//! publish so that only what the router processed counts. Subscribers count deliveries and
//! record latency in an HDR histogram; loss is expected minus delivered.
//!
//! - [`options`]: [`Options`], the command line.
//! - [`run`]: [`run_all`] and [`run_once`]: set up, publish, drain, measure.
//! - [`publisher`]: unpaced publisher tasks and the paced sending thread.
//! - [`subscriber`]: counting and recording on the receiving side.
//! - [`lean`]: lean subscribers, which count EVENT frames and decode a sample.
//! - [`bare_publisher`]: lean publishers, bare sessions written by the pacing thread itself.
//! - [`bare`]: bare sessions over the transport (handshakes, HELLO, WELCOME).
//! - [`payload`]: the timestamp-and-padding arguments and the end marker.
//! - [`flow`]: the window that keeps unpaced publishers just ahead of the slowest subscriber.
//! - [`pacing`]: the run's clock and the schedule of paced sends.
//! - [`idle`]: [`run_idle`](idle::run_idle), idle sessions and the router's memory per session.
//! - [`cpu`]: CPU time and memory of a process from `/proc`.
//! - [`report`]: [`RunReport`], [`Medians`], the summary lines and the JSON.
//! - [`error`]: [`LoadError`], why a run stops.

pub mod bare;
pub mod bare_publisher;
pub mod cpu;
pub mod error;
pub mod flow;
pub mod idle;
pub mod lean;
pub mod options;
pub mod pacing;
pub mod payload;
pub mod publisher;
pub mod report;
pub mod run;
pub mod subscriber;

pub use error::LoadError;
pub use options::Options;
pub use report::{Medians, Results, RunReport};
pub use run::{run_all, run_once};
