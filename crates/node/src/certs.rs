//! Development certificates: a CA, a server certificate for chosen hosts and a client
//! certificate, for `crossway certs` and for endpoints with `tls.create_if_missing`.
//!
//! These are for trying mutual TLS on a workstation; production certificates come from the
//! operator's own CA.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crossway_transport::tls::TlsSettings;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use time::OffsetDateTime;

/// The hosts a development server certificate names when none are given.
pub const DEFAULT_HOSTS: [&str; 2] = ["localhost", "127.0.0.1"];

/// How long development certificates are valid.
const VALIDITY: Duration = Duration::from_secs(365 * 24 * 3600);

/// The common name of the development client certificate.
pub const CLIENT_NAME: &str = "crossway-dev-client";

/// Where each development file goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertPaths {
    /// The CA certificate (the trust anchor for both sides).
    pub ca_cert: PathBuf,
    /// The CA's private key.
    pub ca_key: PathBuf,
    /// The server certificate.
    pub server_cert: PathBuf,
    /// The server's private key.
    pub server_key: PathBuf,
    /// The client certificate.
    pub client_cert: PathBuf,
    /// The client's private key.
    pub client_key: PathBuf,
}

/// Why certificates could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum CertsError {
    /// rcgen refused the parameters or could not sign.
    #[error("cannot make a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// A file or folder could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl CertPaths {
    /// The standard names inside `dir`: `ca.pem`, `ca.key`, `server.pem`, `server.key`,
    /// `client.pem`, `client.key`.
    pub fn in_dir(dir: &Path) -> CertPaths {
        CertPaths {
            ca_cert: dir.join("ca.pem"),
            ca_key: dir.join("ca.key"),
            server_cert: dir.join("server.pem"),
            server_key: dir.join("server.key"),
            client_cert: dir.join("client.pem"),
            client_key: dir.join("client.key"),
        }
    }

    /// Every path, in a fixed order.
    pub fn all(&self) -> [&Path; 6] {
        [
            &self.ca_cert,
            &self.ca_key,
            &self.server_cert,
            &self.server_key,
            &self.client_cert,
            &self.client_key,
        ]
    }
}

/// Makes a development CA, a server certificate for `hosts` (DNS names or IP addresses) and a
/// client certificate, and writes them to `paths` (keys with mode 0600).
pub fn write_dev_certificates(paths: &CertPaths, hosts: &[String]) -> Result<(), CertsError> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::default();
    ca_params.distinguished_name = name("Crossway development CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    validity(&mut ca_params);
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let ca_pem = ca_cert.pem();
    let ca_key_pem = ca_key.serialize_pem();
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate()?;
    let mut server = CertificateParams::default();
    server.distinguished_name = name(hosts.first().map_or("localhost", String::as_str));
    server.subject_alt_names = hosts.iter().map(|h| san(h)).collect::<Result<_, _>>()?;
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    validity(&mut server);
    let server_cert = server.signed_by(&server_key, &issuer)?;

    let client_key = KeyPair::generate()?;
    let mut client = CertificateParams::default();
    client.distinguished_name = name(CLIENT_NAME);
    client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    client.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    validity(&mut client);
    let client_cert = client.signed_by(&client_key, &issuer)?;

    write(&paths.ca_cert, &ca_pem, false)?;
    write(&paths.ca_key, &ca_key_pem, true)?;
    write(&paths.server_cert, &server_cert.pem(), false)?;
    write(&paths.server_key, &server_key.serialize_pem(), true)?;
    write(&paths.client_cert, &client_cert.pem(), false)?;
    write(&paths.client_key, &client_key.serialize_pem(), true)?;
    Ok(())
}

/// For an endpoint with `tls.create_if_missing`: when none of its certificate, key and CA files
/// exists, writes a development set there: the server certificate and key at `certificate`
/// and `key`, the CA at the first `ca_certificates` file (or `ca.pem` beside the certificate)
/// with its key beside it, and a client certificate (`client.pem`, `client.key`) in the CA's
/// folder. Returns the paths written, or an empty list when files already exist (then the
/// loader reports whatever is missing).
pub fn create_if_missing(endpoint: &str, tls: &TlsSettings) -> Result<Vec<PathBuf>, CertsError> {
    let mut files = vec![tls.certificate.clone(), tls.key.clone()];
    files.extend(tls.ca_certificates.iter().cloned());
    if files.iter().any(|f| f.exists()) {
        return Ok(Vec::new());
    }
    let cert_dir = tls.certificate.parent().unwrap_or(Path::new("."));
    let ca_cert = tls
        .ca_certificates
        .first()
        .cloned()
        .unwrap_or_else(|| cert_dir.join("ca.pem"));
    let ca_dir = ca_cert.parent().unwrap_or(Path::new(".")).to_path_buf();
    let paths = CertPaths {
        ca_key: ca_cert.with_extension("key"),
        ca_cert,
        server_cert: tls.certificate.clone(),
        server_key: tls.key.clone(),
        client_cert: ca_dir.join("client.pem"),
        client_key: ca_dir.join("client.key"),
    };
    let hosts: Vec<String> = DEFAULT_HOSTS.iter().map(|h| h.to_string()).collect();
    write_dev_certificates(&paths, &hosts)?;
    let written: Vec<PathBuf> = paths.all().iter().map(|p| p.to_path_buf()).collect();
    tracing::warn!(
        endpoint,
        files = %written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
        "created development certificates (tls.create_if_missing); use your own CA in production"
    );
    Ok(written)
}

fn name(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, "Crossway development");
    dn
}

fn san(host: &str) -> Result<SanType, rcgen::Error> {
    match host.parse::<IpAddr>() {
        Ok(ip) => Ok(SanType::IpAddress(ip)),
        Err(_) => Ok(SanType::DnsName(host.try_into()?)),
    }
}

fn validity(params: &mut CertificateParams) {
    let now = SystemTime::now();
    // An hour of slack for clocks that differ a little.
    params.not_before = OffsetDateTime::from(now - Duration::from_secs(3600));
    params.not_after = OffsetDateTime::from(now + VALIDITY);
}

/// Writes `text` to `path`, creating its folder; a `secret` file gets mode 0600.
pub(crate) fn write(path: &Path, text: &str, secret: bool) -> Result<(), CertsError> {
    let err = |source| CertsError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    std::fs::write(path, text).map_err(err)?;
    if secret {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_six_pem_files() {
        let dir = tempfile::tempdir().unwrap();
        let paths = CertPaths::in_dir(&dir.path().join("certs"));
        let hosts: Vec<String> = DEFAULT_HOSTS.iter().map(|h| h.to_string()).collect();
        write_dev_certificates(&paths, &hosts).unwrap();
        for p in paths.all() {
            let text = std::fs::read_to_string(p).unwrap();
            assert!(text.starts_with("-----BEGIN "), "{}", p.display());
        }
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&paths.server_key)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
