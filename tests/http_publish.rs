//! The HTTP publish bridge over real sockets: a signed POST reaches a WebSocket subscriber, and
//! every refusal has its status and a JSON body; the WebSocket upgrade of the same port still
//! works, other paths are 404.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::net::SocketAddr;

use common::{TestNode, endpoint, http, node_config, run, within};
use crossway_client::Client;
use crossway_node::bridge::BridgeSecret;
use crossway_node::config::{HttpPublishSpec, RealmSpec, TransportKind};
use crossway_protocol::{UriRules, Value};
use crossway_transport::Serializer;

const SECRET: &str = "bridge-key";

/// A node with a signed bridge on a WebSocket endpoint and an open one on a universal endpoint;
/// realm `locked` has roles (none), so the bridge may not join it.
async fn start() -> TestNode {
    let mut signed = endpoint("web");
    signed.http_publish = Some(HttpPublishSpec {
        path: "/publish".into(),
        secret: Some(BridgeSecret::new(SECRET)),
        role: "http_publish".into(),
        max_body: 512,
    });
    let mut open = endpoint("uni");
    open.transport = TransportKind::Universal;
    open.http_publish = Some(HttpPublishSpec {
        path: "/pub".into(),
        secret: None,
        role: "http_publish".into(),
        max_body: 512,
    });
    let mut config = node_config(vec![signed, open]);
    config.realms.push(RealmSpec {
        name: "locked".into(),
        uri_check: UriRules::Loose,
        roles: Some(Vec::new()),
    });
    TestNode::start_with(config).await
}

fn post(path: &str, content_type: &str, signature: Option<&str>, body: &str) -> Vec<u8> {
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(sig) = signature {
        req.push_str(&format!("X-Signature: {sig}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    req.into_bytes()
}

/// POSTs `body` signed (or with `signature`) and gives the status and the JSON answer.
async fn publish(
    addr: SocketAddr,
    path: &str,
    sig: Option<&str>,
    body: &str,
) -> (u16, serde_json::Value) {
    let (status, headers, body) = http(addr, &post(path, "application/json", sig, body)).await;
    if status != 404 || path.starts_with("/pub") {
        assert!(
            headers
                .iter()
                .any(|(k, v)| k == "content-type" && v == "application/json"),
            "{status}: {headers:?}"
        );
    }
    let json = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    (status, json)
}

fn sign(body: &str) -> String {
    BridgeSecret::new(SECRET).sign(body.as_bytes())
}

#[test]
fn a_signed_post_reaches_a_websocket_subscriber() {
    run(async {
        let node = start().await;
        let web = node.addrs[0].1;
        let sub = Client::connect(&node.url, "realm1", Serializer::Cbor)
            .await
            .unwrap();
        let mut events = sub.subscribe("com.example.http").await.unwrap();
        let body = r#"{"realm":"realm1","topic":"com.example.http","args":[1,"two"],"kwargs":{"k":true},"options":{"acknowledge":true}}"#;
        let (status, answer) = publish(web, "/publish", Some(&sign(body)), body).await;
        assert_eq!(status, 200, "{answer}");
        assert!(answer["id"].as_u64().is_some_and(|id| id > 0), "{answer}");
        let ev = within("the bridged event", events.next())
            .await
            .expect("event");
        assert_eq!(ev.args, Some(vec![Value::from(1i64), Value::from("two")]));
        assert_eq!(ev.kwargs.unwrap().get("k"), Some(&Value::Bool(true)));
        // Without acknowledge: 202 and no id.
        let body = r#"{"realm":"realm1","topic":"com.example.http"}"#;
        let (status, answer) = publish(web, "/publish", Some(&sign(body)), body).await;
        assert_eq!((status, answer), (202, serde_json::json!({})));
        within("the second event", events.next())
            .await
            .expect("event");
        node.stop().await;
    });
}

#[test]
fn every_refusal_has_its_status() {
    run(async {
        let node = start().await;
        let web = node.addrs[0].1;
        let ok = r#"{"realm":"realm1","topic":"com.example.t"}"#;
        // Missing, wrong and malformed signatures.
        assert_eq!(publish(web, "/publish", None, ok).await.0, 401);
        let (status, answer) = publish(web, "/publish", Some(&sign("other")), ok).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (403, Some("bad_signature"))
        );
        assert_eq!(publish(web, "/publish", Some("xyz"), ok).await.0, 403);
        // Bad JSON and a bad shape, signed.
        for body in [
            "{not json",
            r#"{"realm":"realm1"}"#,
            r#"{"realm":"realm1","topic":"t","args":{}}"#,
        ] {
            let (status, answer) = publish(web, "/publish", Some(&sign(body)), body).await;
            assert_eq!(status, 400, "{body}: {answer}");
            assert!(answer["message"].as_str().is_some(), "{answer}");
        }
        // A topic the router refuses.
        let body = r#"{"realm":"realm1","topic":"bad topic"}"#;
        let (status, answer) = publish(web, "/publish", Some(&sign(body)), body).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some("wamp.error.invalid_uri"))
        );
        // Too large: refused before it is read.
        let big = format!(
            r#"{{"realm":"realm1","topic":"t","args":["{}"]}}"#,
            "x".repeat(600)
        );
        assert_eq!(
            publish(web, "/publish", Some(&sign(&big)), &big).await.0,
            413
        );
        // Not JSON.
        let (status, _, _) = http(web, &post("/publish", "text/plain", Some(&sign(ok)), ok)).await;
        assert_eq!(status, 415);
        // An unknown realm, and one whose roles do not grant the bridge's.
        let body = r#"{"realm":"nowhere","topic":"t"}"#;
        assert_eq!(
            publish(web, "/publish", Some(&sign(body)), body).await.0,
            404
        );
        let body = r#"{"realm":"locked","topic":"t"}"#;
        assert_eq!(
            publish(web, "/publish", Some(&sign(body)), body).await.0,
            403
        );
        // Not a POST; another path.
        let (status, headers, _) = http(web, b"GET /publish HTTP/1.1\r\nHost: t\r\n\r\n").await;
        assert_eq!(status, 405);
        assert!(
            headers.contains(&("allow".to_owned(), "POST".to_owned())),
            "{headers:?}"
        );
        assert_eq!(
            http(web, b"GET /other HTTP/1.1\r\nHost: t\r\n\r\n").await.0,
            404
        );
        let counters = node.counters.endpoint("web").unwrap();
        assert_eq!(
            crossway_node::counters::Counters::get(&counters.bridge_requests[3]),
            1,
            "one 401 counted"
        );
        node.stop().await;
    });
}

#[test]
fn an_open_bridge_on_a_universal_port_beside_websocket_and_rawsocket() {
    run(async {
        let node = start().await;
        let uni = node.addrs[1].1;
        let body = r#"{"realm":"realm1","topic":"com.example.u","options":{"acknowledge":true}}"#;
        let (status, answer) = publish(uni, "/pub", None, body).await;
        assert_eq!(status, 200, "{answer}");
        for url in [format!("ws://{uni}/ws"), format!("rs://{uni}")] {
            let c = Client::connect(&url, "realm1", Serializer::Json)
                .await
                .unwrap();
            c.leave().await.unwrap();
        }
        node.stop().await;
    });
}
