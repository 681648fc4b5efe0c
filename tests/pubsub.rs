//! Publish and subscribe through a real node over WebSocket, with the Rust client, for every
//! serializer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::Duration;

use common::{TestNode, nothing_within, run, within};
use crossway_client::{Client, ClientError};
use crossway_protocol::{Dict, Value};
use crossway_transport::Serializer;

fn payload() -> (Vec<Value>, Dict) {
    let mut nested = Dict::new();
    nested.insert(
        "list".into(),
        Value::List(vec![1i64.into(), "two".into(), Value::Null]),
    );
    nested.insert("bytes".into(), Value::Bytes(vec![0, 1, 255]));
    let args = vec![
        "grüße 🎉 中文".into(),
        Value::Int(1 << 53),
        Value::Int(-(1 << 53)),
        Value::Int(i64::MIN),
        Value::UInt(u64::MAX),
        Value::Float(1.5),
        Value::Bool(true),
        Value::Null,
        Value::Bytes(b"\x00\x01\xffbinary".to_vec()),
        Value::Map(nested.clone()),
    ];
    let mut kwargs = Dict::new();
    kwargs.insert("nested".into(), Value::Map(nested));
    kwargs.insert("empty".into(), Value::List(vec![]));
    (args, kwargs)
}

#[test]
fn every_serializer_carries_every_value_kind() {
    run(async {
        let node = TestNode::start().await;
        for ser in Serializer::ALL {
            let sub = Client::connect(&node.url, "realm1", ser).await.unwrap();
            let publ = Client::connect(&node.url, "realm1", ser).await.unwrap();
            let mut s = sub.subscribe("com.example.values").await.unwrap();
            let (args, kwargs) = payload();
            publ.publish_acknowledged(
                "com.example.values",
                Some(args.clone()),
                Some(kwargs.clone()),
            )
            .await
            .unwrap();
            let ev = within("event", s.next()).await.expect("event");
            assert_eq!(ev.args, Some(args), "{ser:?}");
            assert_eq!(ev.kwargs, Some(kwargs), "{ser:?}");
            sub.leave().await.unwrap();
            publ.leave().await.unwrap();
        }
        node.stop().await;
    });
}

#[test]
fn events_cross_serializers() {
    run(async {
        let node = TestNode::start().await;
        let mut subs = Vec::new();
        for ser in Serializer::ALL {
            let c = Client::connect(&node.url, "realm1", ser).await.unwrap();
            let s = c.subscribe("com.example.cross").await.unwrap();
            subs.push((ser, c, s));
        }
        for from in Serializer::ALL {
            let publ = Client::connect(&node.url, "realm1", from).await.unwrap();
            let (args, kwargs) = payload();
            publ.publish_acknowledged(
                "com.example.cross",
                Some(args.clone()),
                Some(kwargs.clone()),
            )
            .await
            .unwrap();
            for (to, _, s) in &mut subs {
                let ev = within("event", s.next()).await.expect("event");
                assert_eq!(ev.args.as_ref(), Some(&args), "{from:?} -> {to:?}");
                assert_eq!(ev.kwargs.as_ref(), Some(&kwargs), "{from:?} -> {to:?}");
            }
            publ.leave().await.unwrap();
        }
        node.stop().await;
    });
}

#[test]
fn publisher_is_excluded_unless_it_asks() {
    run(async {
        let node = TestNode::start().await;
        let c = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        let mut s = c.subscribe("com.example.me").await.unwrap();
        c.publish_acknowledged("com.example.me", Some(vec!["default".into()]), None)
            .await
            .unwrap();
        let mut opts = Dict::new();
        opts.insert("exclude_me".into(), Value::Bool(false));
        opts.insert("acknowledge".into(), Value::Bool(true));
        c.publish_with("com.example.me", opts, Some(vec!["included".into()]), None)
            .await
            .unwrap();
        let ev = within("own event", s.next()).await.expect("event");
        assert_eq!(ev.args, Some(vec!["included".into()]));
        c.leave().await.unwrap();
        node.stop().await;
    });
}

#[test]
fn subscribers_of_one_topic_share_the_subscription_id() {
    run(async {
        let node = TestNode::start().await;
        let a = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        let b = Client::connect(&node.url, "realm1", Serializer::Cbor)
            .await
            .unwrap();
        let p = Client::connect(&node.url, "realm1", Serializer::MsgPack)
            .await
            .unwrap();
        let mut sa = a.subscribe("com.example.shared").await.unwrap();
        let mut sb = b.subscribe("com.example.shared").await.unwrap();
        assert_eq!(sa.id, sb.id);
        let other = a.subscribe("com.example.other").await.unwrap();
        assert_ne!(other.id, sa.id);
        let id = p
            .publish_acknowledged("com.example.shared", Some(vec![1i64.into()]), None)
            .await
            .unwrap();
        let ea = within("event a", sa.next()).await.unwrap();
        let eb = within("event b", sb.next()).await.unwrap();
        assert_eq!(ea.publication, id);
        assert_eq!(eb.publication, id);
        node.stop().await;
    });
}

#[test]
fn unsubscribed_sessions_get_nothing_and_unknown_ids_are_errors() {
    run(async {
        let node = TestNode::start().await;
        let a = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        let b = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        let p = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        let sa = a.subscribe("com.example.unsub").await.unwrap();
        let mut sb = b.subscribe("com.example.unsub").await.unwrap();
        let again = a.subscribe("com.example.unsub").await.unwrap();
        assert_eq!(again.id, sa.id, "subscribing twice gives the same id");
        a.unsubscribe(sa).await.unwrap();
        match a.unsubscribe(again).await {
            Err(ClientError::Wamp { error, .. }) => {
                assert_eq!(error, "wamp.error.no_such_subscription")
            }
            other => panic!("expected no_such_subscription, got {other:?}"),
        }
        p.publish_acknowledged("com.example.unsub", Some(vec![]), None)
            .await
            .unwrap();
        within("event b", sb.next()).await.unwrap();
        node.stop().await;
    });
}

#[test]
fn invalid_uris_are_errors_and_the_session_stays_open() {
    run(async {
        let node = TestNode::start().await;
        let c = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        for bad in ["com.my topic", "com..x", "com.#"] {
            match c.subscribe(bad).await {
                Err(ClientError::Wamp { error, .. }) => assert_eq!(error, "wamp.error.invalid_uri"),
                other => panic!("subscribe {bad:?}: expected invalid_uri, got {other:?}"),
            }
            match c.publish_acknowledged(bad, None, None).await {
                Err(ClientError::Wamp { error, .. }) => assert_eq!(error, "wamp.error.invalid_uri"),
                other => panic!("publish {bad:?}: expected invalid_uri, got {other:?}"),
            }
        }
        let mut s = c.subscribe("com.ok").await.unwrap();
        let p = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        p.publish_acknowledged("com.ok", None, None).await.unwrap();
        within("event after errors", s.next()).await.unwrap();

        let strict = Client::connect(&node.url, "strict1", Serializer::Cbor)
            .await
            .unwrap();
        match strict.subscribe("com.MyTopic").await {
            Err(ClientError::Wamp { error, .. }) => assert_eq!(error, "wamp.error.invalid_uri"),
            other => panic!("expected invalid_uri, got {other:?}"),
        }
        strict.subscribe("com.my_topic").await.unwrap();
        node.stop().await;
    });
}

#[test]
fn unknown_realm_is_aborted() {
    run(async {
        let node = TestNode::start().await;
        match Client::connect(&node.url, "no.such.realm", Serializer::MsgPack).await {
            Err(ClientError::Aborted { reason, .. }) => {
                assert_eq!(reason, "wamp.error.no_such_realm")
            }
            other => panic!("expected an ABORT, got {:?}", other.map(|_| ())),
        }
        node.stop().await;
    });
}

#[test]
fn sessions_in_other_realms_do_not_see_events() {
    run(async {
        let node = TestNode::start().await;
        let a = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        let b = Client::connect(&node.url, "strict1", Serializer::Json)
            .await
            .unwrap();
        let mut sa = a.subscribe("com.topic").await.unwrap();
        let mut sb = b.subscribe("com.topic").await.unwrap();
        let p = Client::connect(&node.url, "strict1", Serializer::Json)
            .await
            .unwrap();
        p.publish_acknowledged("com.topic", None, None)
            .await
            .unwrap();
        within("event in strict1", sb.next()).await.unwrap();
        assert!(nothing_within(Duration::from_millis(200), sa.next()).await);
        node.stop().await;
    });
}

#[test]
fn shutdown_says_goodbye_to_every_session() {
    run(async {
        let node = TestNode::start().await;
        let a = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        let b = Client::connect(&node.url, "strict1", Serializer::MsgPack)
            .await
            .unwrap();
        node.stop().await;
        for c in [a, b] {
            let info = within("close", c.closed())
                .await
                .expect("closed by the router");
            assert_eq!(info.reason, "wamp.close.system_shutdown");
        }
    });
}
