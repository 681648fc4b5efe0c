//! The meta API through sessions: procedures, kill, meta events and their order, permissions,
//! the realm option that turns it off.

use std::sync::Arc;

use crossway_protocol::{Codec, Dict, Message, RequestId, Uri, Value};

use crate::permissions::{Action, Actions, PermissionRule, RoleConfig};
use crate::realm_options::RealmOptions;
use crate::router::{RealmConfig, Router};
use crate::testing::{Client, dict, router};
use crate::{MatchPolicy, outbox::CloseReason};

fn id(client: &Client) -> Value {
    Value::from(client.id().0)
}

/// The (topic-less) meta events a watcher got: `(subscription, first argument)` per EVENT.
fn events(client: &Client) -> Vec<(u64, Vec<Value>)> {
    client
        .received()
        .into_iter()
        .filter_map(|m| match m {
            Message::Event {
                subscription,
                payload,
                ..
            } => Some((subscription.0, payload.args().unwrap().unwrap_or_default())),
            _ => None,
        })
        .collect()
}

#[test]
fn sessions_are_counted_listed_and_described() {
    let router = router();
    let mut a = Client::join(&router);
    let b = Client::join(&router);
    let reply = a.call("wamp.session.count", vec![], Dict::new());
    assert_eq!(Client::result(&reply), Value::from(2u64));
    let roles = Value::List(vec!["nobody".into()]);
    let reply = a.call("wamp.session.count", vec![roles], Dict::new());
    assert_eq!(Client::result(&reply), Value::from(0u64));
    let Value::List(mut ids) = Client::result(&a.call("wamp.session.list", vec![], Dict::new()))
    else {
        panic!("not a list");
    };
    ids.sort_by_key(|v| v.as_u64());
    let mut want = vec![id(&a), id(&b)];
    want.sort_by_key(|v| v.as_u64());
    assert_eq!(ids, want);
    let details = Client::result(&a.call("wamp.session.get", vec![id(&b)], Dict::new()));
    let details = details.as_map().unwrap();
    assert_eq!(details["session"], id(&b));
    assert_eq!(details["authrole"], Value::from("anonymous"));
    assert_eq!(details["authmethod"], Value::from("anonymous"));
    assert_eq!(details["authprovider"], Value::from("static"));
    let transport = details["transport"].as_map().unwrap();
    assert_eq!(transport["peer"], Value::from("tcp4:127.0.0.1:5555"));
    assert_eq!(transport["type"], Value::from("websocket"));
    assert_eq!(transport["serializer"], Value::from("json"));
    assert!(!transport.contains_key("proxy"));
    let reply = a.call("wamp.session.get", vec![Value::from(1u64)], Dict::new());
    assert_eq!(Client::error(&reply), "wamp.error.no_such_session");
    let reply = a.call("wamp.session.get", vec!["x".into()], Dict::new());
    assert_eq!(Client::error(&reply), "wamp.error.invalid_argument");
}

#[test]
fn kill_ends_another_session_with_goodbye_but_not_the_caller() {
    let router = router();
    let mut admin = Client::join(&router);
    let victim = Client::join(&router);
    let reply = admin.call("wamp.session.kill", vec![id(&admin)], Dict::new());
    assert_eq!(Client::error(&reply), "wamp.error.no_such_session");
    let reply = admin.call(
        "wamp.session.kill",
        vec![id(&victim)],
        dict(&[("reason", "not a uri".into())]),
    );
    assert_eq!(Client::error(&reply), "wamp.error.invalid_uri");
    let reply = admin.call(
        "wamp.session.kill",
        vec![id(&victim)],
        dict(&[
            ("reason", "com.example.maintenance".into()),
            ("message", "back soon".into()),
        ]),
    );
    assert!(matches!(reply, Message::Result { .. }), "{reply:?}");
    let got = victim.received();
    let Some(Message::Goodbye { reason, details }) = got.last() else {
        panic!("no GOODBYE: {got:?}");
    };
    assert_eq!(reason.as_str(), "com.example.maintenance");
    assert_eq!(details["message"], Value::from("back soon"));
    assert!(victim.tx.is_closed(), "nothing more is queued");
    assert_eq!(victim.rx.close_reason(), None::<CloseReason>);
    // Killed again: nothing more is sent.
    admin.call("wamp.session.kill", vec![id(&victim)], Dict::new());
    assert!(victim.received().is_empty());
}

#[test]
fn kill_by_authid_and_authrole_leave_the_caller_out() {
    let router = router();
    let mut admin = Client::join(&router);
    let others = [Client::join(&router), Client::join(&router)];
    let reply = admin.call(
        "wamp.session.kill_by_authrole",
        vec!["anonymous".into()],
        Dict::new(),
    );
    assert_eq!(Client::result(&reply), Value::from(2u64));
    for other in &others {
        let got = other.received();
        assert!(
            matches!(got.last(), Some(Message::Goodbye { reason, .. }) if reason.as_str() == "wamp.close.killed"),
            "{got:?}"
        );
    }
    assert!(admin.received().is_empty());
    let authid = admin.session.identity().unwrap().authid.clone();
    let reply = admin.call(
        "wamp.session.kill_by_authid",
        vec![authid.into()],
        Dict::new(),
    );
    assert_eq!(Client::result(&reply), Value::List(vec![]));
}

#[test]
fn a_watcher_sees_meta_events_in_order() {
    let router = router();
    let mut watcher = Client::join(&router);
    let topics = [
        "wamp.session.on_join",
        "wamp.subscription.on_create",
        "wamp.subscription.on_subscribe",
        "wamp.subscription.on_unsubscribe",
        "wamp.subscription.on_delete",
        "wamp.session.on_leave",
    ];
    let subs: Vec<u64> = topics.iter().map(|t| watcher.subscribe(t).0).collect();
    let mut other = Client::join(&router);
    let other_id = other.id();
    let sub = other.subscribe("com.example.t");
    assert_eq!(
        other.subscribe("com.example.t"),
        sub,
        "no second on_subscribe"
    );
    drop(other);
    let got = events(&watcher);
    let order: Vec<u64> = got.iter().map(|(s, _)| *s).collect();
    assert_eq!(order, subs);
    let (_, join) = &got[0];
    assert_eq!(
        join[0].as_map().unwrap()["session"],
        Value::from(other_id.0)
    );
    let (_, create) = &got[1];
    assert_eq!(create[0], Value::from(other_id.0));
    let created = create[1].as_map().unwrap();
    assert_eq!(created["id"], Value::from(sub.0));
    assert_eq!(created["uri"], Value::from("com.example.t"));
    assert_eq!(created["match"], Value::from("exact"));
    assert!(created["created"].as_str().unwrap().ends_with('Z'));
    let (_, subscribe) = &got[2];
    assert_eq!(
        subscribe,
        &vec![Value::from(other_id.0), Value::from(sub.0)]
    );
    let (_, leave) = &got[5];
    assert_eq!(leave[0], Value::from(other_id.0));
    assert_eq!(leave[2], Value::from("anonymous"));
    // The watcher's own subscriptions to wamp. topics made no event.
    assert_eq!(got.len(), 6);
}

#[test]
fn registration_events_and_procedures() {
    let router = router();
    let mut watcher = Client::join(&router);
    let create = watcher.subscribe("wamp.registration.on_create").0;
    let register = watcher.subscribe("wamp.registration.on_register").0;
    let unregister = watcher.subscribe("wamp.registration.on_unregister").0;
    let delete = watcher.subscribe("wamp.registration.on_delete").0;
    let mut callee = Client::join_announcing(&router, &["registration_revocation"]);
    let reply = callee.request(Message::Register {
        request: RequestId(1),
        options: dict(&[("match", "prefix".into())]),
        procedure: Uri::new("com.example."),
    });
    let Message::Registered { registration, .. } = reply else {
        panic!("{reply:?}");
    };
    let reg = Value::from(registration.0);
    let lists = Client::result(&watcher.call("wamp.registration.list", vec![], Dict::new()));
    assert_eq!(
        lists.as_map().unwrap()["prefix"],
        Value::List(vec![reg.clone()])
    );
    let found = watcher.call(
        "wamp.registration.lookup",
        vec![
            "com.example.".into(),
            Value::Map(dict(&[("match", "prefix".into())])),
        ],
        Dict::new(),
    );
    assert_eq!(Client::result(&found), reg);
    let best = watcher.call(
        "wamp.registration.match",
        vec!["com.example.x".into()],
        Dict::new(),
    );
    assert_eq!(Client::result(&best), reg);
    let none = watcher.call("wamp.registration.match", vec!["org.x".into()], Dict::new());
    assert_eq!(Client::result(&none), Value::Null);
    let details =
        Client::result(&watcher.call("wamp.registration.get", vec![reg.clone()], Dict::new()));
    assert_eq!(details.as_map().unwrap()["invoke"], Value::from("single"));
    let callees = watcher.call(
        "wamp.registration.list_callees",
        vec![reg.clone()],
        Dict::new(),
    );
    assert_eq!(Client::result(&callees), Value::List(vec![id(&callee)]));
    let count = watcher.call(
        "wamp.registration.count_callees",
        vec![reg.clone()],
        Dict::new(),
    );
    assert_eq!(Client::result(&count), Value::from(1u64));
    let removed = watcher.call(
        "wamp.registration.remove_callee",
        vec![reg.clone(), id(&callee)],
        dict(&[("reason", "moved".into())]),
    );
    assert!(matches!(removed, Message::Result { .. }), "{removed:?}");
    let got = callee.received();
    assert!(
        matches!(&got[..], [Message::Unregistered { request: RequestId(0), details: Some(d) }]
            if d["registration"] == reg && d["reason"] == Value::from("moved")),
        "{got:?}"
    );
    let order: Vec<u64> = events(&watcher).iter().map(|(s, _)| *s).collect();
    assert_eq!(order, [create, register, unregister, delete]);
    let gone = watcher.call("wamp.registration.get", vec![reg], Dict::new());
    assert_eq!(Client::error(&gone), "wamp.error.no_such_registration");
}

#[test]
fn subscription_procedures_and_removal() {
    let router = router();
    let mut admin = Client::join(&router);
    let mut a = Client::join_announcing(&router, &["subscription_revocation"]);
    let mut b = Client::join(&router);
    let exact = a.subscribe("com.example.t");
    b.subscribe("com.example.t");
    let prefix = b.subscribe_with("com.example.", dict(&[("match", "prefix".into())]));
    admin.subscribe("wamp.session.on_join");
    let lists = Client::result(&admin.call("wamp.subscription.list", vec![], Dict::new()));
    let lists = lists.as_map().unwrap();
    assert_eq!(
        lists["exact"],
        Value::List(vec![Value::from(exact.0)]),
        "wamp. ones hidden"
    );
    assert_eq!(lists["prefix"], Value::List(vec![Value::from(prefix.0)]));
    let by_a = admin.call("wamp.subscription.list", vec![id(&a)], Dict::new());
    assert_eq!(
        Client::result(&by_a).as_map().unwrap()["prefix"],
        Value::List(vec![])
    );
    let matched = Client::result(&admin.call(
        "wamp.subscription.match",
        vec!["com.example.t".into()],
        Dict::new(),
    ));
    assert_eq!(matched.as_list().unwrap().len(), 2);
    let none = admin.call("wamp.subscription.match", vec!["org.x".into()], Dict::new());
    assert_eq!(Client::result(&none), Value::Null);
    let found = admin.call(
        "wamp.subscription.lookup",
        vec!["com.example.t".into()],
        Dict::new(),
    );
    assert_eq!(Client::result(&found), Value::from(exact.0));
    let count = admin.call(
        "wamp.subscription.count_subscribers",
        vec![Value::from(exact.0)],
        Dict::new(),
    );
    assert_eq!(Client::result(&count), Value::from(2u64));
    let removed = admin.call(
        "wamp.subscription.remove_subscriber",
        vec![Value::from(exact.0), id(&a)],
        Dict::new(),
    );
    assert!(matches!(removed, Message::Result { .. }), "{removed:?}");
    assert!(matches!(
        &a.received()[..],
        [Message::Unsubscribed {
            request: RequestId(0),
            ..
        }]
    ));
    let again = admin.call(
        "wamp.subscription.remove_subscriber",
        vec![Value::from(exact.0), id(&a)],
        Dict::new(),
    );
    assert_eq!(Client::error(&again), "wamp.error.no_such_subscription");
    let subscribers = admin.call(
        "wamp.subscription.list_subscribers",
        vec![Value::from(exact.0)],
        Dict::new(),
    );
    assert_eq!(Client::result(&subscribers), Value::List(vec![id(&b)]));
    let missing = admin.call(
        "wamp.subscription.get",
        vec![Value::from(999_999u64)],
        Dict::new(),
    );
    assert_eq!(Client::error(&missing), "wamp.error.no_such_subscription");
}

#[test]
fn the_realm_option_turns_the_meta_api_off() {
    let router = Router::new(vec![RealmConfig {
        options: RealmOptions {
            meta_api: false,
            ..RealmOptions::default()
        },
        ..RealmConfig::new("realm1")
    }]);
    let mut watcher = Client::join(&router);
    watcher.subscribe("wamp.session.on_join");
    let _other = Client::join(&router);
    assert!(watcher.received().is_empty(), "no meta event");
    let reply = watcher.call("wamp.session.count", vec![], Dict::new());
    assert_eq!(Client::error(&reply), "wamp.error.no_such_procedure");
    // Testaments are a feature of their own.
    let reply = watcher.call("wamp.session.flush_testaments", vec![], Dict::new());
    assert!(matches!(reply, Message::Result { .. }), "{reply:?}");
}

#[test]
fn with_roles_a_rule_must_allow_the_meta_procedure_and_topic() {
    let rule = |uri: &str, policy, allow: &[Action]| PermissionRule {
        uri: uri.to_owned(),
        policy,
        allow: allow.iter().copied().collect::<Actions>(),
        disclose: false,
    };
    let router = Router::new(vec![RealmConfig {
        roles: Some(vec![
            RoleConfig {
                name: "anonymous".to_owned(),
                permissions: vec![rule(
                    "",
                    MatchPolicy::Prefix,
                    &[Action::Subscribe, Action::Call],
                )],
            },
            RoleConfig {
                name: "admin".to_owned(),
                permissions: vec![rule(
                    "wamp.session.",
                    MatchPolicy::Prefix,
                    &[Action::Subscribe, Action::Call],
                )],
            },
        ]),
        ..RealmConfig::new("realm1")
    }]);
    let mut user = Client::join(&router);
    let reply = user.call("wamp.session.count", vec![], Dict::new());
    assert_eq!(Client::error(&reply), "wamp.error.not_authorized");
    let reply = user.request(Message::Subscribe {
        request: RequestId(1),
        options: Dict::new(),
        topic: Uri::new("wamp.session.on_join"),
    });
    assert_eq!(Client::error(&reply), "wamp.error.not_authorized");
    let policy = crate::auth::AuthPolicy {
        anonymous: Some(crate::auth::policy::AnonymousAuth {
            role: "admin".to_owned(),
        }),
        ..crate::auth::AuthPolicy::default()
    };
    let mut admin = Client::connect_to(&router, Codec::Json, 64, policy, None);
    assert!(matches!(
        admin.send(crate::testing::hello("realm1")).reply,
        Some(Message::Welcome { .. })
    ));
    let reply = admin.call("wamp.session.count", vec![], Dict::new());
    assert_eq!(Client::result(&reply), Value::from(2u64));
    let reply = admin.call("wamp.subscription.list", vec![], Dict::new());
    assert_eq!(Client::error(&reply), "wamp.error.not_authorized");
}

#[test]
fn with_nobody_watching_a_meta_event_costs_a_lookup() {
    let router = router();
    let realm = Arc::clone(router.realm(&Uri::new("realm1")).unwrap());
    assert!(
        !realm
            .broker()
            .has_subscribers(&Uri::new("wamp.session.on_join"))
    );
    let mut watcher = Client::join(&router);
    watcher.subscribe_with("wamp.session.", dict(&[("match", "prefix".into())]));
    assert!(
        realm
            .broker()
            .has_subscribers(&Uri::new("wamp.session.on_join"))
    );
    let _other = Client::join(&router);
    assert_eq!(
        events(&watcher).len(),
        1,
        "on_join through a prefix subscription"
    );
}
