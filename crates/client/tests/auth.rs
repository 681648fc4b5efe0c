//! Authentication against a scripted router: the HELLO each method sends, the AUTHENTICATE
//! each answers (checked here independently of the client's code), refusals and errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../../transport/tests/pki/mod.rs"]
mod pki;

mod common;

use std::future::Future;
use std::num::NonZeroU32;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use crossway_client::{Client, ClientError, ConnectOptions, CryptosignKey};
use crossway_protocol::{Codec, Dict, Message, SessionId, Value, errors};
use crossway_transport::rt::{self, JoinHandle, block_on};
use crossway_transport::tls::{
    PeerIdentity, TlsAcceptor, TlsClientSettings, TlsSettings, load_server_config,
};
use crossway_transport::{ListenAddr, Listener, Serializer, WsServerConfig, accept_websocket};
use ring::signature::{ED25519, UnparsedPublicKey};
use ring::{hmac, pbkdf2};

use common::{Peer, fake_router, within};

/// The seed of the cryptosign tests.
const SEED: &str = "d511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd";

/// A wampcra challenge as a router writes it: a JSON object, signed as its text.
const CRA_CHALLENGE: &str = r#"{"authid": "peter", "authmethod": "wampcra", "authprovider": "userdb", "authrole": "user", "nonce": "LHRTC9zeOIrt_9U3", "session": 3251278072152162, "timestamp": "2014-06-22T16:36:25.448Z"}"#;

fn dict(entries: &[(&str, Value)]) -> Dict {
    entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn hex(text: &str) -> Vec<u8> {
    assert_eq!(text.len() % 2, 0, "{text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn strings(list: &[&str]) -> Value {
    Value::List(list.iter().map(|s| Value::from(*s)).collect())
}

/// Reads HELLO; gives its details.
async fn hello(p: &mut Peer) -> Dict {
    let Message::Hello { realm, details } = p.recv().await else {
        panic!("expected HELLO")
    };
    assert_eq!(realm.as_str(), "realm1");
    details
}

/// Sends CHALLENGE(method, extra) and gives the AUTHENTICATE signature.
async fn challenge(p: &mut Peer, method: &str, extra: Dict) -> String {
    p.send(&[Message::Challenge {
        auth_method: method.to_owned(),
        extra,
    }])
    .await;
    let Message::Authenticate { signature, extra } = p.recv().await else {
        panic!("expected AUTHENTICATE")
    };
    assert!(extra.is_empty(), "{extra:?}");
    signature
}

/// Sends WELCOME with session 42 and these authentication details.
async fn welcome(p: &mut Peer, authid: &str, authrole: &str, authmethod: &str) {
    let details = dict(&[
        ("authid", authid.into()),
        ("authrole", authrole.into()),
        ("authmethod", authmethod.into()),
        ("authprovider", "static".into()),
    ]);
    p.send(&[Message::Welcome {
        session: SessionId(42),
        details,
    }])
    .await;
}

/// Reads the client's ABORT after a CHALLENGE it cannot answer; gives its message.
async fn cannot_authenticate(p: &mut Peer) -> String {
    let Message::Abort {
        reason, details, ..
    } = p.recv().await
    else {
        panic!("expected ABORT")
    };
    assert_eq!(reason.as_str(), "wamp.error.cannot_authenticate");
    details["message"].as_str().unwrap().to_owned()
}

/// Connects with `opts` to a fake router running `script`.
async fn connect<F, Fut>(
    opts: ConnectOptions,
    ser: Serializer,
    script: F,
) -> Result<Client, ClientError>
where
    F: FnOnce(Peer) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (url, router) = fake_router(script).await;
    let client = within(Client::connect_with(&url, "realm1", ser, opts)).await;
    within(router).await;
    client
}

#[test]
fn anonymous_by_default_names_no_method() {
    block_on(async {
        let c = connect(
            ConnectOptions::default(),
            Serializer::Json,
            |mut p| async move {
                let d = hello(&mut p).await;
                for key in ["authmethods", "authid", "authextra"] {
                    assert!(!d.contains_key(key), "{d:?}");
                }
                welcome(&mut p, "anon-1", "anonymous", "anonymous").await;
            },
        )
        .await
        .unwrap();
        assert_eq!(c.authid(), Some("anon-1"));
        assert_eq!(c.authrole(), Some("anonymous"));
        assert_eq!(c.authmethod(), Some("anonymous"));
        assert_eq!(c.authprovider(), Some("static"));
    });
}

#[test]
fn ticket_is_sent_as_it_is() {
    block_on(async {
        for ser in Serializer::ALL {
            let opts = ConnectOptions::default().with_ticket("alice", "tïcket-123");
            let c = connect(opts, ser, |mut p| async move {
                let d = hello(&mut p).await;
                assert_eq!(d["authmethods"], strings(&["ticket"]));
                assert_eq!(d["authid"], Value::from("alice"));
                assert!(!d.contains_key("authextra"));
                assert_eq!(challenge(&mut p, "ticket", Dict::new()).await, "tïcket-123");
                welcome(&mut p, "alice", "user", "ticket").await;
            })
            .await
            .unwrap();
            assert_eq!(c.session_id(), SessionId(42));
            assert_eq!(c.authid(), Some("alice"));
            assert_eq!(c.authrole(), Some("user"));
            assert_eq!(c.authmethod(), Some("ticket"));
        }
    });
}

#[test]
fn wampcra_signs_the_challenge_with_the_secret() {
    block_on(async {
        let opts = ConnectOptions::default().with_wampcra("peter", "secret1");
        let c = connect(opts, Serializer::MsgPack, |mut p| async move {
            let d = hello(&mut p).await;
            assert_eq!(d["authmethods"], strings(&["wampcra"]));
            assert_eq!(d["authid"], Value::from("peter"));
            let extra = dict(&[("challenge", CRA_CHALLENGE.into())]);
            let signature = challenge(&mut p, "wampcra", extra).await;
            let key = hmac::Key::new(hmac::HMAC_SHA256, b"secret1");
            let tag = STANDARD.decode(&signature).unwrap();
            hmac::verify(&key, CRA_CHALLENGE.as_bytes(), &tag).unwrap();
            // Computed with Python's hmac and base64.
            assert_eq!(signature, "rl7UNxQgNiIUi00l1VavUuGt9QputNPJwmY3Ot2QFG8=");
            welcome(&mut p, "peter", "user", "wampcra").await;
        })
        .await
        .unwrap();
        assert_eq!(c.authmethod(), Some("wampcra"));
    });
}

#[test]
fn salted_wampcra_signs_with_the_derived_key() {
    block_on(async {
        // (iterations, keylen) sent, the values used, the signature Python's hashlib, hmac and
        // base64 give.
        let cases = [
            (
                Some((100, 16)),
                (100, 16),
                "wez/Qq+JpAbckHQkXKGZ0miUxPCEgFUsw0D7OPm9Wz0=",
            ),
            (
                None,
                (1000, 32),
                "LmOpo3miKOT8LpoBV/jdIEwXocmeQSLOSNQXcDYgfkY=",
            ),
        ];
        for (sent, (iterations, keylen), expected) in cases {
            let opts = ConnectOptions::default().with_wampcra("peter", "secret1");
            connect(opts, Serializer::Cbor, move |mut p| async move {
                hello(&mut p).await;
                let mut extra = dict(&[
                    ("challenge", CRA_CHALLENGE.into()),
                    ("salt", "salt123".into()),
                ]);
                if let Some((i, k)) = sent {
                    extra.insert("iterations".into(), Value::Int(i));
                    extra.insert("keylen".into(), Value::Int(k));
                }
                let signature = challenge(&mut p, "wampcra", extra).await;
                // The key is the base64 text of the PBKDF2-HMAC-SHA256 output.
                let mut derived = vec![0; keylen];
                pbkdf2::derive(
                    pbkdf2::PBKDF2_HMAC_SHA256,
                    NonZeroU32::new(iterations).unwrap(),
                    b"salt123",
                    b"secret1",
                    &mut derived,
                );
                let key = hmac::Key::new(hmac::HMAC_SHA256, STANDARD.encode(derived).as_bytes());
                let tag = STANDARD.decode(&signature).unwrap();
                hmac::verify(&key, CRA_CHALLENGE.as_bytes(), &tag).unwrap();
                assert_eq!(signature, expected);
                welcome(&mut p, "peter", "user", "wampcra").await;
            })
            .await
            .unwrap();
        }
    });
}

#[test]
fn cryptosign_signs_the_challenge() {
    block_on(async {
        let key = CryptosignKey::from_hex(SEED).unwrap();
        let pubkey = key.public_key_hex().to_owned();
        let opts = ConnectOptions::default().with_cryptosign(key);
        let c = connect(opts, Serializer::Json, move |mut p| async move {
            let d = hello(&mut p).await;
            assert_eq!(d["authmethods"], strings(&["cryptosign"]));
            assert!(!d.contains_key("authid"), "{d:?}");
            let authextra = d["authextra"].as_map().unwrap();
            assert_eq!(authextra["pubkey"], Value::from(pubkey.as_str()));
            assert!(!authextra.contains_key("channel_binding"));
            assert_eq!(authextra.len(), 1);
            let announced = hex(authextra["pubkey"].as_str().unwrap());
            assert_eq!(announced.len(), 32);

            let nonce: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(37) ^ 0x5a).collect();
            let nonce_hex: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
            let extra = dict(&[
                ("challenge", nonce_hex.as_str().into()),
                ("channel_binding", Value::Null),
            ]);
            let signature = challenge(&mut p, "cryptosign", extra).await;
            assert_eq!(signature.len(), 192);
            let signed = hex(&signature);
            let (sig, message) = signed.split_at(64);
            assert_eq!(message, nonce.as_slice());
            UnparsedPublicKey::new(&ED25519, &announced)
                .verify(message, sig)
                .unwrap();
            welcome(&mut p, &pubkey, "device", "cryptosign").await;
        })
        .await
        .unwrap();
        assert_eq!(c.authmethod(), Some("cryptosign"));
        assert_eq!(c.authrole(), Some("device"));
    });
}

#[test]
fn cryptosign_with_an_authid() {
    block_on(async {
        let key = CryptosignKey::from_hex(SEED).unwrap();
        let opts = ConnectOptions::default()
            .with_cryptosign(key)
            .with_authid("client01@example.com");
        connect(opts, Serializer::Json, |mut p| async move {
            let d = hello(&mut p).await;
            assert_eq!(d["authid"], Value::from("client01@example.com"));
            assert!(d["authextra"].as_map().unwrap().contains_key("pubkey"));
            welcome(&mut p, "client01@example.com", "user", "cryptosign").await;
        })
        .await
        .unwrap();
    });
}

#[test]
fn a_cryptosign_challenge_that_is_not_32_bytes_is_refused() {
    block_on(async {
        for bad in ["abcd".to_owned(), "zz".repeat(32), "00".repeat(33)] {
            let opts =
                ConnectOptions::default().with_cryptosign(CryptosignKey::from_hex(SEED).unwrap());
            let e = connect(opts, Serializer::Json, |mut p| async move {
                hello(&mut p).await;
                p.send(&[Message::Challenge {
                    auth_method: "cryptosign".into(),
                    extra: dict(&[("challenge", bad.into())]),
                }])
                .await;
                let m = cannot_authenticate(&mut p).await;
                assert!(m.contains("32 bytes"), "{m}");
                assert_eq!(within(p.conn.reader.recv()).await.unwrap(), None);
            })
            .await
            .unwrap_err();
            assert!(
                matches!(&e, ClientError::Protocol(m) if m.contains("invalid cryptosign CHALLENGE")),
                "{e:?}"
            );
        }
    });
}

#[test]
fn several_methods_are_offered_and_the_routers_pick_answered() {
    block_on(async {
        let key = CryptosignKey::from_hex(SEED).unwrap();
        let pubkey = key.public_key_hex().to_owned();
        for pick in ["cryptosign", "wampcra", "ticket"] {
            let opts = ConnectOptions::default()
                .with_cryptosign(key.clone())
                .with_wampcra("alice", "cra-secret")
                .with_ticket("alice", "the-ticket")
                .with_authextra("x_app", "demo");
            let pubkey = pubkey.clone();
            let c = connect(opts, Serializer::Json, move |mut p| async move {
                let d = hello(&mut p).await;
                assert_eq!(
                    d["authmethods"],
                    strings(&["cryptosign", "wampcra", "ticket"])
                );
                assert_eq!(d["authid"], Value::from("alice"));
                let authextra = d["authextra"].as_map().unwrap();
                assert_eq!(authextra["pubkey"], Value::from(pubkey.as_str()));
                assert_eq!(authextra["x_app"], Value::from("demo"));
                let (extra, check): (Dict, fn(&str) -> bool) = match pick {
                    "cryptosign" => (dict(&[("challenge", "11".repeat(32).into())]), |s| {
                        s.len() == 192 && s.ends_with(&"11".repeat(32))
                    }),
                    "wampcra" => (dict(&[("challenge", "c".into())]), |s| {
                        let key = hmac::Key::new(hmac::HMAC_SHA256, b"cra-secret");
                        hmac::verify(&key, b"c", &STANDARD.decode(s).unwrap()).is_ok()
                    }),
                    _ => (Dict::new(), |s| s == "the-ticket"),
                };
                let signature = challenge(&mut p, pick, extra).await;
                assert!(check(&signature), "{pick}: {signature}");
                welcome(&mut p, "alice", "user", pick).await;
            })
            .await
            .unwrap();
            assert_eq!(c.authmethod(), Some(pick));
        }
    });
}

#[test]
fn a_second_challenge_is_answered_too() {
    block_on(async {
        let opts = ConnectOptions::default()
            .with_ticket("alice", "t")
            .with_wampcra("alice", "s");
        connect(opts, Serializer::Json, |mut p| async move {
            hello(&mut p).await;
            assert_eq!(challenge(&mut p, "ticket", Dict::new()).await, "t");
            let extra = dict(&[("challenge", "second".into())]);
            let signature = challenge(&mut p, "wampcra", extra).await;
            let key = hmac::Key::new(hmac::HMAC_SHA256, b"s");
            hmac::verify(&key, b"second", &STANDARD.decode(signature).unwrap()).unwrap();
            welcome(&mut p, "alice", "user", "wampcra").await;
        })
        .await
        .unwrap();
    });
}

#[test]
fn authentication_failed_is_an_abort() {
    block_on(async {
        let opts = ConnectOptions::default().with_ticket("alice", "wrong");
        let e = connect(opts, Serializer::Cbor, |mut p| async move {
            hello(&mut p).await;
            assert_eq!(challenge(&mut p, "ticket", Dict::new()).await, "wrong");
            p.send(&[Message::abort(
                errors::AUTHENTICATION_FAILED,
                "invalid ticket",
            )])
            .await;
        })
        .await
        .unwrap_err();
        match e {
            ClientError::Aborted { reason, message } => {
                assert_eq!(reason, errors::AUTHENTICATION_FAILED);
                assert_eq!(message.as_deref(), Some("invalid ticket"));
            }
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn a_challenge_for_a_method_not_offered_is_a_clear_error() {
    block_on(async {
        let cases = [
            (
                ConnectOptions::default().with_ticket("alice", "t"),
                "wampcra",
                "the router asks for wampcra authentication, which this client does not offer \
                 (it offered ticket)",
            ),
            (
                ConnectOptions::default(),
                "ticket",
                "the router asks for ticket authentication, which this client does not offer \
                 (it offered none)",
            ),
            (
                ConnectOptions::default().with_anonymous(),
                "anonymous",
                "the router sent a CHALLENGE for anonymous authentication, which has none",
            ),
        ];
        for (opts, method, expected) in cases {
            let e = connect(opts, Serializer::Json, move |mut p| async move {
                hello(&mut p).await;
                p.send(&[Message::Challenge {
                    auth_method: method.into(),
                    extra: Dict::new(),
                }])
                .await;
                let m = cannot_authenticate(&mut p).await;
                assert!(m.contains(expected), "{m}");
            })
            .await
            .unwrap_err();
            assert!(
                matches!(&e, ClientError::Protocol(m) if m == expected),
                "{e:?}"
            );
        }
    });
}

#[test]
fn tls_authentication_needs_a_client_certificate() {
    block_on(async {
        // Refused before connecting: nothing listens on port 1.
        let opts = ConnectOptions::default().with_tls_auth();
        let e = Client::connect_with("ws://127.0.0.1:1/ws", "realm1", Serializer::Json, opts)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, ClientError::TlsSettings(m) if m.contains("client certificate")),
            "{e:?}"
        );
    });
}

/// A `wss://` router on localhost requiring a client certificate from `ca`: runs `script` on
/// the one connection it accepts, with the certificate's identity.
async fn tls_router<F, Fut>(ca: &pki::Ca, dir: &pki::Dir, script: F) -> (String, JoinHandle<()>)
where
    F: FnOnce(Peer, Option<PeerIdentity>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let leaf = ca.server();
    let mut settings = TlsSettings::new(
        dir.write("server.pem", &leaf.chain_pem),
        dir.write("server.key", &leaf.key_pem),
    );
    settings.ca_certificates = vec![dir.write("ca.pem", &ca.pem)];
    let acceptor = TlsAcceptor::new(load_server_config(&settings).unwrap().config);
    let listener = Listener::bind(&"127.0.0.1:0".parse::<ListenAddr>().unwrap())
        .await
        .unwrap();
    let url = format!(
        "wss://localhost:{}/ws",
        listener.local_addr().unwrap().port()
    );
    let task = rt::spawn(async move {
        let (io, _) = listener.accept().await;
        let (io, identity) = acceptor.accept(io).await.unwrap();
        let cfg = WsServerConfig {
            path: "/ws".into(),
            serializers: Serializer::ALL.to_vec(),
            max_message_size: 1 << 20,
        };
        let conn = accept_websocket(io, &cfg).await.unwrap();
        let codec = Codec::from_name(conn.serializer.name()).unwrap();
        script(Peer { conn, codec }, identity).await;
    });
    (url, task)
}

/// TLS settings trusting `ca` with a client certificate for `device-1` from it.
fn client_tls(ca: &pki::Ca, dir: &pki::Dir) -> TlsClientSettings {
    let leaf = ca.client("device-1");
    let mut tls = TlsClientSettings::new(vec![dir.write("root.pem", &ca.pem)]);
    tls.client_certificate = Some((
        dir.write("client.pem", &leaf.chain_pem),
        dir.write("client.key", &leaf.key_pem),
    ));
    tls
}

#[test]
fn tls_authentication_offers_the_client_certificate() {
    block_on(async {
        let (ca, dir) = (pki::Ca::root("Test CA"), pki::Dir::new());
        let (url, router) = tls_router(&ca, &dir, |mut p, identity| async move {
            let d = hello(&mut p).await;
            assert_eq!(d["authmethods"], strings(&["tls"]));
            assert!(!d.contains_key("authid"));
            assert!(!d.contains_key("authextra"));
            let name = identity.unwrap().common_name.unwrap();
            assert_eq!(name, "device-1");
            welcome(&mut p, &name, "device", "tls").await;
        })
        .await;
        let opts = ConnectOptions::with_tls(client_tls(&ca, &dir)).with_tls_auth();
        let c = within(Client::connect_with(&url, "realm1", Serializer::Json, opts))
            .await
            .unwrap();
        within(router).await;
        assert_eq!(c.authid(), Some("device-1"));
        assert_eq!(c.authmethod(), Some("tls"));

        // tls needs no CHALLENGE: one is an error.
        let (url, router) = tls_router(&ca, &dir, |mut p, _| async move {
            let d = hello(&mut p).await;
            assert_eq!(d["authid"], Value::from("device-1"));
            p.send(&[Message::Challenge {
                auth_method: "tls".into(),
                extra: Dict::new(),
            }])
            .await;
            cannot_authenticate(&mut p).await;
        })
        .await;
        let opts = ConnectOptions::with_tls(client_tls(&ca, &dir))
            .with_tls_auth()
            .with_authid("device-1");
        let e = within(Client::connect_with(&url, "realm1", Serializer::Json, opts))
            .await
            .unwrap_err();
        within(router).await;
        assert!(
            matches!(&e, ClientError::Protocol(m) if m.contains("CHALLENGE for tls")),
            "{e:?}"
        );
    });
}
