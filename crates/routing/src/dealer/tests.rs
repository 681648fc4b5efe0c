//! Calls through sessions: registration, routing, results and errors (the Basic Profile); the
//! Advanced Profile features in `advanced`, failures and bounds in `failures`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod advanced;
mod failures;
mod passthru;

use crossway_protocol::message::code;
use crossway_protocol::{Dict, List, Message, Payload, RegistrationId, RequestId, Uri, Value};

use crate::testing::{Client, dict, router};

/// Features a full-featured client announces.
pub(super) const ALL_FEATURES: &[&str] = &[
    "call_canceling",
    "progressive_call_results",
    "progressive_call_invocations",
    "caller_identification",
];

pub(super) fn register_with(client: &mut Client, procedure: &str, options: Dict) -> Message {
    client.request(Message::Register {
        request: RequestId(10),
        options,
        procedure: Uri::new(procedure),
    })
}

/// Registers `procedure` (exact, single); returns the registration id.
pub(super) fn register(client: &mut Client, procedure: &str) -> RegistrationId {
    match register_with(client, procedure, Dict::new()) {
        Message::Registered { registration, .. } => registration,
        other => panic!("not REGISTERED: {other:?}"),
    }
}

/// Sends CALL `request` with `options` and `args`; returns the immediate reply, if any.
pub(super) fn call_with(
    client: &mut Client,
    request: u64,
    procedure: &str,
    options: Dict,
    args: List,
) -> Option<Message> {
    let outcome = client.send(Message::Call {
        request: RequestId(request),
        options,
        procedure: Uri::new(procedure),
        payload: Payload::new(Some(args), None),
    });
    assert!(!outcome.close, "{outcome:?}");
    outcome.reply
}

/// The one INVOCATION queued for `callee`: (request, registration, details, args).
pub(super) fn invocation(callee: &Client) -> (RequestId, RegistrationId, Dict, Option<List>) {
    let mut got = callee.received();
    assert_eq!(got.len(), 1, "{got:?}");
    match got.remove(0) {
        Message::Invocation {
            request,
            registration,
            details,
            payload,
        } => (request, registration, details, payload.args().unwrap()),
        other => panic!("not an INVOCATION: {other:?}"),
    }
}

pub(super) fn yield_(client: &mut Client, request: RequestId, options: Dict, args: List) {
    let outcome = client.send(Message::Yield {
        request,
        options,
        payload: Payload::new(Some(args), None),
    });
    assert_eq!(outcome, crate::Outcome::none());
}

/// Every message queued for `client`, as (name, request, details-or-options, args).
pub(super) fn messages(client: &Client) -> Vec<(&'static str, RequestId, Dict, Option<List>)> {
    client
        .received()
        .into_iter()
        .map(|m| match m {
            Message::Result {
                request,
                details,
                payload,
            } => ("RESULT", request, details, payload.args().unwrap()),
            Message::Error {
                request,
                details,
                error,
                payload,
                ..
            } => {
                let mut details = details;
                details.insert("error".to_owned(), error.as_str().into());
                ("ERROR", request, details, payload.args().unwrap())
            }
            Message::Interrupt { request, options } => ("INTERRUPT", request, options, None),
            Message::Invocation {
                request,
                details,
                payload,
                ..
            } => ("INVOCATION", request, details, payload.args().unwrap()),
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

pub(super) fn error_uri(reply: &Message) -> (u64, &str) {
    match reply {
        Message::Error {
            request_type,
            error,
            ..
        } => (*request_type, error.as_str()),
        other => panic!("not an ERROR: {other:?}"),
    }
}

#[test]
fn a_call_reaches_the_callee_and_its_result_the_caller() {
    let router = router();
    let mut callee = Client::join(&router);
    let mut caller = Client::join(&router);
    let registration = register(&mut callee, "com.example.add");
    assert_eq!(router.registration_count(), 1);
    assert_eq!(
        call_with(
            &mut caller,
            7,
            "com.example.add",
            Dict::new(),
            vec![Value::Int(2), Value::Int(3)]
        ),
        None
    );
    let (inv, reg, details, args) = invocation(&callee);
    assert_eq!(reg, registration);
    assert_eq!(
        details,
        Dict::new(),
        "exact registrations name no procedure"
    );
    assert_eq!(args, Some(vec![Value::Int(2), Value::Int(3)]));
    assert_eq!(router.call_count(), 1);
    yield_(&mut callee, inv, Dict::new(), vec![Value::Int(5)]);
    let got = messages(&caller);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "RESULT");
    assert_eq!(got[0].1, RequestId(7));
    assert_eq!(got[0].3, Some(vec![Value::Int(5)]));
    assert_eq!(router.call_count(), 0);
    // A second YIELD for the same invocation is dropped.
    yield_(&mut callee, inv, Dict::new(), vec![Value::Int(6)]);
    assert!(caller.frames().is_empty());
}

#[test]
fn a_callee_error_reaches_the_caller_with_its_uri_and_payload() {
    let router = router();
    let mut callee = Client::join(&router);
    let mut caller = Client::join(&router);
    register(&mut callee, "com.example.fail");
    call_with(&mut caller, 1, "com.example.fail", Dict::new(), vec![]);
    let (inv, ..) = invocation(&callee);
    let outcome = callee.send(Message::Error {
        request_type: code::INVOCATION,
        request: inv,
        details: dict(&[("x", 1i64.into())]),
        error: Uri::new("com.example.error.bad"),
        payload: Payload::new(Some(vec!["why".into()]), Some(dict(&[("k", "v".into())]))),
    });
    assert_eq!(outcome, crate::Outcome::none());
    match caller.received().as_slice() {
        [
            Message::Error {
                request_type,
                request,
                details,
                error,
                payload,
            },
        ] => {
            assert_eq!((*request_type, *request), (code::CALL, RequestId(1)));
            assert_eq!(error.as_str(), "com.example.error.bad");
            assert_eq!(details, &dict(&[("x", 1i64.into())]));
            assert_eq!(payload.args().unwrap(), Some(vec!["why".into()]));
            assert_eq!(payload.kwargs().unwrap(), Some(dict(&[("k", "v".into())])));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn registration_errors_and_unregistering() {
    let router = router();
    let mut a = Client::join(&router);
    let mut b = Client::join(&router);
    let mut caller = Client::join(&router);
    let reg = register(&mut a, "com.example.p");
    let again = register_with(&mut b, "com.example.p", Dict::new());
    assert_eq!(
        error_uri(&again),
        (code::REGISTER, "wamp.error.procedure_already_exists")
    );
    let own = register_with(&mut a, "com.example.p", Dict::new());
    assert_eq!(
        error_uri(&own),
        (code::REGISTER, "wamp.error.procedure_already_exists")
    );
    for (uri, options) in [
        ("com..p", Dict::new()),
        ("com.example.p q", Dict::new()),
        ("com.example.q", dict(&[("invoke", "sometimes".into())])),
    ] {
        let reply = register_with(&mut a, uri, options);
        assert_eq!(error_uri(&reply).0, code::REGISTER, "{uri}");
    }
    let reply = register_with(&mut a, "wamp.session.count", Dict::new());
    assert_eq!(
        error_uri(&reply),
        (code::REGISTER, "wamp.error.not_authorized")
    );
    // UNREGISTER: only the holder's own registrations.
    let reply = b.request(Message::Unregister {
        request: RequestId(3),
        registration: reg,
    });
    assert_eq!(
        error_uri(&reply),
        (code::UNREGISTER, "wamp.error.no_such_registration")
    );
    let reply = a.request(Message::Unregister {
        request: RequestId(3),
        registration: reg,
    });
    assert!(matches!(
        reply,
        Message::Unregistered {
            request: RequestId(3),
            details: None
        }
    ));
    assert_eq!(router.registration_count(), 0);
    let reply = call_with(&mut caller, 2, "com.example.p", Dict::new(), vec![]).unwrap();
    assert_eq!(
        error_uri(&reply),
        (code::CALL, "wamp.error.no_such_procedure")
    );
    // And b may register it now.
    register(&mut b, "com.example.p");
}

#[test]
fn invalid_calls_are_errors_and_the_session_stays() {
    let router = router();
    let mut caller = Client::join(&router);
    for (uri, options, expected) in [
        ("com.nobody", Dict::new(), "wamp.error.no_such_procedure"),
        ("com..x", Dict::new(), "wamp.error.invalid_uri"),
        (
            "com.x",
            dict(&[("timeout", "soon".into())]),
            "wamp.error.invalid_argument",
        ),
    ] {
        let reply = call_with(&mut caller, 1, uri, options, vec![]).unwrap();
        assert_eq!(error_uri(&reply), (code::CALL, expected), "{uri}");
    }
    assert!(!caller.session.is_closed());
}

#[test]
fn leaving_takes_the_registrations_away() {
    let router = router();
    let mut callee = Client::join(&router);
    register(&mut callee, "com.example.p");
    drop(callee);
    assert_eq!(router.registration_count(), 0);
}
