//! The client over wss:// against a scripted router on 127.0.0.1: TLS with a client
//! certificate, the WebSocket upgrade, HELLO and WELCOME; and how TLS problems read.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../../transport/tests/pki/mod.rs"]
mod pki;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use crossway_client::{Client, ClientError, ConnectOptions};
use crossway_protocol::{Codec, Dict, Message, SessionId};
use crossway_transport::rt::{self, JoinHandle, block_on};
use crossway_transport::tls::{
    PeerIdentity, TlsAcceptor, TlsClientSettings, TlsSettings, load_server_config,
};
use crossway_transport::{
    HandshakeError, ListenAddr, Listener, Serializer, WsServerConfig, accept_websocket,
};
use pki::{Ca, Dir};

const STEP: Duration = Duration::from_secs(5);

async fn within<F: Future>(f: F) -> F::Output {
    rt::timeout(STEP, f).await.expect("test step timed out")
}

/// A router on 127.0.0.1:0 with a certificate from `ca`, requiring client certificates from
/// `ca`: it accepts one connection (TLS, upgrade), answers HELLO with WELCOME and gives the
/// client's identity.
async fn router(
    ca: &Ca,
    dir: &Dir,
) -> (
    SocketAddr,
    JoinHandle<Result<Option<PeerIdentity>, HandshakeError>>,
) {
    let leaf = ca.server();
    let mut settings = TlsSettings::new(
        dir.write("server.pem", &leaf.chain_pem),
        dir.write("server.key", &leaf.key_pem),
    );
    settings.ca_certificates = vec![dir.write("ca.pem", &ca.pem)];
    let acceptor = TlsAcceptor::new(load_server_config(&settings).unwrap().config);
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
            max_message_size: 1 << 20,
        };
        let mut conn = accept_websocket(io, &cfg).await?;
        let codec = Codec::from_name(conn.serializer.name()).unwrap();
        let frame = within(conn.reader.recv()).await.unwrap().unwrap();
        assert!(matches!(
            codec.decode(&frame).unwrap(),
            Message::Hello { .. }
        ));
        let welcome = Message::Welcome {
            session: SessionId(7),
            details: Dict::new(),
        };
        conn.writer
            .feed(Bytes::from(codec.encode(&welcome).unwrap()))
            .await
            .unwrap();
        conn.writer.flush().await.unwrap();
        // Wait for the client to go away.
        while let Ok(Some(_)) = within(conn.reader.recv()).await {}
        Ok(peer)
    });
    (addr, task)
}

/// TLS settings trusting `ca`, with a client certificate from `issuer` if given.
fn client_tls(dir: &Dir, ca: &Ca, issuer: Option<&Ca>) -> TlsClientSettings {
    let mut settings = TlsClientSettings::new(vec![dir.write("root.pem", &ca.pem)]);
    if let Some(issuer) = issuer {
        let leaf = issuer.client("device-1");
        settings.client_certificate = Some((
            dir.write("client.pem", &leaf.chain_pem),
            dir.write("client.key", &leaf.key_pem),
        ));
    }
    settings
}

#[test]
fn joins_over_wss_with_a_client_certificate() {
    block_on(async {
        let (ca, dir) = (Ca::root("Test CA"), Dir::new());
        let (addr, router) = router(&ca, &dir).await;
        let opts = ConnectOptions::with_tls(client_tls(&dir, &ca, Some(&ca)));
        let url = format!("wss://localhost:{}/ws", addr.port());
        let client = within(Client::connect_with(
            &url,
            "realm1",
            Serializer::MsgPack,
            opts,
        ))
        .await
        .unwrap();
        assert_eq!(client.session_id(), SessionId(7));
        assert_eq!(client.serializer(), Serializer::MsgPack);
        drop(client);
        let peer = within(router).await.unwrap().unwrap();
        assert_eq!(peer.common_name.as_deref(), Some("device-1"));
    });
}

#[test]
fn wss_needs_tls_settings() {
    block_on(async {
        let e = Client::connect("wss://127.0.0.1:1/ws", "realm1", Serializer::Json)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, ClientError::TlsSettings(m) if m.contains("connect_with")),
            "{e:?}"
        );
        let e = Client::connect_with(
            "wss://127.0.0.1:1/ws",
            "realm1",
            Serializer::Json,
            ConnectOptions::with_tls(TlsClientSettings::new(vec!["/nonexistent/ca.pem".into()])),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&e, ClientError::TlsSettings(m) if m.contains("root_certificates[0]: cannot read /nonexistent/ca.pem")),
            "{e:?}"
        );
    });
}

#[test]
fn refusals_read_as_tls_errors() {
    block_on(async {
        let (ca, dir) = (Ca::root("Test CA"), Dir::new());
        let other = Ca::root("Other CA");
        let (dir1, dir2) = (Dir::new(), Dir::new());

        // The client does not trust the router's CA.
        let (addr, router_task) = router(&ca, &dir).await;
        let url = format!("wss://localhost:{}/ws", addr.port());
        let opts = ConnectOptions::with_tls(client_tls(&dir1, &other, Some(&ca)));
        let e = within(Client::connect_with(&url, "realm1", Serializer::Json, opts))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, ClientError::Handshake(HandshakeError::Tls(r)) if r.contains("UnknownIssuer")),
            "{e:?}"
        );
        within(router_task).await.unwrap_err();

        // The router does not trust the client's certificate: seen at the upgrade (TLS 1.3).
        let (addr, router_task) = router(&ca, &dir).await;
        let url = format!("wss://localhost:{}/ws", addr.port());
        let opts = ConnectOptions::with_tls(client_tls(&dir2, &ca, Some(&other)));
        let e = within(Client::connect_with(&url, "realm1", Serializer::Json, opts))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, ClientError::Handshake(HandshakeError::Tls(r)) if r.contains("alert")),
            "{e:?}"
        );
        let server = within(router_task).await.unwrap_err();
        assert!(server.to_string().contains("UnknownIssuer"), "{server}");
    });
}
