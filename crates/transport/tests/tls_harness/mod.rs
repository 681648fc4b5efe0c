//! The TLS test harness: a server's and a client's files and settings, a TLS echo server
//! that reports each handshake, and a client that does the whole exchange.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::net::SocketAddr;

use async_channel::Receiver;
use crossway_transport::rt::{self, timeout};
use crossway_transport::tls::{
    PeerIdentity, TlsAcceptor, TlsClientSettings, TlsConnector, TlsSessionInfo, TlsSettings,
    load_server_config,
};
use crossway_transport::{BoxedIo, ListenAddr, Listener, connect_tcp};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

use crate::pki::{self, Ca, Dir};

/// How long any one step may take.
const STEP: std::time::Duration = std::time::Duration::from_secs(5);

/// Awaits `f`, failing the test after [`STEP`].
pub async fn within<F: std::future::Future>(f: F) -> F::Output {
    timeout(STEP, f).await.expect("test step timed out")
}

/// What the server saw of one connection: the client's identity and the session, or why the
/// handshake failed.
pub type Seen = Result<(Option<PeerIdentity>, TlsSessionInfo), String>;

/// A server's files and settings, written to a temporary folder.
pub struct Server {
    pub dir: Dir,
    pub settings: TlsSettings,
}

impl Server {
    /// A server with a certificate from `ca`, requiring client certificates from `client_cas`
    /// (none: no client certificate requested).
    pub fn new(ca: &Ca, client_cas: &[&Ca]) -> Server {
        let dir = Dir::new();
        let leaf = ca.server();
        let cert = dir.write("server.pem", &leaf.chain_pem);
        let key = dir.write("server.key", &leaf.key_pem);
        let mut settings = TlsSettings::new(cert, key);
        for (i, client_ca) in client_cas.iter().enumerate() {
            let path = dir.write(&format!("client-ca-{i}.pem"), &client_ca.pem);
            settings.ca_certificates.push(path);
        }
        Server { dir, settings }
    }

    pub fn acceptor(&self) -> TlsAcceptor {
        let loaded = load_server_config(&self.settings).unwrap();
        assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
        TlsAcceptor::new(loaded.config)
    }
}

/// A client's files and settings.
pub struct ClientSide {
    pub dir: Dir,
    pub settings: TlsClientSettings,
}

impl ClientSide {
    /// A client trusting `root` and showing no certificate.
    pub fn new(root: &Ca) -> ClientSide {
        let dir = Dir::new();
        let roots = vec![dir.write("root.pem", &root.pem)];
        ClientSide {
            dir,
            settings: TlsClientSettings::new(roots),
        }
    }

    /// Shows `leaf` (its full chain).
    pub fn with_cert(mut self, leaf: &pki::Leaf) -> ClientSide {
        let cert = self.dir.write("client.pem", &leaf.chain_pem);
        let key = self.dir.write("client.key", &leaf.key_pem);
        self.settings.client_certificate = Some((cert, key));
        self
    }

    pub fn ciphers(mut self, names: &[&str]) -> ClientSide {
        let names: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
        self.settings.ciphers = Some(names.into());
        self
    }
}

/// Serves TLS on 127.0.0.1:0: each connection's handshake result goes to the receiver, and an
/// admitted connection echoes what it reads until the client ends it.
pub async fn serve(acceptor: TlsAcceptor) -> (SocketAddr, Receiver<Seen>) {
    let listener = Listener::bind(&"127.0.0.1:0".parse::<ListenAddr>().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = async_channel::bounded(16);
    rt::spawn(async move {
        loop {
            let (io, _) = listener.accept().await;
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            rt::spawn(async move {
                match acceptor.accept_with_info(io).await {
                    Ok(accepted) => {
                        let _ = tx.send(Ok((accepted.peer, accepted.session))).await;
                        echo(accepted.io).await;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e.to_string())).await;
                    }
                }
            });
        }
    });
    (addr, rx)
}

pub async fn echo(mut io: BoxedIo) {
    let mut buf = [0u8; 256];
    loop {
        match io.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if io.write_all(&buf[..n]).await.is_err() || io.flush().await.is_err() {
                    return;
                }
            }
        }
    }
}

/// An open client TLS stream.
pub struct Open {
    pub io: BoxedIo,
    pub session: TlsSessionInfo,
}

/// Connects and completes the handshake, without exchanging data.
pub async fn open(addr: SocketAddr, client: &ClientSide) -> Result<Open, String> {
    let connector = TlsConnector::new(&client.settings).map_err(|e| format!("{e:?}"))?;
    let io = connect_tcp(&addr.to_string()).await.unwrap();
    let connected = within(connector.connect(io, "localhost"))
        .await
        .map_err(|e| e.to_string())?;
    Ok(Open {
        io: connected.io,
        session: connected.session,
    })
}

/// Sends a line and reads it back: under TLS 1.3 a refused client learns it here.
pub async fn ping(io: &mut BoxedIo) -> Result<(), String> {
    io.write_all(b"ping").await.map_err(|e| e.to_string())?;
    io.flush().await.map_err(|e| e.to_string())?;
    let mut back = [0u8; 4];
    within(io.read_exact(&mut back))
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(&back, b"ping");
    Ok(())
}

/// The whole exchange: handshake, then a round trip. Gives the session agreed on.
pub async fn exchange(addr: SocketAddr, client: &ClientSide) -> Result<TlsSessionInfo, String> {
    let mut open = open(addr, client).await?;
    ping(&mut open.io).await?;
    Ok(open.session)
}

/// The server's view of the next connection.
pub async fn seen(rx: &Receiver<Seen>) -> Seen {
    within(rx.recv()).await.unwrap()
}

/// Asserts that the exchange failed and that the server refused it for `reason`.
pub async fn assert_refused(
    addr: SocketAddr,
    rx: &Receiver<Seen>,
    client: &ClientSide,
    reason: &str,
) {
    let result = exchange(addr, client).await;
    assert!(result.is_err(), "the client was admitted");
    let server = seen(rx).await.unwrap_err();
    assert!(
        server.contains(reason),
        "server said {server:?}, expected {reason:?}; client said {result:?}"
    );
}

pub fn sha256_hex(der: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, der)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
