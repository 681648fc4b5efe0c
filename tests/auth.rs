//! Authentication end to end with the Rust client: every method succeeding and failing, over
//! WebSocket, RawSocket and mutual TLS, against a node in this process.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;

use common::{TestNode, endpoint, node_config, run, within};
use crossway_client::{Client, ClientError, ConnectOptions, CryptosignKey};
use crossway_node::certs::{CertPaths, write_dev_certificates};
use crossway_node::config::{TlsSpec, TransportKind};
use crossway_routing::auth::{
    Admission, AuthPolicy, CertField, CraSalt, CryptosignAuth, CryptosignPrincipal, PublicKey,
    Secret, TicketAuth, TicketPrincipal, TlsAuth, WampCraAuth, WampCraPrincipal,
};
use crossway_transport::Serializer;
use crossway_transport::tls::{ClientAuth, TlsClientSettings, TlsSettings};

const DAVE_SEED: [u8; 32] = [3; 32];
const MALLORY_SEED: [u8; 32] = [4; 32];

fn user(role: &str) -> Admission {
    Admission {
        role: role.to_owned(),
        realm: None,
    }
}

fn secrets_policy() -> AuthPolicy {
    let dave = CryptosignKey::from_seed(&DAVE_SEED).unwrap();
    AuthPolicy {
        ticket: Some(TicketAuth {
            principals: BTreeMap::from([(
                "alice".to_owned(),
                TicketPrincipal {
                    ticket: Secret::new("alice-ticket"),
                    admission: user("user"),
                },
            )]),
            authenticator: None,
        }),
        wampcra: Some(WampCraAuth {
            principals: BTreeMap::from([
                (
                    "bob".to_owned(),
                    WampCraPrincipal {
                        secret: Secret::new("bob-secret"),
                        salt: None,
                        admission: user("user"),
                    },
                ),
                (
                    "carol".to_owned(),
                    WampCraPrincipal {
                        secret: Secret::new("carol-password"),
                        salt: Some(CraSalt {
                            salt: "sel".to_owned(),
                            iterations: 100,
                            keylen: 32,
                        }),
                        admission: user("admin"),
                    },
                ),
            ]),
            authenticator: None,
        }),
        cryptosign: Some(CryptosignAuth {
            principals: BTreeMap::from([(
                "dave".to_owned(),
                CryptosignPrincipal {
                    authorized_keys: vec![PublicKey::from_hex(dave.public_key_hex()).unwrap()],
                    admission: user("device"),
                },
            )]),
            authenticator: None,
        }),
        ..AuthPolicy::default()
    }
}

fn tls_policy() -> AuthPolicy {
    AuthPolicy {
        tls: Some(TlsAuth {
            authid: CertField::CommonName,
            role: Some("device".to_owned()),
            principals: BTreeMap::new(),
        }),
        ..AuthPolicy::default()
    }
}

/// The node: `ws` and `rs` with ticket, WAMP-CRA and cryptosign; `wss` (client certificate
/// required) and `wss-optional` with TLS-certificate authentication.
struct AuthNode {
    node: TestNode,
    certs: CertPaths,
    other: CertPaths,
    _dir: tempfile::TempDir,
}

impl AuthNode {
    async fn start() -> AuthNode {
        let dir = tempfile::tempdir().unwrap();
        let certs = CertPaths::in_dir(&dir.path().join("certs"));
        let other = CertPaths::in_dir(&dir.path().join("other"));
        let hosts = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        for paths in [&certs, &other] {
            std::fs::create_dir_all(paths.ca_cert.parent().unwrap()).unwrap();
            write_dev_certificates(paths, &hosts).unwrap();
        }
        let mut ws = endpoint("ws");
        ws.auth = secrets_policy();
        let mut rs = endpoint("rs");
        rs.transport = TransportKind::RawSocket;
        rs.auth = secrets_policy();
        let tls = |client_auth: ClientAuth| {
            let mut settings = TlsSettings::new(&certs.server_cert, &certs.server_key);
            settings.ca_certificates = vec![certs.ca_cert.clone()];
            settings.client_auth = Some(client_auth);
            Some(TlsSpec {
                settings,
                create_if_missing: false,
            })
        };
        let mut wss = endpoint("wss");
        wss.tls = tls(ClientAuth::Required);
        wss.auth = tls_policy();
        let mut optional = endpoint("wss-optional");
        optional.tls = tls(ClientAuth::Optional);
        optional.auth = tls_policy();
        let mut config = node_config(vec![ws, rs, wss, optional]);
        config.limits.auth_throttle.delay = std::time::Duration::ZERO;
        AuthNode {
            node: TestNode::start_with(config).await,
            certs,
            other,
            _dir: dir,
        }
    }

    fn url(&self, endpoint: &str) -> String {
        let addr = self
            .node
            .addrs
            .iter()
            .find(|(name, _)| name == endpoint)
            .map(|(_, a)| *a)
            .unwrap();
        match endpoint {
            "rs" => format!("rs://{addr}"),
            "ws" => format!("ws://{addr}/ws"),
            _ => format!("wss://localhost:{}/ws", addr.port()),
        }
    }

    fn tls(&self, identity: Option<&CertPaths>) -> ConnectOptions {
        let mut tls = TlsClientSettings::new(vec![self.certs.ca_cert.clone()]);
        tls.client_certificate = identity.map(|c| (c.client_cert.clone(), c.client_key.clone()));
        ConnectOptions::with_tls(tls)
    }
}

async fn connect(url: &str, opts: ConnectOptions) -> Result<Client, ClientError> {
    within(
        "the router's answer to HELLO",
        Client::connect_with(url, "realm1", Serializer::Cbor, opts),
    )
    .await
}

fn identity(client: &Client) -> [&str; 4] {
    [
        client.authid().unwrap(),
        client.authrole().unwrap(),
        client.authmethod().unwrap(),
        client.authprovider().unwrap(),
    ]
}

fn abort_reason(result: Result<Client, ClientError>) -> String {
    match result {
        Err(ClientError::Aborted { reason, .. }) => reason,
        Err(other) => panic!("expected ABORT, got {other:?}"),
        Ok(c) => panic!("expected ABORT, got a session as {:?}", c.authid()),
    }
}

fn good() -> Vec<(ConnectOptions, [&'static str; 4])> {
    let dave = || CryptosignKey::from_seed(&DAVE_SEED).unwrap();
    vec![
        (
            ConnectOptions::default().with_ticket("alice", "alice-ticket"),
            ["alice", "user", "ticket", "static"],
        ),
        (
            ConnectOptions::default().with_wampcra("bob", "bob-secret"),
            ["bob", "user", "wampcra", "static"],
        ),
        (
            ConnectOptions::default().with_wampcra("carol", "carol-password"),
            ["carol", "admin", "wampcra", "static"],
        ),
        (
            ConnectOptions::default().with_cryptosign(dave()),
            ["dave", "device", "cryptosign", "static"],
        ),
        (
            ConnectOptions::default()
                .with_cryptosign(dave())
                .with_authid("dave"),
            ["dave", "device", "cryptosign", "static"],
        ),
    ]
}

fn bad() -> Vec<(&'static str, ConnectOptions)> {
    let mallory = || CryptosignKey::from_seed(&MALLORY_SEED).unwrap();
    vec![
        (
            "wrong ticket",
            ConnectOptions::default().with_ticket("alice", "alice-tickeT"),
        ),
        (
            "unknown ticket authid",
            ConnectOptions::default().with_ticket("zoe", "alice-ticket"),
        ),
        (
            "wrong wampcra secret",
            ConnectOptions::default().with_wampcra("bob", "bob-secreT"),
        ),
        (
            "unknown wampcra authid",
            ConnectOptions::default().with_wampcra("zoe", "bob-secret"),
        ),
        (
            "wrong salted password",
            ConnectOptions::default().with_wampcra("carol", "bob-secret"),
        ),
        (
            "wrong cryptosign key",
            ConnectOptions::default()
                .with_cryptosign(mallory())
                .with_authid("dave"),
        ),
        (
            "unknown cryptosign key",
            ConnectOptions::default().with_cryptosign(mallory()),
        ),
    ]
}

#[test]
fn every_method_succeeds_and_fails_over_websocket_and_rawsocket() {
    run(async {
        let n = AuthNode::start().await;
        for endpoint in ["ws", "rs"] {
            for (opts, expected) in good() {
                let client = connect(&n.url(endpoint), opts).await.unwrap();
                assert_eq!(identity(&client), expected, "{endpoint}");
                client.leave().await.unwrap();
            }
            for (case, opts) in bad() {
                let reason = abort_reason(connect(&n.url(endpoint), opts).await);
                assert_eq!(
                    reason, "wamp.error.authentication_failed",
                    "{case} on {endpoint}"
                );
            }
            let anonymous = connect(&n.url(endpoint), ConnectOptions::default()).await;
            assert_eq!(abort_reason(anonymous), "wamp.error.no_auth_method");
        }
        assert_eq!(n.node.router.session_count(), 0);
        n.node.stop().await;
    });
}

#[test]
fn a_client_certificate_names_the_session() {
    run(async {
        let n = AuthNode::start().await;
        for endpoint in ["wss", "wss-optional"] {
            let client = connect(&n.url(endpoint), n.tls(Some(&n.certs)).with_tls_auth())
                .await
                .unwrap();
            assert_eq!(
                identity(&client),
                ["crossway-dev-client", "device", "tls", "static"]
            );
            client.leave().await.unwrap();
        }
        // No certificate: the client will not offer `tls` (the router's refusal of a HELLO that
        // does is in tests/interop/test_auth.py); without `tls` it asks for `anonymous`, which
        // the endpoint does not enable.
        let none = connect(&n.url("wss-optional"), n.tls(None).with_tls_auth()).await;
        assert!(
            matches!(none, Err(ClientError::TlsSettings(_))),
            "{:?}",
            none.err()
        );
        let anonymous = connect(&n.url("wss-optional"), n.tls(None)).await;
        assert_eq!(abort_reason(anonymous), "wamp.error.no_auth_method");
        // A certificate from a CA the endpoint does not list never gets past TLS.
        let foreign = connect(&n.url("wss"), n.tls(Some(&n.other)).with_tls_auth()).await;
        assert!(
            matches!(foreign, Err(ClientError::Handshake(_))),
            "{:?}",
            foreign.err()
        );
        n.node.stop().await;
    });
}
