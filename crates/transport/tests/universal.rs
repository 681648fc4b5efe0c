//! A universal endpoint: WebSocket and RawSocket clients on one listener.

#![allow(clippy::unwrap_used)]

mod common;
mod pki;

use bytes::Bytes;
use common::{bind, client, config, raw_http, upgrade_request, within};
use crossway_transport::rt::{self, block_on};
use crossway_transport::{
    Connection, Framing, HandshakeError, RawSocketError, RawSocketServerConfig, Serializer,
    accept_universal, connect_rawsocket, connect_tcp,
};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

/// The RawSocket side of the endpoint: every serializer, 64 KiB.
fn rs_config() -> RawSocketServerConfig {
    RawSocketServerConfig {
        serializers: Serializer::ALL.to_vec(),
        max_message_size: 64 * 1024,
    }
}

/// Binds and accepts `n` connections with `accept_universal`, each in its own task; gives the
/// address and a task giving the results in accept order.
async fn serve(
    n: usize,
    serializers: &[Serializer],
) -> (
    std::net::SocketAddr,
    rt::JoinHandle<Vec<Result<Connection, HandshakeError>>>,
) {
    let (listener, addr) = bind().await;
    let ws = config(serializers);
    let rs = RawSocketServerConfig {
        serializers: serializers.to_vec(),
        ..rs_config()
    };
    let task = rt::spawn(async move {
        let mut handshakes = Vec::new();
        for _ in 0..n {
            let (io, _peer) = listener.accept().await;
            let (ws, rs) = (ws.clone(), rs.clone());
            handshakes.push(rt::spawn(
                async move { accept_universal(io, &ws, &rs).await },
            ));
        }
        let mut out = Vec::new();
        for h in handshakes {
            out.push(h.await);
        }
        out
    });
    (addr, task)
}

#[test]
fn a_websocket_and_a_rawsocket_client_on_the_same_port_at_once() {
    block_on(async {
        let (addr, server) = serve(2, &Serializer::ALL).await;
        let ws_client = rt::spawn(async move { client(addr, "/ws", &[Serializer::Json]).await });
        let rs_client = rt::spawn(async move {
            let io = connect_tcp(&addr.to_string()).await.unwrap();
            connect_rawsocket(io, Serializer::Cbor, 1 << 20).await
        });
        let mut ws = within(ws_client).await.unwrap();
        let mut rs = within(rs_client).await.unwrap();
        assert_eq!(ws.framing, Framing::WebSocket);
        assert_eq!(rs.framing, Framing::RawSocket);

        let mut served = within(server).await;
        assert_eq!(served.len(), 2);
        for conn in &mut served {
            let conn = conn.as_mut().unwrap();
            let (client, ser) = match conn.framing {
                Framing::WebSocket => (&mut ws, Serializer::Json),
                Framing::RawSocket => (&mut rs, Serializer::Cbor),
            };
            assert_eq!(conn.serializer, ser);
            let msg = Bytes::from(format!("[\"{}\"]", conn.framing));
            client.writer.feed(msg.clone()).await.unwrap();
            client.writer.flush().await.unwrap();
            assert_eq!(within(conn.reader.recv()).await.unwrap(), Some(msg.clone()));
            conn.writer.feed(msg.clone()).await.unwrap();
            conn.writer.flush().await.unwrap();
            assert_eq!(within(client.reader.recv()).await.unwrap(), Some(msg));
        }
        let framings: Vec<Framing> = served.iter().map(|c| c.as_ref().unwrap().framing).collect();
        assert!(framings.contains(&Framing::WebSocket) && framings.contains(&Framing::RawSocket));
    });
}

#[test]
fn the_first_octet_of_an_http_request_is_not_lost() {
    block_on(async {
        // A 404 that names the whole path proves the request arrived intact: without its first
        // octet, "ET /elsewhere" would be a malformed request (400).
        let (addr, server) = serve(1, &Serializer::ALL).await;
        let answer = within(raw_http(addr, &upgrade_request("/elsewhere", ""))).await;
        assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
        assert!(answer.contains("nothing at /elsewhere"), "{answer}");
        let results = within(server).await;
        assert!(matches!(
            results[0],
            Err(HandshakeError::Http { status: 404, .. })
        ));

        // And a one-octet first read does not upset the upgrade.
        let (addr, server) = serve(1, &Serializer::ALL).await;
        let mut io = connect_tcp(&addr.to_string()).await.unwrap();
        let request = upgrade_request("/ws", "Sec-WebSocket-Protocol: wamp.2.msgpack\r\n");
        io.write_all(&request.as_bytes()[..1]).await.unwrap();
        io.flush().await.unwrap();
        io.write_all(&request.as_bytes()[1..]).await.unwrap();
        io.flush().await.unwrap();
        let mut head = [0u8; 12];
        within(io.read_exact(&mut head)).await.unwrap();
        assert_eq!(&head, b"HTTP/1.1 101");
        let conn = within(server).await.pop().unwrap().unwrap();
        assert_eq!(conn.serializer, Serializer::MsgPack);
        assert_eq!(conn.framing, Framing::WebSocket);
    });
}

#[test]
fn each_framing_keeps_its_own_checks() {
    block_on(async {
        let (addr, server) = serve(2, &[Serializer::Json]).await;
        let io = connect_tcp(&addr.to_string()).await.unwrap();
        let e = within(connect_rawsocket(io, Serializer::MsgPack, 4096))
            .await
            .unwrap_err();
        assert!(matches!(
            e,
            HandshakeError::RawSocketRefused(RawSocketError::SerializerUnsupported)
        ));
        let e = within(client(addr, "/ws", &[Serializer::Cbor]))
            .await
            .unwrap_err();
        assert!(matches!(e, HandshakeError::Http { status: 400, .. }), "{e}");
        let results = within(server).await;
        assert!(results.iter().all(Result::is_err));
    });
}

#[test]
fn a_client_that_sends_nothing_is_closed_out() {
    block_on(async {
        let (addr, server) = serve(1, &Serializer::ALL).await;
        drop(connect_tcp(&addr.to_string()).await.unwrap());
        let results = within(server).await;
        assert!(matches!(results[0], Err(HandshakeError::Closed)));
    });
}

#[test]
fn both_framings_on_one_tls_port() {
    use crossway_transport::tls::{
        TlsAcceptor, TlsClientSettings, TlsSettings, connect_tls, load_server_config,
    };
    block_on(async {
        let (ca, dir) = (pki::Ca::root("Test CA"), pki::Dir::new());
        let leaf = ca.server();
        let settings = TlsSettings::new(
            dir.write("server.pem", &leaf.chain_pem),
            dir.write("server.key", &leaf.key_pem),
        );
        let acceptor = TlsAcceptor::new(load_server_config(&settings).unwrap().config);
        let (listener, addr) = bind().await;
        let server = rt::spawn(async move {
            let mut out = Vec::new();
            for _ in 0..2 {
                let (io, _) = listener.accept().await;
                let (io, _peer) = acceptor.accept(io).await.unwrap();
                out.push(accept_universal(io, &config(&Serializer::ALL), &rs_config()).await);
            }
            out
        });
        let roots = TlsClientSettings::new(vec![dir.write("root.pem", &ca.pem)]);

        let io = connect_tcp(&addr.to_string()).await.unwrap();
        let io = within(connect_tls(io, "localhost", &roots)).await.unwrap();
        let mut rs = within(connect_rawsocket(io, Serializer::Json, 1 << 16))
            .await
            .unwrap();
        let io = connect_tcp(&addr.to_string()).await.unwrap();
        let io = within(connect_tls(io, "localhost", &roots)).await.unwrap();
        let url = format!("ws://localhost:{}/ws", addr.port());
        let mut ws = within(crossway_transport::connect_websocket(
            io,
            &url,
            &[Serializer::Cbor],
            1 << 16,
        ))
        .await
        .unwrap();

        let mut served = within(server).await;
        let mut s_ws = served.pop().unwrap().unwrap();
        let mut s_rs = served.pop().unwrap().unwrap();
        assert_eq!(s_rs.framing, Framing::RawSocket);
        assert_eq!(s_ws.framing, Framing::WebSocket);
        for (client, server) in [(&mut rs, &mut s_rs), (&mut ws, &mut s_ws)] {
            client
                .writer
                .feed(Bytes::from_static(b"[1]"))
                .await
                .unwrap();
            client.writer.flush().await.unwrap();
            assert_eq!(
                within(server.reader.recv()).await.unwrap().unwrap(),
                &b"[1]"[..]
            );
        }
        // A clean RawSocket close through TLS: close_notify, then the end of the stream.
        s_rs.writer.close().await.unwrap();
        assert_eq!(within(rs.reader.recv()).await.unwrap(), None);
    });
}
