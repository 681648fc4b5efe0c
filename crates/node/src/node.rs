//! The node: binds every endpoint (all or nothing), serves until told to stop, then shuts down
//! gracefully.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use crossway_protocol::Uri;
use crossway_routing::{RealmConfig, Router};
use crossway_transport::{Listener, WsServerConfig, rt};
use tracing::{info, warn};

use crate::config::NodeConfig;
use crate::connection::EndpointContext;
use crate::endpoint::BoundEndpoint;
use crate::limits::SHUTDOWN_DRAIN;
use crate::stop::{StopSignal, StopTrigger, TaskCount, stop_signal};

/// A node with every endpoint bound.
pub struct Node {
    router: Arc<Router>,
    endpoints: Vec<BoundEndpoint>,
    trigger: StopTrigger,
}

/// Why the node could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// One or more endpoints could not bind; none was served.
    #[error("cannot listen: {}", .0.join("; "))]
    Bind(Vec<String>),
}

impl Node {
    /// Binds every endpoint of `config`. If any fails, none is kept and every failure is named.
    pub async fn bind(config: &NodeConfig) -> Result<Node, StartError> {
        let router = Router::new(
            config
                .realms
                .iter()
                .map(|r| RealmConfig {
                    name: r.name.clone(),
                    uri_rules: r.uri_check,
                })
                .collect(),
        );
        for realm in &config.realms {
            info!(realm = %Uri::new(&realm.name), "realm ready");
        }
        let (trigger, stop) = stop_signal();
        let mut endpoints = Vec::new();
        let mut failures = Vec::new();
        for ep in &config.endpoints {
            match Listener::bind(&ep.listen).await {
                Ok(listener) => endpoints.push(BoundEndpoint::new(
                    listener,
                    context(ep, router.clone(), stop.clone()),
                )),
                Err(e) => failures.push(format!("endpoint \"{}\" on {}: {e}", ep.name, ep.listen)),
            }
        }
        if !failures.is_empty() {
            return Err(StartError::Bind(failures));
        }
        Ok(Node {
            router,
            endpoints,
            trigger,
        })
    }

    /// Each endpoint's name and bound address, in config order.
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
    /// `wamp.close.system_shutdown` and waits (at most [`SHUTDOWN_DRAIN`]) for them to close.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let Node {
            router,
            endpoints,
            trigger,
        } = self;
        let tasks = TaskCount::new();
        let mut loops = Vec::new();
        for ep in endpoints {
            loops.push(rt::spawn(ep.accept_loop(tasks.token())));
        }
        shutdown.await;
        info!(sessions = router.session_count(), "shutting down");
        trigger.fire();
        for l in loops {
            l.await;
        }
        router.shutdown();
        if tasks.wait_idle(SHUTDOWN_DRAIN).await {
            info!("every session closed");
        } else {
            warn!(
                sessions = router.session_count(),
                "sessions still open after {:?}; closing them", SHUTDOWN_DRAIN
            );
        }
    }
}

fn context(
    ep: &crate::config::EndpointSpec,
    router: Arc<Router>,
    stop: StopSignal,
) -> EndpointContext {
    EndpointContext {
        name: ep.name.clone(),
        ws: WsServerConfig {
            path: ep.path.clone(),
            serializers: ep.serializers.clone(),
            max_message_size: ep.max_message_size,
        },
        router,
        stop,
    }
}
