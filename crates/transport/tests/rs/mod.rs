//! Helpers shared by the RawSocket integration tests: servers, pairs of connections, raw
//! clients that write octets as they are on the wire.

#![allow(dead_code, clippy::unwrap_used, clippy::indexing_slicing)]

use std::net::SocketAddr;

use crossway_transport::rt::{self, JoinHandle};
use crossway_transport::{
    BoxedIo, Connection, HandshakeError, RawSocketServerConfig, Serializer, accept_rawsocket,
    connect_rawsocket, connect_tcp,
};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{bind, within};

/// A server config enabling `serializers` with a limit of `max` octets.
pub fn rs_config(serializers: &[Serializer], max: usize) -> RawSocketServerConfig {
    RawSocketServerConfig {
        serializers: serializers.to_vec(),
        max_message_size: max,
    }
}

/// Binds 127.0.0.1:0 and accepts one RawSocket connection with `cfg` in a task.
pub async fn serve_one(
    cfg: RawSocketServerConfig,
) -> (SocketAddr, JoinHandle<Result<Connection, HandshakeError>>) {
    let (listener, addr) = bind().await;
    let task = rt::spawn(async move {
        let (io, _peer) = listener.accept().await;
        accept_rawsocket(io, &cfg).await
    });
    (addr, task)
}

/// A client and a server connection with the given limits (server announces `server_max`, the
/// client `client_max`), speaking `ser`.
pub async fn pair(
    ser: Serializer,
    server_max: usize,
    client_max: usize,
) -> (Connection, Connection) {
    let (addr, server) = serve_one(rs_config(&Serializer::ALL, server_max)).await;
    let io = connect_tcp(&addr.to_string()).await.unwrap();
    let c = within(connect_rawsocket(io, ser, client_max))
        .await
        .unwrap();
    let s = within(server).await.unwrap();
    (c, s)
}

/// A raw TCP stream to `addr`.
pub async fn raw(addr: SocketAddr) -> BoxedIo {
    connect_tcp(&addr.to_string()).await.unwrap()
}

/// Writes `bytes` and flushes.
pub async fn send_raw(io: &mut BoxedIo, bytes: &[u8]) {
    io.write_all(bytes).await.unwrap();
    io.flush().await.unwrap();
}

/// Reads exactly `n` octets.
pub async fn read_n(io: &mut BoxedIo, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    within(io.read_exact(&mut buf)).await.unwrap();
    buf
}

/// Reads until the end of the stream; gives what came before it.
pub async fn read_to_end(io: &mut BoxedIo) -> Vec<u8> {
    let mut out = Vec::new();
    within(io.read_to_end(&mut out)).await.unwrap();
    out
}

/// A frame: header of `kind` and the payload.
pub fn frame(kind: u8, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).unwrap().to_be_bytes();
    let mut f = vec![kind, len[1], len[2], len[3]];
    f.extend_from_slice(payload);
    f
}

/// A server connection accepted from a raw client that has done its handshake
/// (asking for JSON, accepting 2^24).
pub async fn raw_pair(server_max: usize) -> (BoxedIo, Connection) {
    let (addr, server) = serve_one(rs_config(&Serializer::ALL, server_max)).await;
    let mut io = raw(addr).await;
    send_raw(&mut io, &[0x7F, 0xF1, 0, 0]).await;
    let reply = read_n(&mut io, 4).await;
    assert_eq!(reply[1] & 0x0F, 1);
    (io, within(server).await.unwrap())
}
