//! Problems of a TLS block, written for operators: each names its file (or setting) and what
//! is wrong.

use std::fmt;
use std::path::PathBuf;

/// The setting of a TLS block a problem belongs to, named as the configuration names it, for
/// the key path of a config error (`endpoints[1].tls.ca_certificates[0]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TlsSetting {
    /// `certificate`: the server's chain.
    Certificate,
    /// `key`: the server's private key.
    Key,
    /// `ca_certificates[i]`: a file of client CAs.
    CaCertificates(usize),
    /// `client_auth`.
    ClientAuth,
    /// `ciphers`.
    Ciphers,
    /// `min_version`.
    MinVersion,
    /// A client's `root_certificates[i]`.
    RootCertificates(usize),
    /// A client's certificate chain file.
    ClientCertificate,
    /// A client's key file.
    ClientKey,
}

/// One problem of a TLS block. Loading reports every problem it finds, as a `Vec`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsConfigError {
    /// A file that cannot be read (missing, no permission, a folder).
    #[error("cannot read {}: {reason}", file.display())]
    Unreadable {
        /// The setting naming the file.
        setting: TlsSetting,
        /// The file.
        file: PathBuf,
        /// The system's reason.
        reason: String,
    },
    /// A file whose PEM text is broken.
    #[error("{} is not valid PEM: {reason}", file.display())]
    BadPem {
        /// The setting naming the file.
        setting: TlsSetting,
        /// The file.
        file: PathBuf,
        /// What the parser found.
        reason: String,
    },
    /// A file with no `CERTIFICATE` block.
    #[error("{} holds no certificate: expected a -----BEGIN CERTIFICATE----- block", file.display())]
    NoCertificate {
        /// The setting naming the file.
        setting: TlsSetting,
        /// The file.
        file: PathBuf,
    },
    /// A certificate that is not valid X.509, or not usable where it is listed.
    #[error("certificate {} of {} cannot be used: {reason}", index + 1, file.display())]
    BadCertificate {
        /// The setting naming the file.
        setting: TlsSetting,
        /// The file.
        file: PathBuf,
        /// The certificate's position in the file, from 0.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A key file without an unencrypted private key.
    #[error(
        "{} holds no private key: expected a PKCS#8 (PRIVATE KEY), PKCS#1 (RSA PRIVATE KEY) or SEC1 (EC PRIVATE KEY) block",
        file.display()
    )]
    NoPrivateKey {
        /// The setting naming the file.
        setting: TlsSetting,
        /// The file.
        file: PathBuf,
    },
    /// An encrypted private key, which Crossway cannot decrypt.
    #[error(
        "{} holds an encrypted private key, which Crossway cannot use: store it unencrypted (for instance with `openssl pkey -in ENCRYPTED -out PLAIN`) and protect the file with its permissions",
        file.display()
    )]
    EncryptedKey {
        /// The setting naming the file.
        setting: TlsSetting,
        /// The file.
        file: PathBuf,
    },
    /// A private key the crypto provider cannot use (an unsupported algorithm or curve).
    #[error("the private key in {} cannot be used: {reason}", file.display())]
    UnsupportedKey {
        /// The setting naming the file.
        setting: TlsSetting,
        /// The file.
        file: PathBuf,
        /// The provider's reason.
        reason: String,
    },
    /// A private key that is not the key of the chain's first certificate.
    #[error(
        "the private key in {} does not match the first certificate in {}",
        key.display(),
        certificate.display()
    )]
    KeyMismatch {
        /// The setting naming the key file.
        setting: TlsSetting,
        /// The key file.
        key: PathBuf,
        /// The certificate file.
        certificate: PathBuf,
    },
    /// `client_auth` without `ca_certificates`.
    #[error(
        "client_auth is {mode} but ca_certificates is empty: list the files of the CAs that issue client certificates"
    )]
    ClientAuthWithoutCa {
        /// The configured mode.
        mode: super::ClientAuth,
    },
    /// A client without root certificates.
    #[error("no root certificates: a TLS client needs at least one CA file to verify the server")]
    NoRootCertificates,
    /// A cipher suite name neither rustls nor OpenSSL knows.
    #[error(
        "unknown cipher suite {name:?}: not a suite name or alias OpenSSL knows; the suites rustls offers: {}",
        valid.join(", ")
    )]
    UnknownCipher {
        /// The name as configured.
        name: String,
        /// The names the provider knows.
        valid: Vec<String>,
    },
    /// A cipher string OpenSSL would refuse as a whole (a character that cannot be in it, an
    /// unknown `@` command).
    #[error("invalid cipher string: {reason}")]
    CipherString {
        /// What is wrong, and where.
        reason: String,
    },
    /// A cipher list that leaves no suite usable.
    #[error("no usable cipher suite: {reason}")]
    NoUsableCipher {
        /// Why none is usable.
        reason: String,
    },
    /// The TLS library refused the configuration for another reason.
    #[error("TLS configuration refused: {reason}")]
    Refused {
        /// The setting concerned.
        setting: TlsSetting,
        /// The library's reason.
        reason: String,
    },
}

impl TlsConfigError {
    /// The setting the problem belongs to, for the key path of the config error.
    pub fn setting(&self) -> TlsSetting {
        match self {
            TlsConfigError::Unreadable { setting, .. }
            | TlsConfigError::BadPem { setting, .. }
            | TlsConfigError::NoCertificate { setting, .. }
            | TlsConfigError::BadCertificate { setting, .. }
            | TlsConfigError::NoPrivateKey { setting, .. }
            | TlsConfigError::EncryptedKey { setting, .. }
            | TlsConfigError::UnsupportedKey { setting, .. }
            | TlsConfigError::KeyMismatch { setting, .. }
            | TlsConfigError::Refused { setting, .. } => *setting,
            TlsConfigError::ClientAuthWithoutCa { .. } => TlsSetting::ClientAuth,
            TlsConfigError::NoRootCertificates => TlsSetting::RootCertificates(0),
            TlsConfigError::UnknownCipher { .. }
            | TlsConfigError::CipherString { .. }
            | TlsConfigError::NoUsableCipher { .. } => TlsSetting::Ciphers,
        }
    }
}

impl fmt::Display for TlsSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsSetting::Certificate => f.write_str("certificate"),
            TlsSetting::Key => f.write_str("key"),
            TlsSetting::CaCertificates(i) => write!(f, "ca_certificates[{i}]"),
            TlsSetting::ClientAuth => f.write_str("client_auth"),
            TlsSetting::Ciphers => f.write_str("ciphers"),
            TlsSetting::MinVersion => f.write_str("min_version"),
            TlsSetting::RootCertificates(i) => write!(f, "root_certificates[{i}]"),
            TlsSetting::ClientCertificate => f.write_str("client_certificate"),
            TlsSetting::ClientKey => f.write_str("client_key"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_display_as_config_keys() {
        assert_eq!(
            TlsSetting::CaCertificates(2).to_string(),
            "ca_certificates[2]"
        );
        let e = TlsConfigError::NoCertificate {
            setting: TlsSetting::Certificate,
            file: "certs/server.pem".into(),
        };
        assert_eq!(e.setting().to_string(), "certificate");
        assert!(
            e.to_string()
                .starts_with("certs/server.pem holds no certificate")
        );
    }
}
