//! `crossway tls-report`: its figures against the certificates the test made, its handshake
//! simulation against real handshakes with clients limited to each profile's suites and
//! versions, and its protocols and suites against `sslscan`'s view of the same endpoint.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod tls_pki;

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use async_std::net::TcpStream;
use crossway_node::tls_report::{Outcome, PROFILES, Profile, report, simulate};
use crossway_node::{Node, config};
use crossway_transport::BoxedIo;
use crossway_transport::tls::{
    Ciphers, TlsClientSettings, TlsConnector, TlsVersion, load_server_config,
};
use tls_pki::{Ca, KeyType};

/// The cipher string of Crossbar.io's "Secure WebSocket and HTTPS" guide.
const GUIDE_STRING: &str = "ECDH+AESGCM:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:ECDH+3DES:DH+3DES:RSA+AES:RSA+3DES:!ADH:!AECDH:!MD5:!DSS";

/// rustls's names of the suites the profiles list.
fn rustls_name(id: u16) -> &'static str {
    match id {
        0x1301 => "TLS13_AES_128_GCM_SHA256",
        0x1302 => "TLS13_AES_256_GCM_SHA384",
        0x1303 => "TLS13_CHACHA20_POLY1305_SHA256",
        0xC02B => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xC02C => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xC02F => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        0xC030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xCCA8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xCCA9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        other => panic!("no name for {other:#06x}"),
    }
}

/// A folder with a CA (`ca.pem`), a server chain `server.pem` (the leaf, then the intermediate
/// that issued it; with `stray`, the root instead of the intermediate), its key, and
/// `config.yaml` with one TLS endpoint; `tls_extra` goes into its `tls` block.
fn node_dir(key: KeyType, days: i64, tls_extra: &str, stray: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let ca = Ca::root("Test CA");
    let mid = ca.intermediate("Test Intermediate");
    let leaf = mid.server(key, days);
    let chain = if stray {
        vec![&leaf.cert, &ca.cert]
    } else {
        vec![&leaf.cert, &mid.cert]
    };
    tls_pki::write_chain(dir.path(), "server.pem", &chain);
    tls_pki::write(dir.path(), "server.key", &leaf.key_pem);
    tls_pki::write_chain(dir.path(), "ca.pem", &[&ca.cert]);
    tls_pki::write(
        dir.path(),
        "config.yaml",
        &format!(
            "realms: [{{name: realm1}}]\nendpoints:\n  - name: secure\n    transport: websocket\n    listen: 127.0.0.1:0\n    tls:\n      certificate: server.pem\n      key: server.key\n{tls_extra}"
        ),
    );
    dir
}

fn load(dir: &Path) -> config::NodeConfig {
    config::load(&dir.join("config.yaml")).unwrap()
}

/// Runs `body` against the node of `dir`'s config, then stops it.
fn with_node<F, Fut>(dir: &Path, body: F)
where
    F: FnOnce(SocketAddr) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    async_std::task::block_on(async {
        let cfg = load(dir);
        let node = Node::bind(&cfg).await.unwrap();
        let (_, addr) = node.local_addrs()[0].clone();
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let task = async_std::task::spawn(node.run(async move {
            let _ = stopped.recv().await;
        }));
        body(addr).await;
        stop.send(()).await.unwrap();
        task.await;
    });
}

/// A real handshake by a client offering exactly `profile`'s versions and suites.
async fn handshake(addr: SocketAddr, ca: &Path, profile: &Profile) -> Outcome {
    let names: Vec<String> = profile
        .tls13
        .iter()
        .chain(profile.tls12_suites)
        .map(|id| rustls_name(*id).to_owned())
        .collect();
    let mut settings = TlsClientSettings::new(vec![ca.to_owned()]);
    settings.ciphers = Some(Ciphers::List(names));
    settings.min_version = if profile.tls12 {
        TlsVersion::V1_2
    } else {
        TlsVersion::V1_3
    };
    let connector = TlsConnector::new(&settings).unwrap();
    let tcp = TcpStream::connect(addr).await.unwrap();
    let io: BoxedIo = Box::new(tcp);
    let connected =
        async_std::future::timeout(Duration::from_secs(10), connector.connect(io, "localhost"))
            .await
            .expect("the handshake ends within 10 s");
    match connected {
        Ok(c) => {
            let suite = c.session.cipher_suite;
            let offered = crossway_transport::tls::planned_offer(
                &crossway_transport::tls::TlsSettings::new("x", "y"),
            )
            .unwrap();
            let openssl = offered
                .all()
                .find(|s| s.name == suite)
                .map_or(suite, |s| s.openssl);
            Outcome::Connects {
                version: match c.session.version {
                    TlsVersion::V1_3 => "TLS 1.3",
                    TlsVersion::V1_2 => "TLS 1.2",
                },
                suite: openssl,
            }
        }
        Err(e) => Outcome::Fails(e.to_string()),
    }
}

#[test]
fn the_simulation_agrees_with_real_handshakes() {
    let compared = std::cell::Cell::new(0);
    for key in [KeyType::Rsa, KeyType::Ecdsa] {
        for extra in ["", &format!("      ciphers: \"{GUIDE_STRING}\"\n")] {
            let dir = node_dir(key, 30, extra, false);
            let offer =
                load_server_config(&load(dir.path()).endpoints[0].tls.as_ref().unwrap().settings)
                    .unwrap()
                    .offer;
            let ca = dir.path().join("ca.pem");
            let compared = &compared;
            with_node(dir.path(), |addr| async move {
                for p in PROFILES.iter().filter(|p| p.tls12 || !p.tls13.is_empty()) {
                    let predicted = simulate(&offer, p);
                    let real = handshake(addr, &ca, p).await;
                    match (&predicted, &real) {
                        (Outcome::Fails(_), Outcome::Fails(_)) => {}
                        _ => assert_eq!(predicted, real, "{} with {extra:?}", p.name),
                    }
                    compared.set(compared.get() + 1);
                }
            });
        }
    }
    assert_eq!(compared.get(), 4 * (PROFILES.len() - 1));
}

#[test]
fn windows_7_is_shut_out_by_an_rsa_key_and_xp_always() {
    let rsa = node_dir(KeyType::Rsa, 30, "", false);
    let text = report(&load(rsa.path()));
    let line = |name: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {text}"))
            .to_owned()
    };
    assert!(
        line("IE 11 / Windows 7").contains("fails: no cipher suite in common"),
        "{text}"
    );
    assert!(
        line("IE 8 / Windows XP").contains("fails: no protocol version in common"),
        "{text}"
    );
    assert!(
        line("Android 4.4.2").contains("TLS 1.2  ECDHE-RSA-AES128-GCM-SHA256"),
        "{text}"
    );
    assert!(
        line("Chrome 120").contains("TLS 1.3  TLS_AES_128_GCM_SHA256"),
        "{text}"
    );
    assert!(
        !text.contains("skipped:"),
        "no setting, nothing skipped: {text}"
    );

    let guide = node_dir(
        KeyType::Rsa,
        30,
        &format!("      ciphers: \"{GUIDE_STRING}\"\n"),
        false,
    );
    let text = report(&load(guide.path()));
    assert!(
        text.contains(
            "    skipped: 38 suites the setting chooses (needs an ECDSA key, DHE key exchange,"
        ),
        "{text}"
    );

    let ec = node_dir(KeyType::Ecdsa, 30, "", false);
    let text = report(&load(ec.path()));
    assert!(
        text.contains("IE 11 / Windows 7         TLS 1.2  ECDHE-ECDSA-AES256-GCM-SHA384"),
        "{text}"
    );
}

#[test]
fn the_report_figures_match_the_certificates() {
    let dir = node_dir(
        KeyType::Rsa,
        30,
        "      ca_certificates: [ca.pem]\n      client_auth: optional\n",
        false,
    );
    let out = Command::new(env!("CARGO_BIN_EXE_crossway"))
        .args(["tls-report", "--config"])
        .arg(dir.path().join("config.yaml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        "endpoint \"secure\" (127.0.0.1:0)",
        "grade: A\n",
        "protocols: TLS 1.3 yes, TLS 1.2 yes, TLS 1.1 no, TLS 1.0 no",
        "key: RSA 2048-bit",
        "chain as sent: 2 certificates",
        "1. CN=localhost",
        "names: localhost, 127.0.0.1",
        "issued by: CN=Test Intermediate",
        "2. CN=Test Intermediate",
        "order: in order",
        "issued by CN=Test CA, which is not sent",
        "client certificates: optional; accepted issuers:",
        "CN=Test CA (",
        "preference: the client's order",
    ] {
        assert!(text.contains(want), "{want:?} in {text}");
    }
    assert!(
        text.contains("in 29 days") || text.contains("in 30 days"),
        "{text}"
    );

    let stray = node_dir(KeyType::Ecdsa, 30, "", true);
    let text = report(&load(stray.path()));
    assert!(
        text.contains("grade: B (the chain is out of order"),
        "{text}"
    );

    let expired = node_dir(KeyType::Ecdsa, -3, "      min_version: \"1.2\"\n", false);
    let text = report(&load(expired.path()));
    assert!(
        text.contains("grade: F (the certificate has expired"),
        "{text}"
    );
    assert!(text.contains("expired on "), "{text}");

    let tls12_only = node_dir(
        KeyType::Ecdsa,
        30,
        "      ciphers: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n",
        false,
    );
    let text = report(&load(tls12_only.path()));
    assert!(text.contains("grade: A- (no TLS 1.3)"), "{text}");
    assert!(text.contains("TLS 1.3 no, TLS 1.2 yes"), "{text}");
}

#[test]
fn a_certificate_not_created_yet_is_said_so() {
    let dir = tempfile::tempdir().unwrap();
    tls_pki::write(
        dir.path(),
        "config.yaml",
        "realms: [{name: realm1}]\nendpoints:\n  - name: dev\n    transport: websocket\n    listen: 127.0.0.1:0\n    tls:\n      certificate: certs/server.pem\n      key: certs/server.key\n      create_if_missing: true\n",
    );
    let text = report(&load(dir.path()));
    assert!(
        text.contains("endpoint \"dev\" (127.0.0.1:0)\n  its certificate does not exist yet"),
        "{text}"
    );
}

/// `(protocol versions enabled, [(sslversion, cipher, status)])` from sslscan's XML.
fn sslscan(addr: SocketAddr) -> (Vec<String>, Vec<(String, String, String)>) {
    let out = Command::new("sslscan")
        .args(["--no-colour", "--xml=-", "--timeout=5"])
        .arg(addr.to_string())
        .output()
        .expect("sslscan is installed (.ci/run installs it)");
    let xml = String::from_utf8_lossy(&out.stdout);
    let attr = |line: &str, name: &str| -> String {
        let key = format!(" {name}=\"");
        line.split_once(&key)
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(v, _)| v.to_owned())
            .unwrap_or_default()
    };
    let protocols = xml
        .lines()
        .filter(|l| l.trim_start().starts_with("<protocol ") && attr(l, "enabled") == "1")
        .map(|l| format!("{} {}", attr(l, "type"), attr(l, "version")))
        .collect();
    let ciphers = xml
        .lines()
        .filter(|l| l.trim_start().starts_with("<cipher "))
        .map(|l| (attr(l, "sslversion"), attr(l, "cipher"), attr(l, "status")))
        .collect();
    (protocols, ciphers)
}

#[test]
fn sslscan_sees_what_the_report_says() {
    for extra in ["", &format!("      ciphers: \"{GUIDE_STRING}\"\n")] {
        let dir = node_dir(KeyType::Rsa, 30, extra, false);
        let offer =
            load_server_config(&load(dir.path()).endpoints[0].tls.as_ref().unwrap().settings)
                .unwrap()
                .offer;
        with_node(dir.path(), |addr| async move {
            let (protocols, ciphers) = async_std::task::spawn_blocking(move || sslscan(addr)).await;
            assert_eq!(protocols, ["tls 1.2", "tls 1.3"], "{extra:?}");
            let seen = |version: &str| -> Vec<String> {
                let mut v: Vec<String> = ciphers
                    .iter()
                    .filter(|(v, _, _)| v == version)
                    .map(|(_, c, _)| c.clone())
                    .collect();
                v.sort();
                v
            };
            let mut tls12: Vec<String> = offer.tls12.iter().map(|s| s.openssl.to_owned()).collect();
            tls12.sort();
            let mut tls13: Vec<String> = offer.tls13.iter().map(|s| s.openssl.to_owned()).collect();
            tls13.sort();
            assert_eq!(seen("TLSv1.2"), tls12, "{extra:?}");
            assert_eq!(seen("TLSv1.3"), tls13, "{extra:?}");
            if offer.server_order {
                // The suite sslscan finds preferred is the first of the report's order.
                let preferred = ciphers
                    .iter()
                    .find(|(v, _, s)| v == "TLSv1.2" && s == "preferred")
                    .map(|(_, c, _)| c.as_str());
                assert_eq!(preferred, Some(offer.tls12[0].openssl), "{extra:?}");
            }
        });
    }
}
