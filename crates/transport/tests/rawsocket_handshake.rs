//! RawSocket handshakes over real sockets on 127.0.0.1: success for each serializer, each
//! error reply, and what the client checks.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;
mod rs;

use bytes::Bytes;
use common::{bind, within};
use crossway_transport::rt::{self, block_on};
use crossway_transport::{
    Framing, HandshakeError, RawSocketError, Serializer, connect_rawsocket, refuse_rawsocket,
};
use futures_util::io::AsyncReadExt;
use rs::*;

#[test]
fn handshake_succeeds_for_each_serializer_and_carries_messages() {
    block_on(async {
        for ser in Serializer::ALL {
            let (mut c, mut s) = pair(ser, 64 * 1024, 1 << 20).await;
            assert_eq!((c.serializer, s.serializer), (ser, ser));
            assert_eq!(
                (c.framing, s.framing),
                (Framing::RawSocket, Framing::RawSocket)
            );

            let hello = Bytes::from_static(b"[1,\"realm1\",{}]");
            c.writer.feed(hello.clone()).await.unwrap();
            c.writer.feed(Bytes::new()).await.unwrap();
            c.writer.flush().await.unwrap();
            assert_eq!(within(s.reader.recv()).await.unwrap(), Some(hello));
            assert_eq!(within(s.reader.recv()).await.unwrap(), Some(Bytes::new()));

            s.writer.feed(Bytes::from_static(b"[2]")).await.unwrap();
            s.writer.flush().await.unwrap();
            assert_eq!(within(c.reader.recv()).await.unwrap().unwrap(), &b"[2]"[..]);
        }
    });
}

#[test]
fn the_router_answers_with_the_serializer_and_its_own_length() {
    block_on(async {
        // Every length a client can ask for is accepted; the router announces 2^16 for 64 KiB
        // and 2^15 for 40000 octets (rounded down).
        for (max, announced) in [(64 * 1024, 7u8), (40_000, 6), (100, 0), (1 << 30, 15)] {
            for client_len in 0..=15u8 {
                let (addr, server) = serve_one(rs_config(&Serializer::ALL, max)).await;
                let mut io = raw(addr).await;
                send_raw(&mut io, &[0x7F, client_len << 4 | 2, 0, 0]).await;
                assert_eq!(read_n(&mut io, 4).await, [0x7F, announced << 4 | 2, 0, 0]);
                let conn = within(server).await.unwrap();
                assert_eq!(conn.serializer, Serializer::MsgPack);
            }
        }
    });
}

#[test]
fn an_unsupported_serializer_is_refused_with_error_1() {
    block_on(async {
        for id in [0u8, 3, 4, 5, 15] {
            let (addr, server) = serve_one(rs_config(&[Serializer::Json], 4096)).await;
            let mut io = raw(addr).await;
            send_raw(&mut io, &[0x7F, 0xF0 | id, 0, 0]).await;
            assert_eq!(read_to_end(&mut io).await, [0x7F, 0x10, 0, 0], "id {id}");
            drop(io);
            let e = within(server).await.unwrap_err();
            assert!(matches!(
                e,
                HandshakeError::RawSocketRefused(RawSocketError::SerializerUnsupported)
            ));
        }

        // The client side reads the refusal as such.
        let (addr, server) = serve_one(rs_config(&[Serializer::Json], 4096)).await;
        let io = raw(addr).await;
        let e = within(connect_rawsocket(io, Serializer::Cbor, 1 << 20))
            .await
            .unwrap_err();
        assert!(matches!(
            e,
            HandshakeError::RawSocketRefused(RawSocketError::SerializerUnsupported)
        ));
        assert!(e.to_string().contains("serializer unsupported"), "{e}");
        within(server).await.unwrap_err();
    });
}

#[test]
fn reserved_octets_are_refused_with_error_3() {
    block_on(async {
        for reserved in [[0u8, 1], [0x80, 0], [0xFF, 0xFF]] {
            let (addr, server) = serve_one(rs_config(&Serializer::ALL, 4096)).await;
            let mut io = raw(addr).await;
            send_raw(&mut io, &[0x7F, 0x71, reserved[0], reserved[1]]).await;
            assert_eq!(read_to_end(&mut io).await, [0x7F, 0x30, 0, 0]);
            drop(io);
            let e = within(server).await.unwrap_err();
            assert!(matches!(
                e,
                HandshakeError::RawSocketRefused(RawSocketError::ReservedBits)
            ));
        }
    });
}

#[test]
fn a_wrong_first_octet_closes_without_an_answer() {
    block_on(async {
        for first in [
            b"GET / HTTP/1.1\r\n\r\n".as_slice(),
            &[0x7E, 0x71, 0, 0],
            &[0],
        ] {
            let (addr, server) = serve_one(rs_config(&Serializer::ALL, 4096)).await;
            let mut io = raw(addr).await;
            send_raw(&mut io, first).await;
            let e = within(server).await.unwrap_err();
            assert!(matches!(e, HandshakeError::Protocol(ref m) if m.contains("first octet")));
            let mut buf = [0u8; 16];
            // The end of the stream, or a reset if the server closed with our bytes unread.
            let n = within(io.read(&mut buf)).await.unwrap_or(0);
            assert_eq!(n, 0);
        }
    });
}

#[test]
fn a_client_that_leaves_during_the_handshake_is_an_error() {
    block_on(async {
        let (addr, server) = serve_one(rs_config(&Serializer::ALL, 4096)).await;
        let mut io = raw(addr).await;
        send_raw(&mut io, &[0x7F, 0x71]).await;
        drop(io);
        assert!(matches!(
            within(server).await.unwrap_err(),
            HandshakeError::Closed
        ));
    });
}

#[test]
fn refuse_sends_the_error_code_after_reading_the_handshake() {
    block_on(async {
        let (listener, addr) = bind().await;
        let server = rt::spawn(async move {
            let (io, _) = listener.accept().await;
            refuse_rawsocket(io, RawSocketError::MaxConnections).await;
        });
        let io = raw(addr).await;
        let e = within(connect_rawsocket(io, Serializer::Json, 4096))
            .await
            .unwrap_err();
        assert!(matches!(
            e,
            HandshakeError::RawSocketRefused(RawSocketError::MaxConnections)
        ));
        within(server).await;
    });
}

#[test]
fn the_client_checks_the_routers_reply() {
    block_on(async {
        let cases: [(&[u8], &str); 3] = [
            (&[0x7F, 0x72, 0, 0], "serializer"),
            (&[0x7F, 0x71, 0, 1], "reserved"),
            (b"HTTP", "not a RawSocket"),
        ];
        for (reply, expected) in cases {
            let (listener, addr) = bind().await;
            let reply = reply.to_vec();
            let server = rt::spawn(async move {
                let (mut io, _) = listener.accept().await;
                let _ = read_n(&mut io, 4).await;
                send_raw(&mut io, &reply).await;
                io
            });
            let io = raw(addr).await;
            let e = within(connect_rawsocket(io, Serializer::Json, 4096))
                .await
                .unwrap_err();
            assert!(
                matches!(e, HandshakeError::Protocol(ref m) if m.contains(expected)),
                "{e}"
            );
            drop(within(server).await);
        }
    });
}
