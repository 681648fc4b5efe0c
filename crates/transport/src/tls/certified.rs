//! A certificate chain with its private key, read and checked against each other: a server's
//! `certificate` and `key`, or a client's certificate.

use std::path::Path;

use futures_rustls::rustls::crypto::CryptoProvider;
use futures_rustls::rustls::sign::CertifiedKey;
use futures_rustls::rustls::{self, InconsistentKeys};

use super::error::{TlsConfigError, TlsSetting};
use super::pem::{read_certificates, read_private_key};
use super::validity::dated_warnings;

/// Where a chain and its key come from.
pub(crate) struct KeyFiles<'a> {
    /// The chain's PEM file, leaf first.
    pub certificate: &'a Path,
    /// The setting naming it.
    pub certificate_setting: TlsSetting,
    /// The key's PEM file.
    pub key: &'a Path,
    /// The setting naming it.
    pub key_setting: TlsSetting,
    /// What an out-of-date certificate means, for its warning.
    pub expired_means: &'a str,
}

/// Reads the chain and the key of `files`, loads the key with `provider` and checks that it is
/// the leaf's key. Problems go to `errors` (all of them), out-of-date certificates to
/// `warnings`.
pub(crate) fn read_certified_key(
    files: &KeyFiles<'_>,
    provider: &CryptoProvider,
    errors: &mut Vec<TlsConfigError>,
    warnings: &mut Vec<String>,
) -> Option<CertifiedKey> {
    let chain = match read_certificates(files.certificate, files.certificate_setting) {
        Ok(chain) => {
            warnings.extend(dated_warnings(
                files.certificate,
                &chain,
                files.expired_means,
            ));
            Some(chain)
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let key = match read_private_key(files.key, files.key_setting) {
        Ok(der) => match provider.key_provider.load_private_key(der) {
            Ok(key) => Some(key),
            Err(e) => {
                errors.push(TlsConfigError::UnsupportedKey {
                    setting: files.key_setting,
                    file: files.key.to_owned(),
                    reason: e.to_string(),
                });
                None
            }
        },
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let certified = CertifiedKey::new(chain?, key?);
    match certified.keys_match() {
        // A key that cannot tell its public half cannot be checked here; the handshake will.
        Ok(()) | Err(rustls::Error::InconsistentKeys(InconsistentKeys::Unknown)) => Some(certified),
        Err(rustls::Error::InconsistentKeys(InconsistentKeys::KeyMismatch)) => {
            errors.push(TlsConfigError::KeyMismatch {
                setting: files.key_setting,
                key: files.key.to_owned(),
                certificate: files.certificate.to_owned(),
            });
            None
        }
        Err(e) => {
            errors.push(TlsConfigError::BadCertificate {
                setting: files.certificate_setting,
                file: files.certificate.to_owned(),
                index: 0,
                reason: e.to_string(),
            });
            None
        }
    }
}
