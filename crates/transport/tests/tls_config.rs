//! Loading a `tls` block: every problem names its file or setting, all are reported at once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod pki;
mod tls_harness;

use crossway_transport::tls::{
    ClientAuth, TlsClientSettings, TlsConfigError, TlsConnector, TlsSetting, TlsSettings,
    load_server_config,
};
use pki::{Ca, LeafSpec, Validity};
use tls_harness::Server;

/// The errors of loading `s`.
fn errors(s: &TlsSettings) -> Vec<TlsConfigError> {
    load_server_config(s).unwrap_err()
}

fn one_error(s: &TlsSettings) -> TlsConfigError {
    let mut e = errors(s);
    assert_eq!(e.len(), 1, "{e:?}");
    e.pop().unwrap()
}

#[test]
fn a_missing_file_is_named() {
    let ca = Ca::root("Test CA");
    let mut server = Server::new(&ca, &[&ca]);
    let missing = server.dir.path().join("nope.pem");
    server.settings.ca_certificates.push(missing.clone());
    let e = one_error(&server.settings);
    assert!(
        matches!(e, TlsConfigError::Unreadable { ref file, .. } if *file == missing),
        "{e:?}"
    );
    assert_eq!(e.setting(), TlsSetting::CaCertificates(1));
    let text = e.to_string();
    assert!(
        text.starts_with(&format!("cannot read {}", missing.display())),
        "{text}"
    );
}

#[test]
fn a_pem_without_a_certificate_is_named() {
    let ca = Ca::root("Test CA");
    let server = Server::new(&ca, &[]);
    // The key file given as the certificate.
    let mut settings = server.settings.clone();
    settings.certificate = settings.key.clone();
    let e = one_error(&settings);
    assert_eq!(
        e,
        TlsConfigError::NoCertificate {
            setting: TlsSetting::Certificate,
            file: settings.key.clone()
        }
    );
    assert!(e.to_string().contains("holds no certificate"), "{e}");

    let garbage = server.dir.write("garbage.pem", "not PEM at all\n");
    let mut settings = server.settings.clone();
    settings.ca_certificates = vec![garbage.clone()];
    let e = one_error(&settings);
    assert_eq!(e.setting(), TlsSetting::CaCertificates(0));
    assert!(
        e.to_string().contains(&garbage.display().to_string()),
        "{e}"
    );
}

#[test]
fn a_key_that_does_not_match_its_certificate_is_named() {
    let ca = Ca::root("Test CA");
    let server = Server::new(&ca, &[]);
    let other_key = server.dir.write("other.key", &ca.server().key_pem);
    let mut settings = server.settings.clone();
    settings.key = other_key.clone();
    let e = one_error(&settings);
    assert_eq!(e.setting(), TlsSetting::Key);
    let text = e.to_string();
    assert!(text.contains("does not match"), "{text}");
    assert!(text.contains(&other_key.display().to_string()), "{text}");
    assert!(
        text.contains(&settings.certificate.display().to_string()),
        "{text}"
    );
}

#[test]
fn an_encrypted_key_is_refused_with_a_clear_message() {
    let ca = Ca::root("Test CA");
    let server = Server::new(&ca, &[]);
    let key = server.dir.write(
        "encrypted.key",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n",
    );
    let mut settings = server.settings.clone();
    settings.key = key.clone();
    let e = one_error(&settings);
    assert_eq!(
        e,
        TlsConfigError::EncryptedKey {
            setting: TlsSetting::Key,
            file: key
        }
    );
    assert!(e.to_string().contains("encrypted private key"), "{e}");
}

#[test]
fn unknown_ciphers_list_the_valid_names() {
    let ca = Ca::root("Test CA");
    let mut server = Server::new(&ca, &[]);
    server.settings.ciphers = Some(vec!["RC4-MD6".to_owned()].into());
    let e = one_error(&server.settings);
    assert_eq!(e.setting(), TlsSetting::Ciphers);
    let text = e.to_string();
    assert!(text.contains("\"RC4-MD6\""), "{text}");
    assert!(text.contains("TLS13_AES_128_GCM_SHA256"), "{text}");
    assert!(
        text.contains("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        "{text}"
    );

    // An ECDSA key with only RSA suites for TLS 1.2.
    server.settings.ciphers = Some(vec!["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".to_owned()].into());
    let e = one_error(&server.settings);
    assert!(matches!(e, TlsConfigError::NoUsableCipher { .. }), "{e:?}");
}

#[test]
fn every_problem_of_a_block_is_reported_at_once() {
    let ca = Ca::root("Test CA");
    let server = Server::new(&ca, &[]);
    let mut settings = server.settings.clone();
    settings.key = server.dir.path().join("missing.key");
    settings.ciphers = Some(vec!["NOPE".to_owned()].into());
    settings.client_auth = Some(ClientAuth::Required);
    let e = errors(&settings);
    let settings_named: Vec<TlsSetting> = e.iter().map(TlsConfigError::setting).collect();
    assert_eq!(
        settings_named,
        [TlsSetting::Key, TlsSetting::ClientAuth, TlsSetting::Ciphers],
        "{e:?}"
    );
    assert!(
        e[1].to_string().contains("ca_certificates is empty"),
        "{}",
        e[1]
    );
}

#[test]
fn an_expired_server_certificate_is_a_warning() {
    let ca = Ca::root("Test CA");
    let server = Server::new(&ca, &[]);
    let leaf = ca.leaf(&LeafSpec {
        validity: Validity::Expired,
        ..LeafSpec::server()
    });
    std::fs::write(&server.settings.certificate, &leaf.chain_pem).unwrap();
    std::fs::write(&server.settings.key, &leaf.key_pem).unwrap();
    let loaded = load_server_config(&server.settings).unwrap();
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    let w = &loaded.warnings[0];
    assert!(
        w.contains(&server.settings.certificate.display().to_string()),
        "{w}"
    );
    assert!(w.contains("expired on") && w.contains("2001"), "{w}");
}

#[test]
fn a_client_needs_root_certificates() {
    let settings = TlsClientSettings::new(vec![]);
    let e = TlsConnector::new(&settings).unwrap_err();
    assert_eq!(e, [TlsConfigError::NoRootCertificates]);
}
