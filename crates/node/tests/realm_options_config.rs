//! A realm's `meta_api`, `retention`, `history` and `testaments` keys: defaults, values, and
//! every problem named with its key and line.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{errors, has, loads};
use crossway_routing::{MatchPolicy, RealmOptions};

const ENDPOINTS: &str = "endpoints: [{name: a, transport: websocket, listen: 127.0.0.1:0}]\n";

#[test]
fn a_realm_without_these_keys_gets_the_defaults() {
    let cfg = loads(&format!("realms: [{{name: r}}]\n{ENDPOINTS}"), &[]);
    assert_eq!(cfg.realms[0].options, RealmOptions::default());
    assert!(cfg.realms[0].options.meta_api);
    assert_eq!(cfg.realms[0].options.retention.max_topics, 10_000);
}

#[test]
fn every_key_is_read() {
    let cfg = loads(
        &format!(
            "\
realms:
  - name: r
    meta_api: false
    retention: {{ max_topics: 5, max_bytes: 4096 }}
    testaments: {{ max_count: 2, max_bytes: 100 }}
    history:
      - {{ uri: com.example.log., match: prefix, limit: 50 }}
      - {{ uri: com.example.status, max_bytes: 2048 }}
{ENDPOINTS}"
        ),
        &[],
    );
    let o = &cfg.realms[0].options;
    assert!(!o.meta_api);
    assert_eq!((o.retention.max_topics, o.retention.max_bytes), (5, 4096));
    assert_eq!((o.testaments.max_count, o.testaments.max_bytes), (2, 100));
    assert_eq!(o.history.len(), 2);
    assert_eq!(o.history[0].policy, MatchPolicy::Prefix);
    assert_eq!(o.history[0].limit, 50);
    assert_eq!(o.history[1].policy, MatchPolicy::Exact);
    assert_eq!(o.history[1].limit, 100);
    assert_eq!(o.history[1].max_bytes, 2048);
}

#[test]
fn problems_are_named_with_key_and_line() {
    let e = errors(&format!(
        "\
realms:
  - name: r
    uri_check: strict
    meta_api: maybe
    retention: {{ max_topics: -1, max_bytes: 0, colour: red }}
    testaments: {{ max_count: lots }}
    history:
      - {{ uri: com.example.log, match: regex }}
      - {{ uri: Com.Bad }}
      - {{ uri: com.a, limit: 0 }}
      - {{ limit: 5 }}
      - {{ uri: com.b }}
      - {{ uri: com.b, match: exact }}
{ENDPOINTS}"
    ));
    assert!(
        has(&e, "realms[0].meta_api", Some(4), "true or false"),
        "{e}"
    );
    assert!(
        has(&e, "realms[0].retention.max_topics", Some(5), ""),
        "{e}"
    );
    assert!(
        has(&e, "realms[0].retention.max_bytes", Some(5), "at least 1"),
        "{e}"
    );
    assert!(
        has(&e, "realms[0].retention.colour", Some(5), "unknown key"),
        "{e}"
    );
    assert!(
        has(&e, "realms[0].testaments.max_count", Some(6), ""),
        "{e}"
    );
    assert!(
        has(
            &e,
            "realms[0].history[0].match",
            Some(8),
            "not a match policy"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            "realms[0].history[1].uri",
            Some(9),
            "not a valid topic URI"
        ),
        "{e}"
    );
    assert!(
        has(&e, "realms[0].history[2].limit", Some(10), "must be 1 to"),
        "{e}"
    );
    assert!(
        has(&e, "realms[0].history[3].uri", Some(11), "required"),
        "{e}"
    );
    assert!(
        has(
            &e,
            "realms[0].history[5].uri",
            Some(13),
            "already in this realm"
        ),
        "{e}"
    );
}
