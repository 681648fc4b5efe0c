//! How a node joins a cluster: its name, the NATS servers and how to authenticate to them, the
//! subjects' prefix, and the timing of heartbeats and failure detection.

use std::path::PathBuf;
use std::time::Duration;

/// The default subject prefix.
const DEFAULT_SUBJECT_PREFIX: &str = "crossway";
/// The default time between heartbeats.
const DEFAULT_HEARTBEAT_INTERVAL: Duration = Duration::from_secs(1);
/// The default silence after which a node is gone.
const DEFAULT_NODE_TIMEOUT: Duration = Duration::from_secs(5);
/// The default bound of the queue of messages waiting to cross.
const DEFAULT_QUEUE: usize = 65_536;

/// A node's cluster settings (the configuration's `cluster` block).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterSettings {
    /// This node's name, unique in the cluster.
    pub node: String,
    /// The NATS servers (`nats://host:port`, `tls://host:port`).
    pub servers: Vec<String>,
    /// How the node authenticates to NATS.
    pub auth: NatsAuth,
    /// TLS to NATS beyond what a `tls://` URL asks for.
    pub tls: Option<NatsTls>,
    /// The first token of every subject the cluster uses.
    pub subject_prefix: String,
    /// Time between this node's heartbeats.
    pub heartbeat_interval: Duration,
    /// Silence after which another node is gone.
    pub node_timeout: Duration,
    /// Publications and call messages waiting to cross, at most; more are dropped and counted.
    pub queue: usize,
}

/// How a node authenticates to NATS.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum NatsAuth {
    /// No credentials.
    #[default]
    None,
    /// A NATS `.creds` file (a user JWT and its NKey seed).
    Credentials(PathBuf),
    /// A user name and password.
    UserPassword(String, String),
    /// A token.
    Token(String),
}

/// TLS to NATS.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NatsTls {
    /// CA certificates (PEM) that verify the servers, beyond the system's.
    pub ca_certificates: Vec<PathBuf>,
    /// A client certificate (PEM) and its key, for servers that verify clients.
    pub client: Option<(PathBuf, PathBuf)>,
}

impl ClusterSettings {
    /// Settings with every default, for node `node` and NATS `servers`.
    pub fn new(node: &str, servers: Vec<String>) -> ClusterSettings {
        ClusterSettings {
            node: node.to_owned(),
            servers,
            auth: NatsAuth::None,
            tls: None,
            subject_prefix: DEFAULT_SUBJECT_PREFIX.to_owned(),
            heartbeat_interval: DEFAULT_HEARTBEAT_INTERVAL,
            node_timeout: DEFAULT_NODE_TIMEOUT,
            queue: DEFAULT_QUEUE,
        }
    }
}
