//! The node: binds every endpoint (all or nothing), serves until told to stop, then shuts down
//! gracefully.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crossway_cluster::{Cluster, ClusterError, ClusterStats};
use crossway_protocol::Uri;
use crossway_routing::auth::RandomFailed;
use crossway_routing::{Authenticator, RealmConfig, Router};
use crossway_transport::{
    BindOptions, ListenAddr, Listener, RawSocketServerConfig, WsServerConfig, rt,
};
use tracing::{info, warn};

use crossway_transport::tls::{TlsAcceptor, load_server_config};

use crate::bridge::Bridge;
use crate::call_timer;
use crate::certs;
use crate::config::{Limits, NodeConfig, TlsSpec, WebPathKind};
use crate::connection::EndpointContext;
use crate::counters::{Counters, NodeCounters};
use crate::endpoint::BoundEndpoint;
use crate::gate::{ConnectionCount, Gate};
use crate::http_route::{HttpHandler, routes_of};
use crate::metrics::{EndpointMetrics, Health, MetricsServer, NodeMetrics};
use crate::reload::{self, Reloadable};
use crate::stop::{StopSignal, StopTrigger, TaskCount, stop_signal};
use crate::throttle::AuthThrottle;
use crate::web::{Redirect, StaticFiles};

/// A node with every endpoint bound.
pub struct Node {
    open_connections: Arc<ConnectionCount>,
    shutdown_timeout: Duration,
    router: Arc<Router>,
    endpoints: Vec<BoundEndpoint>,
    trigger: StopTrigger,
    stop: StopSignal,
    counters: NodeCounters,
    metrics: Option<(MetricsServer, Arc<NodeMetrics>)>,
    health: Arc<Health>,
    reloadable: Vec<Reloadable>,
    reload_tx: async_channel::Sender<()>,
    reload_rx: async_channel::Receiver<()>,
    /// The cluster this node is part of, if any.
    cluster: Option<Cluster>,
}

/// Why the node could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// One or more endpoints could not bind; none was served.
    #[error("cannot listen: {}", .0.join("; "))]
    Bind(Vec<String>),
    /// One or more TLS endpoints could not load their certificates; none was served.
    #[error("cannot start TLS: {}", .0.join("; "))]
    Tls(Vec<String>),
    /// Authentication could not be set up (the system gave no randomness).
    #[error("cannot set up authentication: {0}")]
    Auth(#[from] RandomFailed),
    /// The node could not join its cluster.
    #[error("cannot join the cluster: {0}")]
    Cluster(#[from] ClusterError),
}

impl Node {
    /// Binds every endpoint of `config`. If any fails, none is kept and every failure is named.
    pub async fn bind(config: &NodeConfig) -> Result<Node, StartError> {
        let router = Router::with_limits(
            config
                .realms
                .iter()
                .map(|r| RealmConfig {
                    name: r.name.clone(),
                    uri_rules: r.uri_check,
                    roles: r.roles.clone(),
                    options: r.options.clone(),
                })
                .collect(),
            config.limits.calls,
        );
        for realm in &config.realms {
            info!(realm = %Uri::new(&realm.name), "realm ready");
        }
        for w in &config.warnings {
            warn!("{w}");
        }
        let (trigger, stop) = stop_signal();
        let realms: Arc<[String]> = config.realms.iter().map(|r| r.name.clone()).collect();
        let mut counters = NodeCounters::default();
        let mut acceptors = Vec::new();
        let mut reloadable = Vec::new();
        let mut tls_failures = Vec::new();
        for ep in &config.endpoints {
            let ep_counters = Arc::new(Counters::new(realms.len()));
            counters.push(&ep.name, ep_counters.clone());
            let acceptor = match &ep.tls {
                Some(spec) => match start_tls(&ep.name, spec) {
                    Ok(acceptor) => {
                        reloadable.push(Reloadable::new(
                            ep.name.clone(),
                            spec.settings.clone(),
                            acceptor.clone(),
                            ep_counters,
                        ));
                        Some(acceptor)
                    }
                    Err(mut problems) => {
                        tls_failures.append(&mut problems);
                        None
                    }
                },
                None => None,
            };
            acceptors.push(acceptor);
        }
        if !tls_failures.is_empty() {
            return Err(StartError::Tls(tls_failures));
        }
        let limits = Arc::new(config.limits.clone());
        let throttle = Arc::new(AuthThrottle::new(limits.auth_throttle));
        let node_count = ConnectionCount::new(limits.max_connections);
        let mut endpoints = Vec::new();
        let mut failures = Vec::new();
        let mut watched = Vec::new();
        for (ep, tls) in config.endpoints.iter().zip(acceptors) {
            let ep_count = ConnectionCount::new(ep.max_connections.unwrap_or(usize::MAX));
            let gate = Gate::new(node_count.clone(), ep_count.clone());
            let ep_counters = counters
                .endpoint(&ep.name)
                .cloned()
                .unwrap_or_else(|| Arc::new(Counters::new(realms.len())));
            watched.push(EndpointMetrics {
                name: ep.name.clone(),
                transport: ep.transport.name(),
                tls: ep.tls.is_some(),
                listen: ep.listen.to_string(),
                counters: ep_counters.clone(),
                open: ep_count,
            });
            let mut http = Vec::new();
            if let Some(spec) = &ep.http_publish {
                let bridge = Bridge::new(spec.clone(), &ep.name, router.clone())?;
                http.push(HttpHandler::Publish(Arc::new(bridge)));
            }
            for web in &ep.web {
                http.push(match &web.kind {
                    WebPathKind::Static { directory } => HttpHandler::Static(Arc::new(
                        StaticFiles::new(web.path.clone(), directory.clone()),
                    )),
                    WebPathKind::Redirect { url, status } => HttpHandler::Redirect(Arc::new(
                        Redirect::new(web.path.clone(), url.clone(), *status),
                    )),
                });
            }
            let shared = Shared {
                router: router.clone(),
                realms: realms.clone(),
                stop: stop.clone(),
                counters: ep_counters,
                limits: limits.clone(),
                throttle: throttle.clone(),
                auth: Arc::new(Authenticator::new(ep.auth.clone())?),
                http,
            };
            let options = BindOptions {
                unix_mode: ep.unix_mode,
            };
            match Listener::bind_with(&ep.listen, &options).await {
                Ok(listener) => {
                    endpoints.push(BoundEndpoint::new(listener, context(ep, tls, shared, gate)))
                }
                Err(e) => failures.push(format!("endpoint \"{}\" on {}: {e}", ep.name, ep.listen)),
            }
        }
        let metrics = match &config.metrics {
            Some(spec) => match MetricsServer::bind(&spec.listen).await {
                Ok(server) => Some(server),
                Err(e) => {
                    failures.push(format!("metrics on {}: {e}", spec.listen));
                    None
                }
            },
            None => None,
        };
        if !failures.is_empty() {
            return Err(StartError::Bind(failures));
        }
        let metrics = metrics.map(|server| {
            let node_metrics = Arc::new(NodeMetrics {
                endpoints: watched,
                realms: realms.to_vec(),
                router: router.clone(),
                cluster: None,
            });
            (server, node_metrics)
        });
        let (reload_tx, reload_rx) = async_channel::bounded(1);
        // Joined last, when nothing else can fail: a node that does not start leaves no trace
        // in the cluster.
        let cluster = match &config.cluster {
            Some(settings) => {
                info!(node = %settings.node, servers = ?settings.servers, "joining the cluster");
                Some(Cluster::start(settings.clone(), Arc::clone(&router))?)
            }
            None => None,
        };
        let metrics = metrics.map(|(server, mut node_metrics)| {
            if let (Some(node_metrics), Some(cluster)) = (Arc::get_mut(&mut node_metrics), &cluster)
            {
                node_metrics.cluster = Some(cluster.stats());
            }
            (server, node_metrics)
        });
        Ok(Node {
            open_connections: node_count,
            shutdown_timeout: limits.shutdown_timeout,
            router,
            endpoints,
            trigger,
            stop,
            counters,
            metrics,
            health: Arc::new(Health::new()),
            reloadable,
            reload_tx,
            reload_rx,
            cluster,
        })
    }

    /// The cluster's counters, if the node is part of one.
    pub fn cluster_stats(&self) -> Option<Arc<ClusterStats>> {
        self.cluster.as_ref().map(Cluster::stats)
    }

    /// Where the metrics server listens, if the config has one (the real port for port 0).
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics
            .as_ref()
            .and_then(|(server, _)| server.local_addr().ok())
    }

    /// What GET /health answers (shared with the running node).
    pub fn health(&self) -> Arc<Health> {
        self.health.clone()
    }

    /// How many connections are open on the whole node (a gauge, shared with the running node).
    pub fn open_connections(&self) -> Arc<ConnectionCount> {
        self.open_connections.clone()
    }

    /// Every endpoint's counters.
    pub fn counters(&self) -> NodeCounters {
        self.counters.clone()
    }

    /// A handle that makes every TLS endpoint reload its certificates (what SIGHUP does).
    pub fn reload_handle(&self) -> ReloadHandle {
        ReloadHandle {
            tx: self.reload_tx.clone(),
        }
    }

    /// Each endpoint's name and where it listens (the real port when the config said port 0),
    /// in config order.
    pub fn listen_addrs(&self) -> Vec<(String, ListenAddr)> {
        self.endpoints
            .iter()
            .filter_map(|e| Some((e.name().to_owned(), e.listen_addr().ok()?)))
            .collect()
    }

    /// Each TCP endpoint's name and bound address, in config order.
    pub fn local_addrs(&self) -> Vec<(String, SocketAddr)> {
        self.endpoints
            .iter()
            .filter_map(|e| Some((e.name().to_owned(), e.local_addr().ok()?)))
            .collect()
    }

    /// The router (for counts and tests).
    pub fn router(&self) -> &Arc<Router> {
        &self.router
    }

    /// Serves until `shutdown` completes, then stops accepting, sends every session GOODBYE
    /// `wamp.close.system_shutdown` and waits (at most `limits.shutdown_timeout`) for them to close.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Node {
            router,
            endpoints,
            trigger,
            stop,
            reloadable,
            reload_rx,
            metrics,
            health,
            shutdown_timeout,
            cluster,
            ..
        } = self;
        let timeouts = rt::spawn(call_timer::run(router.clone(), stop.clone()));
        let watcher = rt::spawn(reload::watch(reloadable, reload_rx, stop));
        // The metrics server outlives the drain, so that /health says 503 meanwhile.
        let (metrics_trigger, metrics_stop) = stop_signal();
        let metrics = metrics.map(|(server, node_metrics)| {
            rt::spawn(server.run(node_metrics, health.clone(), metrics_stop))
        });
        let tasks = TaskCount::new();
        let mut loops = Vec::new();
        for ep in endpoints {
            loops.push(rt::spawn(ep.accept_loop(tasks.token())));
        }
        health.serving();
        shutdown.await;
        health.draining();
        info!(sessions = router.session_count(), "shutting down");
        trigger.fire();
        for l in loops {
            l.await;
        }
        watcher.await;
        timeouts.await;
        router.shutdown();
        if tasks.wait_idle(shutdown_timeout).await {
            info!("every session closed");
        } else {
            warn!(
                sessions = router.session_count(),
                "sessions still open after {:?}; closing them", shutdown_timeout
            );
        }
        // Last: the other nodes have heard of every session that left; now they hear the node
        // go (at once, rather than after node_timeout).
        if let Some(cluster) = cluster {
            cluster.stop();
        }
        metrics_trigger.fire();
        if let Some(task) = metrics {
            task.await;
        }
    }
}

/// Makes a TLS endpoint's acceptor: creates development certificates first when the block asks
/// for it and none of its files exists; logs the loader's warnings.
fn start_tls(endpoint: &str, spec: &TlsSpec) -> Result<TlsAcceptor, Vec<String>> {
    if spec.create_if_missing {
        certs::create_if_missing(endpoint, &spec.settings)
            .map_err(|e| vec![format!("endpoint \"{endpoint}\": {e}")])?;
    }
    match load_server_config(&spec.settings) {
        Ok(loaded) => {
            for w in &loaded.warnings {
                warn!(endpoint, "{w}");
            }
            Ok(TlsAcceptor::new(loaded.config))
        }
        Err(problems) => Err(problems
            .iter()
            .map(|p| format!("endpoint \"{endpoint}\": {p}"))
            .collect()),
    }
}

/// Asks a running node to reload its TLS certificates.
#[derive(Debug, Clone)]
pub struct ReloadHandle {
    tx: async_channel::Sender<()>,
}

impl ReloadHandle {
    /// Requests a reload; requests made while one is pending are merged into it.
    pub fn reload(&self) {
        let _ = self.tx.try_send(());
    }
}

/// What every endpoint's connections share.
struct Shared {
    router: Arc<Router>,
    realms: Arc<[String]>,
    http: Vec<HttpHandler>,
    stop: StopSignal,
    counters: Arc<Counters>,
    limits: Arc<Limits>,
    throttle: Arc<AuthThrottle>,
    auth: Arc<Authenticator>,
}

fn context(
    ep: &crate::config::EndpointSpec,
    tls: Option<TlsAcceptor>,
    shared: Shared,
    gate: Gate,
) -> EndpointContext {
    let Shared {
        router,
        realms,
        http,
        stop,
        counters,
        limits,
        throttle,
        auth,
    } = shared;
    EndpointContext {
        auth,
        throttle,
        proxy: ep.proxy.clone(),
        tls,
        counters,
        limits,
        gate,
        name: ep.name.clone(),
        kind: ep.transport,
        routes: routes_of(&http, ep.upgrade, ep.hsts.as_ref()),
        http,
        realms,
        ws: WsServerConfig {
            path: ep.path.clone(),
            serializers: ep.serializers.clone(),
            max_message_size: ep.max_message_size,
        },
        rs: RawSocketServerConfig {
            serializers: ep.serializers.clone(),
            max_message_size: ep.max_message_size,
        },
        router,
        stop,
    }
}
