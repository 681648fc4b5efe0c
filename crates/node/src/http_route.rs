//! What an endpoint serves over plain HTTP besides its WebSocket upgrade: one handler per path
//! of the endpoint's [`HttpRoutes`](crossway_transport::HttpRoutes) table, index for index.
//! Today the HTTP publish bridge; static files or redirects would be more variants.

use std::sync::Arc;

use crossway_transport::{HttpRequest, HttpRoute, HttpRoutes};
use tracing::debug;

use crate::bridge::Bridge;
use crate::connection::EndpointContext;
use crate::proxy::Origin;

/// The handler of one HTTP path.
#[derive(Debug, Clone)]
pub enum HttpHandler {
    /// The HTTP publish bridge (`http_publish`).
    Publish(Arc<Bridge>),
}

impl HttpHandler {
    /// The path it serves.
    pub fn path(&self) -> &str {
        match self {
            HttpHandler::Publish(bridge) => bridge.path(),
        }
    }
}

/// The routing table of `handlers`, in their order.
pub fn routes_of(handlers: &[HttpHandler]) -> HttpRoutes {
    let mut routes = HttpRoutes::new();
    for h in handlers {
        routes.add(HttpRoute {
            path: h.path().to_owned(),
        });
    }
    routes
}

/// Answers a request for one of the endpoint's routes. It runs inside the connection's
/// handshake, so the request's head, its body and the answer together have
/// `limits.handshake_timeout`.
pub async fn serve_request(request: HttpRequest, origin: Origin, ep: &EndpointContext) {
    let Some(handler) = ep.http.get(request.route) else {
        debug!(route = request.route, "no handler for an HTTP route");
        return;
    };
    match handler {
        HttpHandler::Publish(bridge) => bridge.serve(request, origin, &ep.counters).await,
    }
}
