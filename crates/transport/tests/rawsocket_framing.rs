//! RawSocket framing over real sockets on 127.0.0.1: PING and PONG, limits, reserved types,
//! long and many messages, closing, cancellation.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;
mod rs;

use bytes::Bytes;
use common::{STEP, within};
use crossway_transport::rt::{self, block_on};
use crossway_transport::{CloseReason, Connection, Serializer, TransportError};
use futures_util::io::AsyncWriteExt;
use rs::*;

#[test]
fn a_ping_is_answered_at_once_while_nothing_else_is_written() {
    block_on(async {
        let (mut io, conn) = raw_pair(4096).await;
        let Connection {
            mut reader, writer, ..
        } = conn;
        let started = reader.last_activity();
        // Only the reader runs; the writer stays idle.
        let reading = rt::spawn(async move {
            let got = reader.recv().await;
            (got, reader)
        });
        send_raw(&mut io, &frame(1, b"hello")).await;
        assert_eq!(read_n(&mut io, 9).await, frame(2, b"hello"));
        // An empty PING and a long one too.
        send_raw(&mut io, &frame(1, b"")).await;
        assert_eq!(read_n(&mut io, 4).await, frame(2, b""));
        let long = vec![7u8; 3000];
        send_raw(&mut io, &frame(1, &long)).await;
        assert_eq!(read_n(&mut io, 3004).await, frame(2, &long));

        send_raw(&mut io, &frame(0, b"[1]")).await;
        let (got, reader) = within(reading).await;
        assert_eq!(got.unwrap().unwrap(), &b"[1]"[..]);
        assert!(reader.last_activity() > started);
        drop(writer);
    });
}

#[test]
fn a_pong_is_counted_and_otherwise_ignored() {
    block_on(async {
        let (mut io, mut conn) = raw_pair(4096).await;
        let mut wire = frame(2, b"unsolicited");
        wire.extend(frame(0, b"[1]"));
        send_raw(&mut io, &wire).await;
        assert_eq!(
            within(conn.reader.recv()).await.unwrap().unwrap(),
            &b"[1]"[..]
        );
        assert_eq!(conn.reader.pongs_received(), 1);
    });
}

#[test]
fn our_ping_is_answered_by_the_other_side() {
    block_on(async {
        let (mut c, mut s) = pair(Serializer::Cbor, 4096, 4096).await;
        c.writer
            .ping(Bytes::from_static(b"are you there"))
            .await
            .unwrap();
        c.writer.feed(Bytes::from_static(b"after")).await.unwrap();
        c.writer.flush().await.unwrap();
        // The server's reader answers the PING before it gives the message that follows it.
        assert_eq!(
            within(s.reader.recv()).await.unwrap().unwrap(),
            &b"after"[..]
        );
        s.writer.feed(Bytes::from_static(b"reply")).await.unwrap();
        s.writer.flush().await.unwrap();
        assert_eq!(
            within(c.reader.recv()).await.unwrap().unwrap(),
            &b"reply"[..]
        );
        assert_eq!(c.reader.pongs_received(), 1);
        assert_eq!(s.reader.pongs_received(), 0);
    });
}

/// Sends `wire` to a fresh server connection with limit `max` and gives the reader's result,
/// checking that the reader stays done afterwards and the stream can be closed.
async fn recv_after(max: usize, wire: &[u8]) -> Result<Option<Bytes>, TransportError> {
    let (mut io, mut conn) = raw_pair(max).await;
    send_raw(&mut io, wire).await;
    let got = within(conn.reader.recv()).await;
    if let Err(e) = &got {
        assert_eq!(within(conn.reader.recv()).await.unwrap(), None);
        within(conn.writer.close_with(e.close_reason()))
            .await
            .unwrap();
        assert!(read_to_end(&mut io).await.is_empty());
    }
    got
}

#[test]
fn a_frame_longer_than_negotiated_fails_the_connection() {
    block_on(async {
        let e = recv_after(1024, &[0, 0, 4, 1]).await.unwrap_err();
        assert!(matches!(
            e,
            TransportError::TooLarge {
                size: 1025,
                max: 1024
            }
        ));
        assert_eq!(e.close_reason(), CloseReason::TooLarge);
        // A PING is bound by the same limit.
        let e = recv_after(1024, &[1, 0, 4, 1]).await.unwrap_err();
        assert!(matches!(e, TransportError::TooLarge { size: 1025, .. }));
        // 2^24 with the X bit.
        let e = recv_after(1024, &[0x08, 0, 0, 0]).await.unwrap_err();
        assert!(matches!(
            e,
            TransportError::TooLarge {
                size: 16_777_216,
                ..
            }
        ));
    });
}

#[test]
fn reserved_frame_types_and_bits_fail_the_connection() {
    block_on(async {
        for first in [3u8, 4, 7, 0x10, 0x80, 0x09] {
            let e = recv_after(1024, &[first, 0, 0, 1, b'x']).await.unwrap_err();
            assert!(matches!(e, TransportError::Protocol(_)), "{first}: {e}");
            assert_eq!(e.close_reason(), CloseReason::Protocol);
        }
    });
}

#[test]
fn a_message_of_exactly_the_negotiated_length_passes_and_one_more_fails() {
    block_on(async {
        // 1500 is announced as 1024.
        let (mut c, mut s) = pair(Serializer::Json, 1500, 1 << 20).await;
        let max = Bytes::from(vec![b'a'; 1024]);
        c.writer.feed(max.clone()).await.unwrap();
        c.writer.flush().await.unwrap();
        assert_eq!(within(s.reader.recv()).await.unwrap(), Some(max));
        // The client's writer refuses one more, without sending anything.
        let e = c
            .writer
            .feed(Bytes::from(vec![b'a'; 1025]))
            .await
            .unwrap_err();
        assert!(matches!(
            e,
            TransportError::TooLarge {
                size: 1025,
                max: 1024
            }
        ));

        // Sent anyway, by a raw client: the server refuses it.
        let mut wire = frame(0, &[b'b'; 1024]);
        wire.extend(frame(0, &[b'b'; 1025]));
        let (mut io, mut conn) = raw_pair(1024).await;
        send_raw(&mut io, &wire).await;
        assert_eq!(
            within(conn.reader.recv()).await.unwrap().unwrap().len(),
            1024
        );
        assert!(matches!(
            within(conn.reader.recv()).await.unwrap_err(),
            TransportError::TooLarge { size: 1025, .. }
        ));
    });
}

#[test]
fn the_clients_length_bounds_what_the_router_sends() {
    block_on(async {
        let (mut c, mut s) = pair(Serializer::MsgPack, 1 << 20, 600).await;
        // The client announced 512 (600 rounded down).
        let e = s
            .writer
            .feed(Bytes::from(vec![1u8; 513]))
            .await
            .unwrap_err();
        assert!(matches!(
            e,
            TransportError::TooLarge {
                size: 513,
                max: 512
            }
        ));
        assert_eq!(e.close_reason(), CloseReason::TooLarge);
        s.writer.feed(Bytes::from(vec![2u8; 512])).await.unwrap();
        s.writer.flush().await.unwrap();
        assert_eq!(within(c.reader.recv()).await.unwrap().unwrap().len(), 512);
    });
}

#[test]
fn long_messages_and_many_small_ones_arrive_intact_and_in_order() {
    block_on(async {
        let (mut c, mut s) = pair(Serializer::Cbor, 1 << 24, 1 << 24).await;
        let long: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let sizes = [0usize, 1, 4091, 4092, 4093, 5000, 70_000, 1 << 24];
        let writing = rt::spawn(async move {
            for (i, n) in sizes.into_iter().enumerate() {
                let msg: Vec<u8> = (0..n).map(|j| ((i + j) % 256) as u8).collect();
                c.writer.feed(Bytes::from(msg)).await.unwrap();
            }
            for i in 0..2000u32 {
                c.writer
                    .feed(Bytes::from(format!("[36,{i},1,{{}}]")))
                    .await
                    .unwrap();
            }
            c.writer.feed(Bytes::from(long)).await.unwrap();
            c.writer.flush().await.unwrap();
            c
        });
        for (i, n) in sizes.into_iter().enumerate() {
            let got = rt::timeout(STEP * 4, s.reader.recv()).await.unwrap();
            let got = got.unwrap().unwrap();
            assert_eq!(got.len(), n);
            assert!(
                got.iter()
                    .enumerate()
                    .all(|(j, b)| *b == ((i + j) % 256) as u8)
            );
        }
        for i in 0..2000u32 {
            let got = within(s.reader.recv()).await.unwrap().unwrap();
            assert_eq!(got, format!("[36,{i},1,{{}}]").as_bytes());
        }
        let got = within(s.reader.recv()).await.unwrap().unwrap();
        assert_eq!(got.len(), 300_000);
        assert!(got.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8));
        let _c = within(writing).await;
    });
}

#[test]
fn closing_ends_the_peers_stream_cleanly() {
    block_on(async {
        let (mut c, mut s) = pair(Serializer::Json, 4096, 4096).await;
        s.writer.feed(Bytes::from_static(b"last")).await.unwrap();
        s.writer.close().await.unwrap();
        assert_eq!(
            within(c.reader.recv()).await.unwrap().unwrap(),
            &b"last"[..]
        );
        assert_eq!(within(c.reader.recv()).await.unwrap(), None);
        // Closing twice is fine; writing after closing is not.
        s.writer.close().await.unwrap();
        assert!(matches!(
            s.writer.feed(Bytes::from_static(b"x")).await,
            Err(TransportError::Closed)
        ));
        c.writer.close().await.unwrap();
        assert_eq!(within(s.reader.recv()).await.unwrap(), None);
    });
}

#[test]
fn a_stream_that_ends_inside_a_frame_is_a_reset() {
    block_on(async {
        for wire in [
            &[0u8, 0][..],
            &[0, 0, 0, 10, b'a', b'b'],
            &[0, 0, 0x20, 0, 1, 2],
        ] {
            let (mut io, mut conn) = raw_pair(1 << 20).await;
            send_raw(&mut io, wire).await;
            io.close().await.unwrap();
            assert!(matches!(
                within(conn.reader.recv()).await,
                Err(TransportError::Reset)
            ));
        }
    });
}

#[test]
fn a_cancelled_recv_loses_nothing() {
    block_on(async {
        let (mut io, mut conn) = raw_pair(1 << 20).await;
        let long = vec![9u8; 100_000];
        let wire = frame(0, &long);
        // Half a long frame, then a recv that is given up.
        send_raw(&mut io, &wire[..50_000]).await;
        let r = rt::timeout(std::time::Duration::from_millis(50), conn.reader.recv()).await;
        assert!(r.is_err());
        send_raw(&mut io, &wire[50_000..]).await;
        assert_eq!(within(conn.reader.recv()).await.unwrap().unwrap(), long);
    });
}
