//! Testaments through sessions: published when a session goes without GOODBYE (its connection
//! dropped, or killed), not after GOODBYE; flushed per scope; bounded; the publisher's
//! permissions when adding apply.

use crossway_protocol::{Dict, Message, Value, errors};

use crate::MatchPolicy;
use crate::permissions::{Action, Actions, PermissionRule, RoleConfig};
use crate::router::{RealmConfig, Router};
use crate::testing::{Client, dict, router};

fn add(client: &mut Client, topic: &str, n: i64, scope: &str) -> Message {
    client.call(
        "wamp.session.add_testament",
        vec![
            topic.into(),
            Value::List(vec![Value::Int(n)]),
            Value::Map(dict(&[("why", "gone".into())])),
        ],
        dict(&[("scope", scope.into())]),
    )
}

fn payloads(client: &Client) -> Vec<Value> {
    client
        .received()
        .into_iter()
        .filter_map(|m| match m {
            Message::Event { payload, .. } => payload.args().unwrap().unwrap().first().cloned(),
            _ => None,
        })
        .collect()
}

#[test]
fn a_dropped_session_leaves_its_testaments_detached_first() {
    let router = router();
    let mut watcher = Client::join(&router);
    watcher.subscribe("com.example.gone");
    let mut leaver = Client::join(&router);
    for (n, scope) in [(1, "destroyed"), (2, "detached"), (3, "destroyed")] {
        let reply = add(&mut leaver, "com.example.gone", n, scope);
        assert!(
            matches!(&reply, Message::Result { payload, .. } if payload.is_empty()),
            "{reply:?}"
        );
    }
    assert!(payloads(&watcher).is_empty());
    drop(leaver);
    assert_eq!(
        payloads(&watcher),
        [Value::Int(2), Value::Int(1), Value::Int(3)]
    );
}

#[test]
fn goodbye_discards_them_and_a_kill_publishes_them() {
    let router = router();
    let mut watcher = Client::join(&router);
    watcher.subscribe("com.example.gone");
    let mut polite = Client::join(&router);
    add(&mut polite, "com.example.gone", 1, "destroyed");
    let outcome = polite.send(Message::goodbye(errors::CLOSE_NORMAL));
    assert!(outcome.close);
    drop(polite);
    assert!(payloads(&watcher).is_empty(), "none after GOODBYE");
    let mut killed = Client::join(&router);
    add(&mut killed, "com.example.gone", 2, "destroyed");
    let victim = Value::from(killed.id().0);
    watcher.call("wamp.session.kill", vec![victim], Dict::new());
    // The killed client answers the router's GOODBYE: its testaments are published all the same.
    let outcome = killed.send(Message::goodbye(errors::GOODBYE_AND_OUT));
    assert!(outcome.close && outcome.reply.is_none());
    assert_eq!(payloads(&watcher), [Value::Int(2)]);
}

#[test]
fn flush_scope_bounds_and_arguments() {
    let router = router();
    let mut watcher = Client::join(&router);
    watcher.subscribe("com.t");
    let mut leaver = Client::join(&router);
    add(&mut leaver, "com.t", 1, "destroyed");
    add(&mut leaver, "com.t", 2, "detached");
    leaver.call(
        "wamp.session.flush_testaments",
        vec![],
        dict(&[("scope", "destroyed".into())]),
    );
    let reply = add(&mut leaver, "com.t", 3, "later");
    assert_eq!(Client::error(&reply), "wamp.error.invalid_argument");
    let reply = add(&mut leaver, "com..t", 3, "destroyed");
    assert_eq!(Client::error(&reply), "wamp.error.invalid_uri");
    let reply = add(&mut leaver, "wamp.session.on_join", 3, "destroyed");
    assert_eq!(Client::error(&reply), "wamp.error.not_authorized");
    for n in 0..15 {
        let reply = add(&mut leaver, "com.t", 10 + n, "destroyed");
        assert!(matches!(reply, Message::Result { .. }), "{n}: {reply:?}");
    }
    let reply = add(&mut leaver, "com.t", 99, "destroyed");
    assert_eq!(Client::error(&reply), "crossway.error.too_many_testaments");
    drop(leaver);
    let got = payloads(&watcher);
    assert_eq!(got.len(), 16);
    assert_eq!(got[0], Value::Int(2));
    assert!(!got.contains(&Value::Int(1)), "flushed");
}

#[test]
fn the_publish_permission_when_adding_decides() {
    let router = Router::new(vec![RealmConfig {
        roles: Some(vec![RoleConfig {
            name: "anonymous".to_owned(),
            permissions: vec![
                PermissionRule {
                    uri: "com.".to_owned(),
                    policy: MatchPolicy::Prefix,
                    allow: [Action::Subscribe, Action::Publish]
                        .into_iter()
                        .collect::<Actions>(),
                    disclose: true,
                },
                PermissionRule {
                    uri: "com.readonly".to_owned(),
                    policy: MatchPolicy::Exact,
                    allow: [Action::Subscribe].into_iter().collect::<Actions>(),
                    disclose: false,
                },
                PermissionRule {
                    uri: "wamp.session.".to_owned(),
                    policy: MatchPolicy::Prefix,
                    allow: [Action::Call].into_iter().collect::<Actions>(),
                    disclose: false,
                },
            ],
        }]),
        ..RealmConfig::new("realm1")
    }]);
    let mut watcher = Client::join(&router);
    watcher.subscribe("com.t");
    let mut leaver = Client::join(&router);
    let leaver_id = leaver.id().0;
    let reply = add(&mut leaver, "com.readonly", 1, "destroyed");
    assert_eq!(Client::error(&reply), "wamp.error.not_authorized");
    add(&mut leaver, "com.t", 2, "destroyed");
    drop(leaver);
    let got = watcher.received();
    let Some(Message::Event {
        details, payload, ..
    }) = got.last()
    else {
        panic!("{got:?}");
    };
    assert_eq!(
        details["publisher"],
        Value::from(leaver_id),
        "the rule discloses"
    );
    assert_eq!(
        payload.kwargs().unwrap().unwrap()["why"],
        Value::from("gone")
    );
}
