//! One connection's task: the framing handshake, then the session's reader and writer running
//! side by side until either ends.

use std::sync::Arc;

use bytes::Bytes;
use crossway_protocol::{Codec, Message};
use crossway_routing::{
    ClientCertificate, Outbox, OutboxReceiver, Router, Session, TransportInfo, outbox,
};
use crossway_transport::tls::{PeerIdentity, TlsAcceptor};
use crossway_transport::{
    BoxedIo, CloseReason, Connection, FrameReader, FrameWriter, HandshakeError, PeerAddr,
    RawSocketServerConfig, WsServerConfig, rt,
};
use futures_util::future::{Either, select};
use tracing::{Instrument, debug, field, info_span, warn};

use crate::config::TransportKind;
use crate::counters::Counters;
use crate::limits::{
    FLUSH_TIMEOUT, HANDSHAKE_TIMEOUT, HELLO_TIMEOUT, OUTBOX_CAPACITY, WRITE_BATCH,
};
use crate::stop::{StopSignal, TaskToken};

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
}

/// Serves one accepted connection to its end. Never panics on peer input; every failure ends
/// this connection only.
pub async fn serve(io: BoxedIo, peer: PeerAddr, ep: Arc<EndpointContext>, token: TaskToken) {
    let span = info_span!(
        "session",
        id = field::Empty,
        peer = %peer,
        endpoint = %ep.name,
        realm = field::Empty,
        cert = field::Empty
    );
    async move {
        let _token = token;
        let (conn, cert) = match rt::timeout(HANDSHAKE_TIMEOUT, handshake(io, &ep)).await {
            Ok(Ok(done)) => done,
            Ok(Err(failure)) => {
                let counter = match failure {
                    Failure::Tls(_) => &ep.counters.tls_handshake_failures,
                    Failure::Framing(_) => &ep.counters.framing_handshake_failures,
                };
                Counters::bump(counter);
                debug!(reason = %failure, "handshake failed");
                return;
            }
            Err(_) => {
                Counters::bump(&ep.counters.handshake_timeouts);
                debug!("handshake timed out after {:?}", HANDSHAKE_TIMEOUT);
                return;
            }
        };
        if let Some(cert) = &cert {
            tracing::Span::current().record("cert", field::display(cert));
        }
        run_session(conn, cert, peer, &ep).await;
    }
    .instrument(span)
    .await;
}

/// Why a handshake failed, by layer.
#[derive(Debug, thiserror::Error)]
enum Failure {
    /// The TLS handshake.
    #[error("TLS: {0}")]
    Tls(HandshakeError),
    /// The WebSocket or RawSocket handshake.
    #[error("{0}")]
    Framing(HandshakeError),
}

/// TLS (on a TLS endpoint), then the framing handshake.
async fn handshake(
    io: BoxedIo,
    ep: &EndpointContext,
) -> Result<(Connection, Option<ClientCertificate>), Failure> {
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
    Ok((conn, cert))
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
async fn run_session(
    conn: Connection,
    cert: Option<ClientCertificate>,
    peer: PeerAddr,
    ep: &EndpointContext,
) {
    let Connection {
        reader,
        writer,
        serializer,
        framing,
    } = conn;
    let Some(codec) = Codec::from_name(serializer.name()) else {
        warn!(
            serializer = serializer.name(),
            "no codec for the negotiated serializer"
        );
        return;
    };
    let (tx, rx) = outbox(codec, OUTBOX_CAPACITY);
    let session = Session::new(
        ep.router.clone(),
        tx.clone(),
        TransportInfo {
            peer: peer.to_string(),
            endpoint: ep.name.clone(),
            transport: framing.name().to_owned(),
            client_certificate: cert,
        },
    );
    debug!(
        serializer = codec.name(),
        framing = framing.name(),
        "connection open"
    );
    // The reader tells the writer how the framing should close when the peer broke a rule.
    let (close_tx, close_rx) = async_channel::bounded(1);
    let read = Box::pin(read_loop(
        reader,
        session,
        tx,
        codec,
        ep.stop.clone(),
        close_tx,
    ));
    let write = Box::pin(write_loop(writer, rx, codec, close_rx));
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

/// Reads frames, hands each decoded message to the session and queues its reply.
async fn read_loop(
    mut reader: FrameReader,
    mut session: Session,
    tx: Outbox,
    codec: Codec,
    stop: StopSignal,
    close: async_channel::Sender<CloseReason>,
) {
    let hello_deadline = std::time::Instant::now() + HELLO_TIMEOUT;
    loop {
        let frame = if session.id().is_some() {
            reader.recv().await
        } else {
            // Until WELCOME, the connection has a deadline and leaves at once on shutdown.
            let left = hello_deadline.saturating_duration_since(std::time::Instant::now());
            let recv = Box::pin(rt::timeout(left, reader.recv()));
            match select(recv, Box::pin(stop.stopped())).await {
                Either::Left((Ok(frame), _)) => frame,
                Either::Left((Err(_), _)) => {
                    debug!("no session within {:?}: closing", HELLO_TIMEOUT);
                    return;
                }
                Either::Right(((), _)) => return,
            }
        };
        let frame = match frame {
            Ok(Some(frame)) => frame,
            Ok(None) => {
                debug!("peer closed the connection");
                return;
            }
            Err(e) => {
                debug!(error = %e, "read failed");
                let _ = close.try_send(e.close_reason());
                return;
            }
        };
        let joined = session.id().is_some();
        let outcome = match codec.decode(&frame) {
            Ok(msg) => session.handle(msg),
            Err(e) => {
                debug!(error = %e, "undecodable message");
                session.protocol_violation(&e.to_string())
            }
        };
        if !joined && let Some(id) = session.id() {
            let span = tracing::Span::current();
            span.record("id", id.0);
            if let Some(realm) = session.realm() {
                span.record("realm", realm.as_str());
            }
        }
        if let Some(reply) = outcome.reply
            && !queue(&tx, codec, &reply).await
        {
            return;
        }
        if outcome.close {
            return;
        }
    }
}

/// Encodes `msg` and waits for room in the outbox; false when the outbox is closed.
async fn queue(tx: &Outbox, codec: Codec, msg: &Message) -> bool {
    match codec.encode(msg) {
        Ok(bytes) => tx.send(Bytes::from(bytes)).await.is_ok(),
        Err(e) => {
            warn!(error = %e, message = msg.name(), "cannot encode a reply");
            true
        }
    }
}

/// Takes frames from the outbox and writes them: every ready frame, then one flush.
async fn write_loop(
    mut writer: FrameWriter,
    rx: OutboxReceiver,
    codec: Codec,
    close: async_channel::Receiver<CloseReason>,
) {
    while let Some(frame) = rx.recv().await {
        if let Err(e) = write_batch(&mut writer, &rx, frame).await {
            debug!(error = %e, "write failed");
            return;
        }
    }
    if let Some(reason) = rx.close_reason() {
        warn!(reason = %reason, "closing the session");
        let goodbye = reason.goodbye();
        if let Ok(bytes) = codec.encode(&goodbye) {
            let _ = rt::timeout(FLUSH_TIMEOUT, async {
                if writer.feed(Bytes::from(bytes)).await.is_ok() {
                    let _ = writer.flush().await;
                }
            })
            .await;
        }
    }
    let reason = close.try_recv().unwrap_or(CloseReason::Normal);
    let _ = rt::timeout(FLUSH_TIMEOUT, writer.close_with(reason)).await;
}

/// Feeds `first` and every frame ready after it (up to [`WRITE_BATCH`]), then flushes once.
async fn write_batch(
    writer: &mut FrameWriter,
    rx: &OutboxReceiver,
    first: Bytes,
) -> Result<(), crossway_transport::TransportError> {
    writer.feed(first).await?;
    for _ in 1..WRITE_BATCH {
        match rx.try_recv() {
            Some(frame) => writer.feed(frame).await?,
            None => break,
        }
    }
    writer.flush().await
}
