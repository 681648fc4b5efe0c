//! The operations keys: `log_format`, `metrics` and an endpoint's `http_publish`. What loads,
//! and every problem with its key path and line, all at once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{errors, errors_with, has, loads};
use crossway_node::config::{DEFAULT_MAX_BODY, DEFAULT_PUBLISH_ROLE, LogFormat};

#[test]
fn the_operations_keys_load() {
    let cfg = loads(
        "\
log_format: json
metrics:
  listen: 127.0.0.1:9100
realms:
  - name: realm1
endpoints:
  - name: web
    transport: websocket
    listen: 127.0.0.1:8080
    http_publish:
      path: /publish
      secret: \"${PUBLISH_SECRET}\"
  - name: uni
    transport: universal
    listen: 127.0.0.1:8081
    http_publish: { path: /p, role: bridge, max_body: 1024 }
",
        &[("PUBLISH_SECRET", "s3cret")],
    );
    assert_eq!(cfg.log_format, LogFormat::Json);
    assert_eq!(cfg.metrics.unwrap().listen.to_string(), "127.0.0.1:9100");
    let web = cfg.endpoints[0].http_publish.as_ref().unwrap();
    assert_eq!(web.path, "/publish");
    assert_eq!(web.role, DEFAULT_PUBLISH_ROLE);
    assert_eq!(web.max_body, DEFAULT_MAX_BODY);
    let secret = web.secret.as_ref().unwrap();
    assert_eq!(format!("{secret:?}"), "BridgeSecret(<redacted>)");
    let uni = cfg.endpoints[1].http_publish.as_ref().unwrap();
    assert_eq!((uni.path.as_str(), uni.role.as_str()), ("/p", "bridge"));
    assert_eq!(uni.max_body, 1024);
    assert!(uni.secret.is_none());
}

#[test]
fn defaults_without_the_keys() {
    let cfg = loads(
        "realms:\n  - name: realm1\nendpoints:\n  - name: ws\n    transport: websocket\n    listen: 127.0.0.1:0\n",
        &[],
    );
    assert_eq!(cfg.log_format, LogFormat::Text);
    assert!(cfg.metrics.is_none());
    assert!(cfg.endpoints[0].http_publish.is_none());
}

#[test]
fn every_operations_problem_is_reported_with_key_and_line() {
    let e = errors(
        "\
log_format: xml
metrics:
  listen: nowhere
  port: 9
realms:
  - name: realm1
endpoints:
  - name: rs
    transport: rawsocket
    listen: 127.0.0.1:8081
    http_publish: { path: /p }
  - name: ws
    transport: websocket
    listen: 127.0.0.1:8082
    http_publish:
      path: ws
      secret: \"\"
      role: \" \"
      max_body: 0
      colour: red
  - name: same
    transport: websocket
    listen: 127.0.0.1:8083
    http_publish: { path: /ws, max_body: lots }
",
    );
    assert!(
        has(
            &e,
            "log_format",
            Some(1),
            "\"xml\" is not a log format; expected text or json"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            "metrics.listen",
            Some(3),
            "\"nowhere\" is not a listen address"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            "metrics.port",
            Some(4),
            "unknown key; expected one of: listen"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[0].http_publish",
            Some(11),
            "a rawsocket endpoint serves no HTTP"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[1].http_publish.path",
            Some(16),
            "must start with '/'"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[1].http_publish.secret",
            Some(17),
            "must not be empty"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[1].http_publish.role",
            Some(18),
            "must not be empty"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[1].http_publish.max_body",
            Some(19),
            "out of range"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[1].http_publish.colour",
            Some(20),
            "unknown key"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[2].http_publish.path",
            Some(24),
            "the endpoint's WebSocket path"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[2].http_publish.max_body",
            Some(24),
            "expected a non-negative whole number"
        ),
        "{e}"
    );
    assert_eq!(e.problems.len(), 11, "{e}");
}

#[test]
fn a_bridge_without_a_secret_needs_an_anonymous_endpoint() {
    let e = errors(
        "\
realms:
  - name: realm1
endpoints:
  - name: app
    transport: websocket
    listen: 127.0.0.1:8080
    auth:
      ticket:
        principals:
          alice: { ticket: t, role: user }
    http_publish: { path: /publish }
",
    );
    assert!(
        has(
            &e,
            "endpoints[0].http_publish.secret",
            Some(11),
            "give a secret"
        ),
        "{e}"
    );
}

#[test]
fn the_metrics_port_is_its_own_and_tcp() {
    let e = errors(
        "\
metrics: { listen: 127.0.0.1:8080 }
realms:
  - name: realm1
endpoints:
  - name: web
    transport: websocket
    listen: 127.0.0.1:8080
",
    );
    assert!(
        has(
            &e,
            "metrics.listen",
            Some(1),
            "also where endpoints[0] listens"
        ),
        "{e}"
    );
    let e = errors_with(
        "metrics: { listen: \"${M}\" }\nrealms:\n  - name: realm1\nendpoints:\n  - name: w\n    transport: websocket\n    listen: 127.0.0.1:0\n",
        &[("M", "unix:/tmp/m.sock")],
    );
    assert!(has(&e, "metrics.listen", Some(1), "TCP only"), "{e}");
}

#[test]
fn a_bridge_role_a_realm_lacks_is_a_warning() {
    let cfg = loads(
        "\
realms:
  - name: realm1
    roles:
      - name: user
        permissions: [{ uri: com., match: prefix, allow: [publish] }]
endpoints:
  - name: web
    transport: websocket
    listen: 127.0.0.1:8080
    auth: { anonymous: { role: user } }
    http_publish: { path: /publish }
",
        &[],
    );
    assert!(
        cfg.warnings.iter().any(|w| w.contains(
            "HTTP publications (role \"http_publish\") from endpoint \"web\" will be refused in realm \"realm1\""
        )),
        "{:?}",
        cfg.warnings
    );
}
