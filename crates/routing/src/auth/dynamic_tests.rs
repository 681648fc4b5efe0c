//! Dynamic authenticators through sessions: the router calls a procedure a session registered,
//! and admits, challenges or refuses by its answer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crossway_protocol::message::code;
use crossway_protocol::{Codec, Dict, Message, Payload, RequestId, Uri, Value};
use ring::hmac;
use ring::signature::{Ed25519KeyPair, KeyPair};

use super::*;
use crate::router::{RealmConfig, Router};
use crate::session::Outcome;
use crate::testing::{Client, dict};

const PROCEDURE: &str = "com.example.authenticate";

fn authenticator() -> DynamicAuth {
    DynamicAuth {
        procedure: PROCEDURE.to_owned(),
        realm: Some("auth".to_owned()),
        timeout: Duration::from_secs(5),
    }
}

fn policy() -> AuthPolicy {
    AuthPolicy {
        ticket: Some(TicketAuth {
            authenticator: Some(authenticator()),
            ..TicketAuth::default()
        }),
        wampcra: Some(WampCraAuth {
            authenticator: Some(authenticator()),
            ..WampCraAuth::default()
        }),
        cryptosign: Some(CryptosignAuth {
            authenticator: Some(authenticator()),
            ..CryptosignAuth::default()
        }),
        ..AuthPolicy::default()
    }
}

/// A router with `realm1` (for clients) and `auth` (where the authenticator registers).
fn setup() -> (Arc<Router>, Client) {
    let router = Router::new(vec![RealmConfig::new("realm1"), RealmConfig::new("auth")]);
    let mut service = Client::join_with(&router, "auth", Codec::Json, 64);
    let reply = service.request(Message::Register {
        request: RequestId(1),
        options: Dict::new(),
        procedure: Uri::new(PROCEDURE),
    });
    assert!(matches!(reply, Message::Registered { .. }), "{reply:?}");
    (router, service)
}

fn hello(pairs: &[(&str, Value)]) -> Message {
    let mut details = dict(pairs);
    let roles = dict(&[("caller", Value::Map(Dict::new()))]);
    details.insert("roles".to_owned(), Value::Map(roles));
    Message::Hello {
        realm: Uri::new("realm1"),
        details,
    }
}

fn methods(names: &[&str]) -> Value {
    Value::List(names.iter().map(|n| Value::from(*n)).collect())
}

/// The invocation the authenticator received: (request, args).
fn invocation(service: &Client) -> (RequestId, Vec<Value>) {
    match service.received().as_slice() {
        [
            Message::Invocation {
                request, payload, ..
            },
        ] => (*request, payload.args().unwrap().unwrap()),
        other => panic!("expected one INVOCATION, got {other:?}"),
    }
}

fn answer(service: &mut Client, request: RequestId, value: Value) {
    let outcome = service.send(Message::Yield {
        request,
        options: Dict::new(),
        payload: Payload::new(Some(vec![value]), None),
    });
    assert_eq!(outcome, Outcome::none());
}

fn waiting(outcome: &Outcome, client: &Client) {
    assert_eq!(outcome, &Outcome::none());
    assert!(client.session.waiter().is_some());
}

fn resumed(client: &mut Client) -> Outcome {
    let waiter = client.session.waiter().expect("waiting");
    assert!(waiter.is_answered());
    client.session.resume().expect("an outcome")
}

fn welcome_identity(outcome: &Outcome) -> Vec<String> {
    match &outcome.reply {
        Some(Message::Welcome { details, .. }) => {
            ["authid", "authrole", "authmethod", "authprovider"]
                .iter()
                .map(|k| details[*k].as_str().unwrap().to_owned())
                .collect()
        }
        other => panic!("not a WELCOME: {other:?}"),
    }
}

fn abort_uri(outcome: &Outcome) -> &str {
    assert!(outcome.close);
    match &outcome.reply {
        Some(Message::Abort { reason, .. }) => reason.as_str(),
        other => panic!("not an ABORT: {other:?}"),
    }
}

#[test]
fn a_ticket_is_judged_by_the_authenticator() {
    let (router, mut service) = setup();
    let mut client = Client::connect_to(&router, Codec::Json, 8, policy(), None);
    let outcome = client.send(hello(&[
        ("authmethods", methods(&["ticket"])),
        ("authid", "alice".into()),
    ]));
    assert!(matches!(outcome.reply, Some(Message::Challenge { .. })));
    let outcome = client.send(Message::Authenticate {
        signature: "secret ticket".to_owned(),
        extra: Dict::new(),
    });
    waiting(&outcome, &client);
    let (request, args) = invocation(&service);
    assert_eq!(args[0], Value::from("realm1"));
    assert_eq!(args[1], Value::from("alice"));
    let details = args[2].as_map().unwrap();
    assert_eq!(details["ticket"], Value::from("secret ticket"));
    assert_eq!(details["authmethod"], Value::from("ticket"));
    assert_eq!(
        details["transport"].as_map().unwrap()["peer"],
        Value::from("tcp4:127.0.0.1:5555")
    );
    assert!(details["session"].as_u64().is_some());
    answer(&mut service, request, Value::from("user"));
    let outcome = resumed(&mut client);
    assert_eq!(
        welcome_identity(&outcome),
        ["alice", "user", "ticket", "dynamic"]
    );
    assert!(outcome.verdict.unwrap().failure.is_none());
    // A dictionary may rename the principal.
    let mut renamed = Client::connect_to(&router, Codec::Json, 8, policy(), None);
    renamed.send(hello(&[
        ("authmethods", methods(&["ticket"])),
        ("authid", "alice@example.com".into()),
    ]));
    renamed.send(Message::Authenticate {
        signature: "t".to_owned(),
        extra: Dict::new(),
    });
    let (request, _) = invocation(&service);
    answer(
        &mut service,
        request,
        Value::Map(dict(&[
            ("role", "admin".into()),
            ("authid", "alice".into()),
        ])),
    );
    assert_eq!(
        welcome_identity(&resumed(&mut renamed)),
        ["alice", "admin", "ticket", "dynamic"]
    );
}

#[test]
fn an_authenticator_error_or_a_bad_answer_refuses() {
    let (router, mut service) = setup();
    type Answer = Box<dyn Fn(&mut Client, RequestId)>;
    let cases: Vec<Answer> = vec![
        Box::new(|s, request| {
            s.send(Message::Error {
                request_type: code::INVOCATION,
                request,
                details: Dict::new(),
                error: Uri::new("com.example.invalid_ticket"),
                payload: Payload::new(None, None),
            });
        }),
        Box::new(|s, request| answer(s, request, Value::Int(7))),
        Box::new(|s, request| answer(s, request, Value::Map(dict(&[("authid", "x".into())])))),
        Box::new(|s, request| {
            answer(
                s,
                request,
                Value::Map(dict(&[
                    ("role", "user".into()),
                    ("realm", "elsewhere".into()),
                ])),
            )
        }),
    ];
    for (i, case) in cases.iter().enumerate() {
        let mut client = Client::connect_to(&router, Codec::Json, 8, policy(), None);
        client.send(hello(&[
            ("authmethods", methods(&["ticket"])),
            ("authid", "alice".into()),
        ]));
        client.send(Message::Authenticate {
            signature: "t".to_owned(),
            extra: Dict::new(),
        });
        let (request, _) = invocation(&service);
        case(&mut service, request);
        let outcome = resumed(&mut client);
        assert_eq!(
            abort_uri(&outcome),
            "wamp.error.authentication_failed",
            "case {i}"
        );
        assert!(outcome.verdict.unwrap().failure.is_some());
    }
    assert_eq!(
        router.session_count(),
        1,
        "only the authenticator's session"
    );
}

#[test]
fn wampcra_takes_the_secret_from_the_authenticator() {
    let (router, mut service) = setup();
    let mut client = Client::connect_to(&router, Codec::Json, 8, policy(), None);
    let outcome = client.send(hello(&[
        ("authmethods", methods(&["wampcra"])),
        ("authid", "bob".into()),
    ]));
    waiting(&outcome, &client);
    let (request, args) = invocation(&service);
    assert_eq!(args[1], Value::from("bob"));
    answer(
        &mut service,
        request,
        Value::Map(dict(&[
            ("secret", "bob-secret".into()),
            ("role", "user".into()),
        ])),
    );
    let outcome = resumed(&mut client);
    let text = match &outcome.reply {
        Some(Message::Challenge { extra, .. }) => extra["challenge"].as_str().unwrap().to_owned(),
        other => panic!("not a CHALLENGE: {other:?}"),
    };
    let key = hmac::Key::new(hmac::HMAC_SHA256, b"bob-secret");
    let signature = STANDARD.encode(hmac::sign(&key, text.as_bytes()));
    let outcome = client.send(Message::Authenticate {
        signature,
        extra: Dict::new(),
    });
    assert_eq!(
        welcome_identity(&outcome),
        ["bob", "user", "wampcra", "dynamic"]
    );
}

#[test]
fn cryptosign_asks_whose_key_it_is() {
    let (router, mut service) = setup();
    let key = Ed25519KeyPair::from_seed_unchecked(&[5u8; 32]).unwrap();
    let pubkey = hex::encode(key.public_key().as_ref());
    let mut client = Client::connect_to(&router, Codec::Json, 8, policy(), None);
    let outcome = client.send(hello(&[
        ("authmethods", methods(&["cryptosign"])),
        (
            "authextra",
            Value::Map(dict(&[("pubkey", pubkey.as_str().into())])),
        ),
    ]));
    waiting(&outcome, &client);
    let (request, args) = invocation(&service);
    assert_eq!(args[1], Value::Null);
    assert_eq!(
        args[2].as_map().unwrap()["authextra"].as_map().unwrap()["pubkey"],
        Value::from(pubkey.as_str())
    );
    answer(
        &mut service,
        request,
        Value::Map(dict(&[
            ("pubkey", pubkey.as_str().into()),
            ("role", "device".into()),
            ("authid", "sensor-9".into()),
        ])),
    );
    let outcome = resumed(&mut client);
    let challenge = match &outcome.reply {
        Some(Message::Challenge { extra, .. }) => {
            hex::decode(extra["challenge"].as_str().unwrap()).unwrap()
        }
        other => panic!("not a CHALLENGE: {other:?}"),
    };
    let outcome = client.send(Message::Authenticate {
        signature: hex::encode(key.sign(&challenge).as_ref()),
        extra: Dict::new(),
    });
    assert_eq!(
        welcome_identity(&outcome),
        ["sensor-9", "device", "cryptosign", "dynamic"]
    );
}

#[test]
fn a_missing_or_silent_authenticator_never_hangs_the_session() {
    let router = Router::new(vec![RealmConfig::new("realm1"), RealmConfig::new("auth")]);
    let mut nobody = Client::connect_to(&router, Codec::Json, 8, policy(), None);
    let outcome = nobody.send(hello(&[
        ("authmethods", methods(&["wampcra"])),
        ("authid", "bob".into()),
    ]));
    assert_eq!(abort_uri(&outcome), "wamp.error.authentication_failed");
    assert!(
        outcome
            .verdict
            .unwrap()
            .failure
            .unwrap()
            .contains(PROCEDURE)
    );

    let (router, service) = setup();
    let mut client = Client::connect_to(&router, Codec::Json, 8, policy(), None);
    let start = Instant::now();
    waiting(
        &client.send(hello(&[
            ("authmethods", methods(&["wampcra"])),
            ("authid", "bob".into()),
        ])),
        &client,
    );
    invocation(&service);
    let deadline = router.next_call_deadline().unwrap();
    assert!(deadline >= start + Duration::from_secs(5));
    assert_eq!(router.expire_calls(deadline), 1);
    let outcome = resumed(&mut client);
    assert_eq!(abort_uri(&outcome), "wamp.error.authentication_failed");
    // The authenticator's late answer goes nowhere.
    assert_eq!(router.call_count(), 0);
}

#[test]
fn only_abort_is_expected_while_the_authenticator_decides() {
    let (router, _service) = setup();
    let mut client = Client::connect_to(&router, Codec::Json, 8, policy(), None);
    client.send(hello(&[
        ("authmethods", methods(&["wampcra"])),
        ("authid", "bob".into()),
    ]));
    let outcome = client.send(Message::Authenticate {
        signature: "early".to_owned(),
        extra: Dict::new(),
    });
    assert_eq!(abort_uri(&outcome), "wamp.error.protocol_violation");
    let mut quitter = Client::connect_to(&router, Codec::Json, 8, policy(), None);
    quitter.send(hello(&[
        ("authmethods", methods(&["wampcra"])),
        ("authid", "bob".into()),
    ]));
    let outcome = quitter.send(Message::abort("wamp.close.normal", "bye"));
    assert!(outcome.close && outcome.reply.is_none());
    assert_eq!(
        router.reserved_session_ids(),
        1,
        "only the authenticator's session"
    );
}
