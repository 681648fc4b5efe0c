//! Publish and subscribe through sessions: who receives what, encoded how often.

use super::{ack, error_uri, events, pattern, publish_direct};
use crate::testing::{Client, dict, router};
use crossway_protocol::message::code;
use crossway_protocol::{Codec, Dict, Message, Payload, RequestId, SubscriptionId, Uri, Value};

#[test]
fn the_publisher_is_excluded_by_default() {
    let router = router();
    let mut publisher = Client::join(&router);
    let mut other = Client::join(&router);
    let sub = publisher.subscribe("com.t");
    other.subscribe("com.t");
    assert_eq!(
        publisher.publish("com.t", Dict::new(), vec![1i64.into()]),
        crate::Outcome::none()
    );
    assert!(publisher.frames().is_empty());
    let got = events(&other);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, sub);
    assert_eq!(got[0].2, Dict::new(), "exact subscriptions carry no topic");
    assert_eq!(got[0].3, Some(vec![Value::Int(1)]));
    // exclude_me: false
    publisher.publish("com.t", dict(&[("exclude_me", false.into())]), vec![]);
    assert_eq!(events(&publisher).len(), 1);
    assert_eq!(events(&other).len(), 1);
}

#[test]
fn acknowledged_publications_get_published() {
    let router = router();
    let mut publisher = Client::join(&router);
    let mut subscriber = Client::join(&router);
    subscriber.subscribe("com.t");
    let outcome = publisher.publish("com.t", ack(), vec![]);
    let Some(Message::Published {
        request,
        publication,
    }) = outcome.reply
    else {
        panic!("no PUBLISHED: {outcome:?}");
    };
    assert_eq!(request, RequestId(2));
    assert_eq!(events(&subscriber)[0].1, publication);
    // Without subscribers, still acknowledged.
    let outcome = publisher.publish("com.nobody", ack(), vec![]);
    assert!(matches!(outcome.reply, Some(Message::Published { .. })));
}

#[test]
fn invalid_publications_are_errors_only_when_acknowledged() {
    let router = router();
    let mut publisher = Client::join(&router);
    let mut subscriber = Client::join(&router);
    subscriber.subscribe("com.t");
    let outcome = publisher.publish("com..t", ack(), vec![]);
    assert!(!outcome.close);
    assert_eq!(
        error_uri(&outcome.reply.unwrap()),
        (code::PUBLISH, "wamp.error.invalid_uri")
    );
    assert_eq!(
        publisher.publish("com..t", Dict::new(), vec![]),
        crate::Outcome::none()
    );
    // Options of the wrong type.
    for (k, v) in [
        ("exclude_me", Value::from("no")),
        ("exclude", Value::from("1")),
        ("disclose_me", Value::Int(1)),
    ] {
        let mut options = ack();
        options.insert(k.to_owned(), v.clone());
        let outcome = publisher.publish("com.t", options, vec![]);
        assert_eq!(
            error_uri(&outcome.reply.unwrap()).1,
            "wamp.error.invalid_argument",
            "{k}"
        );
        let outcome = publisher.publish("com.t", dict(&[(k, v)]), vec![]);
        assert_eq!(outcome, crate::Outcome::none());
    }
    let outcome = publisher.publish("com.t", dict(&[("acknowledge", "yes".into())]), vec![]);
    assert_eq!(
        error_uri(&outcome.reply.unwrap()).1,
        "wamp.error.invalid_argument"
    );
    // Nothing was delivered, and both sessions are open.
    assert!(subscriber.frames().is_empty());
    assert!(!publisher.session.is_closed());
    publisher.publish("com.t", Dict::new(), vec![]);
    assert_eq!(events(&subscriber).len(), 1);
}

#[test]
fn pattern_subscriptions_match_and_name_the_topic() {
    let router = router();
    let mut publisher = Client::join(&router);
    let mut s = Client::join(&router);
    let exact = s.subscribe("com.myapp.foo.userevent");
    let prefix = s.subscribe_with("com.myapp", pattern("prefix"));
    let wildcard = s.subscribe_with("com.myapp..userevent", pattern("wildcard"));
    publisher.publish("com.myapp.foo.userevent", Dict::new(), vec![]);
    let got = events(&s);
    assert_eq!(got.len(), 3, "one event per matching subscription");
    let mut subs: Vec<SubscriptionId> = got.iter().map(|e| e.0).collect();
    subs.sort();
    let mut expected = vec![exact, prefix, wildcard];
    expected.sort();
    assert_eq!(subs, expected);
    assert!(got.iter().all(|e| e.1 == got[0].1), "one publication id");
    for (sub, _, details, _) in &got {
        if *sub == exact {
            assert!(!details.contains_key("topic"));
        } else {
            assert_eq!(details["topic"], Value::from("com.myapp.foo.userevent"));
        }
    }
    publisher.publish("com.myapp.foo.userevent.bar", Dict::new(), vec![]);
    assert_eq!(
        events(&s).iter().map(|e| e.0).collect::<Vec<_>>(),
        vec![prefix]
    );
    publisher.publish("com.myapp2.foo.userevent", Dict::new(), vec![]);
    assert_eq!(
        events(&s).iter().map(|e| e.0).collect::<Vec<_>>(),
        vec![prefix]
    );
    publisher.publish("org.myapp.foo.userevent", Dict::new(), vec![]);
    assert!(s.frames().is_empty());
}

#[test]
fn black_and_white_lists_pick_the_receivers() {
    let router = router();
    let mut publisher = Client::join(&router);
    let mut clients: Vec<Client> = (0..3).map(|_| Client::join(&router)).collect();
    for c in &mut clients {
        c.subscribe("com.t");
    }
    let ids: Vec<Value> = clients.iter().map(|c| Value::from(c.id().0)).collect();
    let received =
        |clients: &[Client]| -> Vec<usize> { clients.iter().map(|c| c.frames().len()).collect() };
    publisher.publish(
        "com.t",
        dict(&[("exclude", Value::List(vec![ids[0].clone()]))]),
        vec![],
    );
    assert_eq!(received(&clients), vec![0, 1, 1]);
    publisher.publish(
        "com.t",
        dict(&[("eligible", Value::List(vec![ids[2].clone()]))]),
        vec![],
    );
    assert_eq!(received(&clients), vec![0, 0, 1]);
    let authid = clients[1].session.identity().unwrap().authid.clone();
    publisher.publish(
        "com.t",
        dict(&[("eligible_authid", Value::List(vec![authid.into()]))]),
        vec![],
    );
    assert_eq!(received(&clients), vec![0, 1, 0]);
    publisher.publish(
        "com.t",
        dict(&[("exclude_authrole", Value::List(vec!["anonymous".into()]))]),
        vec![],
    );
    assert_eq!(received(&clients), vec![0, 0, 0]);
}

#[test]
fn disclose_me_names_the_publisher() {
    let router = router();
    let mut publisher = Client::join(&router);
    let mut s = Client::join(&router);
    s.subscribe("com.t");
    publisher.publish("com.t", dict(&[("disclose_me", true.into())]), vec![]);
    let details = events(&s).remove(0).2;
    assert_eq!(details["publisher"], Value::from(publisher.id().0));
    let identity = publisher.session.identity().unwrap();
    assert_eq!(
        details["publisher_authid"],
        Value::from(identity.authid.as_str())
    );
    assert_eq!(details["publisher_authrole"], Value::from("anonymous"));
    publisher.publish("com.t", Dict::new(), vec![]);
    assert!(!events(&s).remove(0).2.contains_key("publisher"));
}

#[test]
fn payloads_cross_serializers_unchanged() {
    let router = router();
    let mut publisher = Client::join(&router);
    let mut cbor = Client::join_with(&router, "realm1", Codec::Cbor, 8);
    let mut msgpack = Client::join_with(&router, "realm1", Codec::MsgPack, 8);
    cbor.subscribe("com.t");
    msgpack.subscribe("com.t");
    let kwargs = dict(&[
        ("bin", Value::Bytes(vec![0, 1, 255])),
        ("n", Value::UInt(u64::MAX)),
    ]);
    publisher.send_encoded(Message::Publish {
        request: RequestId(1),
        options: Dict::new(),
        topic: Uri::new("com.t"),
        payload: Payload::new(Some(vec![]), Some(kwargs.clone())),
    });
    for client in [&cbor, &msgpack] {
        match client.received().remove(0) {
            Message::Event { payload, .. } => {
                assert_eq!(payload.args().unwrap(), Some(vec![]));
                assert_eq!(payload.kwargs().unwrap(), Some(kwargs.clone()));
            }
            other => panic!("not an EVENT: {other:?}"),
        }
    }
}

#[test]
fn an_event_is_encoded_once_per_serializer() {
    let router = router();
    let mut publisher = Client::join(&router);
    let mut json: Vec<Client> = (0..3).map(|_| Client::join(&router)).collect();
    let mut cbor: Vec<Client> = (0..2)
        .map(|_| Client::join_with(&router, "realm1", Codec::Cbor, 8))
        .collect();
    for c in json.iter_mut().chain(cbor.iter_mut()) {
        c.subscribe("com.t");
    }
    publisher.publish("com.t", Dict::new(), vec!["shared".into()]);
    let json_frames: Vec<_> = json.iter().map(|c| c.frames().remove(0)).collect();
    let cbor_frames: Vec<_> = cbor.iter().map(|c| c.frames().remove(0)).collect();
    assert!(
        json_frames
            .iter()
            .all(|f| f.as_ptr() == json_frames[0].as_ptr())
    );
    assert!(
        cbor_frames
            .iter()
            .all(|f| f.as_ptr() == cbor_frames[0].as_ptr())
    );
    assert_ne!(json_frames[0].as_ptr(), cbor_frames[0].as_ptr());
    assert!(matches!(
        Codec::Cbor.decode(&cbor_frames[0]),
        Ok(Message::Event { .. })
    ));
}

#[test]
fn delivery_counts_encodes_and_receivers() {
    let router = router();
    let publisher = Client::join(&router);
    let mut json = Client::join(&router);
    let mut cbor = Client::join_with(&router, "realm1", Codec::Cbor, 8);
    json.subscribe("com.t");
    cbor.subscribe("com.t");
    let dispatch = publish_direct(&router, &publisher, &Dict::new(), Payload::EMPTY);
    assert_eq!(dispatch.subscriptions, 1);
    assert_eq!(dispatch.delivery.receivers, 2);
    assert_eq!(dispatch.delivery.encodes, 2);
    // Only the JSON subscriber is eligible: CBOR is not encoded.
    let eligible = dict(&[("eligible", Value::List(vec![Value::from(json.id().0)]))]);
    let dispatch = publish_direct(&router, &publisher, &eligible, Payload::EMPTY);
    assert_eq!(dispatch.delivery.receivers, 1);
    assert_eq!(dispatch.delivery.encodes, 1);
}

#[test]
fn a_slow_consumer_is_killed_and_the_others_go_on() {
    let router = router();
    let mut publisher = Client::join(&router);
    let mut slow = Client::join_with(&router, "realm1", Codec::Json, 2);
    let mut fast = Client::join_with(&router, "realm1", Codec::Json, 64);
    slow.subscribe("com.t");
    fast.subscribe("com.t");
    for i in 0..5i64 {
        publisher.publish("com.t", Dict::new(), vec![i.into()]);
    }
    assert_eq!(
        slow.rx.close_reason(),
        Some(crate::CloseReason::SlowConsumer)
    );
    assert!(
        slow.frames().is_empty(),
        "a killed session's queue is dropped"
    );
    assert_eq!(events(&fast).len(), 5);
    // The node drops the killed session: its subscriptions go.
    drop(slow);
    publisher.publish("com.t", Dict::new(), vec![]);
    assert_eq!(events(&fast).len(), 1);
}
