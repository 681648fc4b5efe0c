//! Limits over real sockets: message size, connection counts, handshake and HELLO deadlines,
//! keep-alive, and a stalled subscriber among healthy ones under a flood.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{TestNode, raw_ws, run, wait_for, within, ws_config};
use crossway_client::{Client, ClientError};
use crossway_node::config::TransportKind;
use crossway_node::counters::Counters;
use crossway_protocol::{Codec, Dict, Message, RequestId, Uri, Value};
use crossway_transport::rawsocket::RawSocketError;
use crossway_transport::{HandshakeError, Serializer};
use futures_util::AsyncReadExt;

#[test]
fn an_oversized_message_closes_only_its_connection() {
    run(async {
        let node = TestNode::start_with(ws_config(2048)).await;
        let big = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        let other = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        let mut sub = other.subscribe("com.example.size").await.unwrap();
        let blob = Value::Str("x".repeat(4096));
        let result = big
            .publish_acknowledged("com.example.size", Some(vec![blob]), None)
            .await;
        assert!(
            result.is_err(),
            "an oversized publish must fail: {result:?}"
        );
        within("oversized connection closed", big.closed()).await;
        assert!(big.is_closed());
        let small = Client::connect(&node.url, "realm1", Serializer::Cbor)
            .await
            .unwrap();
        small
            .publish_acknowledged("com.example.size", Some(vec!["fits".into()]), None)
            .await
            .unwrap();
        let ev = within("event", sub.next()).await.unwrap();
        assert_eq!(ev.args, Some(vec!["fits".into()]));
        node.stop().await;
    });
}

#[test]
fn connections_over_the_endpoint_limit_are_refused_in_their_framing() {
    run(async {
        let mut config = ws_config(1 << 20);
        config.endpoints[0].max_connections = Some(2);
        let mut rs = common::endpoint("rs");
        rs.transport = TransportKind::RawSocket;
        rs.max_connections = Some(1);
        config.endpoints.push(rs);
        let node = TestNode::start_with(config).await;
        let rs_url = format!("rs://{}", node.addrs[1].1);

        let a = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        let b = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        match Client::connect(&node.url, "realm1", Serializer::Json).await {
            Err(ClientError::Handshake(HandshakeError::Http { status, .. })) => {
                assert_eq!(status, 503)
            }
            other => panic!("expected HTTP 503, got {:?}", other.map(|_| ())),
        }
        let r = Client::connect(&rs_url, "realm1", Serializer::Json)
            .await
            .unwrap();
        match Client::connect(&rs_url, "realm1", Serializer::Json).await {
            Err(ClientError::Handshake(HandshakeError::RawSocketRefused(e))) => {
                assert_eq!(e, RawSocketError::MaxConnections)
            }
            other => panic!("expected RawSocket error 4, got {:?}", other.map(|_| ())),
        }
        assert_eq!(node.counters.sum(Counters::connections_refused), 2);
        // A place freed is a place taken again.
        a.leave().await.unwrap();
        let mut again = None;
        for _ in 0..100 {
            if let Ok(c) = Client::connect(&node.url, "realm1", Serializer::Json).await {
                again = Some(c);
                break;
            }
            async_std::task::sleep(Duration::from_millis(20)).await;
        }
        assert!(again.is_some(), "a freed place is admitted again");
        drop((b, r));
        node.stop().await;
    });
}

#[test]
fn the_node_limit_covers_every_endpoint() {
    run(async {
        let mut config = ws_config(1 << 20);
        config.limits.max_connections = 1;
        config.endpoints.push(common::endpoint("second"));
        let node = TestNode::start_with(config).await;
        let second = format!("ws://{}/ws", node.addrs[1].1);
        let _a = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        assert!(
            Client::connect(&second, "realm1", Serializer::Json)
                .await
                .is_err()
        );
        node.stop().await;
    });
}

#[test]
fn a_silent_connection_is_closed_at_the_handshake_deadline() {
    run(async {
        let mut config = ws_config(1 << 20);
        config.limits.handshake_timeout = Duration::from_millis(200);
        let node = TestNode::start_with(config).await;
        let mut io = crossway_transport::connect_tcp(&node.addr.to_string())
            .await
            .unwrap();
        let mut buf = [0u8; 16];
        let n = within("the node closes the silent connection", io.read(&mut buf)).await;
        assert!(matches!(n, Ok(0) | Err(_)), "closed without a reply: {n:?}");
        assert!(
            wait_for(|| node.counters.sum(|c| Counters::get(&c.handshake_timeouts)) >= 1).await
        );
        node.stop().await;
    });
}

#[test]
fn a_connection_without_hello_is_closed_at_the_hello_deadline() {
    run(async {
        let mut config = ws_config(1 << 20);
        config.limits.hello_timeout = Duration::from_millis(200);
        let node = TestNode::start_with(config).await;
        let mut conn = raw_ws(node.addr, Serializer::Json).await;
        let end = within("the node closes the connection", conn.reader.recv()).await;
        assert!(matches!(end, Ok(None) | Err(_)), "{end:?}");
        node.stop().await;
    });
}

#[test]
fn keepalive_closes_a_peer_that_never_answers_and_spares_one_that_does() {
    run(async {
        let mut config = ws_config(1 << 20);
        config.limits.keepalive_interval = Some(Duration::from_millis(200));
        config.limits.keepalive_timeout = Duration::from_millis(1000);
        let node = TestNode::start_with(config).await;
        // A live client: its driver reads all the time, so it answers every ping.
        let live = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        // A dead one: joined, then never reads again (tungstenite answers pings only while reading).
        let mut dead = raw_ws(node.addr, Serializer::Json).await;
        let hello = hello("realm1");
        dead.writer
            .feed(Bytes::from(Codec::Json.encode(&hello).unwrap()))
            .await
            .unwrap();
        dead.writer.flush().await.unwrap();
        let welcome = within("welcome", dead.reader.recv())
            .await
            .unwrap()
            .unwrap();
        assert!(matches!(
            Codec::Json.decode(&welcome).unwrap(),
            Message::Welcome { .. }
        ));
        let closed =
            wait_for(|| node.counters.sum(|c| Counters::get(&c.keepalive_timeouts)) >= 1).await;
        assert!(closed, "the silent peer is closed");
        // The live client has been pinged several times by now and is still there.
        live.publish_acknowledged("com.example.alive", None, None)
            .await
            .unwrap();
        assert_eq!(
            node.counters.sum(|c| Counters::get(&c.keepalive_timeouts)),
            1
        );
        node.stop().await;
    });
}

#[test]
fn a_stalled_subscriber_is_closed_and_the_healthy_ones_get_every_event() {
    run(async {
        let mut config = ws_config(1 << 20);
        config.limits.outbox_messages = 1024;
        config.limits.outbox_bytes = 1 << 20;
        let node = TestNode::start_with(config).await;
        // The stalled subscriber: joins and subscribes over WebSocket, then never reads again.
        let mut stalled = raw_ws(node.addr, Serializer::MsgPack).await;
        for msg in [hello("realm1"), subscribe(2, "com.example.flood")] {
            stalled
                .writer
                .feed(Bytes::from(Codec::MsgPack.encode(&msg).unwrap()))
                .await
                .unwrap();
        }
        stalled.writer.flush().await.unwrap();
        within("welcome", stalled.reader.recv())
            .await
            .unwrap()
            .unwrap();
        within("subscribed", stalled.reader.recv())
            .await
            .unwrap()
            .unwrap();

        let mut healthy = Vec::new();
        for ser in [Serializer::Json, Serializer::Cbor] {
            let c = Client::connect(&node.url, "realm1", ser).await.unwrap();
            let s = c.subscribe("com.example.flood").await.unwrap();
            healthy.push((c, s));
        }
        let publisher = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        const EVENTS: usize = 5000;
        let blob = Value::Str("x".repeat(2048));
        let mut received = vec![0usize; healthy.len()];
        for i in 0..EVENTS {
            let args = Some(vec![Value::Int(i as i64), blob.clone()]);
            publisher
                .publish("com.example.flood", args, None)
                .await
                .unwrap();
            // Healthy subscribers read as fast as they can; the publisher never runs more than
            // 50 events (100 KiB) ahead of them, so only the stalled one falls behind.
            for (n, (_, s)) in received.iter_mut().zip(healthy.iter_mut()) {
                while s.try_next().is_some() {
                    *n += 1;
                }
                while i + 1 - *n > 50 {
                    within("a healthy subscriber's event", s.next())
                        .await
                        .unwrap();
                    *n += 1;
                }
            }
        }
        publisher
            .publish_acknowledged("com.example.flood", None, None)
            .await
            .unwrap();
        for (n, (_, s)) in received.iter_mut().zip(healthy.iter_mut()) {
            while *n < EVENTS + 1 {
                within("every event for a healthy subscriber", s.next())
                    .await
                    .unwrap();
                *n += 1;
            }
        }
        assert!(
            wait_for(|| node.counters.sum(|c| Counters::get(&c.slow_consumers)) == 1).await,
            "the stalled subscriber is closed as a slow consumer"
        );
        assert!(
            wait_for(|| node.router.session_count() == 3).await,
            "the stalled session is gone; the healthy subscribers and the publisher remain"
        );
        node.stop().await;
    });
}

fn hello(realm: &str) -> Message {
    let mut roles = Dict::new();
    roles.insert("subscriber".into(), Value::Map(Dict::new()));
    roles.insert("publisher".into(), Value::Map(Dict::new()));
    let mut details = Dict::new();
    details.insert("roles".into(), Value::Map(roles));
    Message::Hello {
        realm: Uri::new(realm),
        details,
    }
}

fn subscribe(request: u64, topic: &str) -> Message {
    Message::Subscribe {
        request: RequestId(request),
        options: Dict::new(),
        topic: Uri::new(topic),
    }
}
