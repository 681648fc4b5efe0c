//! Plain HTTP requests on a WebSocket or universal endpoint: the table of paths an endpoint
//! serves besides its WebSocket upgrade, and a request handed to the node whole (its head, its
//! body read on demand within a bound, one answer, then the connection closes).
//!
//! The transport only routes by path and moves bytes: what a path is for (publishing, later
//! static files or redirects) is the node's business, told apart by the route's index.

use async_tungstenite::tungstenite::http::StatusCode;
use futures_util::io::{AsyncReadExt, AsyncWriteExt};

use crate::connection::Connection;
use crate::forwarding::ForwardingHeaders;
use crate::http::RequestHead;
use crate::io::BoxedIo;

/// The most header lines an answer may carry besides the ones always sent.
const MAX_EXTRA_HEADERS: usize = 8;

/// The paths of an endpoint besides its WebSocket upgrade: a small table, looked up by exact
/// path (the query string is ignored). The upgrade's own path (`WsServerConfig::path`) always
/// wins; a path in neither is answered 404.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpRoutes {
    routes: Vec<HttpRoute>,
}

/// One path of an [`HttpRoutes`] table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRoute {
    /// The exact path, such as `/publish`.
    pub path: String,
}

/// What a request's path leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// The WAMP WebSocket upgrade.
    Upgrade,
    /// The route at this index of the table.
    Route(usize),
    /// Nothing.
    NotFound,
}

/// What an HTTP handshake on a WebSocket or universal endpoint gave.
#[derive(Debug)]
pub enum Accepted {
    /// A WAMP connection (WebSocket or, on a universal endpoint, RawSocket).
    Connection(Connection),
    /// A plain HTTP request for one of the endpoint's [`HttpRoutes`], to be answered once.
    Request(HttpRequest),
}

/// A plain HTTP request for one of an endpoint's routes. Its body is read on demand
/// ([`HttpRequest::read_body`]), within a bound the caller gives; the answer
/// ([`HttpRequest::respond`]) closes the connection. Put a timeout around both.
pub struct HttpRequest {
    /// The index of the route in the endpoint's [`HttpRoutes`].
    pub route: usize,
    head: RequestHead,
    /// Octets read after the head: the start of the body.
    rest: Vec<u8>,
    io: BoxedIo,
}

/// Why a request's body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// The request announces a body larger than the bound.
    #[error("the body of {size} bytes is larger than the limit of {max} bytes")]
    TooLarge {
        /// The announced size.
        size: u64,
        /// The bound.
        max: usize,
    },
    /// The request has no `Content-Length` (or a chunked body, which is not read).
    #[error("the request needs a Content-Length header (chunked bodies are not accepted)")]
    LengthRequired,
    /// The `Content-Length` is not a number.
    #[error("the Content-Length header is not a number")]
    BadLength,
    /// The peer closed the stream before the whole body came.
    #[error("the peer closed the connection before the whole body came")]
    Closed,
    /// The stream failed.
    #[error("I/O error while reading the body")]
    Io(#[source] std::io::Error),
}

impl HttpRoutes {
    /// A table with no route: only the WebSocket upgrade is served.
    pub fn new() -> Self {
        HttpRoutes::default()
    }

    /// Adds `route`; gives its index (the [`HttpRequest::route`] of its requests).
    pub fn add(&mut self, route: HttpRoute) -> usize {
        self.routes.push(route);
        self.routes.len() - 1
    }

    /// Whether the table has no route.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// Where `path` leads, the upgrade being at `upgrade_path`.
    pub(crate) fn target(&self, upgrade_path: &str, path: &str) -> Target {
        if path == upgrade_path {
            return Target::Upgrade;
        }
        match self.routes.iter().position(|r| r.path == path) {
            Some(i) => Target::Route(i),
            None => Target::NotFound,
        }
    }
}

impl HttpRequest {
    /// A request whose head was read, with the octets read after it.
    pub(crate) fn new(route: usize, head: RequestHead, rest: Vec<u8>, io: BoxedIo) -> Self {
        HttpRequest {
            route,
            head,
            rest,
            io,
        }
    }

    /// The method (`POST`, `GET`, ...).
    pub fn method(&self) -> &str {
        &self.head.method
    }

    /// The path, without the query string.
    pub fn path(&self) -> &str {
        self.head.path()
    }

    /// The first value of header `name` (any case), if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The request's forwarding headers, if any, for the node to believe or not.
    pub fn forwarding(&self) -> Option<Box<ForwardingHeaders>> {
        ForwardingHeaders::from_request(&self.head.headers)
    }

    /// Reads the whole body, which must have a `Content-Length` of at most `max` octets (a
    /// larger one is refused before anything more is read). A client that sent `Expect:
    /// 100-continue` is told to go on first.
    pub async fn read_body(&mut self, max: usize) -> Result<Vec<u8>, BodyError> {
        if self.head.headers.contains_key("transfer-encoding") {
            return Err(BodyError::LengthRequired);
        }
        let mut lengths = self.head.headers.get_all("content-length").into_iter();
        let (Some(value), None) = (lengths.next(), lengths.next()) else {
            return Err(BodyError::LengthRequired);
        };
        let size: u64 = value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .ok_or(BodyError::BadLength)?;
        let wanted = match usize::try_from(size) {
            Ok(n) if n <= max => n,
            _ => return Err(BodyError::TooLarge { size, max }),
        };
        let expects_continue = self
            .head
            .headers
            .get("expect")
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        if expects_continue && self.rest.is_empty() && wanted > 0 {
            // curl waits a second for this before it sends a larger body.
            self.io
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .await
                .map_err(BodyError::Io)?;
            self.io.flush().await.map_err(BodyError::Io)?;
        }
        let mut body = std::mem::take(&mut self.rest);
        body.truncate(wanted);
        let have = body.len();
        body.resize(wanted, 0);
        if let Some(missing) = body.get_mut(have..) {
            self.io
                .read_exact(missing)
                .await
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::UnexpectedEof => BodyError::Closed,
                    _ => BodyError::Io(e),
                })?;
        }
        Ok(body)
    }

    /// Answers with `status`, the body `body` of type `content_type` and up to eight more
    /// header lines, then closes the connection.
    pub async fn respond(
        mut self,
        status: u16,
        content_type: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<()> {
        let reason = StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Status");
        let mut out = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        for (name, value) in headers.iter().take(MAX_EXTRA_HEADERS) {
            out.push_str(name);
            out.push_str(": ");
            out.push_str(value);
            out.push_str("\r\n");
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(body);
        self.io.write_all(&bytes).await?;
        self.io.flush().await?;
        self.io.close().await
    }
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("route", &self.route)
            .field("method", &self.head.method)
            .field("target", &self.head.target)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upgrade_path_wins_then_the_table_then_nothing() {
        let mut routes = HttpRoutes::new();
        assert_eq!(
            routes.add(HttpRoute {
                path: "/publish".into()
            }),
            0
        );
        assert_eq!(routes.target("/ws", "/ws"), Target::Upgrade);
        assert_eq!(routes.target("/ws", "/publish"), Target::Route(0));
        assert_eq!(routes.target("/ws", "/other"), Target::NotFound);
    }
}
