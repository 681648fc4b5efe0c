//! An endpoint's TLS acceptor: shared by every connection task, replaceable on reload.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use futures_rustls::rustls::ServerConfig;

use super::identity::PeerIdentity;
use super::session::{TlsSessionInfo, handshake_error};
use crate::error::HandshakeError;
use crate::io::BoxedIo;

/// Runs server-side TLS handshakes with an endpoint's current configuration.
///
/// Clones are cheap and share the configuration: [`TlsAcceptor::replace`] on one is seen by
/// all. Build it once per endpoint (and rebuild the configuration on reload), never per client.
#[derive(Clone)]
pub struct TlsAcceptor {
    current: Arc<RwLock<Arc<ServerConfig>>>,
}

/// A finished server-side handshake.
pub struct TlsAccepted {
    /// The encrypted stream, for the framing layer.
    pub io: BoxedIo,
    /// The client's verified certificate, if it presented one.
    pub peer: Option<PeerIdentity>,
    /// What the handshake agreed on.
    pub session: TlsSessionInfo,
}

impl TlsAcceptor {
    /// An acceptor using `config` (from [`load_server_config`](super::load_server_config)).
    pub fn new(config: Arc<ServerConfig>) -> Self {
        TlsAcceptor {
            current: Arc::new(RwLock::new(config)),
        }
    }

    /// Uses `config` for every handshake that starts from now on; connections already
    /// established, and handshakes under way, keep the configuration they started with.
    pub fn replace(&self, config: Arc<ServerConfig>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = config;
    }

    /// The configuration new handshakes use.
    pub fn config(&self) -> Arc<ServerConfig> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Runs the TLS handshake on an accepted stream. Gives the encrypted stream and, when the
    /// client presented a certificate (which the configuration's verifier accepted), its
    /// identity.
    ///
    /// Failures are [`HandshakeError::Tls`] with rustls's reason ("peer sent no
    /// certificates", "invalid peer certificate: UnknownIssuer", ...), [`HandshakeError::Closed`]
    /// or [`HandshakeError::Io`]. Put a timeout around this call.
    pub async fn accept(
        &self,
        io: BoxedIo,
    ) -> Result<(BoxedIo, Option<PeerIdentity>), HandshakeError> {
        let accepted = self.accept_with_info(io).await?;
        Ok((accepted.io, accepted.peer))
    }

    /// [`TlsAcceptor::accept`], also giving the version and cipher suite agreed on.
    pub async fn accept_with_info(&self, io: BoxedIo) -> Result<TlsAccepted, HandshakeError> {
        let acceptor = futures_rustls::TlsAcceptor::from(self.config());
        let stream = acceptor.accept(io).await.map_err(handshake_error)?;
        let (_, conn) = stream.get_ref();
        let peer = conn
            .peer_certificates()
            .and_then(|chain| chain.first())
            .map(|leaf| PeerIdentity::from_der(leaf));
        let session = TlsSessionInfo::of(conn).ok_or_else(|| {
            HandshakeError::Tls("the handshake ended without a version or suite".to_owned())
        })?;
        Ok(TlsAccepted {
            io: Box::new(stream),
            peer,
            session,
        })
    }
}

impl fmt::Debug for TlsAcceptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsAcceptor").finish_non_exhaustive()
    }
}

impl fmt::Debug for TlsAccepted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsAccepted")
            .field("peer", &self.peer)
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}
