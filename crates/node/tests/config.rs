//! The configuration loader: valid files load, and every problem of a bad file is reported at
//! once with its key path and line.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::PathBuf;

use crossway_node::config::{self, ConfigErrors, TransportKind};
use crossway_protocol::UriRules;
use crossway_transport::Serializer;

fn write(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let path = dir.path().join("config.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn errors(text: &str) -> ConfigErrors {
    let dir = tempfile::tempdir().unwrap();
    config::load(&write(&dir, text)).expect_err("the config should be refused")
}

fn has(errors: &ConfigErrors, key: &str, line: Option<usize>, words: &str) -> bool {
    errors
        .problems
        .iter()
        .any(|p| p.key == key && p.line == line && p.message.contains(words))
}

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
