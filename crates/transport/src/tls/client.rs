//! The client side of TLS: verifying the server against chosen roots, optionally showing a
//! client certificate.

use std::fmt;
use std::sync::Arc;

use futures_rustls::rustls::ClientConfig;
use futures_rustls::rustls::crypto::{CryptoProvider, ring};
use futures_rustls::rustls::pki_types::ServerName;
use futures_rustls::rustls::sign::SingleCertAndKey;

use super::anchors::read_anchors;
use super::certified::{KeyFiles, read_certified_key};
use super::ciphers::choose;
use super::error::{TlsConfigError, TlsSetting};
use super::session::{TlsSessionInfo, handshake_error};
use super::settings::TlsClientSettings;
use crate::error::HandshakeError;
use crate::io::BoxedIo;

/// Runs client-side TLS handshakes with one configuration; clones share it.
#[derive(Clone)]
pub struct TlsConnector {
    config: Arc<ClientConfig>,
}

/// A finished client-side handshake.
pub struct TlsConnected {
    /// The encrypted stream, for the framing layer.
    pub io: BoxedIo,
    /// What the handshake agreed on.
    pub session: TlsSessionInfo,
}

impl TlsConnector {
    /// Reads the files of `s` and builds the client configuration; gives every problem found.
    pub fn new(s: &TlsClientSettings) -> Result<Self, Vec<TlsConfigError>> {
        load_client_config(s).map(TlsConnector::from_config)
    }

    /// A connector using `config`.
    pub fn from_config(config: Arc<ClientConfig>) -> Self {
        TlsConnector { config }
    }

    /// Runs the TLS handshake over a connected stream, verifying that the server's certificate
    /// is for `server_name` (a DNS name or an IP address; `[::1]` brackets are allowed).
    ///
    /// Under TLS 1.3 a server that refuses this client (no certificate, or one it does not
    /// trust) is known only after the handshake: the refusal arrives with the first read.
    pub async fn connect(
        &self,
        io: BoxedIo,
        server_name: &str,
    ) -> Result<TlsConnected, HandshakeError> {
        let bare = server_name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .unwrap_or(server_name);
        let name = ServerName::try_from(bare.to_owned()).map_err(|e| {
            HandshakeError::Tls(format!("invalid TLS server name {server_name:?}: {e}"))
        })?;
        let connector = futures_rustls::TlsConnector::from(Arc::clone(&self.config));
        let stream = connector.connect(name, io).await.map_err(handshake_error)?;
        let (_, conn) = stream.get_ref();
        let session = TlsSessionInfo::of(conn).ok_or_else(|| {
            HandshakeError::Tls("the handshake ended without a version or suite".to_owned())
        })?;
        Ok(TlsConnected {
            io: Box::new(stream),
            session,
        })
    }
}

impl fmt::Debug for TlsConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConnector").finish_non_exhaustive()
    }
}

impl fmt::Debug for TlsConnected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConnected")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

/// Reads the files of `s` and builds a client configuration; gives every problem found.
pub fn load_client_config(s: &TlsClientSettings) -> Result<Arc<ClientConfig>, Vec<TlsConfigError>> {
    let mut errors = Vec::new();
    // A client has nobody to show warnings to but its log.
    let mut warnings = Vec::new();
    let provider = ring::default_provider();

    if s.root_certificates.is_empty() {
        errors.push(TlsConfigError::NoRootCertificates);
    }
    let roots = read_anchors(
        &s.root_certificates,
        TlsSetting::RootCertificates,
        &mut errors,
        &mut warnings,
    );
    let certified = s.client_certificate.as_ref().map(|(certificate, key)| {
        let files = KeyFiles {
            certificate,
            certificate_setting: TlsSetting::ClientCertificate,
            key,
            key_setting: TlsSetting::ClientKey,
            expired_means: "servers will refuse it",
        };
        read_certified_key(&files, &provider, &mut errors, &mut warnings)
    });
    let choice = match choose(s.ciphers.as_ref(), s.min_version, None) {
        Ok(choice) => Some(choice),
        Err(e) => {
            errors.extend(e);
            None
        }
    };
    let (Some(choice), true) = (choice, errors.is_empty()) else {
        return Err(errors);
    };
    for w in warnings.iter().chain(&choice.warnings) {
        tracing::warn!("client TLS settings: {w}");
    }

    let provider = Arc::new(CryptoProvider {
        cipher_suites: choice.suites,
        ..provider
    });
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&choice.versions)
        .map_err(|e| {
            vec![TlsConfigError::Refused {
                setting: TlsSetting::Ciphers,
                reason: e.to_string(),
            }]
        })?
        .with_root_certificates(roots);
    let config = match certified.flatten() {
        Some(key) => builder.with_client_cert_resolver(Arc::new(SingleCertAndKey::from(key))),
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

/// Runs a client-side TLS handshake over `io` with the settings `s` (read from their files on
/// each call: keep a [`TlsConnector`] to connect often). Settings that cannot be loaded give
/// [`HandshakeError::Tls`] listing their problems.
pub async fn connect_tls(
    io: BoxedIo,
    server_name: &str,
    s: &TlsClientSettings,
) -> Result<BoxedIo, HandshakeError> {
    let connector = TlsConnector::new(s).map_err(|errors| {
        let list: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {e}", e.setting()))
            .collect();
        HandshakeError::Tls(format!("unusable client TLS settings: {}", list.join("; ")))
    })?;
    Ok(connector.connect(io, server_name).await?.io)
}
