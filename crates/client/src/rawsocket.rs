//! RawSocket routers: the `rs://host:port`, `rss://host:port` (over TLS) and
//! `unix:/path/to.sock` URLs, and opening their connections.

use std::path::PathBuf;

use crossway_transport::{Connection, Serializer, connect_rawsocket};

use crate::error::ClientError;
use crate::options::{ConnectOptions, MAX_MESSAGE_SIZE};
use crate::tcp;

/// A parsed RawSocket URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RsUrl {
    /// `rs://host:port`, or `rss://host:port` over TLS.
    Tcp {
        /// `host:port` to connect to (`[::1]:8080` for IPv6).
        host_port: String,
        /// Whether the connection runs over TLS (`rss://`).
        tls: bool,
    },
    /// `unix:/path/to.sock`: a Unix domain socket (a relative path is relative to the working
    /// directory).
    Unix(PathBuf),
}

impl RsUrl {
    /// Parses `rs://host:port`, `rss://host:port` or `unix:PATH`. The port is required: RawSocket
    /// has no standard one. Nothing may follow it but a `/`.
    pub fn parse(url: &str) -> Result<RsUrl, ClientError> {
        let fail = |reason: &str| ClientError::InvalidUrl {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        if let Some(path) = strip_prefix_ignore_case(url, "unix:") {
            if path.is_empty() {
                return Err(fail(
                    "expected a path after unix:, such as unix:/run/crossway.sock",
                ));
            }
            return Ok(RsUrl::Unix(PathBuf::from(path)));
        }
        let (tls, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "rs://") {
            (false, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(url, "rss://") {
            (true, rest)
        } else {
            return Err(fail(
                "expected rs://host:port, rss://host:port or unix:/path/to.sock",
            ));
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#']) {
            return Err(fail("a RawSocket URL has no path: rs://host:port"));
        }
        if authority.contains('@') {
            return Err(fail("user information in the URL is not supported"));
        }
        let Some((host, port)) = authority.rsplit_once(':') else {
            return Err(fail("the port is missing: rs://host:port"));
        };
        if host.is_empty() {
            return Err(fail("the host is missing"));
        }
        let bracketed = host.starts_with('[') && host.ends_with(']') && host.len() > 2;
        if host.contains([':', '[', ']']) && !bracketed {
            return Err(fail("IPv6 addresses need brackets: rs://[::1]:8080"));
        }
        if port.parse::<u16>().is_err() {
            return Err(fail("the port must be a number from 0 to 65535"));
        }
        Ok(RsUrl::Tcp {
            host_port: authority.to_owned(),
            tls,
        })
    }

    /// Whether `url` names a RawSocket router (`rs://`, `rss://` or `unix:`), so that
    /// [`RsUrl::parse`], not the WebSocket parser, should read it.
    pub fn is_rawsocket(url: &str) -> bool {
        ["rs://", "rss://", "unix:"]
            .iter()
            .any(|scheme| strip_prefix_ignore_case(url, scheme).is_some())
    }

    /// The host alone, for TCP URLs (`[::1]` keeps its brackets): the name a TLS server
    /// certificate must carry.
    pub fn host(&self) -> Option<&str> {
        match self {
            RsUrl::Tcp { host_port, .. } => host_port.rsplit_once(':').map(|(host, _)| host),
            RsUrl::Unix(_) => None,
        }
    }
}

/// Connects to the RawSocket router at `url` and does the RawSocket handshake, asking for
/// `serializer` and announcing [`MAX_MESSAGE_SIZE`] (2^24 octets). `rss://` takes its TLS
/// settings from `opts`.
pub(crate) async fn connect(
    url: &str,
    serializer: Serializer,
    opts: &ConnectOptions,
) -> Result<Connection, ClientError> {
    let target = RsUrl::parse(url)?;
    let io = match &target {
        RsUrl::Tcp { host_port, tls } => {
            let tls_host = match (*tls, target.host()) {
                (false, _) => None,
                (true, Some(host)) => Some(host),
                // Never connect in the clear when TLS was asked for.
                (true, None) => {
                    return Err(ClientError::InvalidUrl {
                        url: url.to_owned(),
                        reason: "no host name to check the certificate against".to_owned(),
                    });
                }
            };
            tcp::connect(host_port, tls_host, opts).await?
        }
        RsUrl::Unix(path) => connect_unix(path).await?,
    };
    Ok(connect_rawsocket(io, serializer, MAX_MESSAGE_SIZE).await?)
}

/// Connects to a Unix domain socket.
#[cfg(unix)]
async fn connect_unix(path: &std::path::Path) -> Result<crossway_transport::BoxedIo, ClientError> {
    crossway_transport::connect_unix(path)
        .await
        .map_err(|source| ClientError::Connect {
            addr: format!("unix:{}", path.display()),
            source,
        })
}

/// Unix domain sockets exist only on Unix.
#[cfg(not(unix))]
async fn connect_unix(path: &std::path::Path) -> Result<crossway_transport::BoxedIo, ClientError> {
    Err(ClientError::InvalidUrl {
        url: format!("unix:{}", path.display()),
        reason: "Unix domain sockets are not available on this platform".to_owned(),
    })
}

/// `s` without `prefix`, compared without regard to ASCII case.
fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(url: &str) -> (String, bool) {
        match RsUrl::parse(url).unwrap() {
            RsUrl::Tcp { host_port, tls } => (host_port, tls),
            other => panic!("{url}: {other:?}"),
        }
    }

    fn reason(url: &str) -> String {
        match RsUrl::parse(url) {
            Err(ClientError::InvalidUrl { reason, .. }) => reason,
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn parses_tcp_urls() {
        assert_eq!(tcp("rs://127.0.0.1:8080"), ("127.0.0.1:8080".into(), false));
        assert_eq!(
            tcp("rs://localhost:9000/"),
            ("localhost:9000".into(), false)
        );
        assert_eq!(
            tcp("RSS://example.com:443"),
            ("example.com:443".into(), true)
        );
        assert_eq!(tcp("rss://[::1]:8443"), ("[::1]:8443".into(), true));
        let url = RsUrl::parse("rss://[::1]:8443").unwrap();
        assert_eq!(url.host(), Some("[::1]"));
        assert_eq!(RsUrl::parse("rs://h:1").unwrap().host(), Some("h"));
    }

    #[test]
    fn parses_unix_urls() {
        assert_eq!(
            RsUrl::parse("unix:/run/crossway.sock").unwrap(),
            RsUrl::Unix("/run/crossway.sock".into())
        );
        assert_eq!(
            RsUrl::parse("unix:node.sock").unwrap(),
            RsUrl::Unix("node.sock".into())
        );
        assert_eq!(RsUrl::parse("unix:/a").unwrap().host(), None);
    }

    #[test]
    fn rejects_what_it_cannot_use() {
        assert!(reason("unix:").contains("path"));
        assert!(reason("rs://127.0.0.1").contains("port"));
        assert!(reason("rs://127.0.0.1:x").contains("port"));
        assert!(reason("rs://h:70000").contains("65535"));
        assert!(reason("rs://:8080").contains("host"));
        assert!(reason("rs://h:1/ws").contains("no path"));
        assert!(reason("rs://::1:8080").contains("brackets"));
        assert!(reason("rs://u@h:1").contains("user"));
        assert!(reason("ws://h:1/ws").contains("rs://"));
    }

    #[test]
    fn tells_rawsocket_urls_from_websocket_ones() {
        for url in ["rs://h:1", "RSS://h:1", "unix:/x.sock", "UNIX:x"] {
            assert!(RsUrl::is_rawsocket(url), "{url}");
        }
        for url in ["ws://h/ws", "wss://h/ws", "http://h", "r", ""] {
            assert!(!RsUrl::is_rawsocket(url), "{url}");
        }
    }
}
