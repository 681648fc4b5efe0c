//! The `paths` and `hsts` keys of an endpoint: web paths beside the WebSocket upgrade, and what
//! a bad block reports.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{dev_certificates, load_in};
use crossway_node::config::{self, WebPathKind};

const HEAD: &str = "realms:\n  - name: realm1\nendpoints:\n";

#[test]
fn paths_give_the_upgrade_the_files_and_the_redirects() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("web")).unwrap();
    dev_certificates(&dir);
    let text = format!(
        "{HEAD}  - name: site
    transport: websocket
    listen: 127.0.0.1:0
    tls:
      certificate: certs/server.pem
      key: certs/server.key
    hsts:
      max_age: 600
      include_subdomains: true
    paths:
      \"/\":
        type: static
        directory: web
      \"/wamp\":
        type: websocket
      \"/Old\":
        type: redirect
        url: https://example.com/new/
        status: 308
      \"/publish\":
        type: publish
        secret: k
  - name: plain
    transport: universal
    listen: 127.0.0.1:0
    paths:
      \"/\":
        type: redirect
        url: https://example.com
"
    );
    let cfg = load_in(&dir, &text, &[]).unwrap();
    let site = &cfg.endpoints[0];
    assert!(site.upgrade);
    assert_eq!(site.path, "/wamp");
    let web_dir = std::fs::canonicalize(dir.path().join("web")).unwrap();
    assert!(site.web.iter().any(|w| w.path == "/"
        && w.kind
            == WebPathKind::Static {
                directory: web_dir.clone()
            }));
    assert!(site.web.iter().any(|w| w.path == "/Old"
        && w.kind
            == WebPathKind::Redirect {
                url: "https://example.com/new".into(),
                status: 308
            }));
    assert_eq!(site.http_publish.as_ref().unwrap().path, "/publish");
    let hsts = site.hsts.unwrap();
    assert_eq!(hsts.header_value(), "max-age=600; includeSubDomains");
    let plain = &cfg.endpoints[1];
    assert!(!plain.upgrade, "no websocket entry: no upgrade");
    assert_eq!(plain.web.len(), 1);
    assert!(plain.hsts.is_none());
}

#[test]
fn hsts_defaults_to_a_year() {
    let dir = tempfile::tempdir().unwrap();
    dev_certificates(&dir);
    let text = format!(
        "{HEAD}  - name: site
    transport: websocket
    listen: 127.0.0.1:0
    tls:
      certificate: certs/server.pem
      key: certs/server.key
    hsts: {{}}
"
    );
    let cfg = load_in(&dir, &text, &[]).unwrap();
    assert_eq!(
        cfg.endpoints[0].hsts.unwrap().header_value(),
        format!("max-age={}", config::DEFAULT_HSTS_MAX_AGE)
    );
}

#[test]
fn every_problem_of_the_web_keys_is_named() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("file.txt"), "x").unwrap();
    let text = format!(
        "{HEAD}  - name: a
    transport: websocket
    listen: 127.0.0.1:0
    path: /ws
    hsts:
      max_age: 60
    paths:
      \"/\":
        type: static
        directory: missing
      \"/f\":
        type: static
        directory: file.txt
      \"/r\":
        type: redirect
        url: ftp://example.com
        status: 200
      \"/w\":
        type: websocket
      \"/w2\":
        type: websocket
      \"/x\":
        type: ftp
      \"/y\":
        type: static
        directory: .
        colour: blue
      nopath:
        type: static
  - name: b
    transport: rawsocket
    listen: 127.0.0.1:0
    paths:
      \"/\":
        type: websocket
"
    );
    let e = load_in(&dir, &text, &[]).expect_err("refused");
    let said = |key: &str, words: &str| {
        assert!(
            e.problems
                .iter()
                .any(|p| p.key == key && p.message.contains(words)),
            "no problem at {key} saying {words:?} in:\n{e}"
        );
    };
    said("endpoints[0].path", "type: websocket");
    said("endpoints[0].hsts", "needs a tls block");
    said("endpoints[0].paths./.directory", "cannot open");
    said("endpoints[0].paths./f.directory", "is not a directory");
    said(
        "endpoints[0].paths./r.url",
        "is not an http:// or https:// URL",
    );
    said("endpoints[0].paths./r.status", "not a redirect status");
    said("endpoints[0].paths./w2", "a second websocket path");
    said("endpoints[0].paths./x.type", "is not a path type");
    said("endpoints[0].paths./y.colour", "unknown key");
    said("endpoints[0].paths.nopath", "is not a path");
    said("endpoints[1].paths", "a rawsocket endpoint serves no HTTP");
}
