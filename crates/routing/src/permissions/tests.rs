//! The permission matrix: exact, prefix, wildcard, precedence, default deny, `wamp.` URIs.

use super::*;

fn rule(uri: &str, policy: MatchPolicy, allow: &[Action], disclose: bool) -> PermissionRule {
    PermissionRule {
        uri: uri.to_owned(),
        policy,
        allow: allow.iter().copied().collect(),
        disclose,
    }
}

fn role(rules: Vec<PermissionRule>) -> Authorization {
    Authorization::Role(Arc::new(RolePermissions::new(&RoleConfig {
        name: "user".to_owned(),
        permissions: rules,
    })))
}

use Action::{Call, Publish, Register, Subscribe};
use MatchPolicy::{Exact, Prefix, Wildcard};

#[test]
fn what_no_rule_allows_is_denied() {
    let a = role(vec![rule("com.example.a", Exact, &[Publish], false)]);
    assert!(a.allows(Publish, "com.example.a"));
    assert!(!a.allows(Subscribe, "com.example.a"));
    assert!(!a.allows(Publish, "com.example.b"));
    assert!(!a.allows(Publish, "com.example.a.b"));
    assert!(!role(vec![]).allows(Subscribe, "anything"));
}

#[test]
fn exact_beats_prefix_beats_wildcard() {
    let a = role(vec![
        rule("com..status", Wildcard, &[Subscribe], false),
        rule("com.", Prefix, &[Publish, Subscribe], false),
        rule("com.secret.status", Exact, &[], false),
    ]);
    // Exact: denies everything, though a prefix and a wildcard rule match too.
    assert!(!a.allows(Subscribe, "com.secret.status"));
    assert!(!a.allows(Publish, "com.secret.status"));
    // Prefix over wildcard: `com.` allows publish, the wildcard would not.
    assert!(a.allows(Publish, "com.device.status"));
    // Only the wildcard matches (no `com.` prefix: a different first component).
    let b = role(vec![rule("..status", Wildcard, &[Subscribe], false)]);
    assert!(b.allows(Subscribe, "org.x.status"));
    assert!(!b.allows(Subscribe, "org.x.y.status"));
    assert!(!b.allows(Publish, "org.x.status"));
}

#[test]
fn longer_patterns_beat_shorter_ones() {
    let a = role(vec![
        rule("com.", Prefix, &[Publish, Subscribe], false),
        rule("com.admin.", Prefix, &[Subscribe], false),
        rule("com..x", Wildcard, &[Call], false),
        rule("com.a.", Wildcard, &[Register], false),
    ]);
    assert!(a.allows(Publish, "com.user.x"));
    assert!(!a.allows(Publish, "com.admin.reset"));
    assert!(a.allows(Subscribe, "com.admin.reset"));
    let w = role(vec![
        rule("com..x", Wildcard, &[Call], false),
        rule("com.a.", Wildcard, &[Register], false),
    ]);
    // Both wildcards match com.a.x; they have the same length, so file order decides.
    assert!(w.allows(Call, "com.a.x"));
    assert!(w.allows(Register, "com.a.y"));
    let longer = role(vec![
        rule("com..x", Wildcard, &[Call], false),
        rule("com.ab.", Wildcard, &[Register], false),
    ]);
    assert!(longer.allows(Register, "com.ab.x"));
    assert!(!longer.allows(Call, "com.ab.x"));
}

#[test]
fn wamp_uris_need_a_rule_that_names_them() {
    let catch_all = role(vec![rule("", Prefix, &Action::ALL, false)]);
    assert!(catch_all.allows(Publish, "com.anything"));
    assert!(!catch_all.allows(Subscribe, "wamp.session.on_join"));
    assert!(!catch_all.allows(Call, "wamp.session.count"));
    let wildcard_all = role(vec![rule("..", Wildcard, &Action::ALL, false)]);
    assert!(!wildcard_all.allows(Subscribe, "wamp.session.on_join"));
    let meta = role(vec![
        rule("", Prefix, &Action::ALL, false),
        rule("wamp.session.", Prefix, &[Subscribe, Call], false),
        rule("wamp.subscription.on_create", Exact, &[Subscribe], false),
    ]);
    assert!(meta.allows(Subscribe, "wamp.session.on_join"));
    assert!(meta.allows(Call, "wamp.session.count"));
    assert!(!meta.allows(Publish, "wamp.session.on_join"));
    assert!(meta.allows(Subscribe, "wamp.subscription.on_create"));
    assert!(!meta.allows(Subscribe, "wamp.registration.on_create"));
}

#[test]
fn a_realm_without_roles_allows_all_but_publishing_or_registering_wamp_uris() {
    let open = Authorization::Open;
    for action in Action::ALL {
        assert!(open.allows(action, "com.example.x"));
    }
    assert!(!open.allows(Publish, "wamp.session.on_join"));
    assert!(!open.allows(Register, "wamp.session.count"));
    assert!(open.allows(Subscribe, "wamp.session.on_join"));
    assert!(open.allows(Call, "wamp.session.count"));
    assert!(open.is_open());
}

#[test]
fn disclosure_follows_the_rule_or_the_request() {
    let a = role(vec![
        rule("com.open.", Prefix, &[Publish], true),
        rule("com.", Prefix, &[Publish], false),
    ]);
    let publish = |auth: &Authorization, uri: &str, asked: bool| auth.sends(Publish, uri, asked);
    assert_eq!(publish(&a, "com.open.x", false), Some(Disclose(true)));
    assert_eq!(publish(&a, "com.other", true), Some(Disclose(false)));
    assert_eq!(publish(&a, "org.x", true), None);
    let open = Authorization::Open;
    assert_eq!(publish(&open, "com.x", true), Some(Disclose(true)));
    assert_eq!(publish(&open, "com.x", false), Some(Disclose(false)));
    assert_eq!(publish(&open, "wamp.x", true), None);
}

#[test]
fn decisions_are_cached_and_stay_right() {
    let a = role(vec![
        rule("com.", Prefix, &[Publish], false),
        rule("com.x", Exact, &[], false),
    ]);
    for _ in 0..3 {
        assert!(a.allows(Publish, "com.y"));
        assert!(!a.allows(Publish, "com.x"));
    }
}

#[test]
fn actions_parse_and_print() {
    for action in Action::ALL {
        assert_eq!(Action::from_name(action.name()), Some(action));
    }
    assert_eq!(Action::from_name("read"), None);
    assert_eq!(format!("{:?}", Actions::NONE.with(Call)), "{Call}");
    assert!(Actions::all().contains(Register));
}
