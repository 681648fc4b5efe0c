//! A bound endpoint and its accept loop. The loop only accepts and spawns: every handshake runs
//! in the connection's own task.

use std::net::SocketAddr;
use std::sync::Arc;

use crossway_transport::{ListenAddr, Listener, rt};
use futures_util::future::{Either, select};
use tracing::{debug, info};

use crate::connection::{EndpointContext, serve};
use crate::counters::Counters;
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

    /// The TCP address the socket is bound to (the real port when the config said port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Where the endpoint listens: its TCP address or its Unix socket path.
    pub fn listen_addr(&self) -> std::io::Result<ListenAddr> {
        self.listener.listen_addr()
    }

    /// Accepts connections until the stop signal fires, spawning a task for each; the loop and
    /// each task hold a clone of `token`, so that shutdown can wait for all of them.
    pub async fn accept_loop(self, token: TaskToken) {
        let BoundEndpoint { listener, ctx } = self;
        if let Ok(addr) = listener.listen_addr() {
            let tls = if ctx.tls.is_some() { "tls" } else { "plain" };
            info!(endpoint = %ctx.name, %addr, transport = ctx.kind.name(), tls, "listening");
        }
        loop {
            let accepted = select(Box::pin(listener.accept()), Box::pin(ctx.stop.stopped())).await;
            match accepted {
                Either::Left(((io, peer), _)) => {
                    Counters::bump(&ctx.counters.connections_accepted);
                    debug!(endpoint = %ctx.name, %peer, "accepted");
                    rt::spawn(serve(io, peer, ctx.clone(), token.clone()));
                }
                Either::Right(((), _)) => break,
            }
        }
        debug!(endpoint = %ctx.name, "stopped accepting");
    }
}
