//! WebSocket handshakes, server and client side, with the WAMP subprotocol negotiation.
//!
//! - `reader`, `writer`: the two halves of an established connection.
//! - `error`: what a tungstenite error on an established connection means.

mod error;
pub(crate) mod reader;
pub(crate) mod writer;

use async_tungstenite::WebSocketStream;
use async_tungstenite::tungstenite::client::IntoClientRequest;
use async_tungstenite::tungstenite::handshake::derive_accept_key;
use async_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use async_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use async_tungstenite::tungstenite::{self, Error as WsError};
use futures_util::io::AsyncWriteExt;

use crate::connection::{Connection, Framing};
use crate::error::HandshakeError;
use crate::forwarding::ForwardingHeaders;
use crate::frame::{FrameReader, FrameWriter};
use crate::http::{Rejection, RequestHead, read_request_head, reject};
use crate::io::BoxedIo;
use crate::request::{Accepted, HttpRequest, HttpRoutes, Target};
use crate::serializer::Serializer;
use crate::websocket::reader::WsReader;
use crate::websocket::writer::WsWriter;

/// Server-side read buffer per connection. tungstenite allocates it eagerly (its default is
/// 128 KiB), so it is most of what an idle WebSocket connection costs. 1 KiB keeps an idle
/// session under 8 KiB in all (measured A/B when it was set: 7.4 KiB, against 10.4 KiB with
/// 4 KiB); the price is more read calls from a busy publisher: about 7% more router CPU per
/// event for one WebSocket publisher to one subscriber (BENCHMARKS.md). A larger message grows
/// the buffer to its size while it arrives.
const SERVER_READ_BUFFER_SIZE: usize = 1024;
/// Client-side read buffer: clients are few and drive benchmarks, so they read more at a time.
const CLIENT_READ_BUFFER_SIZE: usize = 64 * 1024;
/// Frames are gathered up to this many bytes before tungstenite writes them to the stream
/// (a flush always writes everything). The buffer is allocated lazily, as frames are fed.
const WRITE_BUFFER_SIZE: usize = 16 * 1024;

/// The configuration of a WebSocket endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsServerConfig {
    /// The only path upgraded (for instance `/ws`); the query string is ignored.
    pub path: String,
    /// The serializers the endpoint enables; a client's first offered one among them wins.
    pub serializers: Vec<Serializer>,
    /// The largest message and the largest frame accepted, in bytes.
    pub max_message_size: usize,
}

/// Upgrades an accepted stream to a WebSocket connection speaking WAMP.
///
/// Answers with an HTTP error and a plain-text reason, and returns [`HandshakeError::Http`], when
/// the request is for another path (404), not a GET (405), not a WebSocket upgrade (426), or
/// offers no WAMP subprotocol the endpoint enables (400, naming those it does). Offered
/// subprotocols are taken in the client's order, from repeated or comma-separated headers;
/// batched variants (`wamp.2.json.batched`) are skipped. The request's forwarding headers, if
/// any, come with the connection ([`Connection::forwarding`]), unjudged. Put a timeout around
/// this call: it waits for the client's request as long as it takes.
pub async fn accept_websocket(
    io: BoxedIo,
    cfg: &WsServerConfig,
) -> Result<Connection, HandshakeError> {
    match accept_http(io, cfg, &HttpRoutes::new()).await? {
        Accepted::Connection(conn) => Ok(conn),
        // An empty table has no route to hand a request to.
        Accepted::Request(_) => Err(HandshakeError::Protocol(
            "a request for a route of an empty table".to_owned(),
        )),
    }
}

/// [`accept_websocket`], with more paths: a request for one of `routes` is handed over whole
/// ([`Accepted::Request`]) instead of upgraded, for the caller to answer. Put a timeout around
/// this call.
pub async fn accept_http(
    mut io: BoxedIo,
    cfg: &WsServerConfig,
    routes: &HttpRoutes,
) -> Result<Accepted, HandshakeError> {
    let (head, rest) = read_request_head(&mut io).await?;
    match routes.target(&cfg.path, head.path()) {
        Target::Upgrade => {}
        Target::Route(i) => return Ok(Accepted::Request(HttpRequest::new(i, head, rest, io))),
        Target::NotFound => {
            let rejection = Rejection::new(
                StatusCode::NOT_FOUND,
                format!(
                    "nothing at {}: this endpoint serves WAMP over WebSocket at {}",
                    head.path(),
                    cfg.path
                ),
            );
            return Err(reject(&mut io, rejection).await);
        }
    }
    let (key, serializer) = match check_upgrade(&head, cfg) {
        Ok(ok) => ok,
        Err(rejection) => return Err(reject(&mut io, rejection).await),
    };
    let answer = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\nSec-WebSocket-Protocol: {}\r\n\r\n",
        derive_accept_key(key.as_bytes()),
        serializer.subprotocol()
    );
    io.write_all(answer.as_bytes()).await?;
    io.flush().await?;
    let config = ws_config(SERVER_READ_BUFFER_SIZE, cfg.max_message_size);
    let forwarding = ForwardingHeaders::from_request(&head.headers);
    let ws = WebSocketStream::from_partially_read(io, rest, Role::Server, Some(config)).await;
    let mut conn = connection(ws, serializer);
    conn.forwarding = forwarding;
    Ok(Accepted::Connection(conn))
}

/// Reads the head of one plain HTTP request on `io`, for a small server of the node's own
/// (the metrics endpoint): a malformed or oversized head is answered (400, 431) and refused.
/// The request's [`HttpRequest::route`] is 0. Put a timeout around this call.
pub async fn read_http_request(mut io: BoxedIo) -> Result<HttpRequest, HandshakeError> {
    let (head, rest) = read_request_head(&mut io).await?;
    Ok(HttpRequest::new(0, head, rest, io))
}

/// Opens a WebSocket connection over an already connected stream, offering `serializers` in
/// order; the connection uses the one the server picks.
///
/// `url` is `ws://host[:port]/path`: its host and path go into the request, the stream is not
/// re-resolved. Messages over `max_message_size` bytes are refused on receipt.
pub async fn connect_websocket(
    io: BoxedIo,
    url: &str,
    serializers: &[Serializer],
    max_message_size: usize,
) -> Result<Connection, HandshakeError> {
    if serializers.is_empty() {
        return Err(HandshakeError::Protocol(
            "no serializer to offer".to_owned(),
        ));
    }
    let invalid_url = |reason: String| HandshakeError::InvalidUrl {
        url: url.to_owned(),
        reason,
    };
    let mut request = url
        .into_client_request()
        .map_err(|e| invalid_url(e.to_string()))?;
    let offer = serializers
        .iter()
        .map(|s| s.subprotocol())
        .collect::<Vec<_>>()
        .join(", ");
    let offer =
        HeaderValue::from_str(&offer).map_err(|e| HandshakeError::Protocol(e.to_string()))?;
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", offer);

    let config = ws_config(CLIENT_READ_BUFFER_SIZE, max_message_size);
    let (ws, response) = async_tungstenite::client_async_with_config(request, io, Some(config))
        .await
        .map_err(|e| match e {
            WsError::Url(e) => invalid_url(e.to_string()),
            e => client_error(e),
        })?;
    let chosen = response
        .headers()
        .get("Sec-WebSocket-Protocol")
        .and_then(|v| v.to_str().ok())
        .and_then(Serializer::from_subprotocol)
        .filter(|s| serializers.contains(s))
        .ok_or_else(|| {
            HandshakeError::Protocol("the server chose no offered WAMP subprotocol".to_owned())
        })?;
    Ok(connection(ws, chosen))
}

/// An established connection over an upgraded WebSocket.
fn connection(ws: WebSocketStream<BoxedIo>, serializer: Serializer) -> Connection {
    let (tx, rx) = ws.split();
    Connection::new(
        FrameReader::websocket(WsReader::new(rx)),
        FrameWriter::websocket(WsWriter::new(tx, serializer.is_text())),
        serializer,
        Framing::WebSocket,
    )
}

/// The tungstenite configuration of both sides.
fn ws_config(read_buffer_size: usize, max_message_size: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(read_buffer_size)
        .write_buffer_size(WRITE_BUFFER_SIZE)
        .max_message_size(Some(max_message_size))
        .max_frame_size(Some(max_message_size))
        .accept_unmasked_frames(false)
}

/// Checks the request; gives the client's key and the chosen serializer, or the answer to give.
fn check_upgrade(
    head: &RequestHead,
    cfg: &WsServerConfig,
) -> Result<(String, Serializer), Rejection> {
    if head.method != "GET" {
        return Err(Rejection::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "method {} not allowed: a WebSocket upgrade is a GET",
                head.method
            ),
        )
        .with_header("Allow", "GET"));
    }
    if !head.has_token("Upgrade", "websocket") || !head.has_token("Connection", "upgrade") {
        return Err(Rejection::new(
            StatusCode::UPGRADE_REQUIRED,
            "this endpoint speaks WAMP over WebSocket: send a WebSocket upgrade request",
        )
        .with_header("Upgrade", "websocket"));
    }
    if head.minor_version < 1 {
        return Err(Rejection::new(
            StatusCode::BAD_REQUEST,
            "a WebSocket upgrade needs HTTP/1.1",
        ));
    }
    if !head.tokens("Sec-WebSocket-Version").any(|v| v == "13") {
        return Err(Rejection::new(
            StatusCode::UPGRADE_REQUIRED,
            "unsupported WebSocket version: this endpoint speaks version 13",
        )
        .with_header("Sec-WebSocket-Version", "13"));
    }
    let key = head
        .headers
        .get("Sec-WebSocket-Key")
        .and_then(|k| k.to_str().ok())
        .filter(|k| is_valid_key(k))
        .ok_or_else(|| {
            Rejection::new(
                StatusCode::BAD_REQUEST,
                "missing or invalid Sec-WebSocket-Key",
            )
        })?;
    let serializer = choose_serializer(head, &cfg.serializers)?;
    Ok((key.to_owned(), serializer))
}

/// The first subprotocol the client offers that the endpoint enables.
fn choose_serializer(head: &RequestHead, enabled: &[Serializer]) -> Result<Serializer, Rejection> {
    let offered: Vec<&str> = head.tokens("Sec-WebSocket-Protocol").collect();
    if let Some(s) = offered
        .iter()
        .filter_map(|p| Serializer::from_subprotocol(p))
        .find(|s| enabled.contains(s))
    {
        return Ok(s);
    }
    let supported = enabled
        .iter()
        .map(|s| s.subprotocol())
        .collect::<Vec<_>>()
        .join(", ");
    let reason = if offered.is_empty() {
        format!("no WebSocket subprotocol offered; this endpoint supports {supported}")
    } else {
        format!(
            "none of the offered subprotocols ({}) is supported; this endpoint supports {supported}",
            offered.join(", ")
        )
    };
    Err(Rejection::new(StatusCode::BAD_REQUEST, reason))
}

/// Whether `key` is the base64 form of 16 bytes, as RFC 6455 requires.
fn is_valid_key(key: &str) -> bool {
    let b = key.as_bytes();
    let Some((body, pad)) = b.split_at_checked(22) else {
        return false;
    };
    let base64 = |c: &u8| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/';
    // The 22nd character carries only 2 bits: its low 4 bits must be zero.
    let last_ok = matches!(body.last(), Some(b'A' | b'Q' | b'g' | b'w'));
    pad == b"==" && body.iter().all(base64) && last_ok
}

/// Maps a client handshake error.
fn client_error(e: WsError) -> HandshakeError {
    match e {
        WsError::Http(response) => {
            let status = response.status().as_u16();
            let reason = response
                .body()
                .as_deref()
                .map(|b| String::from_utf8_lossy(b).trim().to_owned())
                .filter(|b| !b.is_empty())
                .unwrap_or_else(|| {
                    response
                        .status()
                        .canonical_reason()
                        .unwrap_or("")
                        .to_owned()
                });
            HandshakeError::Http { status, reason }
        }
        // Over TLS 1.3 a server refusing the client's certificate says so here, on the first
        // read after the TLS handshake.
        WsError::Io(e) => crate::tls::handshake_error(e),
        WsError::ConnectionClosed
        | WsError::AlreadyClosed
        | WsError::Protocol(tungstenite::error::ProtocolError::HandshakeIncomplete) => {
            HandshakeError::Closed
        }
        e => HandshakeError::Protocol(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_keys() {
        assert!(is_valid_key("dGhlIHNhbXBsZSBub25jZQ=="));
        assert!(!is_valid_key("dGhlIHNhbXBsZSBub25jZR=="));
        assert!(!is_valid_key("dGhlIHNhbXBsZSBub25jZQ="));
        assert!(!is_valid_key("dGhlIHNhbXBsZSBub25j*Q=="));
        assert!(!is_valid_key(""));
    }
}
