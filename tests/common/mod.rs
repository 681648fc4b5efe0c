//! Shared helpers for the integration tests: a node on a free port, bounded waits.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crossway_node::Node;
use crossway_node::config::{EndpointSpec, NodeConfig, RealmSpec, TransportKind};
use crossway_protocol::UriRules;
use crossway_transport::{ListenAddr, Serializer};

/// How long any single wait in a test may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(5);

/// Runs a test body on the runtime.
pub fn run<F: Future>(f: F) -> F::Output {
    async_std::task::block_on(f)
}

/// Awaits `f`, failing the test if it takes longer than [`WAIT`].
pub async fn within<F: Future>(what: &str, f: F) -> F::Output {
    match async_std::future::timeout(WAIT, f).await {
        Ok(out) => out,
        Err(_) => panic!("timed out after {WAIT:?} waiting for {what}"),
    }
}

/// Awaits `f` and expects it NOT to complete within `d` (an event that must not arrive).
pub async fn nothing_within<F: Future>(d: Duration, f: F) -> bool {
    async_std::future::timeout(d, f).await.is_err()
}

/// A node running in this process on 127.0.0.1 with a free port.
pub struct TestNode {
    /// The WebSocket URL of its endpoint.
    pub url: String,
    /// Its bound address.
    pub addr: SocketAddr,
    /// Every endpoint's name and bound address, in config order.
    pub addrs: Vec<(String, SocketAddr)>,
    /// The node's counters.
    pub counters: crossway_node::counters::NodeCounters,
    /// Reloads the node's TLS certificates, as SIGHUP does.
    pub reload: crossway_node::node::ReloadHandle,
    /// The router (for session and subscription counts).
    pub router: std::sync::Arc<crossway_routing::Router>,
    /// The node's count of open connections.
    pub open: std::sync::Arc<crossway_node::gate::ConnectionCount>,
    /// Where its metrics server listens, if its config has one.
    pub metrics: Option<SocketAddr>,
    stop: async_channel::Sender<()>,
    task: async_std::task::JoinHandle<()>,
}

/// The realms every test node serves: `realm1` (loose URIs) and `strict1` (strict URIs).
pub fn default_realms() -> Vec<RealmSpec> {
    vec![
        RealmSpec {
            name: "realm1".into(),
            uri_check: UriRules::Loose,
            roles: None,
            options: Default::default(),
        },
        RealmSpec {
            name: "strict1".into(),
            uri_check: UriRules::Strict,
            roles: None,
            options: Default::default(),
        },
    ]
}

/// A node config with one WebSocket endpoint on 127.0.0.1:0.
pub fn ws_config(max_message_size: usize) -> NodeConfig {
    let mut ep = endpoint("test-ws");
    ep.max_message_size = max_message_size;
    node_config(vec![ep])
}

/// A node config with the default realms and limits and these endpoints.
pub fn node_config(endpoints: Vec<EndpointSpec>) -> NodeConfig {
    NodeConfig {
        file: PathBuf::from("test.yaml"),
        log_level: None,
        log_format: Default::default(),
        metrics: None,
        cluster: None,
        realms: default_realms(),
        endpoints,
        limits: Default::default(),
        warnings: Vec::new(),
    }
}

/// A plain WebSocket endpoint called `name` on 127.0.0.1:0 with every serializer.
pub fn endpoint(name: &str) -> EndpointSpec {
    EndpointSpec {
        name: name.into(),
        transport: TransportKind::WebSocket,
        listen: ListenAddr::Tcp("127.0.0.1:0".parse().unwrap()),
        path: "/ws".into(),
        serializers: Serializer::ALL.to_vec(),
        max_message_size: 1 << 20,
        tls: None,
        unix_mode: None,
        max_connections: None,
        auth: crossway_routing::AuthPolicy::open(),
        proxy: None,
        http_publish: None,
        upgrade: true,
        web: Vec::new(),
        hsts: None,
    }
}

impl TestNode {
    /// Starts a node with [`ws_config`] and a 1 MiB message limit.
    pub async fn start() -> TestNode {
        Self::start_with(ws_config(1 << 20)).await
    }

    /// Starts a node with `config`; its first endpoint gives [`TestNode::url`].
    pub async fn start_with(config: NodeConfig) -> TestNode {
        init_logs();
        let node = Node::bind(&config).await.expect("bind");
        let addrs = node.local_addrs();
        let (_, addr) = addrs[0].clone();
        let counters = node.counters();
        let reload = node.reload_handle();
        let router = node.router().clone();
        let open = node.open_connections();
        let metrics = node.metrics_addr();
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let task = async_std::task::spawn(node.run(async move {
            let _ = stopped.recv().await;
        }));
        TestNode {
            url: format!("ws://{addr}/ws"),
            addr,
            addrs,
            counters,
            reload,
            router,
            open,
            metrics,
            stop,
            task,
        }
    }

    /// Starts the node's graceful shutdown and waits for it to finish.
    pub async fn stop(self) {
        self.stop.close();
        within("node shutdown", self.task).await;
    }
}

/// Sends one HTTP/1.1 request to `addr` and reads the whole answer (the server closes the
/// connection): its status, its headers (names in lower case) and its body.
pub async fn http(addr: SocketAddr, request: &[u8]) -> (u16, Vec<(String, String)>, Vec<u8>) {
    use async_std::io::{ReadExt, WriteExt};
    let mut s = within("connect", async_std::net::TcpStream::connect(addr))
        .await
        .unwrap();
    s.write_all(request).await.unwrap();
    let mut raw = Vec::new();
    within("the HTTP answer", s.read_to_end(&mut raw))
        .await
        .unwrap();
    parse_answer(&raw)
}

/// An HTTP answer read whole: its status, its headers (names in lower case) and its body.
pub fn parse_answer(raw: &[u8]) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, raw[split + 4..].to_vec())
}

/// A WebSocket connection with no WAMP session on it: frames in and out as the test writes them.
pub async fn raw_ws(addr: SocketAddr, ser: Serializer) -> crossway_transport::Connection {
    let io = crossway_transport::connect_tcp(&addr.to_string())
        .await
        .unwrap();
    crossway_transport::connect_websocket(io, &format!("ws://{addr}/ws"), &[ser], 1 << 20)
        .await
        .unwrap()
}

/// A RawSocket connection with no WAMP session on it.
pub async fn raw_rs(addr: SocketAddr, ser: Serializer) -> crossway_transport::Connection {
    let io = crossway_transport::connect_tcp(&addr.to_string())
        .await
        .unwrap();
    crossway_transport::connect_rawsocket(io, ser, 1 << 20)
        .await
        .unwrap()
}

/// Waits (bounded by [`WAIT`]) until `cond` holds; returns whether it did.
pub async fn wait_for(cond: impl Fn() -> bool) -> bool {
    let deadline = std::time::Instant::now() + WAIT;
    while std::time::Instant::now() < deadline {
        if cond() {
            return true;
        }
        async_std::task::sleep(Duration::from_millis(10)).await;
    }
    cond()
}

/// Logs to the test's output when `RUST_LOG` is set.
fn init_logs() {
    if std::env::var("RUST_LOG").is_ok() {
        crossway_node::logging::init(None);
    }
}
