//! WebSocket handshakes and framing over real sockets on 127.0.0.1.

#![allow(clippy::unwrap_used)]

mod common;

use async_tungstenite::tungstenite::Message;
use async_tungstenite::tungstenite::client::IntoClientRequest;
use async_tungstenite::tungstenite::http::HeaderValue;
use async_tungstenite::tungstenite::protocol::frame::Frame;
use async_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use bytes::Bytes;
use common::*;
use crossway_transport::rt::{self, block_on};
use crossway_transport::{
    BoxedIo, CloseReason, HandshakeError, Serializer, TransportError, connect_tcp,
};
use futures_util::StreamExt;

/// A plain tungstenite client offering `protocols`, to see frames as they are on the wire.
async fn raw_ws_client(
    addr: std::net::SocketAddr,
    protocols: &str,
) -> async_tungstenite::WebSocketStream<BoxedIo> {
    let io = connect_tcp(&addr.to_string()).await.unwrap();
    let mut req = format!("ws://{addr}/ws").into_client_request().unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(protocols).unwrap(),
    );
    let (ws, _resp) = async_tungstenite::client_async(req, io).await.unwrap();
    ws
}

#[test]
fn upgrades_with_each_subprotocol_and_carries_messages() {
    block_on(async {
        for ser in Serializer::ALL {
            let (addr, server) = serve_one(config(&Serializer::ALL)).await;
            let mut c = within(client(addr, "/ws", &[ser])).await.unwrap();
            let mut s = within(server).await.unwrap();
            assert_eq!(c.serializer, ser);
            assert_eq!(s.serializer, ser);

            let payload = Bytes::from_static(b"[1,\"realm1\",{}]");
            c.writer.feed(payload.clone()).await.unwrap();
            c.writer.feed(payload.clone()).await.unwrap();
            c.writer.flush().await.unwrap();
            assert_eq!(
                within(s.reader.recv()).await.unwrap(),
                Some(payload.clone())
            );
            assert_eq!(
                within(s.reader.recv()).await.unwrap(),
                Some(payload.clone())
            );

            s.writer.feed(Bytes::from_static(b"[2]")).await.unwrap();
            s.writer.flush().await.unwrap();
            assert_eq!(within(c.reader.recv()).await.unwrap().unwrap(), &b"[2]"[..]);
        }
    });
}

#[test]
fn the_clients_order_decides() {
    block_on(async {
        let cases = [
            (
                &[Serializer::MsgPack, Serializer::Json][..],
                &Serializer::ALL[..],
                Serializer::MsgPack,
            ),
            (
                &[Serializer::Cbor, Serializer::Json][..],
                &[Serializer::Json, Serializer::MsgPack][..],
                Serializer::Json,
            ),
        ];
        for (offered, enabled, expected) in cases {
            let (addr, server) = serve_one(config(enabled)).await;
            let c = within(client(addr, "/ws", offered)).await.unwrap();
            let s = within(server).await.unwrap();
            assert_eq!(c.serializer, expected);
            assert_eq!(s.serializer, expected);
        }
    });
}

#[test]
fn repeated_headers_and_batched_variants() {
    block_on(async {
        let (addr, server) = serve_one(config(&Serializer::ALL)).await;
        let request = upgrade_request(
            "/ws",
            "Sec-WebSocket-Protocol: wamp.2.json.batched, wamp.2.cbor\r\nSec-WebSocket-Protocol: wamp.2.json\r\n",
        );
        let answer = within(raw_http(addr, &request)).await;
        assert!(answer.starts_with("HTTP/1.1 101"), "{answer}");
        assert!(
            answer.contains("Sec-WebSocket-Protocol: wamp.2.cbor\r\n"),
            "{answer}"
        );
        assert_eq!(within(server).await.unwrap().serializer, Serializer::Cbor);
    });
}

#[test]
fn no_matching_subprotocol_is_a_400_naming_the_supported_ones() {
    block_on(async {
        let (addr, server) = serve_one(config(&[Serializer::Json, Serializer::Cbor])).await;
        let err = within(client(addr, "/ws", &[Serializer::MsgPack]))
            .await
            .unwrap_err();
        match err {
            HandshakeError::Http { status, reason } => {
                assert_eq!(status, 400);
                assert!(reason.contains("wamp.2.json, wamp.2.cbor"), "{reason}");
                assert!(reason.contains("wamp.2.msgpack"), "{reason}");
            }
            other => panic!("unexpected {other:?}"),
        }
        let server_err = within(server).await.unwrap_err();
        assert!(
            matches!(server_err, HandshakeError::Http { status: 400, .. }),
            "{server_err:?}"
        );

        let (addr, server) = serve_one(config(&Serializer::ALL)).await;
        let answer = within(raw_http(addr, &upgrade_request("/ws", ""))).await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
        assert!(
            answer.contains("no WebSocket subprotocol offered"),
            "{answer}"
        );
        assert!(
            answer.contains("wamp.2.json, wamp.2.cbor, wamp.2.msgpack"),
            "{answer}"
        );
        within(server).await.unwrap_err();
    });
}

#[test]
fn another_path_is_a_404() {
    block_on(async {
        let (addr, server) = serve_one(config(&Serializer::ALL)).await;
        let err = within(client(addr, "/other", &[Serializer::Json]))
            .await
            .unwrap_err();
        match err {
            HandshakeError::Http { status, reason } => {
                assert_eq!(status, 404);
                assert!(reason.contains("/ws"), "{reason}");
            }
            other => panic!("unexpected {other:?}"),
        }
        within(server).await.unwrap_err();
    });
}

#[test]
fn plain_http_gets_a_426_with_a_reason() {
    block_on(async {
        let (addr, server) = serve_one(config(&Serializer::ALL)).await;
        let answer = within(raw_http(addr, "GET /ws HTTP/1.1\r\nHost: x\r\n\r\n")).await;
        assert!(answer.starts_with("HTTP/1.1 426"), "{answer}");
        assert!(answer.contains("Upgrade: websocket"), "{answer}");
        assert!(answer.contains("WebSocket upgrade request"), "{answer}");
        let err = within(server).await.unwrap_err();
        assert!(
            matches!(err, HandshakeError::Http { status: 426, .. }),
            "{err:?}"
        );

        let (addr, server) = serve_one(config(&Serializer::ALL)).await;
        let answer = within(raw_http(addr, "POST /ws HTTP/1.1\r\nHost: x\r\n\r\n")).await;
        assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");
        within(server).await.unwrap_err();

        let (addr, server) = serve_one(config(&Serializer::ALL)).await;
        let answer = within(raw_http(addr, "\x16\x03\x01garbage\r\n\r\n")).await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
        within(server).await.unwrap_err();
    });
}

#[test]
fn a_message_over_the_limit_is_an_error_and_closes() {
    block_on(async {
        let (addr, server) = serve_one(config(&Serializer::ALL)).await;
        let mut c = within(client(addr, "/ws", &[Serializer::Cbor]))
            .await
            .unwrap();
        let mut s = within(server).await.unwrap();
        c.writer
            .feed(Bytes::from(vec![7u8; 64 * 1024 + 1]))
            .await
            .unwrap();
        c.writer.flush().await.unwrap();
        let err = within(s.reader.recv()).await.unwrap_err();
        assert!(
            matches!(
                err,
                TransportError::TooLarge {
                    size: 65537,
                    max: 65536
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.close_reason(), CloseReason::TooLarge);
        s.writer.close_with(err.close_reason()).await.unwrap();
        drop(s);
        assert_eq!(within(c.reader.recv()).await.unwrap(), None);
    });
}

#[test]
fn json_goes_in_text_frames_the_others_in_binary_frames() {
    block_on(async {
        for (ser, text) in [
            ("wamp.2.json", true),
            ("wamp.2.cbor", false),
            ("wamp.2.msgpack", false),
        ] {
            let (addr, server) = serve_one(config(&Serializer::ALL)).await;
            let mut raw = within(raw_ws_client(addr, ser)).await;
            let mut s = within(server).await.unwrap();
            s.writer.feed(Bytes::from_static(b"[36]")).await.unwrap();
            s.writer.flush().await.unwrap();
            let m = within(raw.next()).await.unwrap().unwrap();
            assert_eq!(m.is_text(), text, "{ser}: {m:?}");
            assert_eq!(m.into_data(), &b"[36]"[..]);

            // Either kind of frame is accepted on receipt.
            raw.send(Message::text("[1]")).await.unwrap();
            raw.send(Message::binary(&b"[2]"[..])).await.unwrap();
            assert_eq!(within(s.reader.recv()).await.unwrap().unwrap(), &b"[1]"[..]);
            assert_eq!(within(s.reader.recv()).await.unwrap().unwrap(), &b"[2]"[..]);
        }
    });
}

#[test]
fn invalid_utf8_is_an_error_not_a_panic() {
    block_on(async {
        let (addr, server) = serve_one(config(&Serializer::ALL)).await;
        let mut raw = within(raw_ws_client(addr, "wamp.2.json")).await;
        let mut s = within(server).await.unwrap();
        let err = s
            .writer
            .feed(Bytes::from_static(&[b'[', 0xff, b']']))
            .await
            .unwrap_err();
        assert!(matches!(err, TransportError::InvalidUtf8), "{err:?}");

        let bad = Frame::message(
            Bytes::from_static(&[0xc3, 0x28]),
            OpCode::Data(Data::Text),
            true,
        );
        raw.send(Message::Frame(bad)).await.unwrap();
        let err = within(s.reader.recv()).await.unwrap_err();
        assert!(matches!(err, TransportError::InvalidUtf8), "{err:?}");
    });
}

#[test]
fn a_ping_is_answered_while_nothing_is_written() {
    block_on(async {
        let (addr, server) = serve_one(config(&Serializer::ALL)).await;
        let mut raw = within(raw_ws_client(addr, "wamp.2.cbor")).await;
        let crossway_transport::Connection {
            mut reader, writer, ..
        } = within(server).await.unwrap();
        // The writer stays idle; only the reader runs.
        let reading = rt::spawn(async move { reader.recv().await });
        raw.send(Message::Ping(Bytes::from_static(b"are you there")))
            .await
            .unwrap();
        let answer = within(raw.next()).await.unwrap().unwrap();
        assert_eq!(answer, Message::Pong(Bytes::from_static(b"are you there")));
        raw.close(None).await.unwrap();
        assert_eq!(within(reading).await.unwrap(), None);
        drop(writer);
    });
}

#[test]
fn a_clean_close_reads_as_none() {
    block_on(async {
        // The client closes.
        let (addr, server) = serve_one(config(&Serializer::ALL)).await;
        let mut c = within(client(addr, "/ws", &[Serializer::Json]))
            .await
            .unwrap();
        let mut s = within(server).await.unwrap();
        c.writer.close().await.unwrap();
        assert_eq!(within(s.reader.recv()).await.unwrap(), None);
        assert_eq!(within(s.reader.recv()).await.unwrap(), None);
        let err = s.writer.feed(Bytes::from_static(b"[]")).await.unwrap_err();
        assert!(matches!(err, TransportError::Closed), "{err:?}");
        s.writer.close().await.unwrap();
        drop(s);
        let started = std::time::Instant::now();
        assert_eq!(within(c.reader.recv()).await.unwrap(), None);
        assert!(started.elapsed() < std::time::Duration::from_millis(500));

        // The server closes.
        let (addr, server) = serve_one(config(&Serializer::ALL)).await;
        let mut c = within(client(addr, "/ws", &[Serializer::MsgPack]))
            .await
            .unwrap();
        let mut s = within(server).await.unwrap();
        s.writer.close_with(CloseReason::GoingAway).await.unwrap();
        let server_side = async move {
            let r = s.reader.recv().await;
            drop(s);
            r
        };
        let (client_end, server_end) =
            within(futures_util::future::join(c.reader.recv(), server_side)).await;
        assert_eq!(client_end.unwrap(), None);
        assert_eq!(server_end.unwrap(), None);
    });
}

#[test]
fn a_dropped_stream_is_a_reset() {
    block_on(async {
        let (addr, server) = serve_one(config(&Serializer::ALL)).await;
        let c = within(client(addr, "/ws", &[Serializer::Json]))
            .await
            .unwrap();
        let mut s = within(server).await.unwrap();
        drop(c);
        let err = within(s.reader.recv()).await.unwrap_err();
        assert!(matches!(err, TransportError::Reset), "{err:?}");
    });
}
