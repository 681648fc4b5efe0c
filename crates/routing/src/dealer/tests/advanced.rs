//! The Advanced Profile dealer: pattern-based and shared registrations, progressive results and
//! invocations, timeouts, canceling, caller identification.

use std::time::{Duration, Instant};

use crossway_protocol::message::code;
use crossway_protocol::{Dict, Message, Payload, RequestId, Value};

use super::{
    ALL_FEATURES, call_with, error_uri, invocation, messages, register, register_with, yield_,
};
use crate::testing::{Client, dict, router};

fn pattern(policy: &str) -> Dict {
    dict(&[("match", policy.into())])
}

#[test]
fn exact_beats_the_longest_prefix_beats_wildcards() {
    let router = router();
    let mut exact = Client::join(&router);
    let mut short = Client::join(&router);
    let mut long = Client::join(&router);
    let mut wild = Client::join(&router);
    let mut caller = Client::join(&router);
    register(&mut exact, "com.a.b.c");
    register_with(&mut short, "com.a", pattern("prefix"));
    register_with(&mut long, "com.a.b", pattern("prefix"));
    register_with(&mut wild, "com..b.c", pattern("wildcard"));
    let who = |router_call: &mut Client, uri: &str, n: u64| {
        call_with(router_call, n, uri, Dict::new(), vec![]);
    };
    who(&mut caller, "com.a.b.c", 1);
    assert_eq!(invocation(&exact).2, Dict::new());
    who(&mut caller, "com.a.b.x", 2);
    assert_eq!(invocation(&long).2["procedure"], Value::from("com.a.b.x"));
    who(&mut caller, "com.a.x", 3);
    assert_eq!(invocation(&short).2["procedure"], Value::from("com.a.x"));
    who(&mut caller, "com.z.b.c", 4);
    assert_eq!(invocation(&wild).2["procedure"], Value::from("com.z.b.c"));
    let reply = call_with(&mut caller, 5, "org.a", Dict::new(), vec![]).unwrap();
    assert_eq!(
        error_uri(&reply),
        (code::CALL, "wamp.error.no_such_procedure")
    );
}

#[test]
fn shared_registrations_pick_by_their_policy() {
    let router = router();
    let mut callees: Vec<Client> = (0..3).map(|_| Client::join(&router)).collect();
    let mut caller = Client::join(&router);
    for (policy, procedure) in [
        ("roundrobin", "com.rr"),
        ("first", "com.first"),
        ("last", "com.last"),
        ("random", "com.random"),
    ] {
        let options = dict(&[("invoke", policy.into())]);
        let ids: Vec<_> = callees
            .iter_mut()
            .map(|c| match register_with(c, procedure, options.clone()) {
                Message::Registered { registration, .. } => registration,
                other => panic!("{other:?}"),
            })
            .collect();
        assert!(
            ids.windows(2).all(|w| w[0] == w[1]),
            "one shared registration"
        );
    }
    let mut request = 100;
    let mut picks = |caller: &mut Client, callees: &[Client], procedure: &str| -> Vec<usize> {
        (0..6)
            .map(|_| {
                request += 1;
                call_with(caller, request, procedure, Dict::new(), vec![]);
                let hit: Vec<usize> = callees
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !c.frames().is_empty())
                    .map(|(i, _)| i)
                    .collect();
                assert_eq!(hit.len(), 1);
                hit[0]
            })
            .collect()
    };
    assert_eq!(
        picks(&mut caller, &callees, "com.rr"),
        vec![0, 1, 2, 0, 1, 2]
    );
    assert_eq!(picks(&mut caller, &callees, "com.first"), vec![0; 6]);
    assert_eq!(picks(&mut caller, &callees, "com.last"), vec![2; 6]);
    assert!(
        picks(&mut caller, &callees, "com.random")
            .iter()
            .all(|i| *i < 3)
    );
    // Another policy for a shared procedure is refused.
    let reply = register_with(&mut caller, "com.rr", dict(&[("invoke", "first".into())]));
    assert_eq!(
        error_uri(&reply),
        (
            code::REGISTER,
            "wamp.error.procedure_exists_with_different_invocation_policy"
        )
    );
    // `first` falls to the next callee when the first leaves.
    let first = callees.remove(0);
    drop(first);
    assert_eq!(picks(&mut caller, &callees, "com.first"), vec![0; 6]);
}

#[test]
fn progressive_results_go_to_callers_that_ask() {
    let router = router();
    let mut callee = Client::join_announcing(&router, ALL_FEATURES);
    let mut caller = Client::join_announcing(&router, ALL_FEATURES);
    register(&mut callee, "com.stream");
    call_with(
        &mut caller,
        1,
        "com.stream",
        dict(&[("receive_progress", true.into())]),
        vec![],
    );
    let (inv, _, details, _) = invocation(&callee);
    assert_eq!(details["receive_progress"], Value::Bool(true));
    let progress = dict(&[("progress", true.into())]);
    yield_(&mut callee, inv, progress.clone(), vec![Value::Int(1)]);
    yield_(&mut callee, inv, progress, vec![Value::Int(2)]);
    yield_(&mut callee, inv, Dict::new(), vec![Value::Int(3)]);
    let got = messages(&caller);
    let summary: Vec<(Option<&Value>, Value)> = got
        .iter()
        .map(|(_, _, d, a)| (d.get("progress"), a.as_ref().unwrap()[0].clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (Some(&Value::Bool(true)), Value::Int(1)),
            (Some(&Value::Bool(true)), Value::Int(2)),
            (None, Value::Int(3)),
        ]
    );
    // A callee without the feature is not asked for progress; a caller that did not ask gets
    // only the final result.
    let mut plain = Client::join(&router);
    register(&mut plain, "com.plain");
    call_with(
        &mut caller,
        2,
        "com.plain",
        dict(&[("receive_progress", true.into())]),
        vec![],
    );
    let (inv, _, details, _) = invocation(&plain);
    assert!(!details.contains_key("receive_progress"));
    call_with(&mut caller, 3, "com.stream", Dict::new(), vec![]);
    let (inv2, ..) = invocation(&callee);
    yield_(
        &mut callee,
        inv2,
        dict(&[("progress", true.into())]),
        vec![Value::Int(9)],
    );
    yield_(&mut callee, inv2, Dict::new(), vec![Value::Int(10)]);
    yield_(&mut plain, inv, Dict::new(), vec![]);
    let got = messages(&caller);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].1, RequestId(3));
    assert_eq!(got[0].3, Some(vec![Value::Int(10)]));
}

#[test]
fn progressive_invocations_stream_to_one_callee() {
    let router = router();
    let mut a = Client::join_announcing(&router, ALL_FEATURES);
    let mut b = Client::join_announcing(&router, ALL_FEATURES);
    let mut caller = Client::join_announcing(&router, ALL_FEATURES);
    let rr = dict(&[("invoke", "roundrobin".into())]);
    register_with(&mut a, "com.upload", rr.clone());
    register_with(&mut b, "com.upload", rr);
    let progress = || dict(&[("progress", true.into())]);
    call_with(
        &mut caller,
        5,
        "com.upload",
        progress(),
        vec!["chunk1".into()],
    );
    let (inv, _, details, _) = invocation(&a);
    assert_eq!(details["progress"], Value::Bool(true));
    call_with(
        &mut caller,
        5,
        "com.upload",
        progress(),
        vec!["chunk2".into()],
    );
    call_with(
        &mut caller,
        5,
        "com.upload",
        Dict::new(),
        vec!["last".into()],
    );
    assert!(
        b.frames().is_empty(),
        "every chunk goes to the first callee"
    );
    let got = messages(&a);
    assert_eq!(got.len(), 2);
    assert!(got.iter().all(|(_, r, ..)| *r == inv));
    assert_eq!(got[0].2["progress"], Value::Bool(true));
    assert!(!got[1].2.contains_key("progress"));
    yield_(&mut a, inv, Dict::new(), vec!["done".into()]);
    assert_eq!(messages(&caller)[0].3, Some(vec!["done".into()]));
    // A late continuation of the ended call is dropped, not a new call.
    assert_eq!(
        call_with(&mut caller, 5, "com.upload", progress(), vec![]),
        None
    );
    assert!(a.frames().is_empty() && b.frames().is_empty());
    // A callee without the feature is refused; a caller without it breaks the protocol.
    let mut plain = Client::join(&router);
    register(&mut plain, "com.plain");
    let reply = call_with(&mut caller, 6, "com.plain", progress(), vec![]).unwrap();
    assert_eq!(
        error_uri(&reply),
        (code::CALL, "wamp.error.feature_not_supported")
    );
    let mut unaware = Client::join(&router);
    let outcome = unaware.send(Message::Call {
        request: RequestId(1),
        options: progress(),
        procedure: "com.upload".into(),
        payload: Payload::new(None, None),
    });
    assert!(outcome.close);
    assert!(matches!(outcome.reply, Some(Message::Abort { .. })));
    // A repeated request id of a non-progressive call in flight breaks the protocol too.
    call_with(&mut caller, 7, "com.plain", Dict::new(), vec![]);
    let outcome = caller.send(Message::Call {
        request: RequestId(7),
        options: Dict::new(),
        procedure: "com.plain".into(),
        payload: Payload::new(None, None),
    });
    assert!(outcome.close, "{outcome:?}");
}

#[test]
fn timeouts_cancel_the_call_at_the_router() {
    let router = router();
    let mut callee = Client::join_announcing(&router, ALL_FEATURES);
    let mut caller = Client::join(&router);
    register(&mut callee, "com.slow");
    let start = Instant::now();
    call_with(
        &mut caller,
        1,
        "com.slow",
        dict(&[("timeout", 50i64.into())]),
        vec![],
    );
    let (inv, _, details, _) = invocation(&callee);
    assert!(
        !details.contains_key("timeout"),
        "the router keeps the timer"
    );
    let deadline = router.next_call_deadline().unwrap();
    assert!(deadline >= start + Duration::from_millis(50));
    assert_eq!(router.expire_calls(deadline - Duration::from_millis(1)), 0);
    assert_eq!(router.expire_calls(deadline), 1);
    assert_eq!(router.next_call_deadline(), None);
    let got = messages(&caller);
    assert_eq!(got[0].0, "ERROR");
    assert_eq!(got[0].2["error"], Value::from("wamp.error.canceled"));
    assert_eq!(got[0].2["reason"], Value::from("wamp.error.timeout"));
    let interrupts = messages(&callee);
    assert_eq!(interrupts[0].0, "INTERRUPT");
    assert_eq!(interrupts[0].1, inv);
    assert_eq!(interrupts[0].2["mode"], Value::from("killnowait"));
    // The late YIELD is dropped.
    yield_(&mut callee, inv, Dict::new(), vec![]);
    assert!(caller.frames().is_empty());
}

#[test]
fn forward_timeout_leaves_the_timer_to_the_callee() {
    let router = router();
    let mut callee = Client::join_announcing(&router, ALL_FEATURES);
    let mut caller = Client::join(&router);
    register_with(
        &mut callee,
        "com.slow",
        dict(&[("forward_timeout", true.into())]),
    );
    call_with(
        &mut caller,
        1,
        "com.slow",
        dict(&[("timeout", 250i64.into())]),
        vec![],
    );
    let (_, _, details, _) = invocation(&callee);
    assert_eq!(details["timeout"], Value::Int(250));
    assert_eq!(router.next_call_deadline(), None);
}

fn cancel(caller: &mut Client, request: u64, mode: &str) -> Option<Message> {
    let outcome = caller.send(Message::Cancel {
        request: RequestId(request),
        options: dict(&[("mode", mode.into())]),
    });
    assert!(!outcome.close);
    outcome.reply
}

#[test]
fn cancel_modes() {
    let router = router();
    let mut callee = Client::join_announcing(&router, ALL_FEATURES);
    let mut caller = Client::join_announcing(&router, ALL_FEATURES);
    register(&mut callee, "com.long");

    // skip: ERROR now, nothing to the callee, its answer dropped.
    call_with(&mut caller, 1, "com.long", Dict::new(), vec![]);
    let (inv, ..) = invocation(&callee);
    let reply = cancel(&mut caller, 1, "skip").unwrap();
    assert_eq!(error_uri(&reply), (code::CALL, "wamp.error.canceled"));
    assert!(callee.frames().is_empty());
    yield_(&mut callee, inv, Dict::new(), vec![]);
    assert!(caller.frames().is_empty());

    // killnowait: INTERRUPT and ERROR now.
    call_with(&mut caller, 2, "com.long", Dict::new(), vec![]);
    let (inv, ..) = invocation(&callee);
    let reply = cancel(&mut caller, 2, "killnowait").unwrap();
    assert_eq!(error_uri(&reply), (code::CALL, "wamp.error.canceled"));
    let got = messages(&callee);
    assert_eq!((got[0].0, got[0].1), ("INTERRUPT", inv));
    assert_eq!(got[0].2["mode"], Value::from("killnowait"));

    // kill: INTERRUPT now, the caller gets the callee's answer.
    call_with(&mut caller, 3, "com.long", Dict::new(), vec![]);
    let (inv, ..) = invocation(&callee);
    assert_eq!(cancel(&mut caller, 3, "kill"), None);
    let got = messages(&callee);
    assert_eq!(got[0].2["mode"], Value::from("kill"));
    let outcome = callee.send(Message::Error {
        request_type: code::INVOCATION,
        request: inv,
        details: Dict::new(),
        error: "wamp.error.canceled".into(),
        payload: Payload::new(None, None),
    });
    assert_eq!(outcome, crate::Outcome::none());
    let got = messages(&caller);
    assert_eq!((got[0].0, got[0].1), ("ERROR", RequestId(3)));

    // A callee that does not understand INTERRUPT: every mode is skip.
    let mut plain = Client::join(&router);
    register(&mut plain, "com.plain");
    call_with(&mut caller, 4, "com.plain", Dict::new(), vec![]);
    invocation(&plain);
    let reply = cancel(&mut caller, 4, "kill").unwrap();
    assert_eq!(error_uri(&reply).1, "wamp.error.canceled");
    assert!(plain.frames().is_empty());
    // CANCEL of nothing in flight, or with an unknown mode, is ignored.
    assert_eq!(cancel(&mut caller, 99, "skip"), None);
    call_with(&mut caller, 5, "com.long", Dict::new(), vec![]);
    invocation(&callee);
    assert_eq!(cancel(&mut caller, 5, "later"), None);
    assert_eq!(router.call_count(), 1);
}

#[test]
fn callers_are_disclosed_when_they_ask() {
    let router = router();
    let mut callee = Client::join(&router);
    let mut caller = Client::join(&router);
    register(&mut callee, "com.who");
    call_with(
        &mut caller,
        1,
        "com.who",
        dict(&[("disclose_me", true.into())]),
        vec![],
    );
    let (_, _, details, _) = invocation(&callee);
    assert_eq!(details["caller"], Value::from(caller.id().0));
    assert_eq!(details["caller_authrole"], Value::from("anonymous"));
    assert!(details["caller_authid"].as_str().is_some());
    call_with(&mut caller, 2, "com.who", Dict::new(), vec![]);
    assert!(!invocation(&callee).2.contains_key("caller"));
}

#[test]
fn wamp_uris_never_reach_pattern_registrations_outside_wamp() {
    let router = router();
    let mut greedy = Client::join(&router);
    let mut caller = Client::join(&router);
    register_with(&mut greedy, "wam", pattern("prefix"));
    register_with(&mut greedy, ".session.unknown", pattern("wildcard"));
    let reply = call_with(&mut caller, 1, "wamp.session.unknown", Dict::new(), vec![]).unwrap();
    assert_eq!(
        error_uri(&reply),
        (code::CALL, "wamp.error.no_such_procedure")
    );
    assert!(greedy.frames().is_empty());
    call_with(&mut caller, 2, "wamx.session.unknown", Dict::new(), vec![]);
    assert_eq!(
        invocation(&greedy).2["procedure"],
        Value::from("wamx.session.unknown")
    );
    // The router answers its own meta procedures, whatever is registered.
    let reply = call_with(&mut caller, 3, "wamp.session.count", Dict::new(), vec![]).unwrap();
    assert!(matches!(reply, Message::Result { .. }), "{reply:?}");
    assert!(greedy.frames().is_empty());
}

#[test]
fn a_progressive_result_gives_the_call_a_new_timeout() {
    let router = router();
    let mut callee = Client::join_announcing(&router, ALL_FEATURES);
    let mut caller = Client::join_announcing(&router, ALL_FEATURES);
    register(&mut callee, "com.stream");
    let options = dict(&[
        ("timeout", 1000i64.into()),
        ("receive_progress", true.into()),
        ("disclose_me", true.into()),
    ]);
    call_with(&mut caller, 1, "com.stream", options, vec![]);
    let (inv, ..) = invocation(&callee);
    let first = router.next_call_deadline().unwrap();
    std::thread::sleep(Duration::from_millis(5));
    yield_(&mut callee, inv, dict(&[("progress", true.into())]), vec![]);
    let moved = router.next_call_deadline().unwrap();
    assert!(moved > first, "{moved:?} after {first:?}");
    assert_eq!(router.expire_calls(first), 0);
    assert_eq!(router.expire_calls(moved), 1);
}
