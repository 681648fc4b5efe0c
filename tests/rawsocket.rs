//! RawSocket through a whole node: every serializer over TCP, over TLS with a client
//! certificate and over a Unix socket; a universal port serving WebSocket and RawSocket at once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;
#[path = "../crates/transport/tests/pki/mod.rs"]
mod pki;

use common::{TestNode, endpoint, node_config, run, within};
use crossway_client::{Client, ConnectOptions};
use crossway_node::config::{TlsSpec, TransportKind};
use crossway_protocol::Value;
use crossway_transport::tls::{TlsClientSettings, TlsSettings};
use crossway_transport::{ListenAddr, Serializer};
use pki::{Ca, Dir};

fn kind(name: &str, kind: TransportKind) -> crossway_node::config::EndpointSpec {
    let mut ep = endpoint(name);
    ep.transport = kind;
    ep
}

/// Publishes from `publ` and expects `sub`'s subscription to get the payload, bytes included.
async fn round_trip(publ: &Client, sub: &Client, topic: &str) {
    let mut events = sub.subscribe(topic).await.unwrap();
    let args = vec![
        Value::Bytes(vec![0, 1, 255]),
        "grüße".into(),
        Value::Int(1 << 53),
    ];
    publ.publish_acknowledged(topic, Some(args.clone()), None)
        .await
        .unwrap();
    let ev = within("event", events.next()).await.expect("event");
    assert_eq!(ev.args, Some(args));
}

#[test]
fn rawsocket_carries_every_serializer_and_meets_websocket_clients() {
    run(async {
        let node = TestNode::start_with(node_config(vec![
            endpoint("ws"),
            kind("rs", TransportKind::RawSocket),
        ]))
        .await;
        let ws = format!("ws://{}/ws", node.addrs[0].1);
        let rs = format!("rs://{}", node.addrs[1].1);
        for ser in Serializer::ALL {
            let a = Client::connect(&rs, "realm1", ser).await.unwrap();
            let b = Client::connect(&rs, "realm1", ser).await.unwrap();
            round_trip(&a, &b, "com.example.rs").await;
            let w = Client::connect(&ws, "realm1", ser).await.unwrap();
            round_trip(&a, &w, "com.example.rs_to_ws").await;
            round_trip(&w, &a, "com.example.ws_to_rs").await;
            for c in [a, b, w] {
                c.leave().await.unwrap();
            }
        }
        node.stop().await;
    });
}

#[test]
fn rawsocket_over_tls_with_a_client_certificate() {
    run(async {
        let dir = Dir::new();
        let ca = Ca::root("rs CA");
        let server = ca.server();
        let client = ca.client("rs-device");
        let ca_file = dir.write("ca.pem", &ca.pem);
        let mut settings = TlsSettings::new(
            dir.write("server.pem", &server.chain_pem),
            dir.write("server.key", &server.key_pem),
        );
        settings.ca_certificates = vec![ca_file.clone()];
        let mut ep = kind("rss", TransportKind::RawSocket);
        ep.tls = Some(TlsSpec {
            settings,
            create_if_missing: false,
        });
        let node = TestNode::start_with(node_config(vec![ep])).await;
        let url = format!("rss://{}", node.addrs[0].1);
        let mut tls = TlsClientSettings::new(vec![ca_file]);
        tls.client_certificate = Some((
            dir.write("client.pem", &client.chain_pem),
            dir.write("client.key", &client.key_pem),
        ));
        for ser in Serializer::ALL {
            let opts = ConnectOptions::with_tls(tls.clone());
            let a = Client::connect_with(&url, "realm1", ser, opts.clone())
                .await
                .unwrap();
            let b = Client::connect_with(&url, "realm1", ser, opts)
                .await
                .unwrap();
            round_trip(&a, &b, "com.example.rss").await;
        }
        let anonymous = TlsClientSettings::new(tls.root_certificates.clone());
        let refused = Client::connect_with(
            &url,
            "realm1",
            Serializer::Json,
            ConnectOptions::with_tls(anonymous),
        )
        .await;
        assert!(refused.is_err(), "no client certificate: refused");
        node.stop().await;
    });
}

#[test]
fn rawsocket_over_a_unix_socket() {
    run(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crossway.sock");
        let mut ep = kind("unix", TransportKind::RawSocket);
        ep.listen = ListenAddr::Unix(path.clone());
        ep.unix_mode = Some(0o600);
        let node = TestNode::start_with(node_config(vec![endpoint("ws"), ep])).await;
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let url = format!("unix:{}", path.display());
        let a = Client::connect(&url, "realm1", Serializer::MsgPack)
            .await
            .unwrap();
        let w = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        round_trip(&a, &w, "com.example.unix").await;
        node.stop().await;
        assert!(!path.exists(), "the socket file is removed at shutdown");
    });
}

#[test]
fn a_universal_port_serves_websocket_and_rawsocket_at_once() {
    run(async {
        let node =
            TestNode::start_with(node_config(vec![kind("both", TransportKind::Universal)])).await;
        let addr = node.addrs[0].1;
        let ws = Client::connect(&format!("ws://{addr}/ws"), "realm1", Serializer::Cbor)
            .await
            .unwrap();
        let rs = Client::connect(&format!("rs://{addr}"), "realm1", Serializer::Json)
            .await
            .unwrap();
        round_trip(&ws, &rs, "com.example.universal").await;
        round_trip(&rs, &ws, "com.example.universal2").await;
        node.stop().await;
    });
}
