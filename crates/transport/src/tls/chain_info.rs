//! What the certificates of a PEM file say, for the TLS report: subject, issuer, names,
//! validity and key, in the file's order (the order a server sends them).

use std::path::Path;

use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{ASN1Time, FromDer, X509Certificate};

use super::error::{TlsConfigError, TlsSetting};
use super::keyinfo::KeyInfo;
use super::pem::read_certificates;

/// Seconds in a day.
const DAY: i64 = 86_400;

/// One certificate, as a report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSummary {
    /// Its subject (`CN=localhost`).
    pub subject: String,
    /// Its issuer.
    pub issuer: String,
    /// Its subject alternative names (DNS names, IP addresses, e-mail addresses).
    pub names: Vec<String>,
    /// The end of its validity (`Jan  3 10:00:00 2027 +00:00`).
    pub not_after: String,
    /// Whole days from now to the end of its validity; negative once it has expired.
    pub days_left: i64,
    /// Whether it is not valid yet.
    pub not_yet_valid: bool,
    /// Whether its subject is its issuer (a root, or a self-signed leaf).
    pub self_signed: bool,
    /// Whether it is a CA certificate.
    pub is_ca: bool,
    /// Its public key, when it can be read.
    pub key: Option<KeyInfo>,
}

/// The certificates of the PEM file `file`, in order; `setting` names the file in an error.
pub fn certificate_summaries(
    file: &Path,
    setting: TlsSetting,
) -> Result<Vec<CertSummary>, TlsConfigError> {
    let now = ASN1Time::now().timestamp();
    Ok(read_certificates(file, setting)?
        .iter()
        .filter_map(|der| summary(der, now))
        .collect())
}

fn summary(der: &[u8], now: i64) -> Option<CertSummary> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let validity = cert.validity();
    let names = match cert.subject_alternative_name() {
        Ok(Some(san)) => san
            .value
            .general_names
            .iter()
            .filter_map(|n| match n {
                GeneralName::DNSName(d) => Some((*d).to_owned()),
                GeneralName::RFC822Name(e) => Some((*e).to_owned()),
                GeneralName::IPAddress(ip) => ip_text(ip),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(CertSummary {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        names,
        not_after: validity.not_after.to_string(),
        days_left: (validity.not_after.timestamp() - now).div_euclid(DAY),
        not_yet_valid: validity.not_before.timestamp() > now,
        self_signed: cert.subject().as_raw() == cert.issuer().as_raw(),
        is_ca: cert.is_ca(),
        key: KeyInfo::of_certificate(der),
    })
}

fn ip_text(octets: &[u8]) -> Option<String> {
    if let Ok(v4) = <[u8; 4]>::try_from(octets) {
        return Some(std::net::Ipv4Addr::from(v4).to_string());
    }
    <[u8; 16]>::try_from(octets)
        .ok()
        .map(|v6| std::net::Ipv6Addr::from(v6).to_string())
}
