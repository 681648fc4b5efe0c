//! Bare sessions: the client crate's connect path (ws, wss, rs, rss or unix; HELLO and
//! WELCOME) and nothing of the client's machinery on top. Idle sessions, lean publishers and
//! subscribers, and the lean caller and callee use them.

use bytes::Bytes;
use crossway_client::ConnectOptions;
use crossway_protocol::{Codec, Message};
use crossway_transport::{Connection, Serializer};
use futures_util::FutureExt;
use futures_util::future::{Either, select};

/// Connects to `url` and joins `realm` by the client's own connect path
/// ([`crossway_client::join`]: URL, TLS from `connect`, Unix sockets, handshake, HELLO);
/// gives the connection and its codec.
pub async fn join(
    url: &str,
    realm: &str,
    serializer: Serializer,
    connect: &ConnectOptions,
) -> Result<(Connection, Codec), String> {
    // Boxed: the handshakes make a large future, too large for a task's stack in debug builds.
    let joined = Box::pin(crossway_client::join(url, realm, serializer, connect))
        .await
        .map_err(|e| e.to_string())?;
    Ok((joined.conn, joined.codec))
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
