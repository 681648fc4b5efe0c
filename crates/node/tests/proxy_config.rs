//! The `proxy` block of an endpoint: what loads, and every problem with its key path and line.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{errors, has, loads};
use crossway_transport::ProxyVersions;

#[test]
fn a_proxy_block_loads() {
    let cfg = loads(
        "\
realms:
  - name: realm1
endpoints:
  - name: lb
    transport: universal
    listen: 0.0.0.0:8081
    proxy:
      trusted: [10.0.0.0/8, 127.0.0.1/32, \"2001:db8::/32\", 192.0.2.7]
      protocol: v2
      forwarded_headers: true
  - name: rs
    transport: rawsocket
    listen: 0.0.0.0:8082
    proxy: { trusted: [\"::1\"], protocol: any }
  - name: plain
    transport: websocket
    listen: 0.0.0.0:8083
",
        &[],
    );
    let lb = cfg.endpoints[0].proxy.as_ref().unwrap();
    assert_eq!(lb.protocol, Some(ProxyVersions::V2));
    assert!(lb.forwarded_headers);
    let shown: Vec<String> = lb.trusted.iter().map(|n| n.to_string()).collect();
    assert_eq!(
        shown,
        [
            "10.0.0.0/8",
            "127.0.0.1/32",
            "2001:db8::/32",
            "192.0.2.7/32"
        ]
    );
    assert!(lb.trusts("10.9.8.7".parse().unwrap()));
    assert!(!lb.trusts("127.0.0.2".parse().unwrap()));
    let rs = cfg.endpoints[1].proxy.as_ref().unwrap();
    assert_eq!(rs.protocol, Some(ProxyVersions::Any));
    assert!(!rs.forwarded_headers);
    assert!(cfg.endpoints[2].proxy.is_none());
}

#[test]
fn every_proxy_problem_is_reported_with_key_and_line() {
    let e = errors(
        "\
realms:
  - name: realm1
endpoints:
  - name: a
    transport: websocket
    listen: 0.0.0.0:8080
    proxy:
      trusted: [10.0.0.1/8, 300.0.0.0/8, \"::1/200\", 10.0.0.0/8]
      protocol: v3
      forwarded_headers: yes please
      colour: blue
  - name: b
    transport: websocket
    listen: 0.0.0.0:8081
    proxy:
      forwarded_headers: true
  - name: c
    transport: rawsocket
    listen: 0.0.0.0:8082
    proxy:
      trusted: [127.0.0.1/32]
      forwarded_headers: true
  - name: d
    transport: websocket
    listen: unix:/tmp/crossway-test.sock
    proxy:
      trusted: [127.0.0.1/32]
      protocol: v1
      forwarded_headers: true
  - name: e
    transport: websocket
    listen: 0.0.0.0:8084
    proxy:
      trusted: [127.0.0.1/32]
  - name: f
    transport: universal
    listen: 0.0.0.0:8085
    proxy:
      trusted: []
      protocol: v1
  - name: g
    transport: universal
    listen: 0.0.0.0:8086
    proxy: on
",
    );
    let p = "endpoints[0].proxy";
    assert!(
        has(
            &e,
            &format!("{p}.trusted[0]"),
            Some(8),
            "did you mean 10.0.0.0/8?"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            &format!("{p}.trusted[1]"),
            Some(8),
            "\"300.0.0.0\" is not an IP address"
        ),
        "{e}"
    );
    assert!(
        has(&e, &format!("{p}.trusted[2]"), Some(8), "from 0 to 128"),
        "{e}"
    );
    assert!(
        has(
            &e,
            &format!("{p}.protocol"),
            Some(9),
            "expected v1, v2 or any"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            &format!("{p}.forwarded_headers"),
            Some(10),
            "expected true or false"
        ),
        "{e}"
    );
    assert!(
        has(&e, &format!("{p}.colour"), Some(11), "unknown key"),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[1].proxy.forwarded_headers",
            Some(16),
            "needs proxy.trusted"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[2].proxy.forwarded_headers",
            Some(22),
            "a rawsocket endpoint has no HTTP headers"
        ),
        "{e}"
    );
    for (key, line) in [("protocol", 28), ("forwarded_headers", 29)] {
        assert!(
            has(
                &e,
                &format!("endpoints[3].proxy.{key}"),
                Some(line),
                "a Unix socket endpoint"
            ),
            "{e}"
        );
    }
    assert!(
        has(&e, "endpoints[4].proxy", Some(33), "enables nothing"),
        "{e}"
    );
    assert!(
        has(
            &e,
            "endpoints[5].proxy.protocol",
            Some(40),
            "needs proxy.trusted"
        ),
        "{e}"
    );
    assert!(
        has(&e, "endpoints[6].proxy", Some(44), "expected a mapping"),
        "{e}"
    );
    assert_eq!(e.problems.len(), 13, "{e}");
}

#[test]
fn crossway_check_names_the_proxy_problems() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write(
        &dir,
        "realms:\n  - name: realm1\nendpoints:\n  - name: a\n    transport: rawsocket\n    listen: 127.0.0.1:0\n    proxy:\n      trusted: [10.0.0.1/8]\n      protocol: v2\n",
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_crossway"))
        .args(["check", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("config.yaml:8: endpoints[0].proxy.trusted[0]: \"10.0.0.1/8\" has host bits set; did you mean 10.0.0.0/8?"),
        "{stderr}"
    );
}
