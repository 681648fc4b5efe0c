//! Certificates for TLS tests, made with rcgen inside the test: CAs, intermediates, server and
//! client leaves (valid, expired, not yet valid, with chosen extended key usages), written to
//! a temporary folder.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType, date_time_ymd,
};

/// A certificate authority (a root, or an intermediate with its chain up to the root).
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    /// This CA's certificate, PEM.
    pub pem: String,
    /// The certificates above this one (empty for a root), PEM, nearest first.
    pub above: Vec<String>,
}

/// When a leaf is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// 2000 to 2999.
    Now,
    /// 2000 to 2001.
    Expired,
    /// 2990 to 2999.
    NotYet,
}

/// What a leaf certificate says.
#[derive(Debug, Clone)]
pub struct LeafSpec {
    /// Subject common name.
    pub common_name: String,
    /// SAN DNS names and IP addresses (rcgen turns IP text into IP entries).
    pub names: Vec<String>,
    /// SAN email addresses.
    pub emails: Vec<String>,
    /// Extended key usages (empty: no EKU extension).
    pub eku: Vec<ExtendedKeyUsagePurpose>,
    /// The validity period.
    pub validity: Validity,
}

/// A leaf certificate with its key.
pub struct Leaf {
    /// The leaf's certificate, PEM.
    pub pem: String,
    /// The leaf's certificate, DER.
    pub der: Vec<u8>,
    /// The private key, PKCS#8 PEM.
    pub key_pem: String,
    /// The leaf followed by its issuers below the root, PEM: the full chain to send.
    pub chain_pem: String,
}

impl Ca {
    /// A self-signed root CA called `name`.
    pub fn root(name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let params = ca_params(name);
        let cert = params.self_signed(&key).unwrap();
        Ca {
            issuer: Issuer::new(params, key),
            pem: cert.pem(),
            above: Vec::new(),
        }
    }

    /// An intermediate CA called `name`, issued by this CA.
    pub fn intermediate(&self, name: &str) -> Ca {
        let key = KeyPair::generate().unwrap();
        let params = ca_params(name);
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let mut above = vec![self.pem.clone()];
        above.extend(self.above.iter().cloned());
        Ca {
            issuer: Issuer::new(params, key),
            pem: cert.pem(),
            above,
        }
    }

    /// A leaf issued by this CA.
    pub fn leaf(&self, spec: &LeafSpec) -> Leaf {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(spec.names.clone()).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, spec.common_name.as_str());
        for mail in &spec.emails {
            params
                .subject_alt_names
                .push(SanType::Rfc822Name(mail.as_str().try_into().unwrap()));
        }
        params.extended_key_usages = spec.eku.clone();
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let (from, to) = match spec.validity {
            Validity::Now => ((2000, 1, 1), (2999, 1, 1)),
            Validity::Expired => ((2000, 1, 1), (2001, 1, 1)),
            Validity::NotYet => ((2990, 1, 1), (2999, 1, 1)),
        };
        params.not_before = date_time_ymd(from.0, from.1, from.2);
        params.not_after = date_time_ymd(to.0, to.1, to.2);
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let mut chain_pem = cert.pem();
        // Send every CA certificate below the root: the peer trusts the root.
        if !self.above.is_empty() {
            chain_pem.push_str(&self.pem);
            for above in self.above.iter().take(self.above.len() - 1) {
                chain_pem.push_str(above);
            }
        }
        Leaf {
            pem: cert.pem(),
            der: cert.der().to_vec(),
            key_pem: key.serialize_pem(),
            chain_pem,
        }
    }

    /// A server leaf for `localhost` and `127.0.0.1`.
    pub fn server(&self) -> Leaf {
        self.leaf(&LeafSpec::server())
    }

    /// A client leaf with common name `name`.
    pub fn client(&self, name: &str) -> Leaf {
        self.leaf(&LeafSpec::client(name))
    }
}

impl LeafSpec {
    /// A server certificate: `localhost` and `127.0.0.1`, EKU serverAuth, valid now.
    pub fn server() -> LeafSpec {
        LeafSpec {
            common_name: "localhost".to_owned(),
            names: vec!["localhost".to_owned(), "127.0.0.1".to_owned()],
            emails: Vec::new(),
            eku: vec![ExtendedKeyUsagePurpose::ServerAuth],
            validity: Validity::Now,
        }
    }

    /// A client certificate: CN `name`, SAN DNS `name.devices.example` and email
    /// `name@example.com`, EKU clientAuth, valid now.
    pub fn client(name: &str) -> LeafSpec {
        LeafSpec {
            common_name: name.to_owned(),
            names: vec![format!("{name}.devices.example")],
            emails: vec![format!("{name}@example.com")],
            eku: vec![ExtendedKeyUsagePurpose::ClientAuth],
            validity: Validity::Now,
        }
    }
}

/// A temporary folder for PEM files.
pub struct Dir(tempfile::TempDir);

impl Dir {
    /// A new, empty folder.
    pub fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }

    /// Writes `contents` to `name` in the folder; gives its path.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.path().join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

/// The parameters of a CA called `name`.
fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = date_time_ymd(2000, 1, 1);
    params.not_after = date_time_ymd(2999, 1, 1);
    params
}
