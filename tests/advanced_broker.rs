//! The Advanced Profile broker features through a real node with the Rust client: a retained
//! event for a late subscriber on each serializer, testaments on a dropped connection and none
//! after GOODBYE, `wamp.session.kill`, meta events, and a payload-transparent publication
//! reaching every serializer byte for byte.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{TestNode, run, within};
use crossway_client::{Client, Event, Subscription};
use crossway_protocol::{Dict, Payload, Value};
use crossway_transport::Serializer;

async fn connect(node: &TestNode, ser: Serializer) -> Client {
    within("connect", Client::connect(&node.url, "realm1", ser))
        .await
        .unwrap()
}

fn options(pairs: &[(&str, Value)]) -> Dict {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn text(s: &str) -> Option<Vec<Value>> {
    Some(vec![Value::from(s)])
}

async fn next(sub: &mut Subscription, what: &str) -> Event {
    within(what, sub.next()).await.expect(what)
}

async fn call(client: &Client, procedure: &str, args: Vec<Value>) -> Option<Vec<Value>> {
    within(procedure, client.call(procedure, Some(args), None))
        .await
        .unwrap()
        .args
}

/// `publisher` publishes "marker" on `topic`; it must be the next event `sub` sees.
async fn marker(publisher: &Client, sub: &mut Subscription, topic: &str, what: &str) {
    publisher
        .publish_acknowledged(topic, text("marker"), None)
        .await
        .unwrap();
    let event = next(sub, what).await;
    assert_eq!(event.args, text("marker"), "{what}: {event:?}");
}

#[test]
fn a_late_subscriber_gets_the_retained_event_on_each_serializer() {
    run(async {
        let node = TestNode::start().await;
        let publisher = connect(&node, Serializer::Json).await;
        let retain = options(&[("retain", true.into()), ("acknowledge", true.into())]);
        for value in ["first", "last"] {
            publisher
                .publish_with("com.example.state", retain.clone(), text(value), None)
                .await
                .unwrap();
        }
        for ser in Serializer::ALL {
            let subscriber = connect(&node, ser).await;
            let get = options(&[("get_retained", true.into())]);
            let mut sub = subscriber
                .subscribe_with("com.example.state", get)
                .await
                .unwrap();
            let event = next(&mut sub, "the retained event").await;
            assert_eq!(event.args, text("last"), "{ser:?}");
            assert_eq!(event.details.get("retained"), Some(&Value::Bool(true)));
            marker(
                &publisher,
                &mut sub,
                "com.example.state",
                "only one retained",
            )
            .await;
            subscriber.leave().await.unwrap();
        }
        node.stop().await;
    });
}

#[test]
fn testaments_on_a_dropped_connection_and_a_kill_but_not_after_goodbye() {
    run(async {
        let node = TestNode::start().await;
        let watcher = connect(&node, Serializer::Cbor).await;
        let publisher = connect(&node, Serializer::Json).await;
        let mut sub = watcher.subscribe("com.example.gone").await.unwrap();
        let testament =
            |s: &str| vec![Value::from("com.example.gone"), Value::List(vec![s.into()])];

        let dropped = connect(&node, Serializer::MsgPack).await;
        call(&dropped, "wamp.session.add_testament", testament("dropped")).await;
        drop(dropped);
        assert_eq!(next(&mut sub, "the testament").await.args, text("dropped"));

        let polite = connect(&node, Serializer::Json).await;
        call(&polite, "wamp.session.add_testament", testament("polite")).await;
        polite.leave().await.unwrap();
        marker(&publisher, &mut sub, "com.example.gone", "after GOODBYE").await;

        let victim = connect(&node, Serializer::Cbor).await;
        call(&victim, "wamp.session.add_testament", testament("killed")).await;
        let id = Value::from(victim.session_id().0);
        call(&publisher, "wamp.session.kill", vec![id]).await;
        let closed = within("the kill", victim.closed()).await.expect("GOODBYE");
        assert_eq!(closed.reason, "wamp.close.killed");
        assert!(!closed.aborted);
        assert_eq!(next(&mut sub, "the testament").await.args, text("killed"));
        node.stop().await;
    });
}

#[test]
fn meta_events_and_procedures_answer_the_rust_client() {
    run(async {
        let node = TestNode::start().await;
        let watcher = connect(&node, Serializer::Json).await;
        let mut joins = watcher.subscribe("wamp.session.on_join").await.unwrap();
        let mut creates = watcher
            .subscribe("wamp.subscription.on_create")
            .await
            .unwrap();
        let other = connect(&node, Serializer::MsgPack).await;
        let event = next(&mut joins, "on_join").await;
        let details = event.args.unwrap()[0].as_map().unwrap().clone();
        assert_eq!(
            details.get("session"),
            Some(&Value::from(other.session_id().0))
        );
        let sub = other.subscribe("com.example.watched").await.unwrap();
        let event = next(&mut creates, "on_create").await;
        let args = event.args.unwrap();
        assert_eq!(args[0], Value::from(other.session_id().0));
        assert_eq!(
            args[1].as_map().unwrap().get("uri"),
            Some(&Value::from("com.example.watched"))
        );
        let count = call(&watcher, "wamp.session.count", vec![]).await;
        assert_eq!(count, Some(vec![Value::from(2u64)]));
        let found = call(
            &watcher,
            "wamp.subscription.lookup",
            vec!["com.example.watched".into()],
        )
        .await;
        assert_eq!(found, Some(vec![Value::from(sub.id.0)]));
        node.stop().await;
    });
}

#[test]
fn a_passthru_publication_reaches_every_serializer_byte_for_byte() {
    run(async {
        let node = TestNode::start().await;
        let data: Vec<u8> = (0..=255u8).collect();
        let mut subs = Vec::new();
        let mut clients = Vec::new();
        for ser in Serializer::ALL {
            let client = connect(&node, ser).await;
            subs.push((ser, client.subscribe("com.example.sealed").await.unwrap()));
            clients.push(client);
        }
        let ppt = options(&[
            ("ppt_scheme", "x_sealed".into()),
            ("ppt_serializer", "native".into()),
            ("ppt_keyid", "k1".into()),
            ("acknowledge", true.into()),
        ]);
        for from in Serializer::ALL {
            let publisher = connect(&node, from).await;
            publisher
                .publish_payload("com.example.sealed", ppt.clone(), Payload::binary(&data))
                .await
                .unwrap();
            for (ser, sub) in &mut subs {
                let event = next(sub, "the passthru event").await;
                assert_eq!(event.args, None, "{from:?} -> {ser:?}");
                assert_eq!(event.details.get("ppt_scheme"), Some(&"x_sealed".into()));
                assert_eq!(event.details.get("ppt_keyid"), Some(&"k1".into()));
                let got = Payload::Raw(event.raw.unwrap()).binary_data();
                assert_eq!(got.as_deref(), Some(&data[..]), "{from:?} -> {ser:?}");
            }
            publisher.leave().await.unwrap();
        }
        node.stop().await;
    });
}
