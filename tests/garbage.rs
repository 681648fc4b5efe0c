//! Garbage from a peer closes only its own connection, on every transport: undecodable bytes,
//! valid encodings of the wrong shape, ids out of range and nesting bombs in each serializer get
//! ABORT `wamp.error.protocol_violation`; random bytes and truncated handshakes are dropped; the
//! node serves everyone else throughout.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::net::SocketAddr;

use bytes::Bytes;
use common::{TestNode, endpoint, node_config, raw_rs, raw_ws, run, within};
use crossway_client::Client;
use crossway_node::config::TransportKind;
use crossway_protocol::{Codec, Dict, Message, Uri, Value, errors};
use crossway_transport::{Connection, Serializer};
use futures_util::{AsyncReadExt, AsyncWriteExt};

/// How a test reaches the node.
#[derive(Debug, Clone, Copy)]
enum Via {
    WebSocket,
    RawSocket,
    UniversalWs,
    UniversalRs,
}

const VIAS: [Via; 4] = [
    Via::WebSocket,
    Via::RawSocket,
    Via::UniversalWs,
    Via::UniversalRs,
];

struct Addrs {
    ws: SocketAddr,
    rs: SocketAddr,
    universal: SocketAddr,
}

async fn start() -> (TestNode, Addrs) {
    let mut rs = endpoint("rs");
    rs.transport = TransportKind::RawSocket;
    let mut universal = endpoint("universal");
    universal.transport = TransportKind::Universal;
    let node = TestNode::start_with(node_config(vec![endpoint("ws"), rs, universal])).await;
    let addrs = Addrs {
        ws: node.addrs[0].1,
        rs: node.addrs[1].1,
        universal: node.addrs[2].1,
    };
    (node, addrs)
}

async fn connect(addrs: &Addrs, via: Via, ser: Serializer) -> Connection {
    match via {
        Via::WebSocket => raw_ws(addrs.ws, ser).await,
        Via::RawSocket => raw_rs(addrs.rs, ser).await,
        Via::UniversalWs => raw_ws(addrs.universal, ser).await,
        Via::UniversalRs => raw_rs(addrs.universal, ser).await,
    }
}

fn codec(ser: Serializer) -> Codec {
    Codec::from_name(ser.name()).unwrap()
}

fn hello() -> Message {
    let mut roles = Dict::new();
    roles.insert("subscriber".into(), Value::Map(Dict::new()));
    let mut details = Dict::new();
    details.insert("roles".into(), Value::Map(roles));
    Message::Hello {
        realm: Uri::new("realm1"),
        details,
    }
}

/// Joins `realm1` over a raw connection.
async fn join(conn: &mut Connection, codec: Codec) {
    send(conn, codec.encode(&hello()).unwrap()).await;
    let welcome = within("welcome", conn.reader.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        codec.decode(&welcome).unwrap(),
        Message::Welcome { .. }
    ));
}

async fn send(conn: &mut Connection, bytes: Vec<u8>) {
    conn.writer.feed(Bytes::from(bytes)).await.unwrap();
    conn.writer.flush().await.unwrap();
}

/// Expects ABORT `wamp.error.protocol_violation`, then the end of the connection.
async fn expect_abort(conn: &mut Connection, codec: Codec, case: &str) {
    let frame = within(case, conn.reader.recv())
        .await
        .unwrap_or_else(|e| panic!("{case}: read failed: {e}"))
        .unwrap_or_else(|| panic!("{case}: closed without ABORT"));
    match codec.decode(&frame).unwrap() {
        Message::Abort { reason, .. } => {
            assert_eq!(reason.as_str(), errors::PROTOCOL_VIOLATION, "{case}")
        }
        other => panic!("{case}: expected ABORT, got {other:?}"),
    }
    let end = within(case, conn.reader.recv()).await;
    assert!(
        matches!(end, Ok(None) | Err(_)),
        "{case}: the connection must close: {end:?}"
    );
}

/// Bytes that are not valid data of the serializer at all.
fn undecodable(ser: Serializer) -> Vec<u8> {
    match ser {
        Serializer::Json => b"[16, 1, {\"unterminated".to_vec(),
        Serializer::Cbor => vec![0x85, 0x10, 0xff, 0xff],
        Serializer::MsgPack => vec![0x95, 0x10, 0xc1],
    }
}

/// A list nested `depth` levels deep, written directly in the serializer's bytes.
fn nesting_bomb(ser: Serializer, depth: usize) -> Vec<u8> {
    match ser {
        Serializer::Json => {
            let mut v = "[".repeat(depth).into_bytes();
            v.extend(std::iter::repeat_n(b']', depth));
            v
        }
        Serializer::Cbor => {
            let mut v = vec![0x81; depth];
            v.push(0xf6);
            v
        }
        Serializer::MsgPack => {
            let mut v = vec![0x91; depth];
            v.push(0xc0);
            v
        }
    }
}

fn value_list(items: Vec<Value>) -> Value {
    Value::List(items)
}

#[test]
fn malformed_messages_abort_only_their_own_connection() {
    run(async {
        let (node, addrs) = start().await;
        let watcher = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        let mut events = watcher.subscribe("com.example.alive").await.unwrap();
        for via in VIAS {
            for ser in Serializer::ALL {
                let c = codec(ser);
                let cases: Vec<(&str, Vec<u8>)> = vec![
                    ("undecodable bytes", undecodable(ser)),
                    (
                        "a PUBLISH whose request id is a string",
                        c.encode_value(&value_list(vec![
                            16i64.into(),
                            "one".into(),
                            Value::Map(Dict::new()),
                            "com.example.t".into(),
                        ]))
                        .unwrap(),
                    ),
                    (
                        "a SUBSCRIBE whose request id is beyond 2^53",
                        c.encode_value(&value_list(vec![
                            32i64.into(),
                            Value::Int(1 << 60),
                            Value::Map(Dict::new()),
                            "com.example.t".into(),
                        ]))
                        .unwrap(),
                    ),
                    (
                        "an unknown message type",
                        c.encode_value(&value_list(vec![999i64.into()])).unwrap(),
                    ),
                    (
                        "not a list",
                        c.encode_value(&Value::Map(Dict::new())).unwrap(),
                    ),
                    ("a nesting bomb", nesting_bomb(ser, 20_000)),
                ];
                for (case, bytes) in cases {
                    let label = format!("{case} over {via:?} with {ser:?}");
                    let mut conn = connect(&addrs, via, ser).await;
                    join(&mut conn, c).await;
                    send(&mut conn, bytes.clone()).await;
                    expect_abort(&mut conn, c, &label).await;
                    // Before HELLO too.
                    let mut fresh = connect(&addrs, via, ser).await;
                    send(&mut fresh, bytes).await;
                    expect_abort(&mut fresh, c, &format!("{label}, before HELLO")).await;
                }
            }
        }
        // Everyone else was served throughout.
        let publisher = Client::connect(&node.url, "realm1", Serializer::Cbor)
            .await
            .unwrap();
        publisher
            .publish_acknowledged("com.example.alive", None, None)
            .await
            .unwrap();
        within("event after the garbage", events.next())
            .await
            .unwrap();
        assert_eq!(
            node.router.session_count(),
            2,
            "only the two good sessions are left"
        );
        node.stop().await;
    });
}

#[test]
fn random_bytes_and_truncated_handshakes_are_dropped() {
    run(async {
        let (node, addrs) = start().await;
        let noise: Vec<Vec<u8>> = vec![
            vec![0x00, 0xff, 0x13, 0x37, 0x42, 0x99, 0x7f, 0x01],
            vec![0x7f],
            vec![0x7f, 0x21, 0x00],
            b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n".to_vec(),
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec(),
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
                .collect(),
        ];
        for addr in [addrs.ws, addrs.rs, addrs.universal] {
            for bytes in &noise {
                let mut io = crossway_transport::connect_tcp(&addr.to_string())
                    .await
                    .unwrap();
                let _ = io.write_all(bytes).await;
                let _ = io.flush().await;
                let _ = io.close().await;
                // Whatever the node answers (an HTTP error, a RawSocket error, nothing), it
                // closes the connection.
                let mut sink = Vec::new();
                let _ = within("the node closes the connection", io.read_to_end(&mut sink)).await;
            }
        }
        for ser in Serializer::ALL {
            let a = Client::connect(&format!("rs://{}", addrs.rs), "realm1", ser)
                .await
                .unwrap();
            let b = Client::connect(&format!("ws://{}/ws", addrs.universal), "realm1", ser)
                .await
                .unwrap();
            let mut s = a.subscribe("com.example.after").await.unwrap();
            b.publish_acknowledged("com.example.after", None, None)
                .await
                .unwrap();
            within("event after the noise", s.next()).await.unwrap();
        }
        node.stop().await;
    });
}
