//! What an endpoint's `tls` block and a TLS client say, already parsed; no file is read here.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// One endpoint's `tls` block, with paths already resolved against the config file's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    /// The certificate chain: every PEM block is used, leaf first, then intermediates, and all
    /// are sent to clients.
    pub certificate: PathBuf,
    /// The private key of the leaf: PKCS#8, PKCS#1 or SEC1 PEM, unencrypted.
    pub key: PathBuf,
    /// Files of CA certificates that issue client certificates; every certificate in every file
    /// is a trust anchor (bundles work). Empty: no client certificate is requested.
    pub ca_certificates: Vec<PathBuf>,
    /// Whether a client certificate is required or optional. `None`: required when
    /// `ca_certificates` is set. `Some(..)` without `ca_certificates` is an error.
    pub client_auth: Option<ClientAuth>,
    /// The oldest TLS version accepted.
    pub min_version: TlsVersion,
    /// The cipher suites offered ([`Ciphers`]); `None`: every suite the provider has, in the
    /// client's order of preference.
    pub ciphers: Option<Ciphers>,
}

/// A `ciphers` setting: which suites to offer, in which order.
///
/// Either form may name suites by their IANA names as rustls spells them
/// (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`, `TLS13_AES_128_GCM_SHA256`) or by their OpenSSL
/// names (`ECDHE-RSA-AES128-GCM-SHA256`, `TLS_AES_128_GCM_SHA256`). Suites rustls does not
/// offer (DHE, CBC, 3DES, static RSA, ...) are skipped with a warning that names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ciphers {
    /// A cipher string in OpenSSL's syntax (`ECDH+AESGCM:DH+AESGCM:!aNULL`), read as OpenSSL
    /// reads it: it chooses the TLS 1.2 suites and their order. TLS 1.3 suites are not chosen
    /// by it (OpenSSL keeps them apart, in `-ciphersuites`): every TLS 1.3 suite is offered
    /// unless the string names some (`TLS_AES_128_GCM_SHA256`), then those.
    OpenSsl(String),
    /// A list of suite names, or of cipher strings: the TLS 1.2 suites they choose, in order,
    /// and exactly the TLS 1.3 suites they name (none named: no TLS 1.3). An entry that is a
    /// single word OpenSSL does not know is an error (a typo), not a warning.
    List(Vec<String>),
}

/// Whether an endpoint with `ca_certificates` insists on a client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientAuth {
    /// A client without a valid certificate is refused.
    Required,
    /// A client may present no certificate; one it presents must be valid.
    Optional,
}

/// A TLS protocol version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TlsVersion {
    /// TLS 1.2.
    #[default]
    V1_2,
    /// TLS 1.3.
    V1_3,
}

/// A TLS version that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid TLS version {0:?}: expected \"1.2\" or \"1.3\"")]
pub struct TlsVersionError(pub String);

/// A client-certificate mode that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid client_auth {0:?}: expected \"required\" or \"optional\"")]
pub struct ClientAuthError(pub String);

/// How a TLS client verifies its server and which certificate it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsClientSettings {
    /// Files of CA certificates the server's chain must lead to; every certificate in every
    /// file is a trust anchor. At least one certificate is needed.
    pub root_certificates: Vec<PathBuf>,
    /// A client certificate: the chain's PEM file (leaf first) and the key's PEM file.
    pub client_certificate: Option<(PathBuf, PathBuf)>,
    /// The oldest TLS version offered.
    pub min_version: TlsVersion,
    /// The cipher suites offered ([`Ciphers`]); `None`: every suite the provider has.
    pub ciphers: Option<Ciphers>,
}

impl TlsSettings {
    /// Settings for `certificate` and `key`, with no client certificates and the defaults.
    pub fn new(certificate: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        TlsSettings {
            certificate: certificate.into(),
            key: key.into(),
            ca_certificates: Vec::new(),
            client_auth: None,
            min_version: TlsVersion::V1_2,
            ciphers: None,
        }
    }

    /// The client-certificate mode in effect: `None` when no client certificate is requested.
    /// (The combination of a mode without CA files is reported by the loader.)
    pub fn effective_client_auth(&self) -> Option<ClientAuth> {
        match (self.client_auth, self.ca_certificates.is_empty()) {
            (_, true) => None,
            (None, false) => Some(ClientAuth::Required),
            (Some(mode), false) => Some(mode),
        }
    }
}

impl TlsClientSettings {
    /// Settings that trust the CA certificates in `root_certificates`, show no client
    /// certificate and take the defaults.
    pub fn new(root_certificates: Vec<PathBuf>) -> Self {
        TlsClientSettings {
            root_certificates,
            client_certificate: None,
            min_version: TlsVersion::V1_2,
            ciphers: None,
        }
    }
}

impl From<Vec<String>> for Ciphers {
    fn from(names: Vec<String>) -> Self {
        Ciphers::List(names)
    }
}

impl From<&str> for Ciphers {
    fn from(text: &str) -> Self {
        Ciphers::OpenSsl(text.to_owned())
    }
}

impl TlsVersion {
    /// The version as the configuration writes it: `"1.2"` or `"1.3"`.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsVersion::V1_2 => "1.2",
            TlsVersion::V1_3 => "1.3",
        }
    }
}

impl FromStr for TlsVersion {
    type Err = TlsVersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "1.2" => Ok(TlsVersion::V1_2),
            "1.3" => Ok(TlsVersion::V1_3),
            other => Err(TlsVersionError(other.to_owned())),
        }
    }
}

impl fmt::Display for TlsVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TLS {}", self.as_str())
    }
}

impl FromStr for ClientAuth {
    type Err = ClientAuthError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "required" => Ok(ClientAuth::Required),
            "optional" => Ok(ClientAuth::Optional),
            other => Err(ClientAuthError(other.to_owned())),
        }
    }
}

impl fmt::Display for ClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClientAuth::Required => "required",
            ClientAuth::Optional => "optional",
        })
    }
}

/// The files a TLS block reads: the certificate, the key and every CA file. The node watches
/// them and rebuilds the endpoint's acceptor when one changes.
pub fn watched_files(s: &TlsSettings) -> Vec<PathBuf> {
    let mut files = vec![s.certificate.clone(), s.key.clone()];
    for ca in &s.ca_certificates {
        if !files.contains(ca) {
            files.push(ca.clone());
        }
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_modes_parse() {
        assert_eq!("1.2".parse(), Ok(TlsVersion::V1_2));
        assert_eq!("1.3".parse(), Ok(TlsVersion::V1_3));
        let e = "1.1".parse::<TlsVersion>().unwrap_err();
        assert!(e.to_string().contains("\"1.2\" or \"1.3\""), "{e}");
        assert!(TlsVersion::V1_2 < TlsVersion::V1_3);
        assert_eq!("optional".parse(), Ok(ClientAuth::Optional));
        assert_eq!("required".parse(), Ok(ClientAuth::Required));
        assert!("maybe".parse::<ClientAuth>().is_err());
    }

    #[test]
    fn client_auth_defaults_to_required_with_cas() {
        let mut s = TlsSettings::new("c.pem", "k.pem");
        assert_eq!(s.effective_client_auth(), None);
        s.ca_certificates.push("ca.pem".into());
        assert_eq!(s.effective_client_auth(), Some(ClientAuth::Required));
        s.client_auth = Some(ClientAuth::Optional);
        assert_eq!(s.effective_client_auth(), Some(ClientAuth::Optional));
    }

    #[test]
    fn watched_files_lists_each_file_once() {
        let mut s = TlsSettings::new("c.pem", "k.pem");
        s.ca_certificates = vec!["ca.pem".into(), "ca.pem".into(), "b.pem".into()];
        let files: Vec<PathBuf> = ["c.pem", "k.pem", "ca.pem", "b.pem"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(watched_files(&s), files);
    }
}
