//! The session state machine: opening, closing, protocol violations, stray RPC answers, shutdown.

use super::*;
use crate::testing::{Client, dict, hello, router};
use crossway_protocol::message::code;
use crossway_protocol::{
    Codec, Payload, PublicationId, RegistrationId, RequestId, SubscriptionId, Value,
};

fn abort_reason(outcome: &Outcome) -> &str {
    assert!(outcome.close, "{outcome:?}");
    match &outcome.reply {
        Some(Message::Abort {
            reason, details, ..
        }) => {
            assert!(
                details.get("message").and_then(Value::as_str).is_some(),
                "ABORT without a message: {details:?}"
            );
            reason.as_str()
        }
        other => panic!("not an ABORT: {other:?}"),
    }
}

fn error_uri(reply: &Message, expected_type: u64) -> &str {
    match reply {
        Message::Error {
            request_type,
            error,
            ..
        } => {
            assert_eq!(*request_type, expected_type);
            error.as_str()
        }
        other => panic!("not an ERROR: {other:?}"),
    }
}

#[test]
fn hello_is_welcomed() {
    let router = router();
    let mut client = Client::connect(&router, Codec::Json, 8);
    assert_eq!(client.session.id(), None);
    let outcome = client.send(hello("realm1"));
    assert!(!outcome.close);
    let Some(Message::Welcome { session, details }) = outcome.reply else {
        panic!("no WELCOME: {outcome:?}");
    };
    assert!(crossway_protocol::ids::is_valid_id(session.0));
    assert_eq!(client.session.id(), Some(session));
    assert_eq!(client.session.realm().map(Uri::as_str), Some("realm1"));
    assert_eq!(details["realm"], Value::from("realm1"));
    assert_eq!(details["authrole"], Value::from("anonymous"));
    assert!(!client.session.is_closed());
    assert_eq!(
        client.session.identity().map(|i| i.authrole.as_str()),
        Some("anonymous")
    );
    assert_eq!(router.session_count(), 1);
    assert_eq!(router.realm_session_count("realm1"), Some(1));
}

#[test]
fn hello_for_an_unknown_realm_is_aborted() {
    let router = router();
    let mut client = Client::connect(&router, Codec::Json, 8);
    let outcome = client.send(hello("nowhere"));
    assert_eq!(abort_reason(&outcome), "wamp.error.no_such_realm");
    assert!(client.session.is_closed());
    assert_eq!(router.session_count(), 0);
}

#[test]
fn hello_with_an_invalid_realm_uri_is_aborted() {
    let router = router();
    let mut client = Client::connect(&router, Codec::Json, 8);
    let outcome = client.send(hello("realm..1"));
    assert_eq!(abort_reason(&outcome), "wamp.error.invalid_uri");
}

#[test]
fn hello_without_a_client_role_is_a_protocol_violation() {
    let router = router();
    for details in [
        Dict::new(),
        dict(&[("roles", Value::Map(Dict::new()))]),
        dict(&[(
            "roles",
            Value::Map(dict(&[("broker", Value::Map(Dict::new()))])),
        )]),
        dict(&[("roles", Value::List(vec![]))]),
    ] {
        let mut client = Client::connect(&router, Codec::Json, 8);
        let outcome = client.send(Message::Hello {
            realm: Uri::new("realm1"),
            details,
        });
        assert_eq!(abort_reason(&outcome), "wamp.error.protocol_violation");
    }
    assert_eq!(router.session_count(), 0);
}

#[test]
fn anything_but_hello_before_welcome_is_a_protocol_violation() {
    let router = router();
    for msg in [
        Message::Subscribe {
            request: RequestId(1),
            options: Dict::new(),
            topic: Uri::new("a.b"),
        },
        Message::goodbye("wamp.close.normal"),
        Message::Authenticate {
            signature: "x".to_owned(),
            extra: Dict::new(),
        },
    ] {
        let mut client = Client::connect(&router, Codec::Json, 8);
        let outcome = client.send(msg);
        assert_eq!(abort_reason(&outcome), "wamp.error.protocol_violation");
        assert!(client.session.is_closed());
    }
}

#[test]
fn the_clients_abort_closes_without_reply() {
    let router = router();
    let mut client = Client::connect(&router, Codec::Json, 8);
    let outcome = client.send(Message::abort("wamp.close.normal", "bye"));
    assert_eq!(outcome, Outcome::close(None));

    let mut client = Client::join(&router);
    let outcome = client.send(Message::abort("wamp.close.normal", "bye"));
    assert_eq!(outcome, Outcome::close(None));
    assert!(client.session.is_closed());
    assert_eq!(router.session_count(), 0);
}

#[test]
fn a_second_hello_is_a_protocol_violation_and_leaves_the_realm() {
    let router = router();
    let mut client = Client::join(&router);
    client.subscribe("a.b");
    let outcome = client.send(hello("realm1"));
    assert_eq!(abort_reason(&outcome), "wamp.error.protocol_violation");
    assert!(client.session.is_closed());
    assert_eq!(router.session_count(), 0);
    // Its subscriptions went with it.
    let mut publisher = Client::join(&router);
    publisher.publish("a.b", Dict::new(), vec![]);
    assert!(client.frames().is_empty());
}

#[test]
fn messages_only_a_router_sends_are_protocol_violations() {
    let router = router();
    let messages = [
        Message::Welcome {
            session: SessionId(1),
            details: Dict::new(),
        },
        Message::Challenge {
            auth_method: "ticket".to_owned(),
            extra: Dict::new(),
        },
        Message::Published {
            request: RequestId(1),
            publication: PublicationId(1),
        },
        Message::Subscribed {
            request: RequestId(1),
            subscription: SubscriptionId(1),
        },
        Message::Unsubscribed {
            request: RequestId(1),
            details: None,
        },
        Message::Event {
            subscription: SubscriptionId(1),
            publication: PublicationId(1),
            details: Dict::new(),
            payload: Payload::EMPTY,
        },
        Message::Result {
            request: RequestId(1),
            details: Dict::new(),
            payload: Payload::EMPTY,
        },
        Message::Registered {
            request: RequestId(1),
            registration: RegistrationId(1),
        },
        Message::Unregistered {
            request: RequestId(1),
            details: None,
        },
        Message::Invocation {
            request: RequestId(1),
            registration: RegistrationId(1),
            details: Dict::new(),
            payload: Payload::EMPTY,
        },
        Message::Interrupt {
            request: RequestId(1),
            options: Dict::new(),
        },
        Message::Authenticate {
            signature: "x".to_owned(),
            extra: Dict::new(),
        },
    ];
    for msg in messages {
        let name = msg.name();
        let mut client = Client::join(&router);
        let outcome = client.send(msg);
        assert_eq!(
            abort_reason(&outcome),
            "wamp.error.protocol_violation",
            "{name}"
        );
        assert!(client.session.is_closed(), "{name}");
    }
    assert_eq!(router.session_count(), 0);
}

#[test]
fn goodbye_is_answered_and_closes() {
    let router = router();
    let mut client = Client::join(&router);
    let outcome = client.send(Message::goodbye("wamp.close.normal"));
    assert!(outcome.close);
    assert_eq!(
        outcome.reply,
        Some(Message::goodbye("wamp.close.goodbye_and_out"))
    );
    assert!(client.session.is_closed());
    assert_eq!(router.session_count(), 0);
    // Nothing more is handled.
    let after = client.send(Message::goodbye("wamp.close.normal"));
    assert_eq!(after, Outcome::close(None));
}

#[test]
fn a_frame_that_does_not_decode_is_a_protocol_violation() {
    let router = router();
    let mut client = Client::join(&router);
    let outcome = client.session.protocol_violation("invalid JSON");
    assert_eq!(abort_reason(&outcome), "wamp.error.protocol_violation");
    let Some(Message::Abort { details, .. }) = &outcome.reply else {
        unreachable!()
    };
    assert_eq!(details["message"], Value::from("invalid JSON"));
    assert_eq!(router.session_count(), 0);
    assert_eq!(
        client.session.protocol_violation("again"),
        Outcome::close(None)
    );
}

#[test]
fn rpc_answers_for_nothing_in_flight_are_ignored() {
    let router = router();
    let mut client = Client::join(&router);
    let reply = client.request(Message::Unregister {
        request: RequestId(5),
        registration: RegistrationId(1),
    });
    assert_eq!(
        error_uri(&reply, code::UNREGISTER),
        "wamp.error.no_such_registration"
    );
    for ignored in [
        Message::Yield {
            request: RequestId(1),
            options: Dict::new(),
            payload: Payload::EMPTY,
        },
        Message::Cancel {
            request: RequestId(3),
            options: Dict::new(),
        },
        Message::Error {
            request_type: code::INVOCATION,
            request: RequestId(1),
            details: Dict::new(),
            error: Uri::new("com.example.error"),
            payload: Payload::EMPTY,
        },
    ] {
        assert_eq!(client.send(ignored), Outcome::none());
    }
    assert!(!client.session.is_closed());
}

#[test]
fn an_error_for_anything_but_an_invocation_is_a_protocol_violation() {
    let router = router();
    let mut client = Client::join(&router);
    let outcome = client.send(Message::Error {
        request_type: code::PUBLISH,
        request: RequestId(1),
        details: Dict::new(),
        error: Uri::new("com.example.error"),
        payload: Payload::EMPTY,
    });
    assert_eq!(abort_reason(&outcome), "wamp.error.protocol_violation");
}

#[test]
fn session_ids_are_distinct_and_freed() {
    let router = router();
    let clients: Vec<Client> = (0..50).map(|_| Client::join(&router)).collect();
    let mut ids: Vec<u64> = clients.iter().map(|c| c.id().0).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 50);
    assert_eq!(router.session_count(), 50);
    drop(clients);
    assert_eq!(router.session_count(), 0);
}

#[test]
fn shutdown_sends_goodbye_and_refuses_hello() {
    let router = router();
    let mut a = Client::join(&router);
    let mut b = Client::join_with(&router, "strict1", Codec::Cbor, 8);
    let mut waiting = Client::connect(&router, Codec::Json, 8);
    router.shutdown();
    assert!(router.is_shutting_down());
    for client in [&a, &b] {
        let received = client.received();
        assert_eq!(received.len(), 1, "{received:?}");
        let Message::Goodbye { details, reason } = &received[0] else {
            panic!("not a GOODBYE: {received:?}");
        };
        assert_eq!(reason.as_str(), "wamp.close.system_shutdown");
        assert!(details["message"].as_str().is_some());
    }
    // Shutting down again sends nothing more.
    router.shutdown();
    assert!(a.frames().is_empty());
    // HELLO is refused.
    let outcome = waiting.send(hello("realm1"));
    assert_eq!(abort_reason(&outcome), "wamp.close.system_shutdown");
    // While closing, other messages are ignored...
    assert_eq!(
        a.publish("a.b", dict(&[("acknowledge", true.into())]), vec![]),
        Outcome::none()
    );
    // ...and the client's GOODBYE is the echo: not answered.
    assert_eq!(
        a.send(Message::goodbye("wamp.close.goodbye_and_out")),
        Outcome::close(None)
    );
    assert_eq!(
        b.send(Message::abort("wamp.close.normal", "bye")),
        Outcome::close(None)
    );
    assert_eq!(router.session_count(), 0);
}
