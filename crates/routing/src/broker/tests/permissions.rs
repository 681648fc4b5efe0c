//! Publish and subscribe in a realm with roles: refusals, pattern deliveries, disclosure.

use std::sync::Arc;

use super::{ack, error_uri, events, pattern};
use crate::auth::{AnonymousAuth, AuthPolicy};
use crate::matcher::MatchPolicy;
use crate::permissions::{Action, PermissionRule, RoleConfig};
use crate::router::{RealmConfig, Router};
use crate::testing::{Client, dict, hello};
use crossway_protocol::message::code;
use crossway_protocol::{Codec, Dict, Message, Value};

fn rule(uri: &str, policy: MatchPolicy, allow: &[Action], disclose: bool) -> PermissionRule {
    PermissionRule {
        uri: uri.to_owned(),
        policy,
        allow: allow.iter().copied().collect(),
        disclose,
    }
}

/// `secure` has roles `reader` (subscribe under `com.`, not `com.secret`) and `writer`
/// (publish under `com.`, disclosed under `com.signed.`).
fn router() -> Arc<Router> {
    use Action::{Publish, Subscribe};
    use MatchPolicy::{Exact, Prefix};
    Router::new(vec![RealmConfig {
        roles: Some(vec![
            RoleConfig {
                name: "reader".to_owned(),
                permissions: vec![
                    rule("com.", Prefix, &[Subscribe], false),
                    rule("com.secret", Exact, &[], false),
                ],
            },
            RoleConfig {
                name: "writer".to_owned(),
                permissions: vec![
                    rule("com.", Prefix, &[Publish, Subscribe], false),
                    rule("com.signed.", Prefix, &[Publish], true),
                ],
            },
        ]),
        ..RealmConfig::new("secure")
    }])
}

fn join(router: &Arc<Router>, role: &str) -> Client {
    let policy = AuthPolicy {
        anonymous: Some(AnonymousAuth {
            role: role.to_owned(),
        }),
        ..AuthPolicy::default()
    };
    let mut client = Client::connect_to(router, Codec::Json, 64, policy, None);
    let outcome = client.send(hello("secure"));
    assert!(
        matches!(outcome.reply, Some(Message::Welcome { .. })),
        "{outcome:?}"
    );
    client
}

fn subscribe(client: &mut Client, topic: &str, options: Dict) -> Message {
    client.request(Message::Subscribe {
        request: crossway_protocol::RequestId(1),
        options,
        topic: crossway_protocol::Uri::new(topic),
    })
}

#[test]
fn subscriptions_need_the_subscribe_permission() {
    let router = router();
    let mut reader = join(&router, "reader");
    assert!(matches!(
        subscribe(&mut reader, "com.news", Dict::new()),
        Message::Subscribed { .. }
    ));
    for (topic, options) in [
        ("com.secret", Dict::new()),
        ("org.news", Dict::new()),
        ("wamp.session.on_join", Dict::new()),
        ("org.", pattern("prefix")),
    ] {
        let reply = subscribe(&mut reader, topic, options);
        assert_eq!(
            error_uri(&reply),
            (code::SUBSCRIBE, "wamp.error.not_authorized"),
            "{topic}"
        );
    }
}

#[test]
fn refused_publications_are_errors_when_acknowledged_and_counted_when_not() {
    let router = router();
    let mut reader = join(&router, "reader");
    let mut writer = join(&router, "writer");
    writer.subscribe("com.news");
    let outcome = reader.publish("com.news", ack(), vec![]);
    let reply = outcome.reply.expect("an ERROR");
    assert_eq!(
        error_uri(&reply),
        (code::PUBLISH, "wamp.error.not_authorized")
    );
    if let Message::Error { payload, .. } = &reply {
        let text = payload.args().unwrap().unwrap()[0]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            text.contains("publish") && text.contains("com.news"),
            "{text}"
        );
    }
    assert_eq!(router.refused_publications(), 0);
    assert_eq!(
        reader.publish("com.news", Dict::new(), vec![]),
        crate::Outcome::none()
    );
    assert_eq!(router.refused_publications(), 1);
    // An invalid URI is not a refusal by permissions.
    reader.publish("com..news", Dict::new(), vec![]);
    assert_eq!(router.refused_publications(), 1);
    assert!(events(&writer).is_empty());
    // Publishing under `wamp.` needs a rule that names it.
    let outcome = writer.publish("wamp.session.on_join", ack(), vec![]);
    assert_eq!(
        error_uri(&outcome.reply.unwrap()),
        (code::PUBLISH, "wamp.error.not_authorized")
    );
}

#[test]
fn pattern_subscriptions_receive_only_topics_the_role_may_subscribe_to() {
    let router = router();
    let mut reader = join(&router, "reader");
    let mut writer = join(&router, "writer");
    subscribe(&mut reader, "com.", pattern("prefix"));
    subscribe(&mut writer, "com.", pattern("prefix"));
    for topic in ["com.news", "com.secret"] {
        let outcome = writer.publish(topic, dict(&[("exclude_me", false.into())]), vec![]);
        assert_eq!(outcome, crate::Outcome::none());
    }
    let topics = |client: &Client| -> Vec<String> {
        events(client)
            .into_iter()
            .map(|(_, _, details, _)| details["topic"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(topics(&reader), vec!["com.news"]);
    assert_eq!(topics(&writer), vec!["com.news", "com.secret"]);
}

#[test]
fn disclosure_follows_the_role() {
    let router = router();
    let mut reader = join(&router, "reader");
    let mut writer = join(&router, "writer");
    reader.subscribe("com.plain");
    reader.subscribe("com.signed.x");
    // Asked, but the rule does not disclose; not asked, but the rule does.
    writer.publish("com.plain", dict(&[("disclose_me", true.into())]), vec![]);
    writer.publish("com.signed.x", Dict::new(), vec![]);
    let got = events(&reader);
    assert_eq!(got.len(), 2);
    assert!(!got[0].2.contains_key("publisher"));
    assert_eq!(got[1].2["publisher"], Value::from(writer.id().0));
    assert_eq!(got[1].2["publisher_authrole"], Value::from("writer"));
}
