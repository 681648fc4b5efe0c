//! Helpers shared by the transport's integration tests.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use crossway_transport::rt::{self, JoinHandle};
use crossway_transport::{
    Connection, HandshakeError, ListenAddr, Listener, Serializer, WsServerConfig, accept_websocket,
    connect_tcp, connect_websocket,
};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

/// How long any one step of a test may take.
pub const STEP: Duration = Duration::from_secs(5);

/// Awaits `f`, failing the test after [`STEP`].
pub async fn within<F: Future>(f: F) -> F::Output {
    rt::timeout(STEP, f).await.expect("test step timed out")
}

/// A server config at `/ws` with `serializers` and a 64 KiB message limit.
pub fn config(serializers: &[Serializer]) -> WsServerConfig {
    WsServerConfig {
        path: "/ws".to_owned(),
        serializers: serializers.to_vec(),
        max_message_size: 64 * 1024,
    }
}

/// Binds 127.0.0.1:0.
pub async fn bind() -> (Listener, SocketAddr) {
    let listener = Listener::bind(&"127.0.0.1:0".parse::<ListenAddr>().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

/// Binds 127.0.0.1:0 and accepts one WebSocket connection with `cfg` in a task.
pub async fn serve_one(
    cfg: WsServerConfig,
) -> (SocketAddr, JoinHandle<Result<Connection, HandshakeError>>) {
    let (listener, addr) = bind().await;
    let task = rt::spawn(async move {
        let (io, _peer) = listener.accept().await;
        accept_websocket(io, &cfg).await
    });
    (addr, task)
}

/// Connects a client to `ws://addr/path` offering `serializers`.
pub async fn client(
    addr: SocketAddr,
    path: &str,
    serializers: &[Serializer],
) -> Result<Connection, HandshakeError> {
    let io = connect_tcp(&addr.to_string()).await.unwrap();
    let url = format!("ws://{addr}{path}");
    connect_websocket(io, &url, serializers, 64 * 1024).await
}

/// Sends a raw HTTP request and reads the whole answer (until the server closes, or the end of
/// the head for a 101).
pub async fn raw_http(addr: SocketAddr, request: &str) -> String {
    let mut io = connect_tcp(&addr.to_string()).await.unwrap();
    io.write_all(request.as_bytes()).await.unwrap();
    io.flush().await.unwrap();
    let mut out = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = io.read(&mut chunk).await.unwrap();
        if n == 0 {
            break;
        }
        out.extend_from_slice(&chunk[..n]);
        if out.starts_with(b"HTTP/1.1 101") && out.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    String::from_utf8(out).unwrap()
}

/// A WebSocket upgrade request for `path` with extra header lines (each ending in `\r\n`).
pub fn upgrade_request(path: &str, extra: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{extra}\r\n"
    )
}
