//! Event retention through sessions: a late subscriber gets the retained event first (after
//! SUBSCRIBED, before live events), for pattern subscriptions too, in its own serializer; lists
//! and permissions apply; `retain` must be a boolean.

use crossway_protocol::message::code;
use crossway_protocol::{Codec, Dict, Message, Payload, RequestId, Uri, Value};

use crate::MatchPolicy;
use crate::permissions::{Action, Actions, PermissionRule, RoleConfig};
use crate::router::{RealmConfig, Router};
use crate::testing::{Client, dict, router};

fn retain() -> Dict {
    dict(&[("retain", true.into()), ("acknowledge", true.into())])
}

fn subscribe_retained(client: &mut Client, topic: &str, policy: &str) -> u64 {
    let reply = client.request_queued(Message::Subscribe {
        request: RequestId(9),
        options: dict(&[("get_retained", true.into()), ("match", policy.into())]),
        topic: Uri::new(topic),
    });
    match reply {
        Message::Subscribed { subscription, .. } => subscription.0,
        other => panic!("not SUBSCRIBED: {other:?}"),
    }
}

#[test]
fn a_late_subscriber_gets_the_last_retained_event_after_subscribed() {
    let router = router();
    let mut publisher = Client::join(&router);
    publisher.publish("com.example.temp", retain(), vec![Value::Int(20)]);
    publisher.publish("com.example.temp", retain(), vec![Value::Int(21)]);
    publisher.publish("com.example.temp", dict(&[]), vec![Value::Int(99)]);
    for codec in Codec::ALL {
        let mut late = Client::join_with(&router, "realm1", codec, 64);
        let sub = subscribe_retained(&mut late, "com.example.temp", "exact");
        publisher.publish("com.example.temp", dict(&[]), vec![Value::Int(22)]);
        let got = late.received();
        assert!(matches!(got[0], Message::Subscribed { .. }), "{got:?}");
        let Message::Event {
            subscription,
            details,
            payload,
            ..
        } = &got[1]
        else {
            panic!("{got:?}");
        };
        assert_eq!(subscription.0, sub);
        assert_eq!(details["retained"], Value::Bool(true));
        assert_eq!(
            payload.args().unwrap(),
            Some(vec![Value::Int(21)]),
            "{codec}"
        );
        let Message::Event {
            details, payload, ..
        } = &got[2]
        else {
            panic!("{got:?}");
        };
        assert!(!details.contains_key("retained"));
        assert_eq!(payload.args().unwrap(), Some(vec![Value::Int(22)]));
    }
}

#[test]
fn without_get_retained_or_retain_nothing_is_replayed() {
    let router = router();
    let mut publisher = Client::join(&router);
    publisher.publish("com.a", dict(&[]), vec![Value::Int(1)]);
    publisher.publish("com.b", retain(), vec![Value::Int(2)]);
    let mut late = Client::join(&router);
    late.subscribe("com.b");
    subscribe_retained(&mut late, "com.a", "exact");
    let got = late.received();
    assert!(
        got.iter().all(|m| !matches!(m, Message::Event { .. })),
        "{got:?}"
    );
    let reply = publisher.request(Message::Publish {
        request: RequestId(3),
        options: dict(&[("retain", "yes".into()), ("acknowledge", true.into())]),
        topic: Uri::new("com.b"),
        payload: Payload::EMPTY,
    });
    assert!(
        matches!(
            reply,
            Message::Error {
                request_type: code::PUBLISH,
                ..
            }
        ),
        "{reply:?}"
    );
    let reply = late.request(Message::Subscribe {
        request: RequestId(3),
        options: dict(&[("get_retained", 1i64.into())]),
        topic: Uri::new("com.b"),
    });
    assert_eq!(Client::error(&reply), "wamp.error.invalid_argument");
}

#[test]
fn pattern_subscriptions_get_every_matching_topic() {
    let router = router();
    let mut publisher = Client::join(&router);
    for (topic, n) in [
        ("sensor.1.temp", 1),
        ("sensor.2.temp", 2),
        ("sensor.2.rh", 3),
    ] {
        publisher.publish(topic, retain(), vec![Value::Int(n)]);
    }
    let mut late = Client::join(&router);
    subscribe_retained(&mut late, "sensor..temp", "wildcard");
    let mut got: Vec<(String, Value)> = late
        .received()
        .into_iter()
        .filter_map(|m| match m {
            Message::Event {
                details, payload, ..
            } => Some((
                details["topic"].as_str().unwrap().to_owned(),
                payload.args().unwrap().unwrap()[0].clone(),
            )),
            _ => None,
        })
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        [
            ("sensor.1.temp".to_owned(), Value::Int(1)),
            ("sensor.2.temp".to_owned(), Value::Int(2))
        ]
    );
}

#[test]
fn lists_and_permissions_decide_who_gets_it() {
    let rule = |uri: &str, policy, allow: &[Action]| PermissionRule {
        uri: uri.to_owned(),
        policy,
        allow: allow.iter().copied().collect::<Actions>(),
        disclose: true,
    };
    let router = Router::new(vec![RealmConfig {
        roles: Some(vec![RoleConfig {
            name: "anonymous".to_owned(),
            permissions: vec![
                rule(
                    "com.",
                    MatchPolicy::Prefix,
                    &[Action::Publish, Action::Subscribe],
                ),
                rule("com.secret", MatchPolicy::Exact, &[Action::Publish]),
            ],
        }]),
        ..RealmConfig::new("realm1")
    }]);
    let mut publisher = Client::join(&router);
    publisher.publish("com.secret", retain(), vec![Value::Int(1)]);
    publisher.publish("com.open", retain(), vec![Value::Int(2)]);
    let only_admins = dict(&[
        ("retain", true.into()),
        ("eligible_authrole", Value::List(vec!["admin".into()])),
    ]);
    publisher.publish("com.admins", retain(), vec![Value::Int(3)]);
    publisher.publish("com.admins", only_admins, vec![Value::Int(4)]);
    let mut late = Client::join(&router);
    subscribe_retained(&mut late, "com.", "prefix");
    let got: Vec<(Value, Value)> = late
        .received()
        .into_iter()
        .filter_map(|m| match m {
            Message::Event {
                details, payload, ..
            } => Some((
                details["topic"].clone(),
                payload.args().unwrap().unwrap()[0].clone(),
            )),
            _ => None,
        })
        .collect();
    assert!(got.contains(&("com.open".into(), Value::Int(2))), "{got:?}");
    assert!(
        got.contains(&("com.admins".into(), Value::Int(3))),
        "the most recent it may get: {got:?}"
    );
    assert_eq!(got.len(), 2, "nothing from com.secret: {got:?}");
    let publisher_id = publisher.id().0;
    let mut exact = Client::join(&router);
    subscribe_retained(&mut exact, "com.open", "exact");
    let got = exact.received();
    let Message::Event { details, .. } = &got[1] else {
        panic!("{got:?}");
    };
    assert_eq!(
        details["publisher"],
        Value::from(publisher_id),
        "disclosure as live"
    );
}
