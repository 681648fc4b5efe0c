//! `tls.ciphers` in the configuration: OpenSSL cipher strings (the guides' examples) and lists,
//! what is kept and skipped, the problems with their key and line, and what `crossway check`
//! prints.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod tls_pki;

use std::process::Command;

use crossway_node::config;
use crossway_transport::tls::load_server_config;
use tls_pki::{Ca, KeyType};

/// The cipher string of Crossbar.io's "Secure WebSocket and HTTPS" guide.
const GUIDE_STRING: &str = "ECDH+AESGCM:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:ECDH+3DES:DH+3DES:RSA+AES:RSA+3DES:!ADH:!AECDH:!MD5:!DSS";
/// The guide's default list.
const GUIDE_DEFAULT: &str = "ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256:DHE-RSA-AES128-SHA256:ECDHE-RSA-AES128-SHA:DHE-RSA-AES128-SHA";

/// A folder with `server.pem` and `server.key` of `key` type, and `config.yaml` with one TLS
/// endpoint whose `ciphers` line is `ciphers` (line 9 of the file).
fn node_dir(key: KeyType, ciphers: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::root("Test CA");
    let leaf = ca.server(key, 30);
    tls_pki::write_chain(dir.path(), "server.pem", &[&leaf.cert]);
    tls_pki::write(dir.path(), "server.key", &leaf.key_pem);
    tls_pki::write(
        dir.path(),
        "config.yaml",
        &format!(
            "realms: [{{name: realm1}}]\nendpoints:\n  - name: secure\n    transport: websocket\n    listen: 127.0.0.1:0\n    tls:\n      certificate: server.pem\n      key: server.key\n      ciphers: {ciphers}\n"
        ),
    );
    dir
}

fn load(dir: &tempfile::TempDir) -> Result<config::NodeConfig, config::ConfigErrors> {
    config::load(&dir.path().join("config.yaml"))
}

#[test]
fn the_guides_cipher_string_is_read_as_openssl_reads_it() {
    let dir = node_dir(KeyType::Rsa, &format!("\"{GUIDE_STRING}\""));
    let cfg = load(&dir).unwrap();
    let skipped: Vec<&String> = cfg
        .warnings
        .iter()
        .filter(|w| w.contains("skipped"))
        .collect();
    assert_eq!(
        skipped.len(),
        1,
        "one warning per TLS block: {:?}",
        cfg.warnings
    );
    let w = skipped[0];
    assert!(w.starts_with("endpoints[0].tls: ciphers: skipped "), "{w}");
    assert!(w.contains("DHE-RSA-AES256-GCM-SHA384"), "{w}");
    assert!(w.contains("AES256-SHA"), "{w}");

    let loaded = load_server_config(&cfg.endpoints[0].tls.as_ref().unwrap().settings).unwrap();
    let tls12: Vec<&str> = loaded.offer.tls12.iter().map(|s| s.openssl).collect();
    assert_eq!(
        tls12,
        ["ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256"]
    );
    assert_eq!(loaded.offer.tls13.len(), 3);
    assert!(loaded.config.ignore_client_order);
}

#[test]
fn the_guides_default_list_works_as_a_list_and_as_a_string() {
    let names: Vec<&str> = GUIDE_DEFAULT.split(':').collect();
    let list = format!("[{}]", names.join(", "));
    let cfg = load(&node_dir(KeyType::Rsa, &list)).unwrap();
    assert!(
        cfg.warnings
            .iter()
            .any(|w| w.contains("skipped 5 of the 6 suites")),
        "{:?}",
        cfg.warnings
    );
    let cfg = load(&node_dir(KeyType::Rsa, GUIDE_DEFAULT)).unwrap();
    assert_eq!(cfg.endpoints.len(), 1);

    // With an ECDSA key none of them can be used: an error at the key, with its line.
    let e = load(&node_dir(KeyType::Ecdsa, &list)).unwrap_err();
    let p = e
        .problems
        .iter()
        .find(|p| p.key == "endpoints[0].tls.ciphers")
        .expect("a problem at tls.ciphers");
    assert_eq!(p.line, Some(9), "{e}");
    assert!(p.message.contains("with an ECDSA key"), "{e}");
}

#[test]
fn cipher_string_problems_name_their_key_and_line() {
    let e = load(&node_dir(KeyType::Ecdsa, "\"HIGH:@SECLEVEL=7\"")).unwrap_err();
    assert!(
        e.problems
            .iter()
            .any(|p| p.key == "endpoints[0].tls.ciphers"
                && p.line == Some(9)
                && p.message.contains("@SECLEVEL=7 is not a command")),
        "{e}"
    );
    let e = load(&node_dir(KeyType::Ecdsa, "42")).unwrap_err();
    assert!(
        e.problems.iter().any(|p| p
            .message
            .contains("expected an OpenSSL cipher string or a list")),
        "{e}"
    );
    let e = load(&node_dir(KeyType::Ecdsa, "\"\"")).unwrap_err();
    assert!(e.to_string().contains("empty cipher string"), "{e}");
    let e = load(&node_dir(KeyType::Ecdsa, "[ECDHE-ECDSA-AES128-GCM-SHA265]")).unwrap_err();
    assert!(
        e.to_string()
            .contains("unknown cipher suite \"ECDHE-ECDSA-AES128-GCM-SHA265\""),
        "a typo in a list is an error: {e}"
    );
}

#[test]
fn unknown_words_in_a_string_are_warnings() {
    let cfg = load(&node_dir(KeyType::Ecdsa, "\"ECDHE+AESGCM:!EXPORT:NOPE\"")).unwrap();
    assert!(
        cfg.warnings
            .iter()
            .any(|w| w.contains("NOPE is not a suite name or alias OpenSSL knows")),
        "{:?}",
        cfg.warnings
    );
    assert!(
        !cfg.warnings.iter().any(|w| w.contains("EXPORT")),
        "EXPORT is known (it selects nothing since OpenSSL 1.1.0): {:?}",
        cfg.warnings
    );
}

#[test]
fn check_prints_the_suites_each_endpoint_offers() {
    let dir = node_dir(KeyType::Rsa, &format!("\"{GUIDE_STRING}\""));
    let out = Command::new(env!("CARGO_BIN_EXE_crossway"))
        .args(["check", "--config"])
        .arg(dir.path().join("config.yaml"))
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "endpoint \"secure\" (127.0.0.1:0) offers:\n  TLS 1.3 (a cipher string does not choose TLS 1.3 suites"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "  TLS 1.2:\n    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (ECDHE-RSA-AES256-GCM-SHA384)\n    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (ECDHE-RSA-AES128-GCM-SHA256)\n  preference: the server's order\n"
        ),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: endpoints[0].tls: ciphers: skipped"),
        "{stderr}"
    );
}
