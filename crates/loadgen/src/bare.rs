//! Bare sessions: a connection of the transport (ws, wss, rs, rss or unix), HELLO and WELCOME,
//! and nothing of the client's machinery on top. Idle sessions, lean publishers and
//! subscribers, and the lean caller and callee use them.

use bytes::Bytes;
use crossway_client::{RsUrl, WsUrl};
use crossway_protocol::{Codec, Dict, Message, Uri, Value};
use crossway_transport::{
    BoxedIo, Connection, Serializer, TlsConnector, connect_rawsocket, connect_tcp,
    connect_websocket,
};
use futures_util::FutureExt;
use futures_util::future::{Either, select};

/// The longest message a bare session accepts.
const MAX_MESSAGE: usize = 16 << 20;

/// Connects to `url` and joins `realm`; gives the connection and its codec. `tls` is needed
/// for `wss://` and `rss://`.
pub async fn join(
    url: &str,
    realm: &str,
    serializer: Serializer,
    tls: Option<&TlsConnector>,
) -> Result<(Connection, Codec), String> {
    let mut conn = connect(url, serializer, tls).await?;
    let codec = Codec::from_name(serializer.name()).ok_or("no codec for the serializer")?;
    let hello = Message::Hello {
        realm: Uri::new(realm),
        details: hello_details(),
    };
    send(&mut conn, codec, &hello).await?;
    match recv(&mut conn, codec).await? {
        Message::Welcome { .. } => Ok((conn, codec)),
        Message::Abort { reason, .. } => Err(format!("the router refused the session: {reason}")),
        other => Err(format!("expected WELCOME, got {}", other.name())),
    }
}

/// Encodes `msg`, sends it and flushes.
pub async fn send(conn: &mut Connection, codec: Codec, msg: &Message) -> Result<(), String> {
    let frame = codec.encode(msg).map_err(|e| e.to_string())?;
    conn.writer
        .feed(Bytes::from(frame))
        .await
        .map_err(|e| e.to_string())?;
    conn.writer.flush().await.map_err(|e| e.to_string())
}

/// Receives and decodes the next message.
pub async fn recv(conn: &mut Connection, codec: Codec) -> Result<Message, String> {
    match conn.reader.recv().await {
        Ok(Some(frame)) => codec.decode(&frame).map_err(|e| e.to_string()),
        Ok(None) => Err("the router closed the connection".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// The next frame, or `None` once the session has ended (or failed) or `stop` is closed.
pub async fn recv_unless(
    conn: &mut Connection,
    stop: &async_channel::Receiver<()>,
) -> Result<Option<Bytes>, String> {
    let recv = std::pin::pin!(conn.reader.recv());
    let stopped = std::pin::pin!(stop.recv());
    match select(recv, stopped).await {
        Either::Left((frame, _)) => frame.map_err(|e| e.to_string()),
        Either::Right(_) => Ok(None),
    }
}

/// As [`recv_unless`], but first writes what is queued if no frame has arrived yet: a client
/// answering frames (a callee, a caller keeping its window full) queues its answers while
/// frames keep coming, and writes them in one go when it would otherwise wait.
pub async fn recv_flushing(
    conn: &mut Connection,
    stop: &async_channel::Receiver<()>,
) -> Result<Option<Bytes>, String> {
    // Receiving is cancel-safe: a poll that finds nothing loses nothing.
    if let Some(ready) = conn.reader.recv().now_or_never() {
        return ready.map_err(|e| e.to_string());
    }
    conn.writer.flush().await.map_err(|e| e.to_string())?;
    recv_unless(conn, stop).await
}

/// Opens the transport connection for `url`.
async fn connect(
    url: &str,
    serializer: Serializer,
    tls: Option<&TlsConnector>,
) -> Result<Connection, String> {
    let secure = |on: bool| match (on, tls) {
        (false, _) => Ok(None),
        (true, Some(connector)) => Ok(Some(connector)),
        (true, None) => Err(format!("{url}: TLS needs --tls-ca")),
    };
    if RsUrl::is_rawsocket(url) {
        let io = match RsUrl::parse(url).map_err(|e| e.to_string())? {
            RsUrl::Tcp { host_port, tls } => {
                let connector = secure(tls)?;
                let io = connect_tcp(&host_port).await.map_err(|e| e.to_string())?;
                let host = host_port.rsplit_once(':').map_or("", |(h, _)| h);
                handshake(io, connector, host).await?
            }
            RsUrl::Unix(path) => connect_unix(&path).await?,
        };
        return connect_rawsocket(io, serializer, MAX_MESSAGE)
            .await
            .map_err(|e| e.to_string());
    }
    let target = WsUrl::parse(url).map_err(|e| e.to_string())?;
    let connector = secure(target.tls)?;
    let io = connect_tcp(&target.host_port)
        .await
        .map_err(|e| e.to_string())?;
    let io = handshake(io, connector, target.host()).await?;
    connect_websocket(io, url, &[serializer], MAX_MESSAGE)
        .await
        .map_err(|e| e.to_string())
}

/// The TLS handshake for `host`, if there is a connector.
async fn handshake(
    io: BoxedIo,
    connector: Option<&TlsConnector>,
    host: &str,
) -> Result<BoxedIo, String> {
    match connector {
        Some(c) => Ok(c.connect(io, host).await.map_err(|e| e.to_string())?.io),
        None => Ok(io),
    }
}

/// Connects to a Unix domain socket.
#[cfg(unix)]
async fn connect_unix(path: &std::path::Path) -> Result<BoxedIo, String> {
    crossway_transport::connect_unix(path)
        .await
        .map_err(|e| format!("unix:{}: {e}", path.display()))
}

/// Unix domain sockets exist only on Unix.
#[cfg(not(unix))]
async fn connect_unix(path: &std::path::Path) -> Result<BoxedIo, String> {
    Err(format!(
        "unix:{}: not available on this platform",
        path.display()
    ))
}

/// HELLO details announcing the four client roles.
fn hello_details() -> Dict {
    let mut roles = Dict::new();
    for role in ["publisher", "subscriber", "caller", "callee"] {
        roles.insert(role.to_owned(), Value::Map(Dict::new()));
    }
    let mut details = Dict::new();
    details.insert("roles".to_owned(), Value::Map(roles));
    details
}
