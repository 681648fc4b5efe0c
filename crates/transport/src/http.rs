//! The HTTP/1.1 we need before a WebSocket upgrade: reading a request head, answering with a
//! status and a plain-text reason.
//!
//! We read the head ourselves rather than let tungstenite do it: tungstenite answers nothing at
//! all to a request that is not an upgrade, and operators deserve a status and a reason.

use async_tungstenite::tungstenite::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use futures_util::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::error::HandshakeError;

/// The longest request head we read: more is answered with 431.
pub(crate) const MAX_HEAD_SIZE: usize = 8 * 1024;
/// The most header lines a request may have.
const MAX_HEADERS: usize = 64;
/// How much we read at a time.
const READ_CHUNK: usize = 1024;

/// The start line and headers of an HTTP request.
#[derive(Debug)]
pub(crate) struct RequestHead {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The request target as sent, with any query string.
    pub target: String,
    /// The minor version: 1 for HTTP/1.1, 0 for HTTP/1.0.
    pub minor_version: u8,
    /// The headers (names are case-insensitive).
    pub headers: HeaderMap,
}

/// An HTTP error answer to a request.
#[derive(Debug)]
pub(crate) struct Rejection {
    /// The status code.
    pub status: StatusCode,
    /// The reason, sent as the plain-text body.
    pub reason: String,
    /// Headers to add to the answer.
    pub headers: Vec<(&'static str, String)>,
}

impl RequestHead {
    /// The target without its query string.
    pub fn path(&self) -> &str {
        match self.target.split_once('?') {
            Some((path, _)) => path,
            None => &self.target,
        }
    }

    /// Whether the comma-separated header `name` has `token` among its values (any case).
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.tokens(name).any(|t| t.eq_ignore_ascii_case(token))
    }

    /// Every comma-separated value of every line of header `name`, trimmed, in order.
    pub fn tokens<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .get_all(name)
            .into_iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }
}

impl Rejection {
    /// A rejection with `status` and `reason`.
    pub fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        Rejection {
            status,
            reason: reason.into(),
            headers: Vec::new(),
        }
    }

    /// Adds a header to the answer.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// Reads one request head. Gives the head and the bytes read after it. A head that is malformed
/// or too large is answered (400, 431) before the error is returned.
pub(crate) async fn read_request_head<S>(
    io: &mut S,
) -> Result<(RequestHead, Vec<u8>), HandshakeError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut buf: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    let mut chunk = [0u8; READ_CHUNK];
    loop {
        let n = io.read(&mut chunk).await?;
        if n == 0 {
            return Err(HandshakeError::Closed);
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        match parse_head(&buf) {
            Ok(Some((head, used))) => {
                let rest = buf.split_off(used.min(buf.len()));
                return Ok((head, rest));
            }
            Ok(None) if buf.len() < MAX_HEAD_SIZE => {}
            Ok(None) => {
                let reason = format!("request head larger than {MAX_HEAD_SIZE} bytes");
                let r = Rejection::new(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, reason);
                return Err(reject(io, r).await);
            }
            Err(r) => return Err(reject(io, r).await),
        }
    }
}

/// Answers `rejection` (best effort: a peer that went away is not an error here) and gives the
/// error that describes it.
pub(crate) async fn reject<S>(io: &mut S, rejection: Rejection) -> HandshakeError
where
    S: AsyncWrite + Unpin,
{
    let status = rejection.status;
    let body = format!("{}\n", rejection.reason);
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error"),
        body.len()
    );
    for (name, value) in &rejection.headers {
        out.push_str(name);
        out.push_str(": ");
        out.push_str(value);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&body);
    let written = async {
        io.write_all(out.as_bytes()).await?;
        io.flush().await?;
        io.close().await
    }
    .await;
    if let Err(e) = written {
        tracing::debug!(error = %e, "could not send the HTTP error answer");
    }
    HandshakeError::Http {
        status: status.as_u16(),
        reason: rejection.reason,
    }
}

/// Parses a complete head at the start of `buf`; `Ok(None)` if more bytes are needed.
fn parse_head(buf: &[u8]) -> Result<Option<(RequestHead, usize)>, Rejection> {
    let mut raw_headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut raw_headers);
    let used = match req.parse(buf) {
        Ok(httparse::Status::Complete(used)) => used,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            let reason = format!("more than {MAX_HEADERS} header lines");
            return Err(Rejection::new(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                reason,
            ));
        }
        Err(e) => {
            let reason = format!("malformed HTTP request: {e}");
            return Err(Rejection::new(StatusCode::BAD_REQUEST, reason));
        }
    };
    let bad = |what: &str| {
        Rejection::new(
            StatusCode::BAD_REQUEST,
            format!("malformed HTTP request: {what}"),
        )
    };
    let mut headers = HeaderMap::with_capacity(req.headers.len());
    for h in req.headers.iter() {
        let name = HeaderName::from_bytes(h.name.as_bytes()).map_err(|_| bad("header name"))?;
        let value = HeaderValue::from_bytes(h.value).map_err(|_| bad("header value"))?;
        headers.append(name, value);
    }
    let head = RequestHead {
        method: req.method.unwrap_or_default().to_owned(),
        target: req.path.unwrap_or_default().to_owned(),
        minor_version: req.version.unwrap_or_default(),
        headers,
    };
    Ok(Some((head, used)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_head_and_keeps_the_rest() {
        let raw = b"GET /ws?x=1 HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Protocol: a, b\r\nsec-websocket-protocol: c\r\n\r\nXYZ";
        let (head, used) = parse_head(raw).unwrap().unwrap();
        assert_eq!(head.method, "GET");
        assert_eq!(head.path(), "/ws");
        assert_eq!(head.minor_version, 1);
        assert_eq!(
            head.tokens("Sec-WebSocket-Protocol").collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert_eq!(&raw[used..], b"XYZ");
    }

    #[test]
    fn partial_and_malformed_heads() {
        assert!(
            parse_head(b"GET / HTTP/1.1\r\nHost: a\r\n")
                .unwrap()
                .is_none()
        );
        let r = parse_head(b"GET / HTTP/1.1\r\nBad Header\r\n\r\n").unwrap_err();
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn connection_tokens_are_case_insensitive() {
        let raw = b"GET / HTTP/1.1\r\nConnection: keep-alive, UPGRADE\r\n\r\n";
        let (head, _) = parse_head(raw).unwrap().unwrap();
        assert!(head.has_token("connection", "upgrade"));
        assert!(!head.has_token("upgrade", "websocket"));
    }
}
