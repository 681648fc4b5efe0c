//! The validated configuration of a node.

use std::path::PathBuf;

use crossway_protocol::UriRules;
use crossway_transport::{ListenAddr, Serializer};

/// The default maximum size of one WAMP message: 1 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 1 << 20;
/// The largest `max_message_size` accepted: 64 MiB.
pub const MAX_MAX_MESSAGE_SIZE: usize = 64 << 20;
/// The smallest `max_message_size` accepted: 512 bytes (a HELLO must fit).
pub const MIN_MAX_MESSAGE_SIZE: usize = 512;
/// The default WebSocket path.
pub const DEFAULT_WS_PATH: &str = "/ws";

/// A node's whole configuration, checked.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// The file it was read from.
    pub file: PathBuf,
    /// The log filter (`info`, `debug`, `crossway_node=debug,info`, ...); `RUST_LOG` wins.
    pub log_level: Option<String>,
    /// The realms, in file order.
    pub realms: Vec<RealmSpec>,
    /// The listening endpoints, in file order.
    pub endpoints: Vec<EndpointSpec>,
}

/// One realm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealmSpec {
    /// The realm's URI.
    pub name: String,
    /// Which URI rules its topics must follow (`uri_check: loose | strict`).
    pub uri_check: UriRules,
}

/// Which framing an endpoint speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// WebSocket with the `wamp.2.<serializer>` subprotocols.
    WebSocket,
}

/// One listening endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointSpec {
    /// The endpoint's name, unique in the node (logs, metrics).
    pub name: String,
    /// Its framing.
    pub transport: TransportKind,
    /// Where it listens.
    pub listen: ListenAddr,
    /// The HTTP path of the WebSocket upgrade.
    pub path: String,
    /// The serializers it accepts, in the order it prefers them.
    pub serializers: Vec<Serializer>,
    /// The largest WAMP message it accepts or sends, in bytes.
    pub max_message_size: usize,
}
