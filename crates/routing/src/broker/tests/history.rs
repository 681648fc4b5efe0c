//! The event history through sessions: `wamp.subscription.get_events` with its filters, what is
//! kept and for whom.

use std::time::SystemTime;

use crossway_protocol::{Dict, Message, Value};

use crate::MatchPolicy;
use crate::realm_options::{HistoryRule, RealmOptions};
use crate::router::{RealmConfig, Router};
use crate::testing::{Client, dict};
use crate::timestamp::utc_timestamp;

fn router() -> std::sync::Arc<Router> {
    Router::new(vec![RealmConfig {
        options: RealmOptions {
            history: vec![HistoryRule {
                uri: "com.log.".to_owned(),
                policy: MatchPolicy::Prefix,
                limit: 5,
                max_bytes: HistoryRule::DEFAULT_MAX_BYTES,
            }],
            ..RealmOptions::default()
        },
        ..RealmConfig::new("realm1")
    }])
}

/// The `args[0]` of each event `get_events` returned.
fn numbers(reply: &Message) -> Vec<Value> {
    Client::result(reply)
        .as_list()
        .unwrap()
        .iter()
        .map(|e| e.as_map().unwrap()["args"].as_list().unwrap()[0].clone())
        .collect()
}

fn get(client: &mut Client, sub: u64, kwargs: Dict) -> Message {
    client.call(
        "wamp.subscription.get_events",
        vec![Value::from(sub)],
        kwargs,
    )
}

#[test]
fn events_kept_per_rule_and_read_per_subscription() {
    let router = router();
    let mut publisher = Client::join(&router);
    let before = utc_timestamp(SystemTime::now() - std::time::Duration::from_secs(60));
    for n in 1..=7 {
        let topic = if n % 2 == 0 {
            "com.log.auth"
        } else {
            "com.log.basket"
        };
        publisher.publish(topic, Dict::new(), vec![Value::Int(n)]);
    }
    publisher.publish("com.other", Dict::new(), vec![Value::Int(100)]);
    let mut reader = Client::join(&router);
    let all = reader
        .subscribe_with("com.log.", dict(&[("match", "prefix".into())]))
        .0;
    let auth = reader.subscribe("com.log.auth").0;
    let other = reader.subscribe("com.other").0;
    let reply = get(&mut reader, all, Dict::new());
    assert_eq!(
        numbers(&reply),
        [3, 4, 5, 6, 7].map(Value::Int),
        "the last 5"
    );
    let events = Client::result(&reply);
    let first = events.as_list().unwrap()[0].as_map().unwrap();
    assert_eq!(first["subscription"], Value::from(all));
    assert_eq!(
        first["details"].as_map().unwrap()["topic"],
        Value::from("com.log.basket")
    );
    assert!(first["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        numbers(&get(&mut reader, auth, Dict::new())),
        [4, 6].map(Value::Int)
    );
    let reversed = get(
        &mut reader,
        all,
        dict(&[("reverse", true.into()), ("limit", 2i64.into())]),
    );
    assert_eq!(numbers(&reversed), [7, 6].map(Value::Int));
    let positional = reader.call(
        "wamp.subscription.get_events",
        vec![Value::from(all), Value::Int(1)],
        Dict::new(),
    );
    assert_eq!(numbers(&positional), [Value::Int(3)]);
    let pub5 = Client::result(&reply).as_list().unwrap()[2]
        .as_map()
        .unwrap()["publication"]
        .clone();
    let after = get(
        &mut reader,
        all,
        dict(&[("after_publication", pub5.clone())]),
    );
    assert_eq!(numbers(&after), [6, 7].map(Value::Int));
    let until = get(
        &mut reader,
        all,
        dict(&[("until_publication", pub5.clone())]),
    );
    assert_eq!(numbers(&until), [3, 4, 5].map(Value::Int));
    let before_it = get(&mut reader, all, dict(&[("before_publication", pub5)]));
    assert_eq!(numbers(&before_it), [3, 4].map(Value::Int));
    let topic = get(&mut reader, all, dict(&[("topic", "com.log.auth".into())]));
    assert_eq!(numbers(&topic), [4, 6].map(Value::Int));
    let since = get(
        &mut reader,
        all,
        dict(&[("from_time", before.clone().into())]),
    );
    assert_eq!(numbers(&since).len(), 5);
    let older = get(&mut reader, all, dict(&[("before_time", before.into())]));
    assert!(numbers(&older).is_empty());
    let bad = get(&mut reader, all, dict(&[("from_time", "yesterday".into())]));
    assert_eq!(Client::error(&bad), "wamp.error.invalid_argument");
    let none = get(&mut reader, other, Dict::new());
    assert_eq!(Client::error(&none), "wamp.error.history_unavailable");
    let missing = get(&mut reader, 999_999, Dict::new());
    assert_eq!(Client::error(&missing), "wamp.error.no_such_subscription");
}

#[test]
fn lists_by_authrole_filter_and_lists_by_session_are_not_kept() {
    let router = router();
    let mut publisher = Client::join(&router);
    let admins = dict(&[("eligible_authrole", Value::List(vec!["admin".into()]))]);
    publisher.publish("com.log.a", admins, vec![Value::Int(1)]);
    let by_session = dict(&[("exclude", Value::List(vec![Value::Int(5)]))]);
    publisher.publish("com.log.a", by_session, vec![Value::Int(2)]);
    publisher.publish("com.log.a", Dict::new(), vec![Value::Int(3)]);
    let mut reader = Client::join(&router);
    let sub = reader.subscribe("com.log.a").0;
    assert_eq!(
        numbers(&get(&mut reader, sub, Dict::new())),
        [Value::Int(3)]
    );
}
