//! When a TLS endpoint's server certificate expires, for the
//! `crossway_certificate_expiry_timestamp_seconds` series (so that an alert can fire before it
//! lapses). Read at start and after each reload from the leaf, the first PEM block of the
//! `certificate` file.

use std::path::Path;

/// The leaf certificate's notAfter, in seconds since 1970; `None` if the file cannot be read.
pub fn not_after(certificate: &Path) -> Option<i64> {
    let bytes = std::fs::read(certificate).ok()?;
    let (_, pem) = x509_parser::pem::parse_x509_pem(&bytes).ok()?;
    let cert = pem.parse_x509().ok()?;
    Some(cert.validity().not_after.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_leaf_of_a_development_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let paths = crate::certs::CertPaths::in_dir(dir.path());
        crate::certs::write_dev_certificates(&paths, &["localhost".to_owned()]).unwrap();
        let t = not_after(&paths.server_cert).unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        assert!(t > now, "{t} is after {now}");
        assert_eq!(not_after(&dir.path().join("missing.pem")), None);
    }
}
