//! Reading PEM files: certificate chains, CA bundles and private keys, each problem naming its
//! file.

use std::path::Path;

use futures_rustls::rustls::pki_types::pem::{self, PemObject, SectionKind};
use futures_rustls::rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer,
};

use super::error::{TlsConfigError, TlsSetting};

/// Every certificate of the PEM file at `file`, in order; an error if there is none.
pub(crate) fn read_certificates(
    file: &Path,
    setting: TlsSetting,
) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let bytes = read_file(file, setting)?;
    let certs: Vec<CertificateDer<'static>> = sections(&bytes, file, setting)?
        .into_iter()
        .filter(|(kind, _)| *kind == SectionKind::Certificate)
        .map(|(_, der)| CertificateDer::from(der))
        .collect();
    if certs.is_empty() {
        return Err(TlsConfigError::NoCertificate {
            setting,
            file: file.to_owned(),
        });
    }
    Ok(certs)
}

/// The first private key of the PEM file at `file` (PKCS#8, PKCS#1 or SEC1). An encrypted key
/// is refused with its own error.
pub(crate) fn read_private_key(
    file: &Path,
    setting: TlsSetting,
) -> Result<PrivateKeyDer<'static>, TlsConfigError> {
    let bytes = read_file(file, setting)?;
    if is_encrypted_key(&bytes) {
        return Err(TlsConfigError::EncryptedKey {
            setting,
            file: file.to_owned(),
        });
    }
    sections(&bytes, file, setting)?
        .into_iter()
        .find_map(|(kind, der)| match kind {
            SectionKind::PrivateKey => Some(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der))),
            SectionKind::RsaPrivateKey => Some(PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der))),
            SectionKind::EcPrivateKey => Some(PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(der))),
            _ => None,
        })
        .ok_or_else(|| TlsConfigError::NoPrivateKey {
            setting,
            file: file.to_owned(),
        })
}

/// The largest certificate, key or CA file read: a bundle of every public CA is about 250 KiB.
const MAX_PEM_FILE: u64 = 4 << 20;

/// The whole file, refusing one larger than [`MAX_PEM_FILE`] (or endless, like `/dev/zero`).
fn read_file(file: &Path, setting: TlsSetting) -> Result<Vec<u8>, TlsConfigError> {
    use std::io::Read;
    let unreadable = |reason: String| TlsConfigError::Unreadable {
        setting,
        file: file.to_owned(),
        reason,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(MAX_PEM_FILE + 1).read_to_end(&mut bytes))
        .map_err(|e| unreadable(e.to_string()))?;
    if bytes.len() as u64 > MAX_PEM_FILE {
        return Err(unreadable(format!(
            "larger than {} MiB: not a certificate or key file",
            MAX_PEM_FILE >> 20
        )));
    }
    Ok(bytes)
}

/// Every PEM section of `bytes`, of any kind rustls knows (others are skipped).
fn sections(
    bytes: &[u8],
    file: &Path,
    setting: TlsSetting,
) -> Result<Vec<(SectionKind, Vec<u8>)>, TlsConfigError> {
    <(SectionKind, Vec<u8>) as PemObject>::pem_slice_iter(bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsConfigError::BadPem {
            setting,
            file: file.to_owned(),
            reason: describe(&e),
        })
}

/// Whether `bytes` hold an encrypted key: a PKCS#8 `ENCRYPTED PRIVATE KEY` block, or a
/// traditional OpenSSL block with a `Proc-Type: 4,ENCRYPTED` header.
fn is_encrypted_key(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        || text.lines().any(|l| {
            let l = l.trim();
            l.starts_with("Proc-Type:") && l.contains("ENCRYPTED")
        })
}

/// A PEM parse error, without byte lists.
fn describe(e: &pem::Error) -> String {
    match e {
        pem::Error::MissingSectionEnd { end_marker } => {
            format!(
                "missing the line -----END {}-----",
                String::from_utf8_lossy(end_marker).trim()
            )
        }
        pem::Error::IllegalSectionStart { line } => {
            format!(
                "malformed line \"{}\"",
                String::from_utf8_lossy(line).trim()
            )
        }
        pem::Error::Base64Decode(reason) => format!("bad base64 ({reason})"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_encrypted_keys() {
        assert!(is_encrypted_key(
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"
        ));
        assert!(is_encrypted_key(
            b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n"
        ));
        assert!(!is_encrypted_key(
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
        ));
    }

    #[test]
    fn broken_pem_is_described() {
        let e = sections(
            b"-----BEGIN CERTIFICATE-----\nAAAA\n",
            Path::new("x.pem"),
            TlsSetting::Certificate,
        )
        .unwrap_err();
        assert!(e.to_string().contains("x.pem is not valid PEM"), "{e}");
        assert!(e.to_string().contains("END CERTIFICATE"), "{e}");
    }
}
