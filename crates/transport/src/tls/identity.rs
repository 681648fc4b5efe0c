//! Who a verified client certificate names: the common name, SAN entries and fingerprint, for
//! the connection's log span and for authentication.

use std::fmt::{self, Write as _};

use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

/// How many hex digits of the fingerprint the short form ([`fmt::Display`]) shows.
const SHORT_FINGERPRINT: usize = 16;

/// The identity in a client's verified certificate (the chain's first certificate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerIdentity {
    /// The subject's common name (the first, if several).
    pub common_name: Option<String>,
    /// The DNS names of the subject alternative name extension.
    pub san_dns: Vec<String>,
    /// The email addresses (RFC 822 names) of the subject alternative name extension.
    pub san_email: Vec<String>,
    /// The SHA-256 of the certificate's DER bytes: lowercase hex, no colons.
    pub fingerprint_sha256: String,
    /// The whole subject, as `CN=device-1, O=Example`.
    pub subject: String,
}

impl PeerIdentity {
    /// Reads the identity of a DER certificate. Never fails: a certificate that x509-parser
    /// cannot read (the TLS verifier accepted it) gives only its fingerprint, with the other
    /// fields empty.
    pub fn from_der(der: &[u8]) -> PeerIdentity {
        let mut identity = PeerIdentity {
            common_name: None,
            san_dns: Vec::new(),
            san_email: Vec::new(),
            fingerprint_sha256: sha256_hex(der),
            subject: String::new(),
        };
        let cert = match X509Certificate::from_der(der) {
            Ok((_, cert)) => cert,
            Err(e) => {
                tracing::debug!(error = %e, "cannot read the peer's certificate fields");
                return identity;
            }
        };
        identity.subject = cert.subject().to_string();
        identity.common_name = cert
            .subject()
            .iter_common_name()
            .find_map(|cn| cn.as_str().ok())
            .map(str::to_owned);
        if let Ok(Some(san)) = cert.subject_alternative_name() {
            for name in &san.value.general_names {
                match name {
                    GeneralName::DNSName(dns) => identity.san_dns.push((*dns).to_owned()),
                    GeneralName::RFC822Name(mail) => identity.san_email.push((*mail).to_owned()),
                    _ => {}
                }
            }
        }
        identity
    }
}

impl fmt::Display for PeerIdentity {
    /// Short, for a log span: `CN=device-1 sha256=ab12cd34ef56ab78…`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(cn) = &self.common_name {
            write!(f, "CN={cn} ")?;
        } else if let Some(dns) = self.san_dns.first() {
            write!(f, "DNS={dns} ")?;
        } else if let Some(mail) = self.san_email.first() {
            write!(f, "email={mail} ")?;
        }
        let short = self
            .fingerprint_sha256
            .get(..SHORT_FINGERPRINT)
            .unwrap_or(&self.fingerprint_sha256);
        write!(f, "sha256={short}…")
    }
}

/// The SHA-256 of `bytes`, lowercase hex.
fn sha256_hex(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut hex = String::with_capacity(64);
    for b in digest.as_ref() {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_lowercase_hex() {
        // SHA-256 of "abc" (FIPS 180-2 example).
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn unreadable_certificates_keep_their_fingerprint() {
        let id = PeerIdentity::from_der(b"abc");
        assert_eq!(id.common_name, None);
        assert_eq!(id.to_string(), "sha256=ba7816bf8f01cfea…");
    }

    #[test]
    fn display_prefers_the_common_name() {
        let id = PeerIdentity {
            common_name: Some("device-1".into()),
            san_dns: vec!["d1.example".into()],
            san_email: vec![],
            fingerprint_sha256: "ab".repeat(32),
            subject: "CN=device-1".into(),
        };
        assert_eq!(id.to_string(), "CN=device-1 sha256=abababababababab…");
    }
}
