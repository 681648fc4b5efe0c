//! WAMP over WebSocket over TLS on 127.0.0.1: the TLS handshake, then the upgrade, then
//! messages, with mutual TLS; a refused client fails somewhere in the whole exchange.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod pki;
mod tls_harness;

use bytes::Bytes;
use crossway_transport::rt::{self, block_on};
use crossway_transport::tls::{PeerIdentity, TlsAcceptor, TlsConnector};
use crossway_transport::{
    Connection, HandshakeError, ListenAddr, Listener, Serializer, WsServerConfig, accept_websocket,
    connect_tcp, connect_websocket,
};
use pki::Ca;
use tls_harness::{ClientSide, Server, within};

/// Accepts one connection: TLS, then the WebSocket upgrade.
async fn serve_one(
    acceptor: TlsAcceptor,
) -> (
    std::net::SocketAddr,
    rt::JoinHandle<Result<(Connection, Option<PeerIdentity>), HandshakeError>>,
) {
    let listener = Listener::bind(&"127.0.0.1:0".parse::<ListenAddr>().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let task = rt::spawn(async move {
        let (io, _) = listener.accept().await;
        let (io, peer) = acceptor.accept(io).await?;
        let cfg = WsServerConfig {
            path: "/ws".to_owned(),
            serializers: Serializer::ALL.to_vec(),
            max_message_size: 64 * 1024,
        };
        let conn = accept_websocket(io, &cfg).await?;
        Ok((conn, peer))
    });
    (addr, task)
}

/// TLS to `localhost`, then the upgrade to `wss://localhost:port/ws`.
async fn client(
    addr: std::net::SocketAddr,
    side: &ClientSide,
) -> Result<Connection, HandshakeError> {
    let connector = TlsConnector::new(&side.settings).unwrap();
    let io = connect_tcp(&addr.to_string()).await.unwrap();
    let tls = connector.connect(io, "localhost").await?;
    let url = format!("wss://localhost:{}/ws", addr.port());
    connect_websocket(tls.io, &url, &[Serializer::Cbor], 64 * 1024).await
}

#[test]
fn wamp_over_websocket_over_mutual_tls() {
    block_on(async {
        let ca = Ca::root("Test CA");
        let (addr, server) = serve_one(Server::new(&ca, &[&ca]).acceptor()).await;
        let side = ClientSide::new(&ca).with_cert(&ca.client("device-1"));
        let mut c = within(client(addr, &side)).await.unwrap();
        let (mut s, peer) = within(server).await.unwrap();
        assert_eq!(peer.unwrap().common_name.as_deref(), Some("device-1"));
        assert_eq!(
            (c.serializer, s.serializer),
            (Serializer::Cbor, Serializer::Cbor)
        );

        c.writer.feed(Bytes::from_static(b"hello")).await.unwrap();
        c.writer.flush().await.unwrap();
        assert_eq!(
            within(s.reader.recv()).await.unwrap().unwrap(),
            &b"hello"[..]
        );
        s.writer.feed(Bytes::from_static(b"welcome")).await.unwrap();
        s.writer.flush().await.unwrap();
        assert_eq!(
            within(c.reader.recv()).await.unwrap().unwrap(),
            &b"welcome"[..]
        );
    });
}

#[test]
fn a_client_without_a_certificate_fails_at_the_upgrade_under_tls_1_3() {
    block_on(async {
        let ca = Ca::root("Test CA");
        let (addr, server) = serve_one(Server::new(&ca, &[&ca]).acceptor()).await;
        let e = within(client(addr, &ClientSide::new(&ca)))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, HandshakeError::Tls(r) if r.contains("CertificateRequired")),
            "{e:?}"
        );
        let server = within(server).await.unwrap_err();
        assert!(
            matches!(&server, HandshakeError::Tls(r) if r.contains("peer sent no certificates")),
            "{server:?}"
        );
    });
}
