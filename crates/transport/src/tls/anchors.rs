//! Trust anchors: every certificate of every CA file, for verifying clients (a server's
//! `ca_certificates`) or servers (a client's root certificates).

use std::path::PathBuf;

use futures_rustls::rustls::RootCertStore;

use super::error::{TlsConfigError, TlsSetting};
use super::pem::read_certificates;
use super::validity::dated_warnings;

/// Reads `files` into one store; `setting(i)` names the i-th file's setting. Gives every
/// problem, and warnings for CA certificates out of their validity period.
pub(crate) fn read_anchors(
    files: &[PathBuf],
    setting: impl Fn(usize) -> TlsSetting,
    errors: &mut Vec<TlsConfigError>,
    warnings: &mut Vec<String>,
) -> RootCertStore {
    let mut store = RootCertStore::empty();
    for (i, file) in files.iter().enumerate() {
        let certs = match read_certificates(file, setting(i)) {
            Ok(certs) => certs,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        warnings.extend(dated_warnings(
            file,
            &certs,
            "no certificate it issued is accepted",
        ));
        for (index, cert) in certs.into_iter().enumerate() {
            if let Err(e) = store.add(cert) {
                errors.push(TlsConfigError::BadCertificate {
                    setting: setting(i),
                    file: file.clone(),
                    index,
                    reason: format!("not a usable trust anchor ({e})"),
                });
            }
        }
    }
    store
}
