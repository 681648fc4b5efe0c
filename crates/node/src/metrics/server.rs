//! The metrics server: a small HTTP/1.1 server of the node's own for two GET paths, /metrics and
//! /health. One request per connection (answered with `Connection: close`); at most
//! [`MAX_REQUESTS`] connections at once (more are closed at once); each connection has
//! [`REQUEST_TIMEOUT`] in all, from accept to the last byte of the answer.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crossway_transport::{BoxedIo, ListenAddr, Listener, read_http_request, rt};
use futures_util::future::{Either, select};
use tracing::{debug, info, warn};

use super::collector::NodeMetrics;
use super::health::Health;
use crate::stop::StopSignal;

/// Scrapes served at once; a scraper beyond them is closed without an answer.
pub const MAX_REQUESTS: usize = 32;
/// The time one connection may take: reading the request, rendering, writing the answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The content type of the Prometheus text format.
const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The metrics server, bound.
pub struct MetricsServer {
    listener: Listener,
}

impl MetricsServer {
    /// Binds `addr`.
    pub async fn bind(addr: &ListenAddr) -> std::io::Result<MetricsServer> {
        Ok(MetricsServer {
            listener: Listener::bind(addr).await?,
        })
    }

    /// Where it listens (the real port when the config said port 0).
    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `stop` fires; requests under way finish on their own, within their time.
    pub async fn run(self, metrics: Arc<NodeMetrics>, health: Arc<Health>, stop: StopSignal) {
        if let Ok(addr) = self.listener.listen_addr() {
            info!(%addr, "metrics and health served at /metrics and /health");
        }
        let busy = Arc::new(AtomicUsize::new(0));
        loop {
            let accepted = select(Box::pin(self.listener.accept()), Box::pin(stop.stopped())).await;
            let Either::Left(((io, peer), _)) = accepted else {
                break;
            };
            if busy.fetch_add(1, Ordering::AcqRel) >= MAX_REQUESTS {
                busy.fetch_sub(1, Ordering::AcqRel);
                debug!(%peer, "metrics: too many requests at once; closed");
                continue;
            }
            let (metrics, health, busy) = (metrics.clone(), health.clone(), busy.clone());
            rt::spawn(async move {
                if rt::timeout(REQUEST_TIMEOUT, serve(io, &metrics, &health))
                    .await
                    .is_err()
                {
                    debug!(%peer, "metrics: request timed out");
                }
                busy.fetch_sub(1, Ordering::AcqRel);
            });
        }
        debug!("metrics server stopped");
    }
}

/// Answers one request.
async fn serve(io: BoxedIo, metrics: &Arc<NodeMetrics>, health: &Health) {
    let Ok(request) = read_http_request(io).await else {
        return;
    };
    let get = matches!(request.method(), "GET" | "HEAD");
    let head_only = request.method() == "HEAD";
    let (status, content_type, body) = match (request.path(), get) {
        ("/metrics", true) => match metrics.render() {
            Ok(text) => (200, CONTENT_TYPE, text),
            Err(e) => {
                warn!(error = %e, "metrics: cannot render");
                (500, "text/plain", "cannot render the metrics\n".to_owned())
            }
        },
        ("/health", true) => {
            let (status, word) = health.answer();
            (status, "text/plain", format!("{word}\n"))
        }
        ("/metrics" | "/health", false) => (405, "text/plain", "use GET\n".to_owned()),
        _ => (
            404,
            "text/plain",
            "nothing here: GET /metrics or /health\n".to_owned(),
        ),
    };
    let allow: &[(&str, &str)] = if status == 405 {
        &[("Allow", "GET, HEAD")]
    } else {
        &[("Cache-Control", "no-store")]
    };
    let body = if head_only { "" } else { body.as_str() };
    if let Err(e) = request
        .respond(status, content_type, allow, body.as_bytes())
        .await
    {
        debug!(error = %e, "metrics: cannot answer");
    }
}
