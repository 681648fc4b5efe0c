//! The verified client certificate of a connection, as the session sees it.

use std::fmt;

/// What the router knows of a client certificate that the TLS layer verified. Kept with the
/// session so that TLS-certificate authentication can derive an authid from it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientCertificate {
    /// The subject's common name, if it has one.
    pub common_name: Option<String>,
    /// The DNS names of the subject alternative name extension.
    pub san_dns: Vec<String>,
    /// The e-mail addresses of the subject alternative name extension.
    pub san_email: Vec<String>,
    /// The SHA-256 fingerprint of the certificate's DER, lowercase hex.
    pub fingerprint_sha256: String,
}

impl fmt::Display for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(cn) = &self.common_name {
            write!(f, "CN={cn} ")?;
        }
        let short = self
            .fingerprint_sha256
            .get(..16)
            .unwrap_or(&self.fingerprint_sha256);
        write!(f, "sha256={short}…")
    }
}
