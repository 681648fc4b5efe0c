//! Calls when a side goes away, a bound is reached, or a callee answers what is not its own.

use crossway_protocol::message::code;
use crossway_protocol::{Codec, Dict, Message, Payload, Value};

use super::{ALL_FEATURES, call_with, error_uri, invocation, messages, register, yield_};
use crate::dealer::CallLimits;
use crate::router::{RealmConfig, Router};
use crate::testing::{Client, hello_with_features};

#[test]
fn a_callee_that_leaves_cancels_its_calls_at_once() {
    let router = crate::testing::router();
    let mut callee = Client::join(&router);
    let mut caller = Client::join(&router);
    register(&mut callee, "com.p");
    call_with(&mut caller, 1, "com.p", Dict::new(), vec![]);
    call_with(&mut caller, 2, "com.p", Dict::new(), vec![]);
    drop(callee);
    let got = messages(&caller);
    assert_eq!(got.len(), 2);
    for (name, _, details, _) in &got {
        assert_eq!(*name, "ERROR");
        assert_eq!(details["error"], Value::from("wamp.error.canceled"));
    }
    assert_eq!(router.call_count(), 0);
    assert_eq!(router.registration_count(), 0);
}

#[test]
fn a_caller_that_leaves_interrupts_its_invocations() {
    let router = crate::testing::router();
    let mut callee = Client::join_announcing(&router, ALL_FEATURES);
    let mut caller = Client::join(&router);
    register(&mut callee, "com.p");
    call_with(&mut caller, 1, "com.p", Dict::new(), vec![]);
    let (inv, ..) = invocation(&callee);
    drop(caller);
    let got = messages(&callee);
    assert_eq!((got[0].0, got[0].1), ("INTERRUPT", inv));
    assert_eq!(got[0].2["mode"], Value::from("killnowait"));
    assert_eq!(router.call_count(), 0);
    // The late YIELD is dropped without harm.
    yield_(&mut callee, inv, Dict::new(), vec![]);
    assert!(!callee.session.is_closed());
}

#[test]
fn calls_in_flight_are_bounded_per_caller_and_per_callee() {
    let router = Router::with_limits(
        vec![RealmConfig::new("realm1")],
        CallLimits {
            per_caller: 2,
            per_callee: 3,
        },
    );
    let mut callee = Client::join(&router);
    let mut a = Client::join(&router);
    let mut b = Client::join(&router);
    register(&mut callee, "com.p");
    assert_eq!(call_with(&mut a, 1, "com.p", Dict::new(), vec![]), None);
    assert_eq!(call_with(&mut a, 2, "com.p", Dict::new(), vec![]), None);
    let reply = call_with(&mut a, 3, "com.p", Dict::new(), vec![]).unwrap();
    assert_eq!(
        error_uri(&reply),
        (code::CALL, "crossway.error.too_many_calls")
    );
    assert_eq!(call_with(&mut b, 1, "com.p", Dict::new(), vec![]), None);
    let reply = call_with(&mut b, 2, "com.p", Dict::new(), vec![]).unwrap();
    assert_eq!(
        error_uri(&reply),
        (code::CALL, "crossway.error.too_many_calls")
    );
    assert_eq!(router.call_count(), 3);
    // Answering one makes room again.
    let first = match callee.received().remove(0) {
        Message::Invocation { request, .. } => request,
        other => panic!("{other:?}"),
    };
    yield_(&mut callee, first, Dict::new(), vec![]);
    assert_eq!(call_with(&mut b, 3, "com.p", Dict::new(), vec![]), None);
}

#[test]
fn a_callee_answers_only_its_own_invocations() {
    let router = crate::testing::router();
    let mut callee = Client::join(&router);
    let mut other = Client::join(&router);
    let mut caller = Client::join(&router);
    register(&mut callee, "com.p");
    call_with(&mut caller, 1, "com.p", Dict::new(), vec![]);
    let (inv, ..) = invocation(&callee);
    yield_(&mut other, inv, Dict::new(), vec!["forged".into()]);
    let outcome = other.send(Message::Error {
        request_type: code::INVOCATION,
        request: inv,
        details: Dict::new(),
        error: "com.forged".into(),
        payload: Payload::new(None, None),
    });
    assert_eq!(outcome, crate::Outcome::none());
    assert!(caller.frames().is_empty());
    assert_eq!(router.call_count(), 1);
    yield_(&mut callee, inv, Dict::new(), vec!["real".into()]);
    assert_eq!(messages(&caller)[0].3, Some(vec!["real".into()]));
}

#[test]
fn a_slow_callee_is_closed_and_its_callers_answered() {
    let router = crate::testing::router();
    // An outbox of one frame (replies are returned, not queued, here): one INVOCATION fits.
    let mut callee = Client::connect(&router, Codec::Json, 1);
    callee.send(hello_with_features("realm1", &[]));
    register(&mut callee, "com.p");
    let mut caller = Client::join(&router);
    assert_eq!(
        call_with(&mut caller, 1, "com.p", Dict::new(), vec![]),
        None
    );
    let reply = call_with(&mut caller, 2, "com.p", Dict::new(), vec![]);
    let reply = reply.expect("the second INVOCATION does not fit: the call is canceled");
    assert_eq!(error_uri(&reply), (code::CALL, "wamp.error.canceled"));
    // The killed callee's session ends; the first call is answered when it does.
    drop(callee);
    let got = messages(&caller);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].2["error"], Value::from("wamp.error.canceled"));
    assert_eq!(router.call_count(), 0);
}
