//! The caller's side of the client against a scripted router: CALL and its options, progressive
//! and final RESULTs, ERROR, CANCEL (asked for, on drop, and when the router never answers),
//! raw payloads both ways, and the end of the session.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::{Duration, Instant};

use crossway_client::{CallOptions, CancelMode, Client, ClientError, TIMEOUT_GRACE};
use crossway_protocol::message::code;
use crossway_protocol::{Dict, Message, Payload, RawPayload, RequestId, Uri, Value, errors};
use crossway_transport::Serializer;
use crossway_transport::rt::block_on;

use common::{Peer, fake_router, within};

/// Reads a CALL of `procedure`; gives its request id, options and payload.
async fn call(p: &mut Peer, procedure: &str) -> (RequestId, Dict, Payload) {
    let Message::Call {
        request,
        options,
        procedure: uri,
        payload,
    } = p.recv().await
    else {
        panic!("expected CALL")
    };
    assert_eq!(uri.as_str(), procedure);
    (request, options, payload)
}

/// Reads a CANCEL; gives its request id and mode.
async fn cancel(p: &mut Peer) -> (RequestId, String) {
    let Message::Cancel { request, options } = p.recv().await else {
        panic!("expected CANCEL")
    };
    (request, options["mode"].as_str().unwrap().to_owned())
}

fn result(request: RequestId, progress: bool, n: i64) -> Message {
    let mut details = Dict::new();
    if progress {
        details.insert("progress".into(), Value::Bool(true));
    }
    Message::Result {
        request,
        details,
        payload: Payload::new(Some(vec![Value::Int(n)]), None),
    }
}

fn error(request: RequestId, uri: &str, args: Option<Vec<Value>>, kwargs: Option<Dict>) -> Message {
    Message::Error {
        request_type: code::CALL,
        request,
        details: Dict::new(),
        error: Uri::new(uri),
        payload: Payload::new(args, kwargs),
    }
}

#[test]
fn calls_get_progressive_and_final_results_and_errors() {
    block_on(async {
        for ser in Serializer::ALL {
            let (url, router) = fake_router(|mut p| async move {
                p.welcome().await;
                let (request, options, payload) = call(&mut p, "com.example.count").await;
                assert_eq!(options["timeout"], Value::from(5000u64));
                assert_eq!(options["receive_progress"], Value::Bool(true));
                assert_eq!(options["disclose_me"], Value::Bool(true));
                assert_eq!(options["extra"], Value::from("kept"));
                assert_eq!(payload.args().unwrap(), Some(vec![Value::Int(3)]));
                p.send(&[
                    result(request, true, 1),
                    result(request, true, 2),
                    result(request, false, 3),
                ])
                .await;

                let (request, options, _) = call(&mut p, "com.example.fail").await;
                assert_eq!(options["timeout"], Value::from(60_000u64));
                let mut kwargs = Dict::new();
                kwargs.insert("why".into(), "because".into());
                let args = Some(vec!["failed".into()]);
                p.send(&[error(request, "com.example.error", args, Some(kwargs))])
                    .await;

                // A raw payload goes out as it is; the result's raw bytes are the router's.
                let (request, options, payload) = call(&mut p, "com.example.raw").await;
                assert!(options.is_empty());
                assert_eq!(payload.args().unwrap(), Some(vec![Value::from("raw")]));
                p.send(&[result(request, false, 4)]).await;
            })
            .await;

            let c = within(Client::connect(&url, "realm1", ser)).await.unwrap();
            let opts = CallOptions::default()
                .with_timeout(Some(Duration::from_secs(5)))
                .with_progress()
                .with_disclose_me()
                .with_option("extra", "kept");
            let mut call =
                within(c.call_with("com.example.count", Some(vec![3i64.into()]), None, opts))
                    .await
                    .unwrap();
            let mut got = Vec::new();
            while let Some(answer) = within(call.next()).await {
                let r = answer.unwrap();
                got.push((r.is_progress(), r.args.unwrap()));
            }
            assert!(call.is_finished());
            assert_eq!(
                got,
                [
                    (true, vec![Value::Int(1)]),
                    (true, vec![Value::Int(2)]),
                    (false, vec![Value::Int(3)])
                ]
            );

            match within(c.call("com.example.fail", None, None)).await {
                Err(ClientError::Wamp {
                    error,
                    args,
                    kwargs,
                    ..
                }) => {
                    assert_eq!(error, "com.example.error");
                    assert_eq!(args, Some(vec!["failed".into()]));
                    assert_eq!(kwargs.unwrap()["why"], Value::from("because"));
                }
                other => panic!("{other:?}"),
            }

            let codec = crossway_protocol::Codec::from_name(ser.name()).unwrap();
            let raw = RawPayload::encode(codec, Some(&vec!["raw".into()]), None).unwrap();
            let opts = CallOptions::default().with_timeout(None);
            let call = within(c.call_payload("com.example.raw", raw.into(), opts))
                .await
                .unwrap();
            let r = within(call.result()).await.unwrap();
            let raw = r.raw.unwrap();
            assert_eq!(raw.codec(), codec);
            assert_eq!(raw.args().unwrap(), Some(vec![Value::Int(4)]));
            within(router).await;
        }
    });
}

#[test]
fn cancel_sends_its_mode_and_a_dropped_call_cancels_itself() {
    block_on(async {
        let (url, router) = fake_router(|mut p| async move {
            p.welcome().await;
            for mode in ["skip", "kill", "killnowait"] {
                let (request, _, _) = call(&mut p, "com.example.long").await;
                assert_eq!(cancel(&mut p).await, (request, mode.to_owned()));
                p.send(&[error(request, errors::CANCELED, None, None)])
                    .await;
            }
            let (request, _, _) = call(&mut p, "com.example.dropped").await;
            assert_eq!(cancel(&mut p).await, (request, "killnowait".to_owned()));
            // A call whose final answer came is not canceled when dropped.
            let (request, _, _) = call(&mut p, "com.example.done").await;
            p.send(&[result(request, false, 1)]).await;
            let (_, _, _) = call(&mut p, "com.example.last").await;
        })
        .await;
        let c = within(Client::connect(&url, "realm1", Serializer::Json))
            .await
            .unwrap();
        for mode in [CancelMode::Skip, CancelMode::Kill, CancelMode::KillNoWait] {
            let opts = CallOptions::default();
            let mut call = within(c.call_with("com.example.long", None, None, opts))
                .await
                .unwrap();
            within(call.cancel(mode)).await.unwrap();
            match within(call.next()).await {
                Some(Err(ClientError::Wamp { error, .. })) => assert_eq!(error, errors::CANCELED),
                other => panic!("{other:?}"),
            }
            assert!(within(call.next()).await.is_none());
            // Canceling an ended call sends nothing.
            within(call.cancel(mode)).await.unwrap();
        }
        let call = within(c.call_with("com.example.dropped", None, None, CallOptions::default()))
            .await
            .unwrap();
        drop(call);
        let mut call = within(c.call_with("com.example.done", None, None, CallOptions::default()))
            .await
            .unwrap();
        // Wait until the answer is in (the next call's CALL follows it).
        let answered = within(call.next()).await.unwrap().unwrap();
        assert_eq!(answered.args, Some(vec![Value::Int(1)]));
        drop(call);
        let last = within(c.call_with("com.example.last", None, None, CallOptions::default()))
            .await
            .unwrap();
        within(router).await;
        drop(last);
    });
}

#[test]
fn a_call_the_router_never_answers_is_given_up_and_canceled() {
    block_on(async {
        let (url, router) = fake_router(|mut p| async move {
            p.welcome().await;
            let (request, options, _) = call(&mut p, "com.example.silent").await;
            assert_eq!(options["timeout"], Value::from(100u64));
            assert_eq!(cancel(&mut p).await, (request, "killnowait".to_owned()));
            // Too late: the answer is dropped.
            p.send(&[result(request, false, 1)]).await;
        })
        .await;
        let c = within(Client::connect(&url, "realm1", Serializer::Json))
            .await
            .unwrap();
        let opts = CallOptions::default().with_timeout(Some(Duration::from_millis(100)));
        let started = Instant::now();
        let r = within(c.call_with("com.example.silent", None, None, opts))
            .await
            .unwrap()
            .result();
        match within(r).await {
            Err(ClientError::Timeout(d)) => {
                assert_eq!(d, Duration::from_millis(100) + TIMEOUT_GRACE)
            }
            other => panic!("{other:?}"),
        }
        assert!(started.elapsed() >= TIMEOUT_GRACE);
        within(router).await;
    });
}

#[test]
fn the_end_of_the_session_ends_calls() {
    block_on(async {
        let (url, router) = fake_router(|mut p| async move {
            p.welcome().await;
            let (request, _, _) = call(&mut p, "com.example.a").await;
            p.send(&[result(request, true, 1)]).await;
            // Drop the connection.
        })
        .await;
        let c = within(Client::connect(&url, "realm1", Serializer::Json))
            .await
            .unwrap();
        let opts = CallOptions::default().with_progress().with_timeout(None);
        let mut call = within(c.call_with("com.example.a", None, None, opts))
            .await
            .unwrap();
        assert!(within(call.next()).await.unwrap().unwrap().is_progress());
        assert!(matches!(
            within(call.next()).await,
            Some(Err(ClientError::Closed))
        ));
        assert!(within(call.next()).await.is_none());
        within(router).await;
        assert!(matches!(
            within(c.call("com.example.a", None, None)).await,
            Err(ClientError::Closed)
        ));
    });
}
