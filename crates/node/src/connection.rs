//! One connection's task: the framing handshake, then the session's reader and writer running
//! side by side until either ends.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use crossway_routing::{Authenticator, ClientCertificate, PeerAddress, Router};
use crossway_transport::tls::{PeerIdentity, TlsAcceptor};
use crossway_transport::{
    Accepted, BoxedIo, Connection, HandshakeError, HttpRoutes, PeerAddr, RawSocketServerConfig,
    Refusal, WsServerConfig, refuse_over_limit, rt,
};
use futures_util::FutureExt;
use tracing::{Instrument, Span, debug, error, field, info_span, warn};

use crate::config::{Limits, TransportKind};
use crate::counters::Counters;
use crate::gate::{Full, Gate};
use crate::http_route::{HttpHandler, serve_request};
use crate::limits::REFUSAL_TIMEOUT;
use crate::proxy::{Origin, ProxyPolicy, ProxyRefusal};
use crate::session_task::run_session;
use crate::stop::{StopSignal, TaskToken};
use crate::throttle::AuthThrottle;
use crate::tls_failure::TlsFailure;

/// What every connection of one endpoint shares.
#[derive(Debug)]
pub struct EndpointContext {
    /// The endpoint's name.
    pub name: String,
    /// Its framing.
    pub kind: TransportKind,
    /// Its WebSocket settings (websocket and universal endpoints).
    pub ws: WsServerConfig,
    /// Its RawSocket settings (rawsocket and universal endpoints).
    pub rs: RawSocketServerConfig,
    /// The TLS acceptor, for a TLS endpoint.
    pub tls: Option<TlsAcceptor>,
    /// The paths it serves over HTTP besides the WebSocket upgrade (websocket and universal
    /// endpoints), and their handlers, index for index.
    pub routes: HttpRoutes,
    /// The handler of each of `routes`.
    pub http: Vec<HttpHandler>,
    /// The router.
    pub router: Arc<Router>,
    /// The node's realms, in config order (the slots of the sessions-open counts).
    pub realms: Arc<[String]>,
    /// This endpoint's counters.
    pub counters: Arc<Counters>,
    /// The node's stop signal.
    pub stop: StopSignal,
    /// The node's limits.
    pub limits: Arc<Limits>,
    /// The connection limits this endpoint admits under.
    pub gate: Gate,
    /// How this endpoint authenticates sessions.
    pub auth: Arc<Authenticator>,
    /// The node's authentication failures by client address.
    pub throttle: Arc<AuthThrottle>,
    /// The proxies this endpoint trusts to name clients, if any.
    pub proxy: Option<ProxyPolicy>,
}

/// Serves one accepted connection to its end. Never panics on peer input; every failure ends
/// this connection only.
///
/// Memory matters here: this future is what an idle connection costs, so its parts that only run
/// once (the refusal, the TLS and framing handshakes) are boxed and freed when done, and nothing
/// is held twice (a plain function builds the future rather than an `async fn` that would keep
/// its arguments beside it).
pub fn serve(
    io: BoxedIo,
    peer: PeerAddr,
    ep: Arc<EndpointContext>,
    token: TaskToken,
) -> impl Future<Output = ()> + Send {
    let counters = ep.counters.clone();
    let mut origin = Origin::direct(client_address(&peer), ep.tls.is_some());
    let span = info_span!(
        "session",
        id = field::Empty,
        peer = field::Empty,
        proxy = field::Empty,
        endpoint = %ep.name,
        realm = field::Empty,
        authid = field::Empty,
        cert = field::Empty
    );
    // The span's `peer` is written once, when it is final: at once without a proxy, else when
    // the handshake has decided it (or failed).
    let proxied = ep.proxy.is_some();
    if !proxied {
        origin.record_in(&span);
    }
    let work = async move {
        let _token = token;
        let settled = |origin: &Origin| {
            if proxied {
                origin.record_in(&Span::current());
            }
        };
        let _permit = match ep.gate.admit() {
            Ok(permit) => permit,
            Err(full) => {
                settled(&origin);
                Counters::bump(match full {
                    Full::Node(_) => &ep.counters.refused_node_limit,
                    Full::Endpoint(_) => &ep.counters.refused_endpoint_limit,
                });
                warn!("refusing a connection: {full}");
                Box::pin(refuse(
                    io,
                    &ep,
                    origin,
                    format!("too many connections: {full}"),
                ))
                .await;
                return;
            }
        };
        // The handshake works on a copy of the origin and gives it back: on a timeout the
        // socket's address stands.
        let handshake = Box::pin(handshake(io, &ep, origin));
        let (conn, cert) = match rt::timeout(ep.limits.handshake_timeout, handshake).await {
            Ok((decided, Ok(Some(done)))) => {
                origin = decided;
                settled(&origin);
                done
            }
            Ok((decided, Ok(None))) => {
                // A plain HTTP request, answered within the handshake.
                settled(&decided);
                return;
            }
            Ok((decided, Err(Failure::Proxy(refusal)))) => {
                settled(&decided);
                Counters::bump(&ep.counters.proxy_refusals);
                if refusal.is_silent() {
                    debug!(reason = %refusal, "closed: no PROXY header");
                } else {
                    warn!(reason = %refusal, "closed: no acceptable PROXY header");
                }
                return;
            }
            Ok((decided, Err(failure))) => {
                settled(&decided);
                match &failure {
                    Failure::Tls(e) => {
                        let why = TlsFailure::of(e);
                        ep.counters.tls_failed(why);
                        debug!(reason = %failure, kind = why.label(), "TLS handshake failed");
                    }
                    Failure::Framing(_) | Failure::Proxy(_) => {
                        Counters::bump(&ep.counters.framing_handshake_failures);
                        debug!(reason = %failure, "handshake failed");
                    }
                }
                return;
            }
            Err(_) => {
                settled(&origin);
                Counters::bump(&ep.counters.handshake_timeouts);
                debug!(
                    "handshake timed out after {:?}",
                    ep.limits.handshake_timeout
                );
                return;
            }
        };
        if let Some(cert) = &cert {
            tracing::Span::current().record("cert", field::display(cert));
        }
        run_session(conn, cert, origin, &ep).await;
    };
    guarded(work, span, counters)
}

/// Refuses a connection over the limit in its framing (after its PROXY header and TLS where the
/// endpoint has them, so that the peer can read the refusal).
async fn refuse(mut io: BoxedIo, ep: &EndpointContext, origin: Origin, reason: String) {
    let kind = match ep.kind {
        TransportKind::WebSocket => Refusal::WebSocket,
        TransportKind::RawSocket => Refusal::RawSocket,
        TransportKind::Universal => Refusal::Universal,
    };
    if let Some(policy) = &ep.proxy {
        let mut origin = origin;
        let header = policy.accept_header(&mut io, &mut origin);
        if !matches!(rt::timeout(REFUSAL_TIMEOUT, header).await, Ok(Ok(()))) {
            return;
        }
    }
    let io = match &ep.tls {
        Some(tls) => match rt::timeout(REFUSAL_TIMEOUT, tls.accept(io)).await {
            Ok(Ok((io, _))) => io,
            _ => return,
        },
        None => io,
    };
    let _ = rt::timeout(REFUSAL_TIMEOUT, refuse_over_limit(io, kind, &reason)).await;
}

/// Runs `work` in `span`; a panic inside it is caught, logged in the span and counted, so that
/// a bug in one connection's task never takes the node down.
fn guarded(
    work: impl Future<Output = ()>,
    span: Span,
    counters: Arc<Counters>,
) -> impl Future<Output = ()> {
    AssertUnwindSafe(work.instrument(span.clone()))
        .catch_unwind()
        .map(move |result| {
            if result.is_err() {
                Counters::bump(&counters.panics);
                span.in_scope(|| error!("the connection's task panicked; the node goes on"));
            }
        })
}

/// Why a handshake failed, by layer.
#[derive(Debug, thiserror::Error)]
enum Failure {
    /// The PROXY header (missing, malformed, or from a peer that is not trusted).
    #[error("{0}")]
    Proxy(ProxyRefusal),
    /// The TLS handshake.
    #[error("TLS: {0}")]
    Tls(HandshakeError),
    /// The WebSocket or RawSocket handshake.
    #[error("{0}")]
    Framing(HandshakeError),
}

/// A finished handshake: the WAMP connection with the verified client certificate, if any; or
/// `None` when the connection was a plain HTTP request for one of the endpoint's routes, answered
/// already (inside the boxed handshake, so that an idle WAMP connection never carries its state).
type Handshaken = Option<(Connection, Option<ClientCertificate>)>;

/// The PROXY header (where the endpoint requires one), TLS (on a TLS endpoint), then the framing
/// handshake; gives back `origin` with what a trusted proxy said of the client on the way.
async fn handshake(
    io: BoxedIo,
    ep: &EndpointContext,
    mut origin: Origin,
) -> (Origin, Result<Handshaken, Failure>) {
    let done = layers(io, ep, &mut origin).await;
    (origin, done)
}

/// The layers of [`handshake`], in order.
async fn layers(
    mut io: BoxedIo,
    ep: &EndpointContext,
    origin: &mut Origin,
) -> Result<Handshaken, Failure> {
    if let Some(policy) = &ep.proxy {
        policy
            .accept_header(&mut io, origin)
            .await
            .map_err(Failure::Proxy)?;
    }
    let (io, cert) = match &ep.tls {
        Some(acceptor) => {
            let (io, peer) = acceptor.accept(io).await.map_err(Failure::Tls)?;
            (io, peer.map(client_certificate))
        }
        None => (io, None),
    };
    let accepted = match ep.kind {
        TransportKind::WebSocket => crossway_transport::accept_http(io, &ep.ws, &ep.routes).await,
        TransportKind::RawSocket => crossway_transport::accept_rawsocket(io, &ep.rs)
            .await
            .map(Accepted::Connection),
        TransportKind::Universal => {
            crossway_transport::accept_universal_http(io, &ep.ws, &ep.rs, &ep.routes).await
        }
    }
    .map_err(Failure::Framing)?;
    match accepted {
        Accepted::Connection(mut conn) => {
            // Taken here, so that the headers are not kept for the connection's life.
            if let (Some(policy), Some(headers)) = (&ep.proxy, conn.forwarding.take()) {
                origin.take_forwarding(policy, &headers);
            }
            Ok(Some((conn, cert)))
        }
        Accepted::Request(request) => {
            if let (Some(policy), Some(headers)) = (&ep.proxy, request.forwarding()) {
                origin.take_forwarding(policy, &headers);
            }
            if ep.proxy.is_some() {
                origin.record_in(&Span::current());
            }
            serve_request(request, *origin, ep).await;
            Ok(None)
        }
    }
}

/// The socket's peer, where a connection's [`PeerAddress`] starts ([`Origin`] decides the final
/// one, behind a trusted proxy from what the proxy says).
fn client_address(peer: &PeerAddr) -> PeerAddress {
    match peer {
        PeerAddr::Tcp(sa) => PeerAddress::Tcp(*sa),
        PeerAddr::Unix => PeerAddress::Unix,
    }
}

/// The router's view of a verified client certificate.
fn client_certificate(peer: PeerIdentity) -> ClientCertificate {
    ClientCertificate {
        common_name: peer.common_name,
        san_dns: peer.san_dns,
        san_email: peer.san_email,
        fingerprint_sha256: peer.fingerprint_sha256,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_connection_costs_a_small_future() {
        use crate::gate::{ConnectionCount, Gate};
        use crossway_routing::RealmConfig;
        // The connection's future is what every idle connection holds for its whole life (besides
        // what it points to). It was 8.6 KiB in release builds while it kept its arguments twice
        // and the handshakes' state inline; now 3.3 KiB (3,368 bytes in the test build), and the
        // bound leaves a little room for compiler changes, not for a second copy of anything.
        const BOUND: usize = 4 * 1024;
        let (a, _b) = rt::UnixStream::pair().unwrap();
        let count = ConnectionCount::new(10);
        let (_trigger, stop) = crate::stop::stop_signal();
        let tasks = crate::stop::TaskCount::new();
        let ep = Arc::new(EndpointContext {
            name: "rs".to_owned(),
            kind: TransportKind::RawSocket,
            ws: WsServerConfig {
                path: "/ws".to_owned(),
                serializers: vec![crossway_transport::Serializer::Json],
                max_message_size: 1 << 20,
            },
            rs: RawSocketServerConfig {
                serializers: vec![crossway_transport::Serializer::Json],
                max_message_size: 1 << 20,
            },
            tls: None,
            routes: HttpRoutes::new(),
            http: Vec::new(),
            router: Router::new(vec![RealmConfig::new("realm1")]),
            realms: Arc::from(vec!["realm1".to_owned()]),
            counters: Arc::new(Counters::new(1)),
            stop,
            limits: Arc::new(Limits::default()),
            gate: Gate::new(count.clone(), count),
            auth: Arc::new(Authenticator::open().unwrap()),
            throttle: Arc::new(AuthThrottle::new(Default::default())),
            proxy: None,
        });
        let future = serve(Box::new(a), PeerAddr::Unix, ep, tasks.token());
        let size = std::mem::size_of_val(&future);

        assert!(size <= BOUND, "the connection's future is {size} bytes");
    }

    #[test]
    fn a_panicking_task_is_caught_and_counted() {
        let counters = Arc::new(Counters::new(1));
        rt::block_on(guarded(
            async { panic!("a bug in one connection") },
            info_span!("session"),
            counters.clone(),
        ));
        rt::block_on(guarded(async {}, info_span!("session"), counters.clone()));
        assert_eq!(Counters::get(&counters.panics), 1);
    }
}
