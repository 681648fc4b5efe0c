//! Device certificates without moving private keys: a device makes its key and a certificate
//! signing request (CSR) itself (`openssl req`, or `crossway certs request`), and the operator
//! signs the request with the CA (`crossway certs sign`). The device's private key never leaves
//! it; the certificate carries the request's public key, for client authentication only.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rcgen::{
    CertificateParams, CertificateSigningRequestParams, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use ring::rand::{SecureRandom, SystemRandom};
use time::OffsetDateTime;

/// How long a signed device certificate is valid when `--days` is not given.
pub const DEFAULT_DAYS: u32 = 365;
/// The longest validity `--days` may ask for (about ten years).
pub const MAX_DAYS: u32 = 3650;

/// A signed device certificate.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The certificate, PEM.
    pub pem: String,
    /// The common name it carries (the `tls` authid with `authid: common_name`).
    pub common_name: String,
    /// The subject alternative names copied from the request, as text.
    pub alt_names: Vec<String>,
    /// When it expires.
    pub not_after: OffsetDateTime,
}

/// Why a request could not be signed or made.
#[derive(Debug, thiserror::Error)]
pub enum DeviceCertError {
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The CA's certificate or key could not be used.
    #[error("the CA in {} cannot sign: {reason}", dir.display())]
    Ca {
        /// The CA's folder.
        dir: PathBuf,
        /// Why.
        reason: String,
    },
    /// The request is not a valid, correctly signed CSR, or asks for something not supported.
    #[error("{} is not a usable certificate signing request: {reason}", path.display())]
    Request {
        /// The request's file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The request names no common name and `--name` gave none.
    #[error("the request names no common name (CN): give one with --name")]
    NoName,
    /// `--days` is out of range.
    #[error("--days {0} is out of range: 1 to {MAX_DAYS}")]
    Days(u32),
    /// Making the key, the request or the certificate failed.
    #[error("cannot make the certificate: {0}")]
    Make(#[from] rcgen::Error),
    /// The system gave no randomness for the serial number.
    #[error("no randomness for the serial number")]
    Random,
}

/// Signs the CSR in `csr_file` with the CA in `ca_dir` (`ca.pem` and `ca.key`, as `crossway
/// certs` writes them): a client certificate (clientAuth only, not a CA) for the request's public
/// key, valid for `days` days from an hour ago, with common name `name` (default: the request's)
/// and the request's subject alternative names.
pub fn sign_request(
    ca_dir: &Path,
    csr_file: &Path,
    days: u32,
    name: Option<&str>,
) -> Result<Signed, DeviceCertError> {
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(DeviceCertError::Days(days));
    }
    let ca_cert = read(&ca_dir.join("ca.pem"))?;
    let ca_key = read(&ca_dir.join("ca.key"))?;
    let ca_err = |e: rcgen::Error| DeviceCertError::Ca {
        dir: ca_dir.to_owned(),
        reason: e.to_string(),
    };
    let key = KeyPair::from_pem(&ca_key).map_err(ca_err)?;
    let issuer = Issuer::from_ca_cert_pem(&ca_cert, key).map_err(ca_err)?;
    let csr_text = read(csr_file)?;
    let request = CertificateSigningRequestParams::from_pem(&csr_text).map_err(|e| {
        DeviceCertError::Request {
            path: csr_file.to_owned(),
            reason: e.to_string(),
        }
    })?;
    let common_name = match name {
        Some(n) if !n.trim().is_empty() => n.to_owned(),
        _ => request
            .params
            .distinguished_name
            .get(&DnType::CommonName)
            .and_then(dn_text)
            .filter(|n| !n.trim().is_empty())
            .ok_or(DeviceCertError::NoName)?,
    };
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name.as_str());
    params.distinguished_name = dn;
    params.subject_alt_names = request.params.subject_alt_names.clone();
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.use_authority_key_identifier_extension = true;
    params.serial_number = Some(serial()?);
    let now = SystemTime::now();
    params.not_before = OffsetDateTime::from(now - Duration::from_secs(3600));
    params.not_after = OffsetDateTime::from(now + Duration::from_secs(u64::from(days) * 86_400));
    let not_after = params.not_after;
    let alt_names = params.subject_alt_names.iter().map(san_text).collect();
    let signed = CertificateSigningRequestParams {
        params,
        public_key: request.public_key,
    }
    .signed_by(&issuer)?;
    Ok(Signed {
        pem: signed.pem(),
        common_name,
        alt_names,
        not_after,
    })
}

/// A new P-256 key and a CSR for common name `name`, both PEM: what a device runs to ask for a
/// certificate (`crossway certs request`).
pub fn make_request(name: &str) -> Result<(String, String), DeviceCertError> {
    if name.trim().is_empty() {
        return Err(DeviceCertError::NoName);
    }
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, name);
    params.distinguished_name = dn;
    let csr = params.serialize_request(&key)?;
    Ok((key.serialize_pem(), csr.pem()?))
}

/// A random positive serial number of 16 octets.
fn serial() -> Result<SerialNumber, DeviceCertError> {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| DeviceCertError::Random)?;
    if let Some(first) = bytes.first_mut() {
        *first = (*first & 0x7f) | 0x40;
    }
    Ok(SerialNumber::from(bytes.to_vec()))
}

fn read(path: &Path) -> Result<String, DeviceCertError> {
    std::fs::read_to_string(path).map_err(|source| DeviceCertError::Read {
        path: path.to_owned(),
        source,
    })
}

/// The text of a name attribute.
fn dn_text(v: &DnValue) -> Option<String> {
    match v {
        DnValue::Utf8String(s) => Some(s.clone()),
        DnValue::PrintableString(s) => Some(s.as_str().to_owned()),
        DnValue::Ia5String(s) => Some(s.as_str().to_owned()),
        DnValue::TeletexString(s) => Some(s.as_str().to_owned()),
        _ => None,
    }
}

/// A subject alternative name as text, for the operator to see what is signed.
fn san_text(san: &SanType) -> String {
    match san {
        SanType::DnsName(n) => format!("DNS:{}", n.as_str()),
        SanType::Rfc822Name(n) => format!("email:{}", n.as_str()),
        SanType::URI(n) => format!("URI:{}", n.as_str()),
        SanType::IpAddress(ip) => format!("IP:{ip}"),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certs::{CertPaths, write_dev_certificates};

    #[test]
    fn a_request_made_here_is_signed_for_client_auth() {
        let dir = tempfile::tempdir().unwrap();
        let paths = CertPaths::in_dir(dir.path());
        write_dev_certificates(&paths, &["localhost".to_owned()]).unwrap();
        let (_key, csr) = make_request("sensor-7").unwrap();
        let csr_file = dir.path().join("sensor.csr");
        std::fs::write(&csr_file, csr).unwrap();
        let signed = sign_request(dir.path(), &csr_file, 30, None).unwrap();
        assert_eq!(signed.common_name, "sensor-7");
        let (_, pem) = x509_parser::pem::parse_x509_pem(signed.pem.as_bytes()).unwrap();
        let cert = pem.parse_x509().unwrap();
        let eku = cert.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.client_auth && !eku.server_auth);
        assert!(!cert.is_ca());
        let renamed = sign_request(dir.path(), &csr_file, 1, Some("sensor-8")).unwrap();
        assert_eq!(renamed.common_name, "sensor-8");
    }

    #[test]
    fn bad_inputs_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let paths = CertPaths::in_dir(dir.path());
        write_dev_certificates(&paths, &["localhost".to_owned()]).unwrap();
        let csr_file = dir.path().join("bad.csr");
        std::fs::write(&csr_file, "not a request").unwrap();
        let e = sign_request(dir.path(), &csr_file, 30, None).unwrap_err();
        assert!(
            e.to_string()
                .contains("not a usable certificate signing request"),
            "{e}"
        );
        let e = sign_request(dir.path(), &csr_file, 0, None).unwrap_err();
        assert!(matches!(e, DeviceCertError::Days(0)), "{e}");
        let e = sign_request(&dir.path().join("none"), &csr_file, 30, None).unwrap_err();
        assert!(e.to_string().contains("ca.pem"), "{e}");
    }
}
