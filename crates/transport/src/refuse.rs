//! Refusing a connection politely when the node is at its connection limit: HTTP 503 for a
//! WebSocket client, the RawSocket error "maximum connection count reached" for a RawSocket
//! client, and on a universal port whichever the first octet asks for.

use async_tungstenite::tungstenite::http::StatusCode;
use futures_util::io::AsyncReadExt;

use crate::http::{Rejection, read_request_head, reject};
use crate::io::BoxedIo;
use crate::prefixed::Prefixed;
use crate::rawsocket::{MAGIC, RawSocketError, refuse_rawsocket};

/// Which handshake the refused peer expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// An HTTP/WebSocket client: answer 503 Service Unavailable.
    WebSocket,
    /// A RawSocket client: answer error 4, maximum connection count reached.
    RawSocket,
    /// Either: the first octet decides, as on a universal port.
    Universal,
}

/// Reads the peer's handshake and refuses it for being over the connection limit, with
/// `reason` in the HTTP body. The caller bounds it with a timeout.
pub async fn refuse_over_limit(mut io: BoxedIo, kind: Refusal, reason: &str) {
    let kind = match kind {
        Refusal::Universal => {
            let mut first = [0u8; 1];
            if io.read_exact(&mut first).await.is_err() {
                return;
            }
            io = Box::new(Prefixed::new(&first, io));
            if first == [MAGIC] {
                Refusal::RawSocket
            } else {
                Refusal::WebSocket
            }
        }
        other => other,
    };
    match kind {
        Refusal::RawSocket => refuse_rawsocket(io, RawSocketError::MaxConnections).await,
        _ => {
            if read_request_head(&mut io).await.is_ok() {
                let rejection = Rejection::new(StatusCode::SERVICE_UNAVAILABLE, reason)
                    .with_header("Retry-After", "1");
                let _ = reject(&mut io, rejection).await;
            }
        }
    }
}
