//! The validated configuration of a node.

use std::path::PathBuf;

use crossway_protocol::UriRules;
use crossway_transport::tls::TlsSettings;
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
    /// Things that are accepted but worth telling the operator (an ignored `dhparam`).
    pub warnings: Vec<String>,
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
    /// WAMP RawSocket (the 0x7F handshake and 4-octet framing).
    RawSocket,
    /// Both on one port: the first octet decides (0x7F is RawSocket, anything else HTTP).
    Universal,
}

impl TransportKind {
    /// The name the configuration uses.
    pub fn name(self) -> &'static str {
        match self {
            TransportKind::WebSocket => "websocket",
            TransportKind::RawSocket => "rawsocket",
            TransportKind::Universal => "universal",
        }
    }
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
    /// TLS settings; `None` for a plain endpoint.
    pub tls: Option<TlsSpec>,
    /// The permission bits of a Unix socket file (`listen: unix:...`); `None` keeps the umask's.
    pub unix_mode: Option<u32>,
}

/// An endpoint's `tls` block, with paths resolved against the config file's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSpec {
    /// The settings the TLS layer builds its acceptor from.
    pub settings: TlsSettings,
    /// Development only: create a CA, a server and a client certificate at these paths when
    /// none of the files exists yet.
    pub create_if_missing: bool,
}
