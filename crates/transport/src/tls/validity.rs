//! Validity periods: warnings for certificates that have expired or are not valid yet.

use std::path::Path;

use futures_rustls::rustls::pki_types::CertificateDer;
use x509_parser::prelude::{ASN1Time, FromDer, X509Certificate};

/// A warning for each certificate of `certs` (read from `file`) outside its validity period
/// now; `consequence` says what that means for the operator.
pub(crate) fn dated_warnings(
    file: &Path,
    certs: &[CertificateDer<'_>],
    consequence: &str,
) -> Vec<String> {
    let now = ASN1Time::now();
    let mut warnings = Vec::new();
    for (i, der) in certs.iter().enumerate() {
        let Ok((_, cert)) = X509Certificate::from_der(der) else {
            continue;
        };
        let validity = cert.validity();
        let which = format!(
            "certificate {} of {} ({})",
            i + 1,
            file.display(),
            cert.subject()
        );
        if validity.not_after < now {
            warnings.push(format!(
                "{which} expired on {}: {consequence}",
                validity.not_after
            ));
        } else if validity.not_before > now {
            warnings.push(format!(
                "{which} is not valid before {}: {consequence}",
                validity.not_before
            ));
        }
    }
    warnings
}
