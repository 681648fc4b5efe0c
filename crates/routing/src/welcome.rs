//! Opening a session: what HELLO must hold, and what WELCOME announces.

use crossway_protocol::{Dict, Message, SessionId, Uri, UriRules, Value};

use crate::error::AbortReason;
use crate::identity::Identity;
use crate::realm::Realm;

/// The client roles WAMP defines; HELLO must announce at least one.
const CLIENT_ROLES: [&str; 4] = ["publisher", "subscriber", "caller", "callee"];

/// The broker features this router implements in every realm (announced in WELCOME).
/// `payload_transparency` is autobahn's name for `payload_passthru_mode`.
const BROKER_FEATURES: [&str; 6] = [
    "pattern_based_subscription",
    "payload_passthru_mode",
    "payload_transparency",
    "publisher_exclusion",
    "publisher_identification",
    "subscriber_blackwhite_listing",
];

/// The broker features of a realm with the meta API on.
const BROKER_META_FEATURES: [&str; 3] = [
    "session_meta_api",
    "subscription_meta_api",
    "subscription_revocation",
];

/// The dealer features this router implements in every realm (announced in WELCOME).
const DEALER_FEATURES: [&str; 10] = [
    "call_canceling",
    "call_timeout",
    "caller_identification",
    "pattern_based_registration",
    "payload_passthru_mode",
    "payload_transparency",
    "progressive_call_invocations",
    "progressive_call_results",
    "shared_registration",
    "testament_meta_api",
];

/// The dealer features of a realm with the meta API on.
const DEALER_META_FEATURES: [&str; 3] = [
    "registration_meta_api",
    "registration_revocation",
    "session_meta_api",
];

/// The router's agent string: `crossway-<version>`.
pub(crate) const AGENT: &str = concat!("crossway-", env!("CARGO_PKG_VERSION"));

/// Checks the realm name of HELLO: a valid URI under loose rules (whatever the realm's rules).
pub(crate) fn check_realm_uri(realm: &Uri) -> Result<(), AbortReason> {
    if realm.is_valid(UriRules::Loose) {
        Ok(())
    } else {
        Err(AbortReason::InvalidRealmUri(realm.clone()))
    }
}

/// Checks HELLO `details.roles`: a dictionary with at least one client role (itself a dictionary).
pub(crate) fn check_roles(details: &Dict) -> Result<(), AbortReason> {
    let roles = match details.get("roles") {
        Some(Value::Map(roles)) => roles,
        Some(_) => return Err(violation("HELLO details.roles must be a dictionary")),
        None => return Err(violation("HELLO details lack roles")),
    };
    let announced = CLIENT_ROLES
        .iter()
        .any(|role| matches!(roles.get(*role), Some(Value::Map(_))));
    if announced {
        Ok(())
    } else {
        Err(violation(
            "HELLO details.roles must announce at least one of publisher, subscriber, caller, callee",
        ))
    }
}

/// The features WELCOME announces in `realm`: `(broker, dealer)`, exactly what works there.
pub(crate) fn features(realm: &Realm) -> (Vec<&'static str>, Vec<&'static str>) {
    let mut broker = BROKER_FEATURES.to_vec();
    let mut dealer = DEALER_FEATURES.to_vec();
    if realm.meta_api() {
        broker.extend(BROKER_META_FEATURES);
        dealer.extend(DEALER_META_FEATURES);
    }
    if realm.retention().is_enabled() {
        broker.push("event_retention");
    }
    if realm.history().is_enabled() {
        broker.push("event_history");
    }
    (broker, dealer)
}

/// The WELCOME for session `id` in `realm`, admitted as `identity`.
pub(crate) fn welcome(id: SessionId, realm: &Realm, identity: &Identity) -> Message {
    let role = |features: &[&str]| {
        let features: Dict = features
            .iter()
            .map(|f| ((*f).to_owned(), Value::Bool(true)))
            .collect();
        Value::Map(Dict::from([("features".to_owned(), Value::Map(features))]))
    };
    let (broker, dealer) = features(realm);
    let roles = Dict::from([
        ("broker".to_owned(), role(&broker)),
        ("dealer".to_owned(), role(&dealer)),
    ]);
    let realm = realm.name();
    let details = Dict::from([
        ("roles".to_owned(), Value::Map(roles)),
        ("realm".to_owned(), realm.as_str().into()),
        ("authid".to_owned(), identity.authid.as_str().into()),
        ("authrole".to_owned(), identity.authrole.as_str().into()),
        ("authmethod".to_owned(), identity.authmethod.as_str().into()),
        (
            "authprovider".to_owned(),
            identity.authprovider.as_str().into(),
        ),
        ("agent".to_owned(), AGENT.into()),
    ]);
    Message::Welcome {
        session: id,
        details,
    }
}

/// Shortens a WELCOME for a client that accepts only short messages (RawSocket allows 512
/// bytes): the roles stay, without their feature lists, and the agent goes.
pub(crate) fn compact(welcome: &mut Message) {
    if let Message::Welcome { details, .. } = welcome {
        details.remove("agent");
        if let Some(Value::Map(roles)) = details.get_mut("roles") {
            for role in roles.values_mut() {
                *role = Value::Map(Dict::new());
            }
        }
    }
}

fn violation(message: &str) -> AbortReason {
    AbortReason::ProtocolViolation(message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::realm_options::{HistoryRule, RealmOptions, RetentionLimits};
    use crate::router::{RealmConfig, Router};
    use std::sync::Arc;

    fn realm_with(options: RealmOptions) -> Arc<Realm> {
        let router = Router::new(vec![RealmConfig {
            options,
            ..RealmConfig::new("realm1")
        }]);
        Arc::clone(router.realm(&Uri::new("realm1")).unwrap())
    }

    fn roles(value: Value) -> Dict {
        Dict::from([("roles".to_owned(), value)])
    }

    #[test]
    fn hello_must_announce_a_client_role() {
        let empty = Value::Map(Dict::new());
        assert!(check_roles(&Dict::new()).is_err());
        assert!(check_roles(&roles(Value::Int(1))).is_err());
        assert!(check_roles(&roles(empty.clone())).is_err());
        let only_unknown = Dict::from([("dealer".to_owned(), empty.clone())]);
        assert!(check_roles(&roles(Value::Map(only_unknown))).is_err());
        let not_a_dict = Dict::from([("subscriber".to_owned(), Value::Bool(true))]);
        assert!(check_roles(&roles(Value::Map(not_a_dict))).is_err());
        for role in CLIENT_ROLES {
            let one = Dict::from([(role.to_owned(), empty.clone())]);
            assert_eq!(check_roles(&roles(Value::Map(one))), Ok(()), "{role}");
        }
    }

    #[test]
    fn a_compact_welcome_keeps_the_roles_and_the_identity() {
        let identity = Identity::anonymous();
        let mut w = welcome(
            SessionId(1 << 52),
            &realm_with(RealmOptions::default()),
            &identity,
        );
        compact(&mut w);
        let Message::Welcome { details, .. } = &w else {
            panic!("not a WELCOME");
        };
        let roles = details["roles"].as_map().unwrap();
        assert_eq!(roles["broker"], Value::Map(Dict::new()));
        assert_eq!(roles["dealer"], Value::Map(Dict::new()));
        assert!(!details.contains_key("agent"));
        assert_eq!(details["authid"], Value::from(identity.authid.as_str()));
        for codec in crossway_protocol::Codec::ALL {
            assert!(codec.encode(&w).unwrap().len() < 300, "{codec}");
        }
    }

    #[test]
    fn realm_names_follow_loose_rules() {
        assert!(check_realm_uri(&Uri::new("realm1")).is_ok());
        assert!(check_realm_uri(&Uri::new("Realm-One")).is_ok());
        assert!(check_realm_uri(&Uri::new("realm..1")).is_err());
        assert!(check_realm_uri(&Uri::new("")).is_err());
        assert!(check_realm_uri(&Uri::new("my realm")).is_err());
    }

    #[test]
    fn welcome_announces_the_broker_the_dealer_and_the_identity() {
        let identity = Identity::anonymous();
        let Message::Welcome { session, details } = welcome(
            SessionId(5),
            &realm_with(RealmOptions::default()),
            &identity,
        ) else {
            panic!("not a WELCOME");
        };
        assert_eq!(session, SessionId(5));
        let roles = details["roles"].as_map().unwrap();
        let features = |role: &str| {
            roles[role].as_map().unwrap()["features"]
                .as_map()
                .unwrap()
                .clone()
        };
        assert_eq!(
            features("broker").len(),
            BROKER_FEATURES.len() + BROKER_META_FEATURES.len() + 1
        );
        assert_eq!(features("broker")["event_retention"], Value::Bool(true));
        assert!(!features("broker").contains_key("event_history"));
        assert_eq!(
            features("broker")["pattern_based_subscription"],
            Value::Bool(true)
        );
        assert_eq!(
            features("dealer").len(),
            DEALER_FEATURES.len() + DEALER_META_FEATURES.len()
        );
        assert_eq!(features("dealer")["call_canceling"], Value::Bool(true));
        assert_eq!(details["realm"], Value::from("realm1"));
        assert_eq!(details["authid"], Value::from(identity.authid.as_str()));
        assert_eq!(details["authrole"], Value::from("anonymous"));
        assert_eq!(details["authmethod"], Value::from("anonymous"));
        assert_eq!(details["authprovider"], Value::from("static"));
        assert_eq!(details["agent"], Value::from(AGENT));
        assert!(AGENT.starts_with("crossway-"));
    }

    #[test]
    fn features_follow_the_realm_options() {
        let bare = realm_with(RealmOptions {
            meta_api: false,
            retention: RetentionLimits {
                max_topics: 0,
                ..RetentionLimits::default()
            },
            ..RealmOptions::default()
        });
        let (broker, dealer) = super::features(&bare);
        assert_eq!(broker, BROKER_FEATURES);
        assert_eq!(dealer, DEALER_FEATURES);
        let full = realm_with(RealmOptions {
            history: vec![HistoryRule {
                uri: "a".into(),
                policy: crate::MatchPolicy::Exact,
                limit: 1,
                max_bytes: 1000,
            }],
            ..RealmOptions::default()
        });
        let (broker, dealer) = super::features(&full);
        for f in [
            "event_history",
            "event_retention",
            "session_meta_api",
            "subscription_meta_api",
        ] {
            assert!(broker.contains(&f), "{f}");
        }
        for f in [
            "registration_meta_api",
            "session_meta_api",
            "testament_meta_api",
        ] {
            assert!(dealer.contains(&f), "{f}");
        }
        let w = welcome(SessionId(1), &full, &Identity::anonymous());
        let mut compacted = w.clone();
        compact(&mut compacted);
        for codec in crossway_protocol::Codec::ALL {
            assert!(codec.encode(&compacted).unwrap().len() < 300, "{codec}");
        }
    }
}
