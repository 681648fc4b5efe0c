//! Publish and subscribe through sessions: subscribing and unsubscribing (delivery in `delivery`).

mod delivery;
mod history;
mod passthru;
mod payload;
mod permissions;
mod retained;
mod testaments;

use std::sync::Arc;

use super::{Dispatch, Publication};
use crate::publication::PublishOptions;
use crate::router::Router;
use crate::testing::{Client, dict, router};
use crossway_protocol::message::code;
use crossway_protocol::{
    Codec, Dict, List, Message, Payload, PublicationId, RequestId, SubscriptionId, Uri, Value,
};

/// The EVENTs queued for `client`, as (subscription, publication, details, args).
pub(super) fn events(client: &Client) -> Vec<(SubscriptionId, PublicationId, Dict, Option<List>)> {
    client
        .received()
        .into_iter()
        .map(|m| match m {
            Message::Event {
                subscription,
                publication,
                details,
                payload,
            } => (subscription, publication, details, payload.args().unwrap()),
            other => panic!("not an EVENT: {other:?}"),
        })
        .collect()
}

/// Publishes `payload` to `com.t` in `realm1` straight through the broker, as `publisher`, with
/// PUBLISH `options`; gives what the broker did.
pub(super) fn publish_direct(
    router: &Arc<Router>,
    publisher: &Client,
    options: &Dict,
    payload: Payload,
) -> Dispatch {
    let realm = router.realm(&Uri::new("realm1")).unwrap();
    let member = realm
        .members()
        .into_iter()
        .find(|m| m.id() == publisher.id())
        .unwrap();
    let options = PublishOptions::parse(options).unwrap();
    let publication = Publication {
        id: PublicationId(1),
        topic: &Uri::new("com.t"),
        options: &options,
        payload,
    };
    realm
        .broker()
        .publish(Some(member.as_ref().into()), publication)
}

pub(super) fn error_uri(reply: &Message) -> (u64, &str) {
    match reply {
        Message::Error {
            request_type,
            error,
            ..
        } => (*request_type, error.as_str()),
        other => panic!("not an ERROR: {other:?}"),
    }
}

pub(super) fn ack() -> Dict {
    dict(&[("acknowledge", true.into())])
}

pub(super) fn pattern(policy: &str) -> Dict {
    dict(&[("match", policy.into())])
}

#[test]
fn one_subscription_id_per_topic_and_policy() {
    let router = router();
    let mut a = Client::join(&router);
    let mut b = Client::join(&router);
    let first = a.subscribe("com.example.t");
    assert_eq!(a.subscribe("com.example.t"), first, "subscribing twice");
    assert_eq!(b.subscribe("com.example.t"), first, "another subscriber");
    let prefix = a.subscribe_with("com.example.t", pattern("prefix"));
    let wildcard = a.subscribe_with("com.example.t", pattern("wildcard"));
    assert_ne!(prefix, first);
    assert_ne!(wildcard, first);
    assert_ne!(wildcard, prefix);
    assert_eq!(a.subscribe_with("com.example.t", pattern("exact")), first);
    assert_eq!(router.subscription_count(), 3);
    // Subscription ids are router-scope: another realm gets another id.
    let mut strict = Client::join_with(&router, "strict1", Codec::Json, 8);
    assert_ne!(strict.subscribe("com.example.t"), first);
}

#[test]
fn invalid_topics_are_refused_and_the_session_stays() {
    let router = router();
    let mut client = Client::join(&router);
    for topic in ["com..t", "com.my topic", "", "com.t."] {
        let reply = client.request(Message::Subscribe {
            request: RequestId(9),
            options: Dict::new(),
            topic: Uri::new(topic),
        });
        assert_eq!(
            error_uri(&reply),
            (code::SUBSCRIBE, "wamp.error.invalid_uri"),
            "{topic}"
        );
    }
    // Patterns may have empty components.
    client.subscribe_with("com..t", pattern("wildcard"));
    client.subscribe_with("com.t.", pattern("prefix"));
    // The strict realm refuses what loose rules allow.
    let mut strict = Client::join_with(&router, "strict1", Codec::Json, 8);
    let reply = strict.request(Message::Subscribe {
        request: RequestId(9),
        options: Dict::new(),
        topic: Uri::new("com.Example.t"),
    });
    assert_eq!(error_uri(&reply).1, "wamp.error.invalid_uri");
    assert!(!client.session.is_closed() && !strict.session.is_closed());
}

#[test]
fn an_unknown_match_policy_is_an_invalid_argument() {
    let router = router();
    let mut client = Client::join(&router);
    for options in [pattern("regex"), dict(&[("match", Value::Int(1))])] {
        let reply = client.request(Message::Subscribe {
            request: RequestId(9),
            options,
            topic: Uri::new("com.t"),
        });
        assert_eq!(
            error_uri(&reply),
            (code::SUBSCRIBE, "wamp.error.invalid_argument")
        );
    }
}

#[test]
fn unsubscribe_answers_or_fails_and_the_last_subscriber_takes_the_subscription_away() {
    let router = router();
    let mut a = Client::join(&router);
    let mut b = Client::join(&router);
    let id = a.subscribe("com.t");
    let unsubscribe = |id| Message::Unsubscribe {
        request: RequestId(4),
        subscription: id,
    };
    // B does not hold it.
    let reply = b.request(unsubscribe(id));
    assert_eq!(
        error_uri(&reply),
        (code::UNSUBSCRIBE, "wamp.error.no_such_subscription")
    );
    let reply = a.request(unsubscribe(SubscriptionId(424242)));
    assert_eq!(error_uri(&reply).1, "wamp.error.no_such_subscription");
    assert_eq!(b.subscribe("com.t"), id);
    assert_eq!(
        a.request(unsubscribe(id)),
        Message::Unsubscribed {
            request: RequestId(4),
            details: None
        }
    );
    let reply = a.request(unsubscribe(id));
    assert_eq!(error_uri(&reply).1, "wamp.error.no_such_subscription");
    // B still holds it: same id. Once B leaves, the subscription is gone.
    assert_eq!(a.subscribe("com.t"), id);
    a.request(unsubscribe(id));
    b.request(unsubscribe(id));
    assert_eq!(router.subscription_count(), 0);
    assert_ne!(a.subscribe("com.t"), id);
    // Pattern subscriptions go the same way.
    let p = a.subscribe_with("com.", pattern("prefix"));
    a.request(unsubscribe(p));
    assert_eq!(router.subscription_count(), 1);
}

#[test]
fn dropping_a_session_removes_its_subscriptions() {
    let router = router();
    let mut publisher = Client::join(&router);
    let mut s = Client::join(&router);
    s.subscribe("com.t");
    s.subscribe_with("com.", pattern("prefix"));
    s.subscribe_with("com..", pattern("wildcard"));
    assert_eq!(router.subscription_count(), 3);
    assert_eq!(router.session_count(), 2);
    drop(s);
    assert_eq!(router.subscription_count(), 0);
    assert_eq!(router.session_count(), 1);
    let outcome = publisher.publish("com.t", ack(), vec![]);
    assert!(matches!(outcome.reply, Some(Message::Published { .. })));
}

#[test]
fn concurrent_churn_leaves_every_subscriber_served() {
    use std::sync::Arc;
    let router = router();
    let unsubscribe = |id| Message::Unsubscribe {
        request: RequestId(4),
        subscription: id,
    };
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let router = Arc::clone(&router);
            std::thread::spawn(move || {
                let mut c = Client::join_with(&router, "realm1", Codec::Json, 4096);
                for _ in 0..300 {
                    let id = c.subscribe("com.t");
                    c.request(unsubscribe(id));
                    let id = c.subscribe_with("com.", pattern("prefix"));
                    c.request(unsubscribe(id));
                }
                c.subscribe("com.t");
                c
            })
        })
        .collect();
    let mut publisher = Client::join(&router);
    for _ in 0..300 {
        publisher.publish("com.t", Dict::new(), vec![]);
    }
    let clients: Vec<Client> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    assert_eq!(router.subscription_count(), 1);
    publisher.publish("com.t", Dict::new(), vec!["last".into()]);
    for c in &clients {
        let last = events(c).pop().expect("the last event");
        assert_eq!(last.3, Some(vec![Value::from("last")]));
    }
    drop(clients);
    assert_eq!(router.subscription_count(), 0);
}

#[test]
fn sessions_and_outboxes_move_between_threads() {
    fn send<T: Send>() {}
    fn send_sync<T: Send + Sync>() {}
    send::<crate::Session>();
    send::<crate::OutboxReceiver>();
    send_sync::<crate::Outbox>();
    send_sync::<crate::Router>();
}
