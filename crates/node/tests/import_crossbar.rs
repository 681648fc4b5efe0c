//! `crossway import-crossbar` on Crossbar.io configurations (the one `crossbar init` writes, the
//! "Secure WebSocket and HTTPS" guide's two cipher settings, one with every auth method): the
//! command's exit status and report, `crossway check` on the result, and clients against a node
//! started from it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod tls_pki;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crossway_client::{Client, ClientError, ConnectOptions};
use crossway_node::{Node, config};
use crossway_transport::Serializer;
use crossway_transport::tls::TlsClientSettings;
use serde_json::Value;
use tls_pki::{Ca, KeyType};

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/crossbar")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The fixture with its tcp endpoints on port 0 of 127.0.0.1, 127.0.0.2, ... (one address each:
/// `check` refuses one listen address twice), written to `dir/config.json`.
fn node_dir(name: &str) -> (tempfile::TempDir, PathBuf) {
    let mut json = fixture(name);
    for worker in json["workers"].as_array_mut().unwrap() {
        let Some(transports) = worker.get_mut("transports") else {
            continue;
        };
        for (i, t) in transports.as_array_mut().unwrap().iter_mut().enumerate() {
            let e = &mut t["endpoint"];
            if e["type"] == "tcp" {
                e["port"] = 0.into();
                e["interface"] = format!("127.0.0.{}", i + 1).into();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.json");
    std::fs::write(&file, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    (dir, file)
}

fn crossway(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crossway"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs `import-crossbar` on `file`; its exit code and stdout, and the written file's path.
fn import(file: &Path) -> (i32, String, PathBuf) {
    let out = crossway(&["import-crossbar", file.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let yaml = file.parent().unwrap().join("config.yaml");
    assert!(yaml.exists(), "{stdout}\n{stderr}");
    (
        out.status.code().unwrap(),
        format!("{stdout}{stderr}"),
        yaml,
    )
}

/// `crossway check` on `yaml`: it passes; its output.
fn checks(yaml: &Path) -> String {
    let out = crossway(&["check", "--config", yaml.to_str().unwrap()]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

/// Binds a node from `yaml`, runs `body` with its endpoints' addresses, stops it.
fn with_node<F, Fut>(yaml: &Path, body: F)
where
    F: FnOnce(Vec<(String, String)>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    async_std::task::block_on(async {
        let cfg = config::load(yaml).unwrap();
        let node = Node::bind(&cfg).await.unwrap();
        let addrs = node
            .local_addrs()
            .iter()
            .map(|(name, addr)| (name.to_string(), addr.to_string()))
            .collect();
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let task = async_std::task::spawn(node.run(async move {
            let _ = stopped.recv().await;
        }));
        body(addrs).await;
        stop.send(()).await.unwrap();
        task.await;
    });
}

fn addr_of(addrs: &[(String, String)], name: &str) -> String {
    addrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, a)| a.clone())
        .unwrap_or_else(|| panic!("no endpoint {name} in {addrs:?}"))
}

async fn connect(url: &str, opts: ConnectOptions) -> Result<Client, ClientError> {
    async_std::future::timeout(
        Duration::from_secs(10),
        Client::connect_with(url, "realm1", Serializer::Json, opts),
    )
    .await
    .expect("the router answers HELLO")
}

#[test]
fn the_configuration_crossbar_init_writes() {
    let (dir, file) = node_dir("init.json");
    let (code, out, yaml) = import(&file);
    assert_eq!(code, 2, "the static web path is not converted: {out}");
    assert!(
        out.contains(
            "not converted: workers[0].transports[1].paths[\"/\"]: a web path of type static"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "not converted: workers[0].transports[1].paths.info: a web path of type nodeinfo"
        ),
        "{out}"
    );
    assert!(
        out.contains("dropped: workers[0].transports[1].paths.ws.options.compression"),
        "{out}"
    );
    assert!(
        out.contains("configuration is valid: 1 realm, 2 endpoints"),
        "{out}"
    );
    checks(&yaml);
    // A second run does not overwrite the file.
    let again = crossway(&["import-crossbar", file.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));

    with_node(&yaml, |addrs| async move {
        let ws = format!("ws://{}/ws", addr_of(&addrs, "web-0"));
        let rs = format!("rs://{}", addr_of(&addrs, "rawsocket-0"));
        for url in [ws, rs] {
            let client = connect(&url, ConnectOptions::default()).await.unwrap();
            assert_eq!(client.authrole(), Some("anonymous"));
            client
                .publish_acknowledged("com.example.news", None, None)
                .await
                .unwrap();
            client.leave().await.unwrap();
        }
    });
    drop(dir);
}

#[test]
fn every_auth_method_and_what_cannot_be_converted() {
    let (dir, file) = node_dir("auth.json");
    let (code, out, yaml) = import(&file);
    assert_eq!(code, 2, "{out}");
    for path in [
        "workers[0].realms[0].roles[1].permissions[0].disclose",
        "workers[0].realms[0].roles[3].authorizer",
        "workers[0].transports[1].serializers[1]",
        "workers[0].transports[2].auth.scram",
        "workers[0].transports[2].auth.tls",
        "workers[1]",
    ] {
        assert!(
            out.contains(&format!("not converted: {path}: ")),
            "{path} in {out}"
        );
    }
    assert!(out.contains("6 parts not converted"), "{out}");
    checks(&yaml);
    assert!(dir.path().join("config.yaml").exists());

    with_node(&yaml, |addrs| async move {
        let url = format!("ws://{}/ws", addr_of(&addrs, "universal-0"));
        let joe = connect(
            &url,
            ConnectOptions::default().with_ticket("joe", "secret!!!"),
        )
        .await
        .unwrap();
        assert_eq!(joe.authrole(), Some("frontend"));
        joe.publish_acknowledged("com.example.news", None, None)
            .await
            .unwrap();
        match joe.publish_acknowledged("org.other.news", None, None).await {
            Err(ClientError::Wamp { error, .. }) => {
                assert_eq!(error, "wamp.error.not_authorized")
            }
            other => panic!("expected not_authorized, got {other:?}"),
        }
        joe.leave().await.unwrap();

        let backend = format!("ws://{}/ws", addr_of(&addrs, "backend"));
        let peter = connect(
            &backend,
            ConnectOptions::default().with_wampcra("peter", "secret2"),
        )
        .await
        .unwrap();
        assert_eq!(peter.authrole(), Some("backend"));
        peter.leave().await.unwrap();
        let wrong = connect(&url, ConnectOptions::default().with_ticket("joe", "guess")).await;
        assert!(
            matches!(wrong, Err(ClientError::Aborted { .. })),
            "{wrong:?}"
        );
    });
}

/// A folder for the guide's TLS examples: `server.crt`, `server.key` (RSA, as the guide's
/// Let's Encrypt certificate) and the CA that issued them.
fn with_certificate(dir: &Path) -> PathBuf {
    let ca = Ca::root("Test CA");
    let leaf = ca.server(KeyType::Rsa, 30);
    tls_pki::write_chain(dir, "server.crt", &[&leaf.cert]);
    tls_pki::write(dir, "server.key", &leaf.key_pem);
    tls_pki::write_chain(dir, "ca.pem", &[&ca.cert])
}

#[test]
fn the_guides_cipher_string_and_default_list() {
    for (fixture, name, expected_code) in [
        ("guide-tls.json", "web-0", 2),
        ("guide-default-ciphers.json", "websocket-0", 0),
    ] {
        let (dir, file) = node_dir(fixture);
        let ca = with_certificate(dir.path());
        let (code, out, yaml) = import(&file);
        assert_eq!(code, expected_code, "{fixture}: {out}");
        assert!(out.contains("dropped: ") || expected_code == 0, "{out}");
        let check = checks(&yaml);
        assert!(check.contains("ciphers: skipped "), "{fixture}: {check}");
        assert!(
            check.contains("DHE-RSA-AES128-GCM-SHA256"),
            "{fixture}: {check}"
        );
        assert!(
            check.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (ECDHE-RSA-AES128-GCM-SHA256)"),
            "{fixture}: {check}"
        );
        with_node(&yaml, |addrs| async move {
            let url = format!("wss://{}/ws", addr_of(&addrs, name));
            let opts = ConnectOptions::with_tls(TlsClientSettings::new(vec![ca]));
            let client = connect(&url, opts).await.unwrap();
            client
                .publish_acknowledged("com.example.news", None, None)
                .await
                .unwrap();
            client.leave().await.unwrap();
        });
    }
}
