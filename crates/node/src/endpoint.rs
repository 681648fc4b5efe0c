//! A bound endpoint and its accept loop. The loop only accepts and spawns: every handshake runs
//! in the connection's own task.

use std::net::SocketAddr;
use std::sync::Arc;

use crossway_transport::{Listener, rt};
use futures_util::future::{Either, select};
use tracing::{debug, info};

use crate::connection::{EndpointContext, serve};
use crate::stop::TaskToken;

/// An endpoint whose socket is bound, ready to serve.
pub struct BoundEndpoint {
    listener: Listener,
    ctx: Arc<EndpointContext>,
}

impl BoundEndpoint {
    /// Pairs a bound listener with what its connections share.
    pub fn new(listener: Listener, ctx: EndpointContext) -> Self {
        BoundEndpoint {
            listener,
            ctx: Arc::new(ctx),
        }
    }

    /// The endpoint's name.
    pub fn name(&self) -> &str {
        &self.ctx.name
    }

    /// The address the socket is bound to (the real port when the config said port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts connections until the stop signal fires, spawning a task for each; the loop and
    /// each task hold a clone of `token`, so that shutdown can wait for all of them.
    pub async fn accept_loop(self, token: TaskToken) {
        let BoundEndpoint { listener, ctx } = self;
        if let Ok(addr) = listener.local_addr() {
            info!(endpoint = %ctx.name, %addr, path = %ctx.ws.path, "listening");
        }
        loop {
            let accepted = select(Box::pin(listener.accept()), Box::pin(ctx.stop.stopped())).await;
            match accepted {
                Either::Left(((io, peer), _)) => {
                    debug!(endpoint = %ctx.name, %peer, "accepted");
                    rt::spawn(serve(io, peer, ctx.clone(), token.clone()));
                }
                Either::Right(((), _)) => break,
            }
        }
        debug!(endpoint = %ctx.name, "stopped accepting");
    }
}
