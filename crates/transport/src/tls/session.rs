//! What a TLS handshake agreed on, and how its failures read.

use std::io;

use futures_rustls::rustls::{self, CommonState, ProtocolVersion};

use super::ciphers;
use super::settings::TlsVersion;
use crate::error::HandshakeError;

/// The protocol version and cipher suite a handshake agreed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlsSessionInfo {
    /// The protocol version.
    pub version: TlsVersion,
    /// The cipher suite, as rustls names it (`TLS13_AES_128_GCM_SHA256`).
    pub cipher_suite: &'static str,
}

impl TlsSessionInfo {
    /// What the finished handshake of `state` agreed on (`None` before the handshake ends).
    pub(crate) fn of(state: &CommonState) -> Option<TlsSessionInfo> {
        let version = match state.protocol_version()? {
            ProtocolVersion::TLSv1_3 => TlsVersion::V1_3,
            _ => TlsVersion::V1_2,
        };
        let cipher_suite = ciphers::name(state.negotiated_cipher_suite()?);
        Some(TlsSessionInfo {
            version,
            cipher_suite,
        })
    }
}

/// Maps an error of a TLS handshake: rustls's own errors become [`HandshakeError::Tls`] with
/// its reason ("peer sent no certificates", "invalid peer certificate: UnknownIssuer"); the
/// stream ending becomes [`HandshakeError::Closed`]; other I/O errors stay I/O errors.
pub(crate) fn handshake_error(e: io::Error) -> HandshakeError {
    if let Some(tls) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return HandshakeError::Tls(tls.to_string());
    }
    match e.kind() {
        io::ErrorKind::UnexpectedEof => HandshakeError::Closed,
        _ => HandshakeError::Io(e),
    }
}
