//! A universal endpoint: WebSocket and RawSocket on one port, told apart by the first octet.

use futures_util::io::AsyncReadExt;

use crate::connection::Connection;
use crate::error::HandshakeError;
use crate::io::BoxedIo;
use crate::prefixed::Prefixed;
use crate::rawsocket::{self, MAGIC, RawSocketServerConfig};
use crate::request::{Accepted, HttpRoutes};
use crate::websocket::{WsServerConfig, accept_http};

/// Accepts either framing on one stream: a first octet `0x7F` (which no HTTP request starts
/// with) is a RawSocket handshake, handled as [`crate::accept_rawsocket`] with `rs`; anything
/// else is an HTTP request, handled as [`accept_websocket`] with `ws`, with the octet given back
/// to the HTTP reader. [`Connection::framing`] tells which one it was. Works the same on a
/// decrypted TLS stream. Put a timeout around this call.
pub async fn accept_universal(
    io: BoxedIo,
    ws: &WsServerConfig,
    rs: &RawSocketServerConfig,
) -> Result<Connection, HandshakeError> {
    match accept_universal_http(io, ws, rs, &HttpRoutes::new()).await? {
        Accepted::Connection(conn) => Ok(conn),
        Accepted::Request(_) => Err(HandshakeError::Protocol(
            "a request for a route of an empty table".to_owned(),
        )),
    }
}

/// [`accept_universal`], with more HTTP paths: a request for one of `routes` is handed over
/// whole ([`Accepted::Request`]), as [`accept_http`] does. Put a timeout around this call.
pub async fn accept_universal_http(
    mut io: BoxedIo,
    ws: &WsServerConfig,
    rs: &RawSocketServerConfig,
    routes: &HttpRoutes,
) -> Result<Accepted, HandshakeError> {
    let mut first = [0u8; 1];
    if let Err(e) = io.read_exact(&mut first).await {
        return Err(match e.kind() {
            std::io::ErrorKind::UnexpectedEof => HandshakeError::Closed,
            _ => HandshakeError::Io(e),
        });
    }
    if first == [MAGIC] {
        rawsocket::accept_after(io, 1, rs)
            .await
            .map(Accepted::Connection)
    } else {
        accept_http(Box::new(Prefixed::new(&first, io)), ws, routes).await
    }
}
