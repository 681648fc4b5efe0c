//! The client over rs://, rss:// and unix: against a scripted RawSocket router: the handshake,
//! HELLO and WELCOME, a subscription, PING and PONG, GOODBYE.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../../transport/tests/pki/mod.rs"]
mod pki;

use std::future::Future;

use bytes::Bytes;
use crossway_client::{Client, ClientError, ConnectOptions};
use crossway_protocol::{
    Codec, Dict, Message, Payload, PublicationId, SessionId, SubscriptionId, Value, errors,
};
use crossway_transport::rt::{self, JoinHandle, block_on};
use crossway_transport::tls::{TlsAcceptor, TlsClientSettings, TlsSettings, load_server_config};
use crossway_transport::{
    BoxedIo, Framing, HandshakeError, ListenAddr, Listener, RawSocketError, RawSocketServerConfig,
    Serializer, accept_rawsocket,
};

mod common;

use common::{Peer, within};

/// What a router needs: where it listens, what lies between accept and RawSocket.
type Upgrade = Box<dyn FnOnce(BoxedIo) -> futures_util::future::BoxFuture<'static, BoxedIo> + Send>;

/// Accepts one connection on `listener`, passes it through `upgrade` (TLS, or nothing), does the
/// RawSocket handshake with `serializers` and runs `script`.
fn serve<F, Fut>(
    listener: Listener,
    serializers: &[Serializer],
    upgrade: Upgrade,
    script: F,
) -> JoinHandle<()>
where
    F: FnOnce(Peer) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let cfg = RawSocketServerConfig {
        serializers: serializers.to_vec(),
        max_message_size: 1 << 20,
    };
    rt::spawn(async move {
        let (io, _) = listener.accept().await;
        let io = upgrade(io).await;
        let conn = match accept_rawsocket(io, &cfg).await {
            Ok(conn) => conn,
            Err(HandshakeError::RawSocketRefused(_)) => return,
            Err(e) => panic!("handshake: {e}"),
        };
        assert_eq!(conn.framing, Framing::RawSocket);
        let codec = Codec::from_name(conn.serializer.name()).unwrap();
        script(Peer { conn, codec }).await;
    })
}

fn plain() -> Upgrade {
    Box::new(|io| Box::pin(async move { io }))
}

async fn tcp_listener() -> (Listener, String) {
    let listener = Listener::bind(&"127.0.0.1:0".parse::<ListenAddr>().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, format!("rs://{addr}"))
}

/// A session: WELCOME, a subscription with an event after a PING, an acknowledged publication
/// (by which time the client's PONG has arrived), GOODBYE.
async fn session_script(mut p: Peer) {
    p.welcome().await;
    let Message::Subscribe { request, .. } = p.recv().await else {
        panic!("expected SUBSCRIBE")
    };
    p.send(&[Message::Subscribed {
        request,
        subscription: SubscriptionId(5),
    }])
    .await;
    p.conn
        .writer
        .ping(Bytes::from_static(b"still there?"))
        .await
        .unwrap();
    p.send(&[Message::Event {
        subscription: SubscriptionId(5),
        publication: PublicationId(77),
        details: Dict::new(),
        payload: Payload::new(Some(vec![Value::Bytes(vec![0, 255])]), None),
    }])
    .await;
    let Message::Publish { request, .. } = p.recv().await else {
        panic!("expected PUBLISH")
    };
    assert_eq!(p.conn.reader.pongs_received(), 1);
    p.send(&[Message::Published {
        request,
        publication: PublicationId(99),
    }])
    .await;
    let Message::Goodbye { .. } = p.recv().await else {
        panic!("expected GOODBYE")
    };
    p.send(&[Message::goodbye(errors::GOODBYE_AND_OUT)]).await;
    p.conn.writer.close().await.unwrap();
    assert_eq!(within(p.conn.reader.recv()).await.unwrap(), None);
}

/// The client side of [`session_script`].
async fn run_session(client: Client) {
    let mut sub = client.subscribe("com.topic").await.unwrap();
    let event = within(sub.next()).await.unwrap();
    assert_eq!(event.args, Some(vec![Value::Bytes(vec![0, 255])]));
    let id = client
        .publish_acknowledged("com.topic", None, None)
        .await
        .unwrap();
    assert_eq!(id, PublicationId(99));
    within(client.leave()).await.unwrap();
}

#[test]
fn a_whole_session_over_rs() {
    block_on(async {
        for ser in Serializer::ALL {
            let (listener, url) = tcp_listener().await;
            let router = serve(listener, &Serializer::ALL, plain(), session_script);
            let client = within(Client::connect(&url, "realm1", ser)).await.unwrap();
            assert_eq!(client.session_id(), SessionId(42));
            assert_eq!(client.serializer(), ser);
            run_session(client).await;
            within(router).await;
        }
    });
}

#[cfg(unix)]
#[test]
fn a_whole_session_over_a_unix_socket() {
    block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("router.sock");
        let addr: ListenAddr = format!("unix:{}", path.display()).parse().unwrap();
        let listener = Listener::bind(&addr).await.unwrap();
        let router = serve(listener, &Serializer::ALL, plain(), session_script);
        let url = format!("unix:{}", path.display());
        let client = within(Client::connect(&url, "realm1", Serializer::Cbor))
            .await
            .unwrap();
        run_session(client).await;
        within(router).await;
    });
}

#[test]
fn a_dropped_client_ends_the_stream_at_once() {
    block_on(async {
        let (listener, url) = tcp_listener().await;
        let router = serve(listener, &Serializer::ALL, plain(), |mut p| async move {
            p.welcome().await;
            // No GOODBYE: the client just goes, and the stream ends.
            assert_eq!(within(p.conn.reader.recv()).await.unwrap(), None);
        });
        let client = within(Client::connect(&url, "realm1", Serializer::Json))
            .await
            .unwrap();
        drop(client);
        within(router).await;
    });
}

#[test]
fn a_refusing_router_reads_as_a_handshake_error() {
    block_on(async {
        let (listener, url) = tcp_listener().await;
        let router = serve(listener, &[Serializer::Json], plain(), |_| async {});
        let e = within(Client::connect(&url, "realm1", Serializer::MsgPack))
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                ClientError::Handshake(HandshakeError::RawSocketRefused(
                    RawSocketError::SerializerUnsupported
                ))
            ),
            "{e}"
        );
        within(router).await;
    });
}

#[test]
fn connection_errors_name_the_target() {
    block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nobody.sock");
        let url = format!("unix:{}", path.display());
        let e = within(Client::connect(&url, "realm1", Serializer::Json))
            .await
            .unwrap_err();
        assert!(
            matches!(e, ClientError::Connect { ref addr, .. } if addr == &url),
            "{e}"
        );
        let e = within(Client::connect(
            "rs://127.0.0.1",
            "realm1",
            Serializer::Json,
        ))
        .await
        .unwrap_err();
        assert!(matches!(e, ClientError::InvalidUrl { .. }), "{e}");
    });
}

#[test]
fn a_whole_session_over_rss() {
    block_on(async {
        let (ca, dir) = (pki::Ca::root("Test CA"), pki::Dir::new());
        let leaf = ca.server();
        let settings = TlsSettings::new(
            dir.write("server.pem", &leaf.chain_pem),
            dir.write("server.key", &leaf.key_pem),
        );
        let acceptor = TlsAcceptor::new(load_server_config(&settings).unwrap().config);
        let upgrade: Upgrade =
            Box::new(move |io| Box::pin(async move { acceptor.accept(io).await.unwrap().0 }));
        let (listener, url) = tcp_listener().await;
        let url = url.replace("rs://127.0.0.1", "rss://localhost");
        let router = serve(listener, &Serializer::ALL, upgrade, session_script);
        let tls = TlsClientSettings::new(vec![dir.write("root.pem", &ca.pem)]);
        let opts = ConnectOptions::with_tls(tls);
        let client = within(Client::connect_with(&url, "realm1", Serializer::Json, opts))
            .await
            .unwrap();
        run_session(client).await;
        within(router).await;
    });
}

#[test]
fn rss_needs_tls_settings() {
    block_on(async {
        let e = within(Client::connect(
            "rss://localhost:1",
            "realm1",
            Serializer::Json,
        ))
        .await
        .unwrap_err();
        assert!(
            matches!(e, ClientError::TlsSettings(ref m) if m.contains("rss://")),
            "{e}"
        );
    });
}
