//! Behind a proxy, over real sockets: PROXY headers (v1 and v2) name the client that the
//! authentication throttle counts; a missing, malformed or untrusted header closes that
//! connection alone.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{TestNode, run, wait_for, within};
use crossway_node::counters::Counters;
use crossway_transport::{
    Connection, HandshakeError, RawSocketError, Serializer, connect_rawsocket, connect_tcp,
};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use serde_json::{Value, json};

const TICKET: &str = "the right ticket";
/// The throttle's first wait in these tests.
const DELAY: Duration = Duration::from_millis(400);

/// A node with four RawSocket endpoints behind a proxy at 127.0.0.1: `v2` (ticket logins,
/// v2 headers only), `any` (either version), `untrusted` (trusts only 10.0.0.0/8) and `full`
/// (v1, one connection at most).
async fn start() -> TestNode {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("node.yaml");
    std::fs::write(
        &path,
        format!(
            "\
realms:
  - name: realm1
limits:
  auth_delay: {delay}
  auth_delay_max: {max}
endpoints:
  - name: v2
    transport: rawsocket
    listen: 127.0.0.1:0
    proxy: {{ trusted: [127.0.0.1/32], protocol: v2 }}
    auth:
      ticket:
        principals:
          alice: {{ ticket: \"{TICKET}\", role: user }}
  - name: any
    transport: rawsocket
    listen: 127.0.0.3:0
    proxy: {{ trusted: [127.0.0.0/8], protocol: any }}
  - name: untrusted
    transport: rawsocket
    listen: 127.0.0.4:0
    proxy: {{ trusted: [10.0.0.0/8], protocol: any }}
  - name: full
    transport: rawsocket
    listen: 127.0.0.5:0
    max_connections: 1
    proxy: {{ trusted: [127.0.0.0/8], protocol: v1 }}
",
            delay = DELAY.as_secs_f64(),
            max = 4.0 * DELAY.as_secs_f64(),
        ),
    )
    .unwrap();
    TestNode::start_with(crossway_node::config::load(&path).unwrap()).await
}

fn addr(node: &TestNode, name: &str) -> SocketAddr {
    node.addrs.iter().find(|(n, _)| n == name).unwrap().1
}

/// A v2 PROXY header naming `client` (IPv4) as connecting to 192.0.2.100:8081.
fn v2(client: SocketAddr) -> Vec<u8> {
    let SocketAddr::V4(c) = client else {
        panic!("IPv4 only")
    };
    let mut h = b"\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c".to_vec();
    h.extend_from_slice(&c.ip().octets());
    h.extend_from_slice(&[192, 0, 2, 100]);
    h.extend_from_slice(&c.port().to_be_bytes());
    h.extend_from_slice(&8081u16.to_be_bytes());
    h
}

/// A v2 LOCAL header (a health check).
fn v2_local() -> Vec<u8> {
    b"\r\n\r\n\0\r\nQUIT\n\x20\x00\x00\x00".to_vec()
}

/// A RawSocket connection that starts with `header`.
async fn proxied(to: SocketAddr, header: &[u8]) -> Connection {
    try_proxied(to, header).await.unwrap()
}

/// [`proxied`], which the node may refuse.
async fn try_proxied(to: SocketAddr, header: &[u8]) -> Result<Connection, HandshakeError> {
    let mut io = connect_tcp(&to.to_string()).await.unwrap();
    io.write_all(header).await.unwrap();
    within(
        "RawSocket handshake",
        connect_rawsocket(io, Serializer::Json, 1 << 20),
    )
    .await
}

async fn send(conn: &mut Connection, msg: Value) {
    conn.writer
        .feed(Bytes::from(msg.to_string()))
        .await
        .unwrap();
    conn.writer.flush().await.unwrap();
}

async fn recv(conn: &mut Connection) -> Value {
    let frame = within("a message", conn.reader.recv())
        .await
        .unwrap()
        .unwrap();
    serde_json::from_slice(&frame).unwrap()
}

/// Logs in as alice with `ticket`; gives whether it joined and how long the verdict took, and
/// drops the connection.
async fn login(to: SocketAddr, header: &[u8], ticket: &str) -> (bool, Duration) {
    let mut conn = proxied(to, header).await;
    send(
        &mut conn,
        json!([1, "realm1", {"roles": {"subscriber": {}}, "authmethods": ["ticket"], "authid": "alice"}]),
    )
    .await;
    assert_eq!(recv(&mut conn).await[0], 4, "CHALLENGE");
    let asked = Instant::now();
    send(&mut conn, json!([5, ticket, {}])).await;
    let answer = recv(&mut conn).await;
    (answer[0] == 2, asked.elapsed())
}

/// Whether the node closes `io` (end of stream or reset) within the test's wait.
async fn closed_by_node(mut io: crossway_transport::BoxedIo) -> bool {
    let mut buf = [0u8; 64];
    loop {
        match within("the node to close the connection", io.read(&mut buf)).await {
            Ok(0) | Err(_) => return true,
            Ok(_) => {}
        }
    }
}

#[test]
fn the_throttle_counts_the_address_the_proxy_names() {
    run(async {
        let node = start().await;
        let to = addr(&node, "v2");
        let guesser = v2("203.0.113.7:40000".parse().unwrap());
        let (joined, first) = login(to, &guesser, "wrong").await;
        assert!(!joined);
        assert!(first < DELAY, "{first:?}");
        let (_, second) = login(to, &guesser, "wrong").await;
        assert!(second >= DELAY, "{second:?}");
        // The same socket address (the proxy's), another client: not slowed.
        let other = v2("198.51.100.9:40001".parse().unwrap());
        let (joined, fast) = login(to, &other, TICKET).await;
        assert!(joined && fast < DELAY, "{fast:?}");
        // The guesser waits even with the right ticket.
        let (joined, held) = login(to, &guesser, TICKET).await;
        assert!(joined && held >= 2 * DELAY, "{held:?}");
        // A LOCAL header (a health check) is the proxy's own connection, counted as 127.0.0.1.
        let (joined, local) = login(to, &v2_local(), TICKET).await;
        assert!(joined && local < DELAY, "{local:?}");
        node.stop().await;
    });
}

#[test]
fn bad_headers_close_their_connection_and_nothing_else() {
    run(async {
        let node = start().await;
        let any = addr(&node, "any");
        // A session that must live through everything below.
        let mut good = proxied(any, b"PROXY TCP4 192.0.2.1 192.0.2.100 5000 8081\r\n").await;
        send(
            &mut good,
            json!([1, "realm1", {"roles": {"subscriber": {}}}]),
        )
        .await;
        assert_eq!(recv(&mut good).await[0], 2, "WELCOME");
        let mut oversized_v1 = b"PROXY UNKNOWN ".to_vec();
        oversized_v1.resize(300, b'a');
        let mut v2_too_long = b"\r\n\r\n\0\r\nQUIT\n\x21\x11\xff\xff".to_vec();
        v2_too_long.resize(400, 0);
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("truncated v1", b"PROXY TCP4 192.0.2.1 1".to_vec()),
            ("oversized v1", oversized_v1),
            ("garbage v1", b"PROXY TCP4 a b c d\r\n\x7f\xf1\0\0".to_vec()),
            (
                "v1 with bare LF",
                b"PROXY TCP4 192.0.2.1 192.0.2.2 1 2\n".to_vec(),
            ),
            (
                "truncated v2",
                b"\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x0c\xc0\x00".to_vec(),
            ),
            (
                "v2 wrong signature",
                b"\r\n\r\n\0\r\nQUIT\x0b\x21\x11\x00\x0c".to_vec(),
            ),
            (
                "v2 too short for its family",
                b"\r\n\r\n\0\r\nQUIT\n\x21\x11\x00\x05\0\0\0\0\0".to_vec(),
            ),
            ("v2 oversized", v2_too_long),
            (
                "v2 unknown family",
                b"\r\n\r\n\0\r\nQUIT\n\x21\x41\x00\x00".to_vec(),
            ),
            (
                "v2 version 1",
                b"\r\n\r\n\0\r\nQUIT\n\x11\x11\x00\x00".to_vec(),
            ),
            ("no header: RawSocket", b"\x7f\xf1\0\0".to_vec()),
            (
                "no header: HTTP",
                b"GET /ws HTTP/1.1\r\nHost: a\r\n\r\n".to_vec(),
            ),
        ];
        for (i, (what, bytes)) in cases.iter().enumerate() {
            let mut io = connect_tcp(&any.to_string()).await.unwrap();
            // The node may close first: what matters is what it does, not the writes.
            let _ = io.write_all(bytes).await;
            // A truncated header ends with the peer's end of stream.
            let _ = io.close().await;
            assert!(closed_by_node(io).await, "{what}");
            let refused =
                || node.counters.sum(|c| Counters::get(&c.proxy_refusals)) == i as u64 + 1;
            assert!(wait_for(refused).await, "{what} was not counted");
        }
        // The good session goes on.
        send(&mut good, json!([32, 1, {}, "com.example.still_here"])).await;
        assert_eq!(recv(&mut good).await[0], 33, "SUBSCRIBED");
        assert_eq!(node.router.session_count(), 1);
        drop(good);
        node.stop().await;
    });
}

#[test]
fn a_header_from_an_untrusted_peer_closes_the_connection() {
    run(async {
        let node = start().await;
        let mut io = connect_tcp(&addr(&node, "untrusted").to_string())
            .await
            .unwrap();
        let mut header = v2("192.0.2.1:1".parse().unwrap());
        header.extend_from_slice(b"\x7f\xf1\0\0");
        let _ = io.write_all(&header).await;
        assert!(closed_by_node(io).await);
        assert!(wait_for(|| node.counters.sum(|c| Counters::get(&c.proxy_refusals)) == 1).await);
        // A v1 header where v2 is required is refused too.
        let mut io = connect_tcp(&addr(&node, "v2").to_string()).await.unwrap();
        let v1 = b"PROXY TCP4 192.0.2.1 192.0.2.100 5000 8081\r\n\x7f\xf1\0\0";
        let _ = io.write_all(v1).await;
        assert!(closed_by_node(io).await);
        assert!(wait_for(|| node.counters.sum(|c| Counters::get(&c.proxy_refusals)) == 2).await);
        assert_eq!(node.router.session_count(), 0);
        node.stop().await;
    });
}

#[test]
fn over_the_limit_the_refusal_comes_after_the_header() {
    run(async {
        let node = start().await;
        let full = addr(&node, "full");
        let header = b"PROXY TCP4 192.0.2.1 192.0.2.100 5000 8081\r\n";
        let first = proxied(full, header).await;
        // The refusal is read as RawSocket error 4, not as a broken handshake: the node took
        // the PROXY header off first.
        let second = try_proxied(full, header).await;
        assert!(
            matches!(
                second,
                Err(HandshakeError::RawSocketRefused(
                    RawSocketError::MaxConnections
                ))
            ),
            "{second:?}"
        );
        assert_eq!(node.counters.sum(Counters::connections_refused), 1);
        drop(first);
        node.stop().await;
    });
}
