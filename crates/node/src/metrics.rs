//! The metrics endpoint: GET /metrics (the Prometheus text format) and GET /health, served by a
//! small HTTP/1.1 server of the node's own on the `metrics.listen` address.
//!
//! - `collector`: [`NodeMetrics`], every series, read from the endpoints' [`Counters`], the
//!   connection counts and the router when scraped; the `prometheus-client` crate writes them.
//! - `health`: [`Health`], what GET /health answers: 200 while every endpoint listens, 503
//!   before and during shutdown.
//! - `server`: [`MetricsServer`], the bound listener and its bounded, time-limited requests.
//!
//! [`Counters`]: crate::counters::Counters

mod collector;
mod health;
mod server;

pub use collector::{EndpointMetrics, NodeMetrics};
pub use health::Health;
pub use server::MetricsServer;
