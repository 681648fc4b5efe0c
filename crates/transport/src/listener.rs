//! Listening addresses and the listener whose accept never fails.

use std::fmt;
use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use crate::io::BoxedIo;
use crate::rt;

/// The first pause after an accept error; it doubles with each error in a row.
const ACCEPT_BACKOFF_START: Duration = Duration::from_millis(10);
/// The longest pause after accept errors.
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// Where an endpoint listens.
///
/// Parsed from `127.0.0.1:8080`, `0.0.0.0:8080`, `[::1]:8080`, `[::]:8080` or `localhost:8080`
/// (`localhost` means the IPv4 loopback address, without asking a resolver). Displayed the same
/// way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListenAddr {
    /// A TCP address and port (port 0: the system picks one; see [`Listener::local_addr`]).
    Tcp(SocketAddr),
}

/// A listen address that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid listen address {input:?}: {reason}")]
pub struct ListenAddrError {
    /// The text as given.
    pub input: String,
    /// What is wrong with it, and what was expected.
    pub reason: String,
}

/// A bound listening socket.
#[derive(Debug)]
pub struct Listener {
    inner: rt::TcpListener,
}

impl Listener {
    /// Binds `addr`.
    pub async fn bind(addr: &ListenAddr) -> std::io::Result<Listener> {
        match addr {
            ListenAddr::Tcp(sa) => Ok(Listener {
                inner: rt::TcpListener::bind(sa).await?,
            }),
        }
    }

    /// The address actually bound (with the port the system chose for port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Waits for the next connection. Never fails: errors that concern one connection
    /// (reset before accept) are skipped; others (too many open files, out of memory) are logged
    /// and followed by a pause of 10 ms that doubles up to 1 s while they go on.
    ///
    /// Accepted TCP streams have `TCP_NODELAY` set: Crossway batches its writes itself.
    pub async fn accept(&self) -> (BoxedIo, SocketAddr) {
        let mut backoff = ACCEPT_BACKOFF_START;
        loop {
            match self.inner.accept().await {
                Ok((stream, peer)) => {
                    if let Err(e) = stream.set_nodelay(true) {
                        tracing::debug!(%peer, error = %e, "cannot set TCP_NODELAY");
                    }
                    return (Box::new(stream), peer);
                }
                Err(e) if is_per_connection(&e) => {
                    tracing::debug!(error = %e, "connection failed before accept");
                }
                Err(e) => {
                    tracing::warn!(error = %e, pause = ?backoff, "accept failed; pausing");
                    rt::sleep(backoff).await;
                    backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
                }
            }
        }
    }
}

impl FromStr for ListenAddr {
    type Err = ListenAddrError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fail = |reason: &str| ListenAddrError {
            input: s.to_owned(),
            reason: reason.to_owned(),
        };
        if s.starts_with("unix:") {
            return Err(fail("Unix domain sockets are not supported yet"));
        }
        if let Ok(sa) = SocketAddr::from_str(s) {
            return Ok(ListenAddr::Tcp(sa));
        }
        let Some((host, port)) = s.rsplit_once(':') else {
            return Err(fail(
                "expected host:port, such as 127.0.0.1:8080, [::1]:8080 or 0.0.0.0:8080",
            ));
        };
        let port: u16 = port
            .parse()
            .map_err(|_| fail("the port must be a number from 0 to 65535"))?;
        let ip = if host.eq_ignore_ascii_case("localhost") {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else if host.parse::<std::net::Ipv6Addr>().is_ok() {
            return Err(fail(
                "an IPv6 address needs brackets around it, such as [::1]:8080",
            ));
        } else {
            return Err(fail(
                "the host must be an IP address or localhost, such as 127.0.0.1:8080",
            ));
        };
        Ok(ListenAddr::Tcp(SocketAddr::new(ip, port)))
    }
}

impl fmt::Display for ListenAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListenAddr::Tcp(sa) => sa.fmt(f),
        }
    }
}

/// Whether an accept error concerns only the connection being accepted.
fn is_per_connection(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::Interrupted
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<ListenAddr, ListenAddrError> {
        s.parse()
    }

    #[test]
    fn parses_and_displays() {
        for s in ["127.0.0.1:8080", "0.0.0.0:8080", "[::1]:8080", "[::]:0"] {
            assert_eq!(parse(s).unwrap().to_string(), s);
        }
        assert_eq!(
            parse("localhost:9000").unwrap().to_string(),
            "127.0.0.1:9000"
        );
        assert_eq!(parse("LOCALHOST:1").unwrap().to_string(), "127.0.0.1:1");
    }

    #[test]
    fn errors_say_what_was_expected() {
        let e = parse("127.0.0.1").unwrap_err();
        assert!(e.reason.contains("host:port"), "{e}");
        let e = parse("127.0.0.1:http").unwrap_err();
        assert!(e.reason.contains("port"), "{e}");
        let e = parse("127.0.0.1:70000").unwrap_err();
        assert!(e.reason.contains("65535"), "{e}");
        let e = parse("::1:8080").unwrap_err();
        assert!(e.reason.contains("brackets"), "{e}");
        let e = parse("example.com:80").unwrap_err();
        assert!(e.reason.contains("IP address"), "{e}");
        let e = parse("unix:/tmp/x.sock").unwrap_err();
        assert!(e.reason.contains("Unix"), "{e}");
        assert!(e.to_string().contains("\"unix:/tmp/x.sock\""));
    }
}
