//! The validated configuration of a node.

use std::path::PathBuf;
use std::time::Duration;

use crossway_protocol::UriRules;
use crossway_routing::CallLimits;
use crossway_routing::{AuthPolicy, RealmOptions, RoleConfig};
use crossway_transport::tls::TlsSettings;
use crossway_transport::{ListenAddr, Serializer};

use crate::bridge::BridgeSecret;
use crate::proxy::ProxyPolicy;
use crate::throttle::ThrottleSettings;

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
    /// How log lines are written (`log_format: text | json`).
    pub log_format: LogFormat,
    /// The metrics and health endpoint (`metrics:`), if any.
    pub metrics: Option<MetricsSpec>,
    /// The cluster this node is part of (`cluster:`), if any.
    pub cluster: Option<crossway_cluster::ClusterSettings>,
    /// The realms, in file order.
    pub realms: Vec<RealmSpec>,
    /// The listening endpoints, in file order.
    pub endpoints: Vec<EndpointSpec>,
    /// The node-wide limits (`limits:`).
    pub limits: Limits,
    /// Things that are accepted but worth telling the operator (an ignored `dhparam`, a role an
    /// endpoint gives that a realm lacks).
    pub warnings: Vec<String>,
}

/// Bounds on what one peer, or all of them, may hold; every one has a safe default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Open connections on the whole node; more are refused (HTTP 503 or RawSocket error 4).
    pub max_connections: usize,
    /// How long TLS plus the WebSocket or RawSocket handshake may take.
    pub handshake_timeout: Duration,
    /// How long a connection may take from its handshake to WELCOME.
    pub hello_timeout: Duration,
    /// Silence from the peer after which the node pings it; `None` disables keep-alive.
    pub keepalive_interval: Option<Duration>,
    /// How long the peer has to show life after a ping before the connection is closed.
    pub keepalive_timeout: Duration,
    /// Whether RawSocket peers are pinged too. Off by default: autobahn-python's asyncio
    /// RawSocket client fails on any PING it receives, so only WebSocket peers are pinged.
    pub keepalive_rawsocket: bool,
    /// Frames one session's outbox holds.
    pub outbox_messages: usize,
    /// Bytes one session's outbox holds.
    pub outbox_bytes: usize,
    /// On shutdown, how long sessions have to answer GOODBYE and close.
    pub shutdown_timeout: Duration,
    /// How failed authentications slow later attempts from the same address.
    pub auth_throttle: ThrottleSettings,
    /// Calls in flight per caller and invocations in flight per callee.
    pub calls: CallLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 100_000,
            handshake_timeout: Duration::from_secs(10),
            hello_timeout: Duration::from_secs(10),
            keepalive_interval: Some(Duration::from_secs(30)),
            keepalive_timeout: Duration::from_secs(10),
            keepalive_rawsocket: false,
            outbox_messages: 4096,
            outbox_bytes: 16 << 20,
            shutdown_timeout: Duration::from_secs(5),
            auth_throttle: ThrottleSettings::default(),
            calls: CallLimits::default(),
        }
    }
}

/// One realm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealmSpec {
    /// The realm's URI.
    pub name: String,
    /// Which URI rules its topics must follow (`uri_check: loose | strict`).
    pub uri_check: UriRules,
    /// Its roles and their permissions; `None` (no `roles` key) lets every session do
    /// everything.
    pub roles: Option<Vec<RoleConfig>>,
    /// Its meta API, retention, history and testament settings (`meta_api`, `retention`,
    /// `history`, `testaments`).
    pub options: RealmOptions,
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
    /// Open connections on this endpoint at most; `None`: only the node's limit applies.
    pub max_connections: Option<usize>,
    /// How its sessions authenticate; without an `auth` block, [`AuthPolicy::open`]: anonymous
    /// sessions with role `anonymous`.
    pub auth: AuthPolicy,
    /// The proxies it trusts to name clients (`proxy:`); `None`: the socket's peer is the client.
    pub proxy: Option<ProxyPolicy>,
    /// The HTTP publish bridge on this endpoint's port (`http_publish:` or a `publish` path), if
    /// any.
    pub http_publish: Option<HttpPublishSpec>,
    /// Whether the WAMP WebSocket upgrade is served at `path` (false when `paths` names no
    /// websocket path).
    pub upgrade: bool,
    /// The static and redirect paths (`paths:`).
    pub web: Vec<WebPath>,
    /// The `Strict-Transport-Security` header of its HTTP answers (`hsts:`), if any.
    pub hsts: Option<HstsSpec>,
}

/// A static or redirect path of an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebPath {
    /// The path; it and everything below it are served.
    pub path: String,
    /// What is served there.
    pub kind: WebPathKind,
}

/// What a web path serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebPathKind {
    /// The files of a directory (canonical path), `index.html` for a directory.
    Static {
        /// The directory, symlinks resolved.
        directory: std::path::PathBuf,
    },
    /// A redirect to `url` followed by the part of the request's path below the entry's path
    /// and the query string.
    Redirect {
        /// The target, without a trailing `/`.
        url: String,
        /// 301, 302, 307 or 308.
        status: u16,
    },
}

/// The `hsts` block of a TLS endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HstsSpec {
    /// How long browsers keep to HTTPS, in seconds.
    pub max_age: u64,
    /// Whether subdomains are included.
    pub include_subdomains: bool,
}

impl HstsSpec {
    /// The header's value.
    pub fn header_value(&self) -> String {
        if self.include_subdomains {
            format!("max-age={}; includeSubDomains", self.max_age)
        } else {
            format!("max-age={}", self.max_age)
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// One line of text per event (colours only on a terminal).
    #[default]
    Text,
    /// One JSON object per line, with the connection's span fields.
    Json,
}

/// The `metrics` block: where GET /metrics and GET /health are served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsSpec {
    /// The address the metrics server listens on.
    pub listen: ListenAddr,
}

/// An endpoint's `http_publish` block: an HTTP POST path that publishes into a realm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpPublishSpec {
    /// The HTTP path of the bridge (`/publish`).
    pub path: String,
    /// The HMAC-SHA256 key the body is signed with (header `X-Signature`, hex); `None`: no
    /// signature is asked for.
    pub secret: Option<BridgeSecret>,
    /// The role the bridge's sessions have in the realm they publish into.
    pub role: String,
    /// The largest body accepted, in bytes.
    pub max_body: usize,
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
