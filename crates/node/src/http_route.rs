//! What an endpoint serves over plain HTTP besides its WebSocket upgrade: one handler per path
//! of the endpoint's [`HttpRoutes`](crossway_transport::HttpRoutes) table, index for index.
//! The HTTP publish bridge (an exact path), static files and redirects (a path and everything
//! below it).

use std::sync::Arc;

use crossway_transport::{HttpRequest, HttpRoute, HttpRoutes};
use tracing::debug;

use crate::bridge::Bridge;
use crate::config::HstsSpec;
use crate::connection::EndpointContext;
use crate::proxy::Origin;
use crate::web::{Redirect, StaticFiles};

/// The handler of one HTTP path.
#[derive(Debug, Clone)]
pub enum HttpHandler {
    /// The HTTP publish bridge (`http_publish`).
    Publish(Arc<Bridge>),
    /// A directory's files (`type: static`).
    Static(Arc<StaticFiles>),
    /// A redirect (`type: redirect`).
    Redirect(Arc<Redirect>),
}

impl HttpHandler {
    /// The path it serves.
    pub fn path(&self) -> &str {
        match self {
            HttpHandler::Publish(bridge) => bridge.path(),
            HttpHandler::Static(files) => files.path(),
            HttpHandler::Redirect(redirect) => redirect.path(),
        }
    }

    /// Whether it also serves every path below its own.
    pub fn is_prefix(&self) -> bool {
        !matches!(self, HttpHandler::Publish(_))
    }
}

/// The routing table of `handlers`, in their order; `upgrade`: whether the WebSocket upgrade is
/// served; `hsts`: the header every answer carries, if any.
pub fn routes_of(handlers: &[HttpHandler], upgrade: bool, hsts: Option<&HstsSpec>) -> HttpRoutes {
    let mut routes = HttpRoutes::new();
    routes.set_upgrade(upgrade);
    if let Some(hsts) = hsts {
        routes.add_always_header("Strict-Transport-Security", hsts.header_value());
    }
    for h in handlers {
        routes.add(HttpRoute {
            path: h.path().to_owned(),
            prefix: h.is_prefix(),
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
        HttpHandler::Static(files) => files.serve(request).await,
        HttpHandler::Redirect(redirect) => redirect.serve(request).await,
    }
}
