//! Every method through a session: HELLO, CHALLENGE, AUTHENTICATE, WELCOME or ABORT.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crossway_protocol::{Codec, Dict, Message, Uri, Value};
use ring::signature::{Ed25519KeyPair, KeyPair};
use ring::{hmac, pbkdf2};

use super::*;
use crate::permissions::{Action, PermissionRule, RoleConfig};
use crate::router::{RealmConfig, Router};
use crate::session::Outcome;
use crate::testing::{Client, dict};

fn admission(role: &str) -> Admission {
    Admission {
        role: role.to_owned(),
        realm: None,
    }
}

fn policy() -> AuthPolicy {
    let tickets = BTreeMap::from([(
        "alice".to_owned(),
        TicketPrincipal {
            ticket: Secret::new("alice-ticket"),
            admission: admission("user"),
        },
    )]);
    let cra = BTreeMap::from([
        (
            "bob".to_owned(),
            WampCraPrincipal {
                secret: Secret::new("bob-secret"),
                salt: None,
                admission: admission("user"),
            },
        ),
        (
            "carol".to_owned(),
            WampCraPrincipal {
                secret: Secret::new("carol-password"),
                salt: Some(CraSalt {
                    salt: "pepper".to_owned(),
                    iterations: 100,
                    keylen: 32,
                }),
                admission: admission("admin"),
            },
        ),
        (
            "dave".to_owned(),
            WampCraPrincipal {
                secret: Secret::new("dave-secret"),
                salt: None,
                admission: Admission {
                    role: "user".to_owned(),
                    realm: Some("other".to_owned()),
                },
            },
        ),
    ]);
    let keys = BTreeMap::from([(
        "erin".to_owned(),
        CryptosignPrincipal {
            authorized_keys: vec![PublicKey(
                *erin().public_key().as_ref().first_chunk().unwrap(),
            )],
            admission: admission("device"),
        },
    )]);
    AuthPolicy {
        anonymous: None,
        ticket: Some(TicketAuth {
            principals: tickets,
            authenticator: None,
        }),
        wampcra: Some(WampCraAuth {
            principals: cra,
            authenticator: None,
        }),
        cryptosign: Some(CryptosignAuth {
            principals: keys,
            authenticator: None,
        }),
        tls: Some(TlsAuth {
            authid: CertField::CommonName,
            role: Some("device".to_owned()),
            principals: BTreeMap::from([("boss".to_owned(), admission("admin"))]),
        }),
    }
}

/// A router whose `realm1` has no roles and whose `other` and `roled` realms do.
fn router() -> Arc<Router> {
    let role = |name: &str| RoleConfig {
        name: name.to_owned(),
        permissions: vec![PermissionRule {
            uri: "com.".to_owned(),
            policy: crate::matcher::MatchPolicy::Prefix,
            allow: [Action::Publish, Action::Subscribe].into_iter().collect(),
            disclose: false,
        }],
    };
    Router::new(vec![
        RealmConfig::new("realm1"),
        RealmConfig::new("other"),
        RealmConfig {
            roles: Some(vec![role("user"), role("device")]),
            ..RealmConfig::new("roled")
        },
    ])
}

use std::sync::Arc;

fn erin() -> Ed25519KeyPair {
    Ed25519KeyPair::from_seed_unchecked(&[7u8; 32]).unwrap()
}

fn mallory() -> Ed25519KeyPair {
    Ed25519KeyPair::from_seed_unchecked(&[9u8; 32]).unwrap()
}

/// autobahn's `derive_key`: base64 of PBKDF2-HMAC-SHA256.
fn derive_key(password: &str, salt: &str, iterations: u32, keylen: usize) -> String {
    let mut key = vec![0u8; keylen];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        NonZeroU32::new(iterations).unwrap(),
        salt.as_bytes(),
        password.as_bytes(),
        &mut key,
    );
    STANDARD.encode(key)
}

/// autobahn's `compute_wcs`: base64 of HMAC-SHA256.
fn sign_cra(key: &str, challenge: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes());
    STANDARD.encode(hmac::sign(&key, challenge.as_bytes()))
}

fn hello_with(realm: &str, pairs: &[(&str, Value)]) -> Message {
    let roles = dict(&[("subscriber", Value::Map(Dict::new()))]);
    let mut details = dict(pairs);
    details.insert("roles".to_owned(), Value::Map(roles));
    Message::Hello {
        realm: Uri::new(realm),
        details,
    }
}

fn methods(names: &[&str]) -> Value {
    Value::List(names.iter().map(|n| Value::from(*n)).collect())
}

fn client(policy: AuthPolicy) -> (Arc<Router>, Client) {
    let router = router();
    let client = Client::connect_to(&router, Codec::Json, 8, policy, None);
    (router, client)
}

fn authenticate(signature: &str) -> Message {
    Message::Authenticate {
        signature: signature.to_owned(),
        extra: Dict::new(),
    }
}

fn challenge(outcome: &Outcome) -> (&str, &Dict) {
    assert!(!outcome.close, "{outcome:?}");
    assert_eq!(outcome.verdict, None);
    match &outcome.reply {
        Some(Message::Challenge { auth_method, extra }) => (auth_method, extra),
        other => panic!("not a CHALLENGE: {other:?}"),
    }
}

fn welcome(outcome: &Outcome) -> &Dict {
    assert!(!outcome.close, "{outcome:?}");
    assert!(
        outcome
            .verdict
            .as_ref()
            .is_some_and(|v| v.failure.is_none())
    );
    match &outcome.reply {
        Some(Message::Welcome { details, .. }) => details,
        other => panic!("not a WELCOME: {other:?}"),
    }
}

fn abort(outcome: &Outcome) -> (String, String) {
    assert!(outcome.close, "{outcome:?}");
    match &outcome.reply {
        Some(Message::Abort {
            reason, details, ..
        }) => (
            reason.to_string(),
            details["message"].as_str().unwrap().to_owned(),
        ),
        other => panic!("not an ABORT: {other:?}"),
    }
}

fn failed(outcome: &Outcome) -> (String, String) {
    let verdict = outcome.verdict.as_ref().expect("a verdict");
    assert!(verdict.failure.is_some(), "{verdict:?}");
    abort(outcome)
}

fn identity_of(details: &Dict) -> [&str; 4] {
    ["authid", "authrole", "authmethod", "authprovider"].map(|k| details[k].as_str().unwrap())
}

#[test]
fn ticket_right_wrong_and_unknown() {
    let (router, mut c) = client(policy());
    let hello = || {
        hello_with(
            "realm1",
            &[
                ("authmethods", methods(&["ticket"])),
                ("authid", "alice".into()),
            ],
        )
    };
    let outcome = c.send(hello());
    let (method, extra) = challenge(&outcome);
    assert_eq!(method, "ticket");
    assert!(extra.is_empty());
    let details = welcome(&c.send(authenticate("alice-ticket"))).clone();
    assert_eq!(identity_of(&details), ["alice", "user", "ticket", "static"]);
    assert_eq!(router.session_count(), 1);

    let (_, mut wrong) = client(policy());
    challenge(&wrong.send(hello()));
    let wrong_abort = failed(&wrong.send(authenticate("alice-tickeT")));
    assert_eq!(wrong_abort.0, "wamp.error.authentication_failed");

    let (_, mut unknown) = client(policy());
    let outcome = unknown.send(hello_with(
        "realm1",
        &[
            ("authmethods", methods(&["ticket"])),
            ("authid", "zoe".into()),
        ],
    ));
    assert_eq!(challenge(&outcome).0, "ticket");
    let outcome = unknown.send(authenticate("alice-ticket"));
    // The same reply for an unknown authid as for a wrong ticket.
    assert_eq!(failed(&outcome), wrong_abort);
    assert_eq!(outcome.verdict.unwrap().authid.as_deref(), Some("zoe"));
}

#[test]
fn ticket_needs_an_authid() {
    let (_, mut c) = client(policy());
    let outcome = c.send(hello_with(
        "realm1",
        &[("authmethods", methods(&["ticket"]))],
    ));
    assert_eq!(failed(&outcome).0, "wamp.error.authentication_failed");
}

#[test]
fn wampcra_plain_and_salted() {
    let (_, mut c) = client(policy());
    let outcome = c.send(hello_with(
        "realm1",
        &[
            ("authmethods", methods(&["wampcra"])),
            ("authid", "bob".into()),
        ],
    ));
    let (method, extra) = challenge(&outcome);
    assert_eq!(method, "wampcra");
    assert!(!extra.contains_key("salt"));
    let text = extra["challenge"].as_str().unwrap().to_owned();
    let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed["authid"], "bob");
    assert_eq!(parsed["authrole"], "user");
    assert_eq!(parsed["authmethod"], "wampcra");
    assert!(parsed["session"].as_u64().is_some());
    assert_eq!(parsed["nonce"].as_str().unwrap().len(), 44);
    let details = welcome(&c.send(authenticate(&sign_cra("bob-secret", &text)))).clone();
    assert_eq!(identity_of(&details), ["bob", "user", "wampcra", "static"]);
    // WELCOME's session id is the one the challenge named.
    assert_eq!(
        Some(parsed["session"].as_u64().unwrap()),
        c.session.id().map(|i| i.0)
    );

    let (_, mut salted) = client(policy());
    let outcome = salted.send(hello_with(
        "realm1",
        &[
            ("authmethods", methods(&["wampcra"])),
            ("authid", "carol".into()),
        ],
    ));
    let (_, extra) = challenge(&outcome);
    assert_eq!(extra["salt"], Value::from("pepper"));
    assert_eq!(extra["iterations"], Value::Int(100));
    assert_eq!(extra["keylen"], Value::Int(32));
    let text = extra["challenge"].as_str().unwrap().to_owned();
    let key = derive_key("carol-password", "pepper", 100, 32);
    let details = welcome(&salted.send(authenticate(&sign_cra(&key, &text)))).clone();
    assert_eq!(identity_of(&details)[1], "admin");
}

#[test]
fn wampcra_wrong_secret_and_unknown_authid_look_alike() {
    let hello = |authid: &str| {
        hello_with(
            "realm1",
            &[
                ("authmethods", methods(&["wampcra"])),
                ("authid", authid.into()),
            ],
        )
    };
    let (_, mut wrong) = client(policy());
    let outcome = wrong.send(hello("bob"));
    let text = challenge(&outcome).1["challenge"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong_abort = failed(&wrong.send(authenticate(&sign_cra("bob-secreT", &text))));
    assert_eq!(wrong_abort.0, "wamp.error.authentication_failed");

    let (_, mut unknown) = client(policy());
    let outcome = unknown.send(hello("zoe"));
    let extra = challenge(&outcome).1.clone();
    // One of the three principals is salted: not most, so no decoy salt; the most common role.
    assert!(!extra.contains_key("salt"));
    let parsed: serde_json::Value =
        serde_json::from_str(extra["challenge"].as_str().unwrap()).unwrap();
    assert_eq!(parsed["authrole"], "user");
    let text = extra["challenge"].as_str().unwrap().to_owned();
    assert_eq!(
        failed(&unknown.send(authenticate(&sign_cra("bob-secret", &text)))),
        wrong_abort
    );
    let (_, mut garbage) = client(policy());
    garbage.send(hello("bob"));
    assert_eq!(
        failed(&garbage.send(authenticate("not base64!"))),
        wrong_abort
    );
}

#[test]
fn wampcra_decoy_salts_are_stable_when_most_principals_are_salted() {
    let mut p = policy();
    let cra = p.wampcra.as_mut().unwrap();
    cra.principals.remove("bob");
    cra.principals.remove("dave");
    let attempt = |authid: &str| {
        let router = router();
        let mut c = Client::connect_to(&router, Codec::Json, 8, p.clone(), None);
        let outcome = c.send(hello_with(
            "realm1",
            &[
                ("authmethods", methods(&["wampcra"])),
                ("authid", authid.into()),
            ],
        ));
        challenge(&outcome).1.clone()
    };
    let first = attempt("zoe");
    let second = attempt("zoe");
    assert_eq!(first["salt"], second["salt"]);
    assert_ne!(first["salt"], attempt("yann")["salt"]);
    assert_eq!(first["iterations"], Value::Int(100));
    assert_eq!(first["keylen"], Value::Int(32));
}

#[test]
fn principals_bound_to_a_realm_stay_there() {
    let (_, mut c) = client(policy());
    let outcome = c.send(hello_with(
        "realm1",
        &[
            ("authmethods", methods(&["wampcra"])),
            ("authid", "dave".into()),
        ],
    ));
    let text = challenge(&outcome).1["challenge"]
        .as_str()
        .unwrap()
        .to_owned();
    let outcome = c.send(authenticate(&sign_cra("dave-secret", &text)));
    assert_eq!(failed(&outcome).0, "wamp.error.authentication_failed");

    let (_, mut ok) = client(policy());
    let outcome = ok.send(hello_with(
        "other",
        &[
            ("authmethods", methods(&["wampcra"])),
            ("authid", "dave".into()),
        ],
    ));
    let text = challenge(&outcome).1["challenge"]
        .as_str()
        .unwrap()
        .to_owned();
    welcome(&ok.send(authenticate(&sign_cra("dave-secret", &text))));
}

fn cryptosign_hello(authid: Option<&str>, key: &Ed25519KeyPair) -> Message {
    let pubkey = hex::encode(key.public_key().as_ref());
    let mut pairs = vec![
        ("authmethods", methods(&["cryptosign"])),
        (
            "authextra",
            Value::Map(dict(&[
                ("pubkey", pubkey.into()),
                ("channel_binding", Value::Null),
            ])),
        ),
    ];
    if let Some(authid) = authid {
        pairs.push(("authid", authid.into()));
    }
    hello_with("realm1", &pairs)
}

fn challenge_bytes(outcome: &Outcome) -> Vec<u8> {
    let (method, extra) = challenge(outcome);
    assert_eq!(method, "cryptosign");
    assert_eq!(extra["channel_binding"], Value::Null);
    let bytes = hex::decode(extra["challenge"].as_str().unwrap()).unwrap();
    assert_eq!(bytes.len(), 32);
    bytes
}

#[test]
fn cryptosign_with_and_without_authid() {
    for authid in [Some("erin"), None] {
        let (_, mut c) = client(policy());
        let bytes = challenge_bytes(&c.send(cryptosign_hello(authid, &erin())));
        // autobahn's form: the signature followed by the challenge.
        let mut signed = erin().sign(&bytes).as_ref().to_vec();
        signed.extend_from_slice(&bytes);
        let details = welcome(&c.send(authenticate(&hex::encode(&signed)))).clone();
        assert_eq!(
            identity_of(&details),
            ["erin", "device", "cryptosign", "static"]
        );
    }
    // The 64-byte form alone is accepted too.
    let (_, mut c) = client(policy());
    let bytes = challenge_bytes(&c.send(cryptosign_hello(None, &erin())));
    welcome(&c.send(authenticate(&hex::encode(erin().sign(&bytes).as_ref()))));
}

#[test]
fn cryptosign_refusals() {
    // A key that signs correctly but is not authorized, by authid or not at all.
    let reference = {
        let (_, mut c) = client(policy());
        let bytes = challenge_bytes(&c.send(cryptosign_hello(Some("erin"), &erin())));
        failed(&c.send(authenticate(&hex::encode(mallory().sign(&bytes).as_ref()))))
    };
    assert_eq!(reference.0, "wamp.error.authentication_failed");
    for authid in [Some("erin"), None, Some("zoe")] {
        let (_, mut c) = client(policy());
        let bytes = challenge_bytes(&c.send(cryptosign_hello(authid, &mallory())));
        let signature = hex::encode(mallory().sign(&bytes).as_ref());
        assert_eq!(failed(&c.send(authenticate(&signature))), reference);
    }
    // The right key, but the signed bytes appended are not the challenge.
    let (_, mut c) = client(policy());
    let bytes = challenge_bytes(&c.send(cryptosign_hello(Some("erin"), &erin())));
    let mut signed = erin().sign(&bytes).as_ref().to_vec();
    signed.extend_from_slice(&[0u8; 32]);
    assert_eq!(
        failed(&c.send(authenticate(&hex::encode(&signed)))),
        reference
    );
}

#[test]
fn cryptosign_malformed_answers_are_violations() {
    for answer in ["abcd".to_owned(), "zz".repeat(64), "00".repeat(65)] {
        let (_, mut c) = client(policy());
        challenge_bytes(&c.send(cryptosign_hello(Some("erin"), &erin())));
        let outcome = c.send(authenticate(&answer));
        assert_eq!(
            abort(&outcome).0,
            "wamp.error.protocol_violation",
            "{answer}"
        );
        assert!(outcome.verdict.is_some_and(|v| v.failure.is_some()));
    }
    // A HELLO without a usable public key, or asking for channel binding.
    for extra in [
        dict(&[]),
        dict(&[("pubkey", "abcd".into())]),
        dict(&[
            ("pubkey", hex::encode(erin().public_key().as_ref()).into()),
            ("channel_binding", "tls-unique".into()),
        ]),
    ] {
        let (_, mut c) = client(policy());
        let outcome = c.send(hello_with(
            "realm1",
            &[
                ("authmethods", methods(&["cryptosign"])),
                ("authextra", Value::Map(extra)),
            ],
        ));
        assert_eq!(failed(&outcome).0, "wamp.error.authentication_failed");
    }
}

fn cert(cn: &str) -> ClientCertificate {
    ClientCertificate {
        common_name: Some(cn.to_owned()),
        san_dns: vec!["device.example".to_owned()],
        san_email: vec![],
        fingerprint_sha256: "ab".repeat(32),
    }
}

fn tls_hello(authid: Option<&str>) -> Message {
    let mut pairs = vec![("authmethods", methods(&["tls"]))];
    if let Some(authid) = authid {
        pairs.push(("authid", authid.into()));
    }
    hello_with("realm1", &pairs)
}

#[test]
fn tls_names_the_session_from_the_certificate() {
    let router = router();
    let mut c = Client::connect_to(&router, Codec::Json, 8, policy(), Some(cert("sensor-1")));
    let details = welcome(&c.send(tls_hello(None))).clone();
    assert_eq!(
        identity_of(&details),
        ["sensor-1", "device", "tls", "static"]
    );

    let mut boss = Client::connect_to(&router, Codec::Json, 8, policy(), Some(cert("boss")));
    let details = welcome(&boss.send(tls_hello(Some("boss")))).clone();
    assert_eq!(identity_of(&details)[1], "admin");

    let mut p = policy();
    let tls = p.tls.as_mut().unwrap();
    tls.authid = CertField::SanDns;
    tls.role = None;
    tls.principals
        .insert("device.example".to_owned(), admission("user"));
    let mut by_dns = Client::connect_to(&router, Codec::Json, 8, p.clone(), Some(cert("x")));
    assert_eq!(
        identity_of(&welcome(&by_dns.send(tls_hello(None))).clone())[..2],
        ["device.example", "user"]
    );
    tls_fingerprint(&router);
}

fn tls_fingerprint(router: &Arc<Router>) {
    let mut p = policy();
    p.tls.as_mut().unwrap().authid = CertField::Fingerprint;
    let mut c = Client::connect_to(router, Codec::Json, 8, p, Some(cert("x")));
    assert_eq!(
        identity_of(&welcome(&c.send(tls_hello(None))).clone())[0],
        "ab".repeat(32)
    );
}

#[test]
fn tls_refusals() {
    let router = router();
    let mut none = Client::connect_to(&router, Codec::Json, 8, policy(), None);
    assert_eq!(
        failed(&none.send(tls_hello(None))).0,
        "wamp.error.authentication_failed"
    );
    let mut other = Client::connect_to(&router, Codec::Json, 8, policy(), Some(cert("a")));
    assert_eq!(
        failed(&other.send(tls_hello(Some("b")))).0,
        "wamp.error.authentication_failed"
    );
    let mut p = policy();
    p.tls.as_mut().unwrap().role = None;
    let mut unlisted = Client::connect_to(&router, Codec::Json, 8, p, Some(cert("a")));
    assert_eq!(
        failed(&unlisted.send(tls_hello(None))).0,
        "wamp.error.authentication_failed"
    );
}

#[test]
fn the_first_enabled_method_is_used_and_none_is_no_auth_method() {
    let (_, mut c) = client(policy());
    let outcome = c.send(hello_with(
        "realm1",
        &[
            ("authmethods", methods(&["scram", "wampcra", "ticket"])),
            ("authid", "alice".into()),
        ],
    ));
    assert_eq!(challenge(&outcome).0, "wampcra");

    let (_, mut anonymous) = client(policy());
    let outcome = anonymous.send(hello_with("realm1", &[]));
    let (uri, message) = abort(&outcome);
    assert_eq!(uri, "wamp.error.no_auth_method");
    assert!(
        message.contains("ticket, wampcra, cryptosign, tls"),
        "{message}"
    );
    assert_eq!(outcome.verdict, None);

    let (_, mut open) = client(AuthPolicy::open());
    let outcome = open.send(hello_with(
        "realm1",
        &[("authmethods", methods(&["ticket"]))],
    ));
    assert_eq!(abort(&outcome).0, "wamp.error.no_auth_method");
}

#[test]
fn anonymous_gets_its_configured_role() {
    let p = AuthPolicy {
        anonymous: Some(AnonymousAuth {
            role: "guest".to_owned(),
        }),
        ..AuthPolicy::default()
    };
    let (_, mut c) = client(p);
    let outcome = c.send(hello_with(
        "realm1",
        &[("authmethods", methods(&["anonymous"]))],
    ));
    let details = welcome(&outcome);
    assert_eq!(identity_of(details)[1..], ["guest", "anonymous", "static"]);
}

#[test]
fn a_role_the_realm_lacks_is_refused() {
    let router = router();
    let mut c = Client::connect_to(&router, Codec::Json, 8, policy(), None);
    let outcome = c.send(Message::Hello {
        realm: Uri::new("roled"),
        details: match tls_hello(None) {
            Message::Hello { details, .. } => details,
            _ => unreachable!(),
        },
    });
    // No certificate: refused by authentication first.
    assert_eq!(failed(&outcome).0, "wamp.error.authentication_failed");
    let mut admin = Client::connect_to(&router, Codec::Json, 8, policy(), Some(cert("boss")));
    let outcome = admin.send(Message::Hello {
        realm: Uri::new("roled"),
        details: match tls_hello(None) {
            Message::Hello { details, .. } => details,
            _ => unreachable!(),
        },
    });
    let (uri, message) = abort(&outcome);
    assert_eq!(uri, "wamp.error.no_such_role");
    assert!(message.contains("admin"));
    assert_eq!(router.session_count(), 0);
    // The open endpoint's `anonymous` role is not in `roled` either.
    let mut anonymous = Client::connect(&router, Codec::Json, 8);
    let outcome = anonymous.send(hello_with("roled", &[]));
    assert_eq!(abort(&outcome).0, "wamp.error.no_such_role");
}

#[test]
fn authenticate_out_of_turn_is_a_violation() {
    let (_, mut early) = client(policy());
    let outcome = early.send(authenticate("x"));
    assert_eq!(abort(&outcome).0, "wamp.error.protocol_violation");

    let (_, mut twice) = client(policy());
    twice.send(hello_with(
        "realm1",
        &[
            ("authmethods", methods(&["ticket"])),
            ("authid", "alice".into()),
        ],
    ));
    welcome(&twice.send(authenticate("alice-ticket")));
    let outcome = twice.send(authenticate("alice-ticket"));
    assert_eq!(abort(&outcome).0, "wamp.error.protocol_violation");

    for wrong in [
        Message::Challenge {
            auth_method: "ticket".to_owned(),
            extra: Dict::new(),
        },
        hello_with("realm1", &[]),
    ] {
        let (_, mut c) = client(policy());
        c.send(hello_with(
            "realm1",
            &[
                ("authmethods", methods(&["ticket"])),
                ("authid", "alice".into()),
            ],
        ));
        let outcome = c.send(wrong);
        assert_eq!(abort(&outcome).0, "wamp.error.protocol_violation");
    }
    // A CHALLENGE before HELLO.
    let (_, mut c) = client(policy());
    let outcome = c.send(Message::Challenge {
        auth_method: "ticket".to_owned(),
        extra: Dict::new(),
    });
    assert_eq!(abort(&outcome).0, "wamp.error.protocol_violation");
}

#[test]
fn an_aborted_authentication_frees_its_session_id_and_joins_nothing() {
    let (router, mut c) = client(policy());
    c.send(hello_with(
        "realm1",
        &[
            ("authmethods", methods(&["ticket"])),
            ("authid", "alice".into()),
        ],
    ));
    let outcome = c.send(Message::abort("wamp.close.normal", "bye"));
    assert!(outcome.close);
    assert_eq!(outcome.reply, None);
    assert_eq!(router.session_count(), 0);
    assert_eq!(router.reserved_session_ids(), 0);
}
