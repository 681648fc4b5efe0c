//! One realm across several Crossway nodes, over NATS.
//!
//! Every node connects to NATS ([`ClusterSettings`]); no node talks to another directly. The
//! router's seam is `crossway_routing::cluster::ClusterLink`: this crate implements it, and hands
//! what arrives to the router's `cluster_*` methods. Publications cross on subjects made of their
//! realm and topic, and each node subscribes only to the patterns of its own sessions'
//! subscriptions (`subject`); call messages go to the callee's node; each node announces its
//! sessions, subscriptions and registrations, numbered, with heartbeats (`peers`), so that every
//! node's dealer holds every callee of the realm, the meta API counts the whole realm, and a node
//! that stops being heard is dropped after `node_timeout`.
//!
//! The NATS client (async-nats) runs on tokio: here, and only here, on a thread of its own with
//! a one-thread runtime, as the node keeps async-std behind its own seam. The router never waits
//! on it: what goes out waits in one bounded queue, and what could not go is counted.
//!
//! - `settings`: [`ClusterSettings`], the configuration's `cluster` block.
//! - `subject`: NATS subjects and patterns; the node's patterns, made not to overlap.
//! - `wire`: the messages between nodes and their encoding.
//! - `interest`: the node's NATS subscriptions for publications, read into one channel.
//! - `link`: the router's side (the `ClusterLink`), its queue and this node's own state.
//! - `tables`: one node's sessions, subscriptions and registrations.
//! - `peers`: the other nodes, their numbered changes, and when they are gone.
//! - `runner`: the cluster thread's task, between NATS and the router.
//! - `stats`: [`ClusterStats`], the counters behind the node's `crossway_cluster_*` metrics.

mod interest;
mod link;
mod peers;
mod runner;
mod settings;
mod stats;
mod subject;
mod tables;
mod wire;

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use async_nats::{ConnectOptions, Event, ServerAddr};
use crossway_routing::Router;
use tokio::sync::{mpsc, oneshot};

pub use settings::{ClusterSettings, NatsAuth, NatsTls};
pub use stats::{ClusterStats, StatsSnapshot};

use link::Link;
use peers::Peers;
use runner::{Parts, Runner};

/// The longest wait between two attempts to reach NATS.
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(5);

/// Why a node could not join its cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// A server address is not a NATS URL.
    #[error("cluster.nats.servers: '{0}' is not a NATS server address: {1}")]
    Server(String, String),
    /// The credentials file could not be read.
    #[error("cluster.nats.credentials: {0}")]
    Credentials(String),
    /// The cluster thread or its runtime could not start.
    #[error("cannot start the cluster thread: {0}")]
    Thread(String),
}

/// A node's membership of its cluster: the cluster thread, until [`Cluster::stop`].
#[derive(Debug)]
pub struct Cluster {
    stats: Arc<ClusterStats>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Cluster {
    /// Starts the cluster thread for `router`, and joins the router's realms to the cluster.
    /// Returns once the settings are checked; NATS is reached in the background (and reached
    /// again whenever it is lost), so a node starts while NATS is away.
    pub fn start(settings: ClusterSettings, router: Arc<Router>) -> Result<Cluster, ClusterError> {
        let servers = settings
            .servers
            .iter()
            .map(|s| {
                s.parse::<ServerAddr>()
                    .map_err(|e| ClusterError::Server(s.clone(), e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let stats = Arc::new(ClusterStats::default());
        let peers = Arc::new(Mutex::new(Peers::default()));
        let (queue_tx, queue_rx) = mpsc::channel(settings.queue.max(1));
        let link = Arc::new(Link::new(queue_tx, Arc::clone(&peers), Arc::clone(&stats)));
        let (stop_tx, stop_rx) = oneshot::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), ClusterError>>();
        let runner_link = Arc::clone(&link);
        let runner_peers = Arc::clone(&peers);
        let runner_stats = Arc::clone(&stats);
        let runner_router = Arc::clone(&router);
        let thread = std::thread::Builder::new()
            .name("crossway-cluster".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_tx.send(Err(ClusterError::Thread(e.to_string())));
                        return;
                    }
                };
                // Unconstrained: tokio's cooperative budget could make a queue with messages in it
                // say "not now", which would break the ordered batches `interest` takes.
                runtime.block_on(tokio::task::unconstrained(async move {
                    let (events_tx, events_rx) = mpsc::channel(64);
                    let options = match connect_options(&settings, events_tx).await {
                        Ok(options) => options,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let client = match options.connect(servers).await {
                        Ok(client) => client,
                        Err(e) => {
                            let _ = ready_tx.send(Err(ClusterError::Thread(e.to_string())));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(()));
                    let runner = Runner::new(Parts {
                        settings,
                        client,
                        router: runner_router,
                        link: runner_link,
                        peers: runner_peers,
                        stats: runner_stats,
                        queue: queue_rx,
                        events: events_rx,
                        stop: stop_rx,
                    });
                    runner.run().await;
                }));
            })
            .map_err(|e| ClusterError::Thread(e.to_string()))?;
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(ClusterError::Thread("the thread ended".to_owned())),
        }
        router.attach_cluster(link);
        Ok(Cluster {
            stats,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// The cluster's counters (shared with the cluster thread).
    pub fn stats(&self) -> Arc<ClusterStats> {
        Arc::clone(&self.stats)
    }

    /// Says goodbye to the other nodes (they drop this node's sessions at once rather than after
    /// `node_timeout`) and ends the cluster thread; waits for it (about two seconds at most).
    pub fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("cluster: the cluster thread panicked");
        }
    }
}

/// Whether `server` is a NATS server address (`nats://host:port`, `tls://host:port`, or
/// `host:port`); why not.
pub fn check_server(server: &str) -> Result<(), String> {
    server
        .parse::<ServerAddr>()
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The NATS client's options: name, authentication, TLS, no echo of the node's own messages,
/// endless reconnection with back-off, and connection events to `events`.
async fn connect_options(
    settings: &ClusterSettings,
    events: mpsc::Sender<Event>,
) -> Result<ConnectOptions, ClusterError> {
    let mut options = match &settings.auth {
        NatsAuth::Credentials(path) => ConnectOptions::with_credentials_file(path.clone())
            .await
            .map_err(|e| ClusterError::Credentials(format!("{}: {e}", path.display())))?,
        NatsAuth::UserPassword(user, password) => {
            ConnectOptions::with_user_and_password(user.clone(), password.clone())
        }
        NatsAuth::Token(token) => ConnectOptions::with_token(token.clone()),
        NatsAuth::None => ConnectOptions::new(),
    };
    if let Some(tls) = &settings.tls {
        options = options.require_tls(true);
        for ca in &tls.ca_certificates {
            options = options.add_root_certificates(ca.clone());
        }
        if let Some((cert, key)) = &tls.client {
            options = options.add_client_certificate(cert.clone(), key.clone());
        }
    }
    Ok(options
        .name(format!("crossway {}", settings.node))
        // A node's own publications were delivered here already: NATS must not hand them back.
        .no_echo()
        .retry_on_initial_connect()
        .max_reconnects(None)
        .connection_timeout(Duration::from_secs(5))
        .reconnect_delay_callback(reconnect_delay)
        .event_callback(move |event| {
            let events = events.clone();
            async move {
                let _ = events.send(event).await;
            }
        }))
}

/// The wait before reconnection attempt `attempt`: 50 ms, doubling, at most
/// [`MAX_RECONNECT_DELAY`].
fn reconnect_delay(attempt: usize) -> Duration {
    let shift = u32::try_from(attempt.min(16)).unwrap_or(16);
    Duration::from_millis(50u64.saturating_mul(1 << shift)).min(MAX_RECONNECT_DELAY)
}
