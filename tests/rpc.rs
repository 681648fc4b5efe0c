//! Remote procedure calls through a real node, with the Rust client as caller and callee: every
//! serializer pair, errors, progressive results, cancel in each mode, timeouts kept by the router
//! and by the callee, callees that leave, shared and pattern-based registrations, disclosure.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::Duration;

use common::{TestNode, nothing_within, run, within};
use crossway_client::{
    CallOptions, CancelMode, Client, ClientError, Interrupt, Invocation, Registration,
};
use crossway_protocol::{Codec, Dict, RawPayload, Value, errors};
use crossway_transport::Serializer;
use futures_util::future::join;

/// Long enough for a message the router should not send to have come.
const QUIET: Duration = Duration::from_millis(200);

async fn connect(node: &TestNode, ser: Serializer) -> Client {
    within("connect", Client::connect(&node.url, "realm1", ser))
        .await
        .unwrap()
}

async fn invoked(reg: &mut Registration) -> Invocation {
    within("an invocation", reg.next())
        .await
        .expect("an invocation")
}

fn ints(values: &[i64]) -> Option<Vec<Value>> {
    Some(values.iter().map(|&n| Value::Int(n)).collect())
}

/// The ERROR URI and args of a failed call.
fn wamp_error<T: std::fmt::Debug>(r: Result<T, ClientError>) -> (String, Dict, Option<Vec<Value>>) {
    match r {
        Err(ClientError::Wamp {
            error,
            details,
            args,
            ..
        }) => (error, details, args),
        other => panic!("expected an ERROR, got {other:?}"),
    }
}

#[test]
fn calls_and_results_cross_every_serializer_pair_and_keep_raw_bytes() {
    run(async {
        let node = TestNode::start().await;
        let mut kwargs = Dict::new();
        kwargs.insert("bytes".into(), Value::Bytes(vec![0, 1, 255]));
        kwargs.insert("text".into(), "grüße 🎉".into());
        kwargs.insert("big".into(), Value::UInt(u64::MAX));
        let args = vec![
            Value::Int(-(1 << 53)),
            Value::Float(1.5),
            Value::Null,
            Value::List(vec![true.into(), "x".into()]),
        ];
        for callee_ser in Serializer::ALL {
            let callee = connect(&node, callee_ser).await;
            let mut reg = within("register", callee.register("com.example.echo"))
                .await
                .unwrap();
            for caller_ser in Serializer::ALL {
                let caller = connect(&node, caller_ser).await;
                let codec = Codec::from_name(caller_ser.name()).unwrap();
                let raw = RawPayload::encode(codec, Some(&args), Some(&kwargs)).unwrap();
                let pair = format!("{caller_ser:?} -> {callee_ser:?}");
                let call = caller
                    .call_payload(
                        "com.example.echo",
                        raw.clone().into(),
                        CallOptions::default(),
                    )
                    .await
                    .unwrap();

                let inv = invoked(&mut reg).await;
                assert_eq!(inv.args(), Some(&args), "{pair}");
                assert_eq!(inv.kwargs(), Some(&kwargs), "{pair}");
                let got = inv.raw().cloned().unwrap();
                if caller_ser == callee_ser {
                    assert_eq!(got, raw, "{pair}: the caller's bytes");
                }
                within("yield", inv.result_payload(got.into()))
                    .await
                    .unwrap();

                let result = within("result", call.result()).await.unwrap();
                assert_eq!(result.args.as_ref(), Some(&args), "{pair}");
                assert_eq!(result.kwargs.as_ref(), Some(&kwargs), "{pair}");
                assert!(!result.is_progress());
                if caller_ser == callee_ser {
                    assert_eq!(result.raw.unwrap(), raw, "{pair}: the callee's bytes");
                }
                caller.leave().await.unwrap();
            }
            callee.leave().await.unwrap();
        }
        node.stop().await;
    });
}

#[test]
fn errors_reach_the_caller_from_the_callee_and_the_router() {
    run(async {
        let node = TestNode::start().await;
        let callee = connect(&node, Serializer::Cbor).await;
        let caller = connect(&node, Serializer::Json).await;
        let mut reg = callee.register("com.example.fail").await.unwrap();

        let serve = async {
            let inv = invoked(&mut reg).await;
            let mut kwargs = Dict::new();
            kwargs.insert("code".into(), Value::Int(42));
            inv.error("com.example.error.bad", ints(&[1]), Some(kwargs))
                .await
                .unwrap();
        };
        let (r, ()) = within(
            "call",
            join(caller.call("com.example.fail", None, None), serve),
        )
        .await;
        match r {
            Err(ClientError::Wamp {
                error,
                args,
                kwargs,
                ..
            }) => {
                assert_eq!(error, "com.example.error.bad");
                assert_eq!(args, ints(&[1]));
                assert_eq!(kwargs.unwrap()["code"], Value::Int(42));
            }
            other => panic!("{other:?}"),
        }

        let r = within("call", caller.call("com.example.nothing", None, None)).await;
        assert_eq!(wamp_error(r).0, errors::NO_SUCH_PROCEDURE);
        let r = within("register", caller.register("com.example.fail")).await;
        assert_eq!(wamp_error(r).0, errors::PROCEDURE_ALREADY_EXISTS);
        let r = within("call", caller.call("com..bad", None, None)).await;
        assert_eq!(wamp_error(r).0, errors::INVALID_URI);

        within("unregister", callee.unregister(reg)).await.unwrap();
        let r = within("call", caller.call("com.example.fail", None, None)).await;
        assert_eq!(wamp_error(r).0, errors::NO_SUCH_PROCEDURE);
        node.stop().await;
    });
}

#[test]
fn dropping_a_registration_unregisters_it() {
    run(async {
        let node = TestNode::start().await;
        let callee = connect(&node, Serializer::MsgPack).await;
        let caller = connect(&node, Serializer::MsgPack).await;
        let reg = callee.register("com.example.dropped").await.unwrap();
        assert_eq!(node.router.registration_count(), 1);
        drop(reg);
        // The UNREGISTER is not awaited: wait for the router to have it.
        let gone = common::wait_for(|| node.router.registration_count() == 0).await;
        assert!(gone, "the registration went with its handle");
        let r = within("call", caller.call("com.example.dropped", None, None)).await;
        assert_eq!(wamp_error(r).0, errors::NO_SUCH_PROCEDURE);
        node.stop().await;
    });
}

#[test]
fn progressive_results_reach_a_caller_that_asks() {
    run(async {
        let node = TestNode::start().await;
        let callee = connect(&node, Serializer::Json).await;
        let caller = connect(&node, Serializer::MsgPack).await;
        let mut reg = callee.register("com.example.countdown").await.unwrap();

        let opts = CallOptions::default().with_progress();
        let mut call = caller
            .call_with("com.example.countdown", ints(&[3]), None, opts)
            .await
            .unwrap();
        let inv = invoked(&mut reg).await;
        assert!(inv.receive_progress());
        for n in (1..=3).rev() {
            inv.progress(ints(&[n]), None).await.unwrap();
            let r = within("progress", call.next()).await.unwrap().unwrap();
            assert!(r.is_progress());
            assert_eq!(r.args, ints(&[n]));
        }
        inv.result(Some(vec!["liftoff".into()]), None)
            .await
            .unwrap();
        let r = within("result", call.next()).await.unwrap().unwrap();
        assert!(!r.is_progress());
        assert_eq!(r.args, Some(vec!["liftoff".into()]));
        assert!(within("end", call.next()).await.is_none());

        // A caller that does not ask gets the final result only, and the callee may not send
        // progress.
        let call = caller
            .call_with(
                "com.example.countdown",
                ints(&[1]),
                None,
                CallOptions::default(),
            )
            .await
            .unwrap();
        let inv = invoked(&mut reg).await;
        assert!(!inv.receive_progress());
        assert!(matches!(
            inv.progress(None, None).await,
            Err(ClientError::CannotAnswer(_))
        ));
        inv.result(ints(&[0]), None).await.unwrap();
        let r = within("result", call.result()).await.unwrap();
        assert_eq!(r.args, ints(&[0]));
        node.stop().await;
    });
}

#[test]
fn cancel_in_each_mode_as_caller_and_callee_see_it() {
    run(async {
        let node = TestNode::start().await;
        let callee = connect(&node, Serializer::Cbor).await;
        let caller = connect(&node, Serializer::Json).await;
        let mut reg = callee.register("com.example.long").await.unwrap();
        let start = || caller.call_with("com.example.long", None, None, CallOptions::default());

        // skip: the caller is answered at once; the callee hears nothing, its answer is dropped.
        let mut call = start().await.unwrap();
        let inv = invoked(&mut reg).await;
        call.cancel(CancelMode::Skip).await.unwrap();
        let (error, _, _) = wamp_error(within("canceled", call.next()).await.unwrap());
        assert_eq!(error, errors::CANCELED);
        assert!(nothing_within(QUIET, inv.interrupted()).await);
        inv.result(None, None).await.unwrap();
        assert!(within("end", call.next()).await.is_none());

        // killnowait: the caller is answered at once, the callee interrupted.
        let mut call = start().await.unwrap();
        let inv = invoked(&mut reg).await;
        call.cancel(CancelMode::KillNoWait).await.unwrap();
        let (error, _, _) = wamp_error(within("canceled", call.next()).await.unwrap());
        assert_eq!(error, errors::CANCELED);
        let why = within("interrupt", inv.interrupted()).await;
        assert_eq!(why, Interrupt::Router(CancelMode::KillNoWait));

        // kill: the callee is interrupted and its answer, whatever it is, reaches the caller.
        let mut call = start().await.unwrap();
        let inv = invoked(&mut reg).await;
        call.cancel(CancelMode::Kill).await.unwrap();
        let why = within("interrupt", inv.interrupted()).await;
        assert_eq!(why, Interrupt::Router(CancelMode::Kill));
        assert!(
            nothing_within(QUIET, call.next()).await,
            "kill waits for the callee"
        );
        let said = Some(vec!["stopped".into()]);
        inv.error(errors::CANCELED, said.clone(), None)
            .await
            .unwrap();
        let (error, _, args) = wamp_error(within("canceled", call.next()).await.unwrap());
        assert_eq!((error.as_str(), args), (errors::CANCELED, said));

        let mut call = start().await.unwrap();
        let inv = invoked(&mut reg).await;
        call.cancel(CancelMode::Kill).await.unwrap();
        within("interrupt", inv.interrupted()).await;
        inv.result(ints(&[7]), None).await.unwrap();
        let r = within("result", call.next()).await.unwrap().unwrap();
        assert_eq!(r.args, ints(&[7]), "finished first: the result counts");
        node.stop().await;
    });
}

#[test]
fn the_router_keeps_a_calls_timeout() {
    run(async {
        let node = TestNode::start().await;
        let callee = connect(&node, Serializer::MsgPack).await;
        let caller = connect(&node, Serializer::Cbor).await;
        let mut reg = callee.register("com.example.slow").await.unwrap();
        let opts = CallOptions::default().with_timeout(Some(Duration::from_millis(200)));
        let started = std::time::Instant::now();
        let call = caller
            .call_with("com.example.slow", None, None, opts)
            .await
            .unwrap();
        let inv = invoked(&mut reg).await;
        assert_eq!(inv.timeout(), None, "the router keeps the timer");
        let (error, details, _) = wamp_error(within("timeout", call.result()).await);
        assert!(started.elapsed() >= Duration::from_millis(190));
        assert_eq!(error, errors::CANCELED);
        assert_eq!(details["reason"], Value::from(errors::TIMEOUT));
        let why = within("interrupt", inv.interrupted()).await;
        assert_eq!(why, Interrupt::Router(CancelMode::KillNoWait));
        node.stop().await;
    });
}

#[test]
fn a_forwarded_timeout_is_kept_by_the_callee() {
    run(async {
        let node = TestNode::start().await;
        let callee = connect(&node, Serializer::Json).await;
        let caller = connect(&node, Serializer::Json).await;
        let mut options = Dict::new();
        options.insert("forward_timeout".into(), true.into());
        let mut reg = callee
            .register_with("com.example.slow", options)
            .await
            .unwrap();
        let opts = CallOptions::default().with_timeout(Some(Duration::from_millis(200)));
        let call = caller
            .call_with("com.example.slow", None, None, opts)
            .await
            .unwrap();
        let inv = invoked(&mut reg).await;
        assert_eq!(inv.timeout(), Some(Duration::from_millis(200)));
        assert_eq!(
            within("timeout", inv.interrupted()).await,
            Interrupt::Timeout
        );
        let (error, _, _) = wamp_error(within("timeout", call.result()).await);
        assert_eq!(error, errors::TIMEOUT);
        node.stop().await;
    });
}

#[test]
fn a_callee_that_goes_away_mid_call_cancels_it() {
    run(async {
        let node = TestNode::start().await;
        let caller = connect(&node, Serializer::Json).await;
        for polite in [false, true] {
            let callee = connect(&node, Serializer::Cbor).await;
            let mut reg = callee.register("com.example.flaky").await.unwrap();
            let opts = CallOptions::default().with_progress();
            let mut call = caller
                .call_with("com.example.flaky", None, None, opts)
                .await
                .unwrap();
            let inv = invoked(&mut reg).await;
            inv.progress(ints(&[1]), None).await.unwrap();
            assert!(
                within("progress", call.next())
                    .await
                    .unwrap()
                    .unwrap()
                    .is_progress()
            );
            if polite {
                callee.leave().await.unwrap();
            } else {
                drop(callee);
            }
            let (error, _, _) = wamp_error(within("canceled", call.next()).await.unwrap());
            assert_eq!(error, errors::CANCELED, "left politely: {polite}");
            assert_eq!(
                within("session end", inv.interrupted()).await,
                Interrupt::SessionEnded
            );
        }
        node.stop().await;
    });
}

#[test]
fn a_shared_registration_takes_its_callees_in_turn() {
    run(async {
        let node = TestNode::start().await;
        let caller = connect(&node, Serializer::Json).await;
        let mut options = Dict::new();
        options.insert("invoke".into(), "roundrobin".into());
        let mut callees = Vec::new();
        for ser in Serializer::ALL {
            let c = connect(&node, ser).await;
            let reg = c
                .register_with("com.example.shared", options.clone())
                .await
                .unwrap();
            callees.push((c, reg));
        }
        let id = callees[0].1.id;
        assert!(
            callees.iter().all(|(_, reg)| reg.id == id),
            "one registration"
        );
        let mut single = Dict::new();
        single.insert("invoke".into(), "single".into());
        let r = caller.register_with("com.example.shared", single).await;
        assert_eq!(
            wamp_error(r).0,
            errors::PROCEDURE_EXISTS_WITH_DIFFERENT_INVOCATION_POLICY
        );

        for round in 0..2 {
            for (i, (_, reg)) in callees.iter_mut().enumerate() {
                let call = caller
                    .call_with("com.example.shared", None, None, CallOptions::default())
                    .await
                    .unwrap();
                let inv = invoked(reg).await;
                inv.result(ints(&[i as i64]), None).await.unwrap();
                let r = within("result", call.result()).await.unwrap();
                assert_eq!(r.args, ints(&[i as i64]), "round {round}");
            }
        }
        node.stop().await;
    });
}

#[test]
fn pattern_registrations_name_the_procedure_called_and_exact_ones_win() {
    run(async {
        let node = TestNode::start().await;
        let callee = connect(&node, Serializer::MsgPack).await;
        let caller = connect(&node, Serializer::Json).await;
        let with_match = |policy: &str| {
            let mut options = Dict::new();
            options.insert("match".into(), policy.into());
            options
        };
        let mut prefix = callee
            .register_with("com.example.pattern.", with_match("prefix"))
            .await
            .unwrap();
        let mut wildcard = callee
            .register_with("com.example..get", with_match("wildcard"))
            .await
            .unwrap();
        let mut exact = callee.register("com.example.pattern.exact").await.unwrap();

        let cases: [(&str, &mut Registration, Option<&str>); 3] = [
            (
                "com.example.pattern.a.b",
                &mut prefix,
                Some("com.example.pattern.a.b"),
            ),
            (
                "com.example.user.get",
                &mut wildcard,
                Some("com.example.user.get"),
            ),
            ("com.example.pattern.exact", &mut exact, None),
        ];
        for (uri, reg, procedure) in cases {
            let call = caller
                .call_with(uri, None, None, CallOptions::default())
                .await
                .unwrap();
            let inv = invoked(reg).await;
            assert_eq!(inv.procedure(), procedure, "{uri}");
            inv.result(None, None).await.unwrap();
            within("result", call.result()).await.unwrap();
        }
        node.stop().await;
    });
}

#[test]
fn a_caller_that_asks_is_disclosed_to_the_callee() {
    run(async {
        let node = TestNode::start().await;
        let callee = connect(&node, Serializer::Cbor).await;
        let caller = connect(&node, Serializer::Cbor).await;
        let mut reg = callee.register("com.example.who").await.unwrap();
        for disclose in [false, true] {
            let opts = CallOptions {
                disclose_me: disclose,
                ..CallOptions::default()
            };
            let call = caller
                .call_with("com.example.who", None, None, opts)
                .await
                .unwrap();
            let inv = invoked(&mut reg).await;
            let expected = disclose.then(|| caller.session_id());
            assert_eq!(inv.caller(), expected);
            drop(inv);
            let (error, _, args) = wamp_error(within("error", call.result()).await);
            assert_eq!(error, errors::CANCELED, "a dropped invocation is answered");
            assert_eq!(
                args,
                Some(vec![
                    "the callee dropped the invocation without answering".into()
                ])
            );
        }
        node.stop().await;
    });
}

#[test]
fn a_caller_that_goes_away_interrupts_its_invocations() {
    run(async {
        let node = TestNode::start().await;
        let callee = connect(&node, Serializer::Json).await;
        let mut reg = callee.register("com.example.orphan").await.unwrap();
        let caller = connect(&node, Serializer::MsgPack).await;
        let call = caller
            .call_with("com.example.orphan", None, None, CallOptions::default())
            .await
            .unwrap();
        let inv = invoked(&mut reg).await;
        drop(call);
        let why = within("interrupt", inv.interrupted()).await;
        assert_eq!(
            why,
            Interrupt::Router(CancelMode::KillNoWait),
            "the dropped call"
        );

        let call = caller
            .call_with("com.example.orphan", None, None, CallOptions::default())
            .await
            .unwrap();
        let inv = invoked(&mut reg).await;
        caller.leave().await.unwrap();
        let why = within("interrupt", inv.interrupted()).await;
        assert_eq!(
            why,
            Interrupt::Router(CancelMode::KillNoWait),
            "the caller left"
        );
        drop(call);
        // A late answer is dropped by the router; the callee's session goes on.
        inv.result(None, None).await.unwrap();
        assert!(!callee.is_closed());
        node.stop().await;
    });
}
