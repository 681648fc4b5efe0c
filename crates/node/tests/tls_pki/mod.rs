//! Certificates for the TLS tests of the node: a CA, an intermediate, and server certificates
//! with an ECDSA P-256 key (rcgen's) or an RSA 2048 key (the test-only key in `fixtures/`,
//! since rcgen cannot make RSA keys with the ring backend), written as PEM files.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};

/// A test-only RSA 2048 private key (PKCS#8), made with `openssl genpkey`.
pub const RSA_KEY: &str = include_str!("../fixtures/test-only-rsa-2048.key");

/// A CA that signs certificates.
pub struct Ca {
    /// Its certificate.
    pub cert: Certificate,
    issuer: Issuer<'static, KeyPair>,
}

/// The key type of a server certificate.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// ECDSA P-256.
    Ecdsa,
    /// RSA 2048.
    Rsa,
}

/// A server certificate: the certificate and its key's PEM.
pub struct Leaf {
    /// The certificate.
    pub cert: Certificate,
    /// The private key, PEM.
    pub key_pem: String,
}

impl Ca {
    /// A self-signed root named `cn`.
    pub fn root(cn: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let params = ca_params(cn);
        let cert = params.self_signed(&key).unwrap();
        Ca {
            cert,
            issuer: Issuer::new(params, key),
        }
    }

    /// An intermediate CA named `cn`, signed by this one.
    pub fn intermediate(&self, cn: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let params = ca_params(cn);
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        Ca {
            cert,
            issuer: Issuer::new(params, key),
        }
    }

    /// A server certificate for `localhost` and 127.0.0.1 with a key of type `key`, valid
    /// for `days` from yesterday (negative: expired that many days ago).
    pub fn server(&self, key: KeyType, days: i64) -> Leaf {
        let key_pair = match key {
            KeyType::Ecdsa => KeyPair::generate().unwrap(),
            KeyType::Rsa => KeyPair::from_pem(RSA_KEY).unwrap(),
        };
        let mut params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        params.distinguished_name = name("localhost");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let now = time::OffsetDateTime::now_utc();
        if days >= 0 {
            params.not_before = now - time::Duration::days(1);
            params.not_after = now + time::Duration::days(days);
        } else {
            params.not_before = now - time::Duration::days(400);
            params.not_after = now + time::Duration::days(days);
        }
        let cert = params.signed_by(&key_pair, &self.issuer).unwrap();
        Leaf {
            cert,
            key_pem: key_pair.serialize_pem(),
        }
    }
}

/// Writes `certs` (in order) to `dir/name` as one PEM file.
pub fn write_chain(dir: &Path, name: &str, certs: &[&Certificate]) -> PathBuf {
    let pem: String = certs.iter().map(|c| c.pem()).collect();
    write(dir, name, &pem)
}

/// Writes `text` to `dir/name`.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name = name(cn);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params
}

fn name(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn
}
