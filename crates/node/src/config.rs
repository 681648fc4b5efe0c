//! The node's configuration: a YAML file read with the `config` crate, environment overrides
//! (`CROSSWAY_LOG_LEVEL`) and references (`${VAR}`), unknown keys refused, every problem reported at once with its key
//! path and line.
//!
//! - `model`: the checked configuration types.
//! - `load`: reading a file into the model.
//! - `check`: the walker that collects problems.
//! - `guard`: a flat first pass that refuses YAML too deep or too large for the loaders.
//! - `lines`: where each key stands in the file.
//! - `env`: `${VAR}` references in string values, replaced from the environment.
//! - `limits`: the node-wide `limits` block.
//! - `tls`: an endpoint's `tls` block.
//! - `metrics`: the node's `metrics` block (GET /metrics, GET /health).
//! - `cluster`: the node's `cluster` block (one realm across nodes, over NATS).
//! - `http_publish`: an endpoint's `http_publish` block (the HTTP publish bridge).
//! - `proxy`: an endpoint's `proxy` block (trusted proxies, PROXY header, forwarding headers).
//! - `auth`, `principals`: an endpoint's `auth` block, its methods and their principals.
//! - `roles`: a realm's roles and their permissions.
//! - `realm_options`: a realm's meta API, retention, history and testament keys.
//! - `coverage`: warnings about roles an endpoint gives that a realm lacks.
//! - `problem`: the problems and how they are shown.

mod auth;
mod check;
mod cluster;
mod coverage;
mod env;
mod guard;
mod http_publish;
mod limits;
mod lines;
mod load;
mod metrics;
mod model;
mod principals;
mod problem;
mod proxy;
mod realm_options;
mod roles;
mod tls;
mod web;

pub use http_publish::{
    DEFAULT_MAX_BODY, DEFAULT_PUBLISH_PATH, DEFAULT_PUBLISH_ROLE, MAX_MAX_BODY,
};
pub use load::{ENV_PREFIX, load, load_with_env};
pub use model::{
    DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_WS_PATH, EndpointSpec, HstsSpec, HttpPublishSpec, Limits,
    LogFormat, MAX_MAX_MESSAGE_SIZE, MIN_MAX_MESSAGE_SIZE, MetricsSpec, NodeConfig, RealmSpec,
    TlsSpec, TransportKind, WebPath, WebPathKind,
};
pub use problem::{ConfigErrors, Problem};
pub use web::DEFAULT_HSTS_MAX_AGE;
