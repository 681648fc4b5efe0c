//! The configuration loader: valid files load, and every problem of a bad file is reported at
//! once with its key path and line.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::path::PathBuf;

use common::{dev_certificates, errors, errors_with, has, loads, write};
use crossway_node::config::{self, TransportKind};
use crossway_protocol::UriRules;
use crossway_transport::Serializer;

#[test]
fn the_default_config_file_is_valid() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config.yaml");
    let cfg = config::load(&path).unwrap();
    assert_eq!(cfg.realms.len(), 1);
    assert_eq!(cfg.realms[0].name, "realm1");
    let ep = &cfg.endpoints[0];
    assert_eq!(ep.transport, TransportKind::WebSocket);
    assert_eq!(ep.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(ep.path, "/ws");
    assert_eq!(ep.serializers, Serializer::ALL.to_vec());
}

#[test]
fn defaults_fill_what_is_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "realms:\n  - name: r1\n    uri_check: strict\nendpoints:\n  - name: a\n    transport: websocket\n    listen: \"[::1]:0\"\n",
    );
    let cfg = config::load(&path).unwrap();
    assert_eq!(cfg.realms[0].uri_check, UriRules::Strict);
    let ep = &cfg.endpoints[0];
    assert_eq!(ep.path, "/ws");
    assert_eq!(ep.max_message_size, config::DEFAULT_MAX_MESSAGE_SIZE);
    assert_eq!(ep.serializers.len(), 3);
}

#[test]
fn every_problem_is_reported_at_once_with_key_and_line() {
    let e = errors(
        "\
realms:
  - name: realm1
    uri_check: sloppy
  - name: realm1
endpoints:
  - name: a
    transport: websocket
    listen: nowhere
    path: ws
    serializers: [json, yaml]
    colour: blue
  - name: a
    transport: carrier-pigeon
    listen: 127.0.0.1:8080
    max_message_size: 100
logging: loud
",
    );
    assert!(
        has(
            &e,
            "realms[0].uri_check",
            Some(3),
            "expected loose or strict"
        ),
        "{e}"
    );
    assert!(
        has(&e, "realms[1].name", Some(4), "used more than once"),
        "{e}"
    );
    assert!(
        has(&e, "endpoints[0].listen", Some(8), "not a listen address"),
        "{e}"
    );
    assert!(
        has(&e, "endpoints[0].path", Some(9), "must start with '/'"),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[0].serializers[1]",
            Some(10),
            "not a serializer"
        ),
        "{e}"
    );
    assert!(
        has(&e, "endpoints[0].colour", Some(11), "unknown key"),
        "{e}"
    );
    assert!(
        has(&e, "endpoints[1].transport", Some(13), "not a transport"),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[1].max_message_size",
            Some(15),
            "out of range"
        ),
        "{e}"
    );
    assert!(has(&e, "logging", Some(16), "unknown key"), "{e}");
    assert_eq!(e.problems.len(), 9, "{e}");
    let text = e.to_string();
    assert!(
        text.contains("config.yaml:8: endpoints[0].listen"),
        "{text}"
    );
}

#[test]
fn missing_sections_are_named() {
    let e = errors("log_level: info\n");
    assert!(has(&e, "realms", None, "required key is missing"), "{e}");
    assert!(has(&e, "endpoints", None, "required key is missing"), "{e}");
}

#[test]
fn required_endpoint_keys_are_named() {
    let e = errors("realms: [{name: r}]\nendpoints:\n  - name: a\n");
    assert!(
        has(
            &e,
            "endpoints[0].transport",
            Some(3),
            "required key is missing"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[0].listen",
            Some(3),
            "required key is missing"
        ),
        "{e}"
    );
}

#[test]
fn duplicate_listen_addresses_are_refused() {
    let e = errors(
        "realms: [{name: r}]\nendpoints:\n  - {name: a, transport: websocket, listen: \"127.0.0.1:9000\"}\n  - {name: b, transport: websocket, listen: \"127.0.0.1:9000\"}\n",
    );
    assert!(
        has(&e, "endpoints[1].listen", Some(4), "used more than once"),
        "{e}"
    );
    // Port 0 is a free port of the system's choosing, a different one for each endpoint.
    let cfg = loads(
        "realms: [{name: r}]\nendpoints:\n  - {name: a, transport: websocket, listen: \"127.0.0.1:0\"}\n  - {name: b, transport: rawsocket, listen: \"127.0.0.1:0\"}\n",
        &[],
    );
    assert_eq!(cfg.endpoints.len(), 2);
}

#[test]
fn wrong_types_are_named() {
    let e = errors(
        "realms: {name: r}\nendpoints:\n  - name: [a]\n    transport: websocket\n    listen: 127.0.0.1:0\n    serializers: json\n",
    );
    assert!(has(&e, "realms", Some(1), "expected a list"), "{e}");
    assert!(
        has(&e, "endpoints[0].name", Some(3), "expected a string"),
        "{e}"
    );
    assert!(
        has(&e, "endpoints[0].serializers", Some(6), "expected a list"),
        "{e}"
    );
}

#[test]
fn an_unreadable_file_is_one_clear_problem() {
    let e = config::load(std::path::Path::new("/nonexistent/crossway.yaml")).unwrap_err();
    assert_eq!(e.problems.len(), 1);
    assert!(e.to_string().contains("cannot read the file"), "{e}");
}

#[test]
fn invalid_yaml_is_one_clear_problem() {
    let e = errors("realms: [\n");
    assert_eq!(e.problems.len(), 1, "{e}");
    assert!(e.to_string().contains("not valid YAML"), "{e}");
}

#[test]
fn tls_problems_name_their_key_and_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("server.pem"), "not pem at all").unwrap();
    let path = write(
        &dir,
        "\
realms: [{name: r}]
endpoints:
  - name: secure
    transport: websocket
    listen: 127.0.0.1:0
    tls:
      certificate: server.pem
      key: missing.key
      client_auth: optional
      min_version: \"1.1\"
      ciphers: [TLS_RSA_WITH_RC4_128_MD6]
      dhparam: dh.pem
",
    );
    let e = config::load(&path).expect_err("refused");
    let keys: Vec<&str> = e.problems.iter().map(|p| p.key.as_str()).collect();
    assert!(
        has(&e, "endpoints[0].tls.min_version", Some(10), "1.1"),
        "{e}"
    );
    assert!(
        keys.contains(&"endpoints[0].tls.certificate"),
        "a certificate file without a certificate is named: {e}"
    );
    assert!(
        keys.contains(&"endpoints[0].tls.key"),
        "the missing key file is named: {e}"
    );
    assert!(
        keys.contains(&"endpoints[0].tls.client_auth"),
        "client_auth without CAs: {e}"
    );
    assert!(
        keys.contains(&"endpoints[0].tls.ciphers"),
        "the unknown cipher: {e}"
    );
    let text = e.to_string();
    assert!(text.contains("missing.key"), "{text}");
    assert!(
        text.contains("TLS13_AES_128_GCM_SHA256"),
        "valid names are listed: {text}"
    );
}

#[test]
fn dhparam_is_accepted_with_a_warning_and_relative_paths_follow_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    dev_certificates(&dir);
    let path = write(
        &dir,
        "realms: [{name: r}]\nendpoints:\n  - name: s\n    transport: rawsocket\n    listen: 127.0.0.1:0\n    tls:\n      certificate: certs/server.pem\n      key: certs/server.key\n      ca_certificates: [certs/ca.pem]\n      dhparam: certs/dh.pem\n",
    );
    let cfg = config::load(&path).unwrap();
    let tls = cfg.endpoints[0].tls.as_ref().unwrap();
    assert_eq!(tls.settings.certificate, certs.join("server.pem"));
    assert!(
        cfg.warnings
            .iter()
            .any(|w| w.contains("dhparam") && w.contains("forward secrecy")),
        "{:?}",
        cfg.warnings
    );
}

#[test]
fn rawsocket_and_unix_keys_are_checked() {
    let e = errors(
        "realms: [{name: r}]\nendpoints:\n  - name: a\n    transport: rawsocket\n    listen: 127.0.0.1:0\n    path: /ws\n  - name: b\n    transport: universal\n    listen: 127.0.0.1:0\n    unix_mode: \"0660\"\n  - name: c\n    transport: rawsocket\n    listen: unix:c.sock\n    unix_mode: \"999\"\n",
    );
    assert!(has(&e, "endpoints[0].path", Some(6), "no HTTP path"), "{e}");
    assert!(
        has(
            &e,
            "endpoints[1].unix_mode",
            Some(10),
            "only to listen: unix"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[2].unix_mode",
            Some(14),
            "not a permission mode"
        ),
        "{e}"
    );
}

#[test]
fn references_are_replaced_from_the_environment_before_checking() {
    let cfg = loads(
        "realms:\n  - name: \"${REALM}\"\nendpoints:\n  - name: \"ws-${SITE}-${SITE}\"\n    transport: websocket\n    listen: \"127.0.0.1:${PORT}\"\n    max_message_size: \"${SIZE}\"\n    path: \"/$${literal}\"\n",
        &[
            ("REALM", "realm7"),
            ("SITE", "paris"),
            ("PORT", "0"),
            ("SIZE", "4096"),
        ],
    );
    assert_eq!(cfg.realms[0].name, "realm7");
    let ep = &cfg.endpoints[0];
    assert_eq!(ep.name, "ws-paris-paris");
    assert_eq!(ep.listen.to_string(), "127.0.0.1:0");
    assert_eq!(ep.max_message_size, 4096, "a number from the environment");
    assert_eq!(ep.path, "/${literal}", "$${{ is a literal ${{");
}

#[test]
fn missing_variables_and_malformed_references_are_named_with_their_key() {
    let e = errors_with(
        "\
realms:
  - name: \"${REALM}\"
endpoints:
  - name: a
    transport: websocket
    listen: \"${HOST}:${PORT}\"
    path: \"/${unclosed\"
  - name: \"${}\"
    transport: \"${bad-name}\"
    listen: 127.0.0.1:0
",
        &[("PORT", "8080")],
    );
    assert!(
        has(
            &e,
            "realms[0].name",
            Some(2),
            "environment variable REALM is not set"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[0].listen",
            Some(6),
            "environment variable HOST is not set"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[0].path",
            Some(7),
            "character 2 has no closing '}'"
        ),
        "{e}"
    );
    assert!(
        has(&e, "endpoints[1].name", Some(8), "names no variable"),
        "{e}"
    );
    assert!(
        has(&e, "endpoints[1].transport", Some(9), "not a variable name"),
        "{e}"
    );
    assert_eq!(
        e.problems.len(),
        5,
        "an unresolved value draws no further problem: {e}"
    );
    assert!(!e.to_string().contains("bad-name"), "{e}");
}

#[test]
fn values_from_the_environment_are_shown_as_their_reference() {
    let e = errors_with(
        "realms: [{name: r}]\nendpoints:\n  - name: a\n    transport: websocket\n    listen: \"${ADDR}\"\n",
        &[("ADDR", "hunter2-not-an-address")],
    );
    assert!(
        has(
            &e,
            "endpoints[0].listen",
            Some(5),
            "\"${ADDR}\" is not a listen address"
        ),
        "{e}"
    );
    assert!(!e.to_string().contains("hunter2"), "{e}");
}

#[test]
fn the_authentication_throttle_is_configured_in_limits() {
    let cfg = loads(
        "limits:\n  auth_delay: 0.25\n  auth_delay_max: 10\n  auth_forget: 60\n  auth_peers: 100\nrealms: [{name: r}]\nendpoints: [{name: a, transport: websocket, listen: 127.0.0.1:0}]\n",
        &[],
    );
    let t = cfg.limits.auth_throttle;
    assert_eq!(t.delay, std::time::Duration::from_millis(250));
    assert_eq!(t.delay_max, std::time::Duration::from_secs(10));
    assert_eq!(t.forget, std::time::Duration::from_secs(60));
    assert_eq!(t.peers, 100);
    let off = loads(
        "limits: {auth_delay: 0}\nrealms: [{name: r}]\nendpoints: [{name: a, transport: websocket, listen: 127.0.0.1:0}]\n",
        &[],
    );
    assert!(off.limits.auth_throttle.delay.is_zero());
    assert_eq!(
        off.limits.auth_throttle.delay_max,
        std::time::Duration::from_secs(30)
    );
}

#[test]
fn throttle_limits_are_checked() {
    let e = errors(
        "\
limits:
  auth_delay: 5
  auth_delay_max: 2
  auth_forget: 0
  auth_peers: 0
realms: [{name: r}]
endpoints: [{name: a, transport: websocket, listen: 127.0.0.1:0}]
",
    );
    assert!(
        has(
            &e,
            "limits.auth_delay_max",
            Some(3),
            "at least auth_delay (5 s)"
        ),
        "{e}"
    );
    assert!(
        has(&e, "limits.auth_forget", Some(4), "more than 0 seconds"),
        "{e}"
    );
    assert!(has(&e, "limits.auth_peers", Some(5), "at least 1"), "{e}");
    let e = errors(
        "limits:\n  auth_delay: 60\nrealms: [{name: r}]\nendpoints: [{name: a, transport: websocket, listen: 127.0.0.1:0}]\n",
    );
    assert!(
        has(
            &e,
            "limits.auth_delay",
            Some(2),
            "at most auth_delay_max (30 s by default)"
        ),
        "{e}"
    );
    let e = errors(
        "limits:\n  auth_delay: -1\nrealms: [{name: r}]\nendpoints: [{name: a, transport: websocket, listen: 127.0.0.1:0}]\n",
    );
    assert!(
        has(
            &e,
            "limits.auth_delay",
            Some(2),
            "expected a number of seconds"
        ),
        "{e}"
    );
}
