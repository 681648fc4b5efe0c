//! A WAMP session over an established connection: the outbox, the session, and its reader and
//! writer side by side until either ends.

use std::future::Future;
use std::pin::pin;

use crossway_protocol::Codec;
use crossway_routing::{ClientCertificate, OutboxLimits, Session, TransportInfo, outbox_with};
use crossway_transport::{Connection, Framing, rt};
use futures_util::future::{Either, select};
use tracing::{debug, warn};

use crate::connection::EndpointContext;
use crate::control::Control;
use crate::limits::FLUSH_TIMEOUT;
use crate::proxy::Origin;
use crate::reader::{ReaderParts, read_loop};
use crate::writer::{WriterParts, write_loop};

/// Runs the WAMP session over an established connection.
///
/// A plain function returning the session's future, for the reason given at `read_loop`.
#[expect(
    clippy::manual_async_fn,
    reason = "an async fn would hold its arguments twice"
)]
pub fn run_session(
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
                realms: &ep.realms,
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
