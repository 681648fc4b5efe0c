//! Listening addresses and the listener whose accept never fails.

use std::fmt;
use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
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
/// (`localhost` means the IPv4 loopback address, without asking a resolver), or
/// `unix:/path/to.sock`. Displayed the same way.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ListenAddr {
    /// A TCP address and port (port 0: the system picks one; see [`Listener::local_addr`]).
    Tcp(SocketAddr),
    /// A Unix domain socket at this path, as written (a relative path is relative to the
    /// process's working directory: resolve it first if it should not be).
    Unix(PathBuf),
}

/// How to bind: settings that only some kinds of address use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BindOptions {
    /// The permission bits of a Unix socket file (such as `0o660`); `None` leaves what the
    /// umask gives. Ignored for TCP.
    pub unix_mode: Option<u32>,
}

/// Where an accepted connection comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeerAddr {
    /// A TCP peer's address and port; displayed as `127.0.0.1:5555`.
    Tcp(SocketAddr),
    /// A peer on a Unix domain socket (they have no useful address); displayed as `unix`.
    Unix,
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

/// A bound listening socket. A Unix socket's file is removed when the listener is dropped.
#[derive(Debug)]
pub struct Listener {
    inner: Bound,
}

/// The socket of a [`Listener`].
#[derive(Debug)]
enum Bound {
    Tcp(rt::TcpListener),
    /// The listener, then its file: dropped in that order.
    #[cfg(unix)]
    Unix(rt::UnixListener, crate::unix::SocketFile),
}

impl Listener {
    /// Binds `addr` with default [`BindOptions`].
    pub async fn bind(addr: &ListenAddr) -> std::io::Result<Listener> {
        Listener::bind_with(addr, &BindOptions::default()).await
    }

    /// Binds `addr`. For a Unix socket: a stale socket file at the path (nobody listening) is
    /// replaced, a live one gives [`ErrorKind::AddrInUse`], a path that is not a socket
    /// [`ErrorKind::AlreadyExists`]; `options.unix_mode` is applied to the new file.
    pub async fn bind_with(addr: &ListenAddr, options: &BindOptions) -> std::io::Result<Listener> {
        let inner = match addr {
            ListenAddr::Tcp(sa) => Bound::Tcp(rt::TcpListener::bind(sa).await?),
            #[cfg(unix)]
            ListenAddr::Unix(path) => {
                let (listener, file) = crate::unix::bind(path, options.unix_mode).await?;
                Bound::Unix(listener, file)
            }
            #[cfg(not(unix))]
            ListenAddr::Unix(_) => {
                let _ = options;
                return Err(std::io::Error::new(
                    ErrorKind::Unsupported,
                    "Unix domain sockets are not available on this platform",
                ));
            }
        };
        Ok(Listener { inner })
    }

    /// The TCP address actually bound (with the port the system chose for port 0); an error of
    /// kind [`ErrorKind::Unsupported`] for a Unix socket (see [`Listener::listen_addr`]).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        match &self.inner {
            Bound::Tcp(l) => l.local_addr(),
            #[cfg(unix)]
            Bound::Unix(..) => Err(std::io::Error::new(
                ErrorKind::Unsupported,
                "a Unix socket listener has no IP address",
            )),
        }
    }

    /// The address actually bound, of either kind (with the port the system chose for port 0).
    pub fn listen_addr(&self) -> std::io::Result<ListenAddr> {
        match &self.inner {
            Bound::Tcp(l) => l.local_addr().map(ListenAddr::Tcp),
            #[cfg(unix)]
            Bound::Unix(_, file) => Ok(ListenAddr::Unix(file.path().to_owned())),
        }
    }

    /// Waits for the next connection. Never fails: errors that concern one connection
    /// (reset before accept) are skipped; others (too many open files, out of memory) are logged
    /// and followed by a pause of 10 ms that doubles up to 1 s while they go on.
    ///
    /// Accepted TCP streams have `TCP_NODELAY` set: Crossway batches its writes itself.
    pub async fn accept(&self) -> (BoxedIo, PeerAddr) {
        let mut backoff = ACCEPT_BACKOFF_START;
        loop {
            match self.accept_once().await {
                Ok(accepted) => return accepted,
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

    /// One accept attempt.
    async fn accept_once(&self) -> std::io::Result<(BoxedIo, PeerAddr)> {
        match &self.inner {
            Bound::Tcp(l) => {
                let (stream, peer) = l.accept().await?;
                if let Err(e) = stream.set_nodelay(true) {
                    tracing::debug!(%peer, error = %e, "cannot set TCP_NODELAY");
                }
                Ok((Box::new(rt::ShutdownOnClose(stream)), PeerAddr::Tcp(peer)))
            }
            #[cfg(unix)]
            Bound::Unix(l, _) => {
                let (stream, _) = l.accept().await?;
                Ok((Box::new(rt::ShutdownOnClose(stream)), PeerAddr::Unix))
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
        if let Some(path) = s.strip_prefix("unix:") {
            if path.is_empty() {
                return Err(fail(
                    "expected a path after unix:, such as unix:/run/crossway.sock",
                ));
            }
            return Ok(ListenAddr::Unix(PathBuf::from(path)));
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
            ListenAddr::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

impl fmt::Display for PeerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerAddr::Tcp(sa) => sa.fmt(f),
            PeerAddr::Unix => f.write_str("unix"),
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
        let e = parse("unix:").unwrap_err();
        assert!(e.reason.contains("path"), "{e}");
        assert!(e.to_string().contains("\"unix:\""));
    }

    #[test]
    fn parses_unix_paths() {
        for s in ["unix:/tmp/x.sock", "unix:relative/x.sock", "unix:x"] {
            let addr = parse(s).unwrap();
            assert!(matches!(addr, ListenAddr::Unix(_)), "{s}");
            assert_eq!(addr.to_string(), s);
        }
        assert_eq!(
            parse("unix:/run/a b.sock").unwrap(),
            ListenAddr::Unix(PathBuf::from("/run/a b.sock"))
        );
    }

    #[test]
    fn peer_addrs_display() {
        let tcp = PeerAddr::Tcp("127.0.0.1:5555".parse().unwrap());
        assert_eq!(tcp.to_string(), "127.0.0.1:5555");
        assert_eq!(PeerAddr::Unix.to_string(), "unix");
    }
}
