//! What stops a load run.

use crossway_client::ClientError;

/// Why a load run could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The options do not make a run.
    #[error("{0}")]
    Options(String),
    /// A publisher or subscriber could not connect or join.
    #[error("cannot connect {role} {index} to {url}")]
    Connect {
        /// `publisher` or `subscriber`.
        role: &'static str,
        /// Which one (from 0).
        index: usize,
        /// The router's URL.
        url: String,
        /// What the client said.
        #[source]
        source: Box<ClientError>,
    },
    /// A subscriber could not subscribe.
    #[error("subscriber {index} cannot subscribe")]
    Subscribe {
        /// Which one (from 0).
        index: usize,
        /// What the client said.
        #[source]
        source: Box<ClientError>,
    },
    /// A lean subscriber could not connect, join or subscribe (or connect and subscribe, for
    /// NATS and MQTT).
    #[error("cannot start lean subscriber {index} on {url}: {reason}")]
    Lean {
        /// Which one (from 0).
        index: usize,
        /// The router's URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// A publisher failed while publishing (its session closed, or the router refused).
    #[error("publisher {index} failed")]
    Publish {
        /// Which one (from 0).
        index: usize,
        /// What the client said.
        #[source]
        source: Box<ClientError>,
    },
    /// A lean publisher could not connect, or failed while publishing.
    #[error("lean publisher {index} failed: {reason}")]
    LeanPublish {
        /// Which one (from 0).
        index: usize,
        /// What went wrong.
        reason: String,
    },
    /// The lean callee or a lean caller of an RPC run could not connect, join or register.
    #[error("cannot start the {role} {index}: {reason}")]
    Rpc {
        /// `callee` or `caller`.
        role: &'static str,
        /// Which one (from 0).
        index: usize,
        /// What went wrong.
        reason: String,
    },
    /// The pacing thread could not be started or ended abnormally.
    #[error("the pacing thread failed: {0}")]
    Pacer(String),
    /// The results could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: String,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
}
