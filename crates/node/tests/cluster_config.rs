//! The `cluster` block: what a valid one gives, and every problem of a bad one at once, named by
//! key and line.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::Duration;

use common::{errors, loads};
use crossway_cluster::{NatsAuth, NatsTls};
use crossway_node::config::ConfigErrors;

const BASE: &str = "realms:\n  - name: realm1\nendpoints:\n  - name: rs\n    transport: rawsocket\n    listen: 127.0.0.1:0\n";

/// Whether a problem at `key`, with a line, says `words`.
fn said(errors: &ConfigErrors, key: &str, words: &str) -> bool {
    errors
        .problems
        .iter()
        .any(|p| p.key == key && p.line.is_some() && p.message.contains(words))
}

#[test]
fn a_node_without_a_cluster_block_is_alone() {
    assert!(loads(BASE, &[]).cluster.is_none());
}

#[test]
fn the_cluster_block_names_node_servers_and_timing() {
    let text = format!(
        "{BASE}cluster:\n  node: node-a\n  nats:\n    servers: [nats://10.0.0.5:4222, tls://nats.example:4443]\n    user: crossway\n    password: ${{NATS_PASSWORD}}\n    tls:\n      ca_certificates: [nats-ca.pem]\n      certificate: a.pem\n      key: a.key\n  subject_prefix: prod.crossway\n  heartbeat_interval: 0.5\n  node_timeout: 3\n  queue: 1000\n"
    );
    let config = loads(&text, &[("NATS_PASSWORD", "s3cret")]);
    let cluster = config.cluster.unwrap();
    assert_eq!(cluster.node, "node-a");
    assert_eq!(cluster.servers.len(), 2);
    assert_eq!(
        cluster.auth,
        NatsAuth::UserPassword("crossway".into(), "s3cret".into())
    );
    let NatsTls {
        ca_certificates,
        client,
    } = cluster.tls.unwrap();
    assert!(ca_certificates[0].ends_with("nats-ca.pem") && ca_certificates[0].is_absolute());
    assert!(client.unwrap().1.ends_with("a.key"));
    assert_eq!(cluster.subject_prefix, "prod.crossway");
    assert_eq!(cluster.heartbeat_interval, Duration::from_millis(500));
    assert_eq!(cluster.node_timeout, Duration::from_secs(3));
    assert_eq!(cluster.queue, 1000);
}

#[test]
fn defaults_fill_what_the_block_leaves_out() {
    let text =
        format!("{BASE}cluster:\n  node: b\n  nats:\n    servers: [nats://127.0.0.1:4222]\n");
    let cluster = loads(&text, &[]).cluster.unwrap();
    assert_eq!(cluster.auth, NatsAuth::None);
    assert_eq!(cluster.subject_prefix, "crossway");
    assert_eq!(cluster.heartbeat_interval, Duration::from_secs(1));
    assert_eq!(cluster.node_timeout, Duration::from_secs(5));
}

#[test]
fn every_problem_of_a_bad_block_is_named() {
    let text = format!(
        "{BASE}cluster:\n  node: node a\n  nats:\n    servers: [\"nats://host:notaport\"]\n    token: t\n    user: u\n    tls:\n      certificate: a.pem\n  subject_prefix: bad..prefix\n  heartbeat_interval: 2\n  node_timeout: 3\n  queue: 0\n  nodes: 3\n"
    );
    let e = errors(&text);
    for (key, words) in [
        ("cluster.node", "not a node name"),
        ("cluster.nats.servers[0]", "not a NATS server address"),
        ("cluster.nats", "give one of credentials"),
        ("cluster.nats.tls", "certificate and key go together"),
        ("cluster.subject_prefix", "not a subject prefix"),
        ("cluster.node_timeout", "less than two heartbeat intervals"),
        ("cluster.queue", "must be 1 at least"),
        ("cluster.nodes", ""),
    ] {
        assert!(
            said(&e, key, words),
            "no problem at {key} saying {words:?}:\n{e}"
        );
    }
}

#[test]
fn a_cluster_needs_its_nats_servers() {
    let e = errors(&format!("{BASE}cluster:\n  node: a\n"));
    assert!(said(&e, "cluster.nats", "missing"), "{e}");
    let e = errors(&format!(
        "{BASE}cluster:\n  node: a\n  nats:\n    servers: []\n"
    ));
    assert!(said(&e, "cluster.nats.servers", "one NATS server"), "{e}");
}
