//! Building an endpoint's rustls server configuration from its `tls` block.
//!
//! Memory per connection: rustls reads records into a buffer that grows 4 KiB at a time up to
//! one record (about 16.7 KiB, 64 KiB while a large handshake message arrives) and shrinks again
//! when it is empty, so an idle connection holds little beyond its session state. Outgoing
//! plaintext and TLS data queue up to 64 KiB each (rustls's default buffer limit). The server
//! keeps 256 sessions for resumption (its default cache) and sends two TLS 1.3 tickets per
//! handshake. None of this is tuned yet.

use std::sync::Arc;

use futures_rustls::rustls::ServerConfig;
use futures_rustls::rustls::crypto::{CryptoProvider, ring};
use futures_rustls::rustls::server::WebPkiClientVerifier;
use futures_rustls::rustls::sign::SingleCertAndKey;

use super::anchors::read_anchors;
use super::certified::{KeyFiles, read_certified_key};
use super::ciphers::choose;
use super::error::{TlsConfigError, TlsSetting};
use super::keyinfo::KeyInfo;
use super::offer::CipherOffer;
use super::settings::{ClientAuth, TlsSettings};

/// A server configuration built from a `tls` block, with what the operator should know.
#[derive(Debug, Clone)]
pub struct LoadedTls {
    /// The configuration, for [`TlsAcceptor::new`](super::TlsAcceptor::new) or
    /// [`TlsAcceptor::replace`](super::TlsAcceptor::replace).
    pub config: Arc<ServerConfig>,
    /// Things that work but probably are not meant: an expired or not yet valid certificate,
    /// configured suites that are skipped. Each names its file or setting.
    pub warnings: Vec<String>,
    /// The suites offered, in order, and those skipped.
    pub offer: CipherOffer,
}

/// Reads the files of `s` and builds its server configuration. Gives every problem found
/// (a missing key file and an unknown cipher are reported together).
///
/// The files are read synchronously: call it at start-up or on reload, not per connection.
pub fn load_server_config(s: &TlsSettings) -> Result<LoadedTls, Vec<TlsConfigError>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let provider = ring::default_provider();

    let files = KeyFiles {
        certificate: &s.certificate,
        certificate_setting: TlsSetting::Certificate,
        key: &s.key,
        key_setting: TlsSetting::Key,
        expired_means: "clients will refuse the server",
    };
    let certified = read_certified_key(&files, &provider, &mut errors, &mut warnings);

    let client_auth = s.effective_client_auth();
    if let (Some(mode), true) = (s.client_auth, s.ca_certificates.is_empty()) {
        errors.push(TlsConfigError::ClientAuthWithoutCa { mode });
    }
    let roots = read_anchors(
        &s.ca_certificates,
        TlsSetting::CaCertificates,
        &mut errors,
        &mut warnings,
    );

    let key_alg = certified.as_ref().map(|c| c.key.algorithm());
    let choice = match choose(s.ciphers.as_ref(), s.min_version, key_alg) {
        Ok(choice) => Some(choice),
        Err(e) => {
            errors.extend(e);
            None
        }
    };

    let (Some(certified), Some(choice), true) = (certified, choice, errors.is_empty()) else {
        return Err(errors);
    };
    warnings.extend(choice.warnings);
    if let Some(level) = choice.offer.seclevel
        && let Some(w) = certified
            .cert
            .first()
            .and_then(|der| KeyInfo::of_certificate(der))
            .and_then(|key| key.below_seclevel(level))
    {
        warnings.push(format!("ciphers: {w}"));
    }
    let provider = Arc::new(CryptoProvider {
        cipher_suites: choice.suites,
        ..provider
    });
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&choice.versions)
        .map_err(|e| refused(TlsSetting::Ciphers, e))?;
    let builder = match client_auth {
        None => builder.with_no_client_auth(),
        Some(mode) => {
            let verifier =
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider));
            let verifier = match mode {
                ClientAuth::Required => verifier,
                ClientAuth::Optional => verifier.allow_unauthenticated(),
            };
            let verifier = verifier
                .build()
                .map_err(|e| refused(TlsSetting::CaCertificates(0), e))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder.with_cert_resolver(Arc::new(SingleCertAndKey::from(certified)));
    // A configured order is the server's preference, as with OpenSSL's
    // SSL_OP_CIPHER_SERVER_PREFERENCE; without one, the client's order decides.
    config.ignore_client_order = choice.offer.server_order;
    Ok(LoadedTls {
        config: Arc::new(config),
        warnings,
        offer: choice.offer,
    })
}

/// What `s` would offer with a key of either type, without reading its files: for a block
/// whose certificate does not exist yet (`create_if_missing`).
pub fn planned_offer(s: &TlsSettings) -> Result<CipherOffer, Vec<TlsConfigError>> {
    choose(s.ciphers.as_ref(), s.min_version, None).map(|c| c.offer)
}

/// The library refused the configuration.
fn refused(setting: TlsSetting, e: impl std::fmt::Display) -> Vec<TlsConfigError> {
    vec![TlsConfigError::Refused {
        setting,
        reason: e.to_string(),
    }]
}
