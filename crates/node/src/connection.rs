//! One connection's task: the framing handshake, then the session's reader and writer running
//! side by side until either ends.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::sync::Arc;

use crossway_protocol::Codec;
use crossway_routing::{
    Authenticator, ClientCertificate, OutboxLimits, PeerAddress, Router, Session, TransportInfo,
    outbox_with,
};
use crossway_transport::tls::{PeerIdentity, TlsAcceptor};
use crossway_transport::{
    BoxedIo, Connection, Framing, HandshakeError, PeerAddr, RawSocketServerConfig, Refusal,
    WsServerConfig, refuse_over_limit, rt,
};
use futures_util::FutureExt;
use futures_util::future::{Either, select};
use tracing::{Instrument, Span, debug, error, field, info_span, warn};

use crate::config::{Limits, TransportKind};
use crate::control::Control;
use crate::counters::Counters;
use crate::gate::Gate;
use crate::limits::{FLUSH_TIMEOUT, REFUSAL_TIMEOUT};
use crate::proxy::{Origin, ProxyPolicy, ProxyRefusal};
use crate::reader::{ReaderParts, read_loop};
use crate::stop::{StopSignal, TaskToken};
use crate::throttle::AuthThrottle;
use crate::writer::{WriterParts, write_loop};

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
    /// The router.
    pub router: Arc<Router>,
    /// The node's counters.
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
                Counters::bump(&ep.counters.connections_refused);
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
            Ok((decided, Ok(done))) => {
                origin = decided;
                settled(&origin);
                done
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
                let counter = match failure {
                    Failure::Tls(_) => &ep.counters.tls_handshake_failures,
                    Failure::Framing(_) | Failure::Proxy(_) => {
                        &ep.counters.framing_handshake_failures
                    }
                };
                Counters::bump(counter);
                debug!(reason = %failure, "handshake failed");
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

/// The PROXY header (where the endpoint requires one), TLS (on a TLS endpoint), then the framing
/// handshake; gives back `origin` with what a trusted proxy said of the client on the way.
async fn handshake(
    io: BoxedIo,
    ep: &EndpointContext,
    mut origin: Origin,
) -> (
    Origin,
    Result<(Connection, Option<ClientCertificate>), Failure>,
) {
    let done = layers(io, ep, &mut origin).await;
    (origin, done)
}

/// The layers of [`handshake`], in order.
async fn layers(
    mut io: BoxedIo,
    ep: &EndpointContext,
    origin: &mut Origin,
) -> Result<(Connection, Option<ClientCertificate>), Failure> {
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
    let conn = match ep.kind {
        TransportKind::WebSocket => crossway_transport::accept_websocket(io, &ep.ws).await,
        TransportKind::RawSocket => crossway_transport::accept_rawsocket(io, &ep.rs).await,
        TransportKind::Universal => crossway_transport::accept_universal(io, &ep.ws, &ep.rs).await,
    }
    .map_err(Failure::Framing)?;
    // Taken here, so that the headers are not kept for the connection's life.
    let mut conn = conn;
    if let (Some(policy), Some(headers)) = (&ep.proxy, conn.forwarding.take()) {
        origin.take_forwarding(policy, &headers);
    }
    Ok((conn, cert))
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

/// Runs the WAMP session over an established connection.
///
/// A plain function returning the session's future, for the reason given at `read_loop`.
#[expect(
    clippy::manual_async_fn,
    reason = "an async fn would hold its arguments twice"
)]
fn run_session(
    conn: Connection,
    cert: Option<ClientCertificate>,
    origin: Origin,
    ep: &EndpointContext,
) -> impl Future<Output = ()> + '_ {
    async move {
        let Connection {
            reader,
            writer,
            serializer,
            framing,
            ..
        } = conn;
        let Some(codec) = Codec::from_name(serializer.name()) else {
            warn!(
                serializer = serializer.name(),
                "no codec for the negotiated serializer"
            );
            return;
        };
        let limits = &ep.limits;
        let (tx, rx) = outbox_with(
            codec,
            OutboxLimits {
                messages: limits.outbox_messages,
                bytes: limits.outbox_bytes,
            },
        );
        let session = Session::new(
            ep.router.clone(),
            tx.clone(),
            TransportInfo {
                peer: origin.peer,
                proxy: origin.proxy,
                tls: origin.tls,
                endpoint: ep.name.clone(),
                transport: framing.name().to_owned(),
                client_certificate: cert,
                peer_limit: writer.peer_limit(),
            },
            ep.auth.clone(),
        );
        debug!(
            serializer = codec.name(),
            framing = framing.name(),
            "connection open"
        );
        let control = Control::default();
        let read = pin!(read_loop(
            reader,
            session,
            ReaderParts {
                tx,
                codec,
                stop: ep.stop.clone(),
                control: &control,
                keepalive: match framing {
                    Framing::RawSocket if !limits.keepalive_rawsocket => None,
                    _ => limits.keepalive_interval,
                },
                limits,
                counters: &ep.counters,
                throttle: &ep.throttle,
                peer: origin.peer,
            },
        ));
        let write = pin!(write_loop(
            writer,
            WriterParts {
                rx,
                codec,
                control: &control,
                counters: &ep.counters,
            },
        ));
        match select(read, write).await {
            Either::Left(((), write)) => {
                // The session is over and dropped: the writer sends what is queued, then closes.
                if rt::timeout(FLUSH_TIMEOUT, write).await.is_err() {
                    debug!("peer did not take the last frames in time");
                }
            }
            Either::Right(((), _read)) => {}
        }
        debug!("connection closed");
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
            router: Router::new(vec![RealmConfig::new("realm1")]),
            counters: Arc::new(Counters::default()),
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
        let counters = Arc::new(Counters::default());
        rt::block_on(guarded(
            async { panic!("a bug in one connection") },
            info_span!("session"),
            counters.clone(),
        ));
        rt::block_on(guarded(async {}, info_span!("session"), counters.clone()));
        assert_eq!(Counters::get(&counters.panics), 1);
    }
}
