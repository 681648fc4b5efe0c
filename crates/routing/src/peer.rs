//! Where a connection comes from: one value per connection, decided before its session starts.
//!
//! The node sets it once, from the socket (and, behind a trusted proxy, from what the proxy says
//! of its client); logs, authentication throttling, limits and the meta API all read this value.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// The address of a session's client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PeerAddress {
    /// A TCP client: its address and port.
    Tcp(SocketAddr),
    /// A client on a Unix domain socket (which has no address of its own).
    Unix,
    /// Not known (tests and benchmarks that run sessions without a connection).
    #[default]
    Unknown,
}

impl PeerAddress {
    /// The client's IP address, for a TCP client.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            PeerAddress::Tcp(sa) => Some(sa.ip().to_canonical()),
            PeerAddress::Unix | PeerAddress::Unknown => None,
        }
    }

    /// The address as Crossbar.io writes a transport's `peer`: `tcp4:203.0.113.7:51234`,
    /// `tcp6:[::1]:51234`, `unix`.
    pub fn wamp_peer(&self) -> String {
        match self {
            PeerAddress::Tcp(sa) => match sa.ip().to_canonical() {
                IpAddr::V4(ip) => format!("tcp4:{ip}:{}", sa.port()),
                IpAddr::V6(ip) => format!("tcp6:[{ip}]:{}", sa.port()),
            },
            PeerAddress::Unix => "unix".to_owned(),
            PeerAddress::Unknown => "unknown".to_owned(),
        }
    }
}

impl fmt::Display for PeerAddress {
    /// `127.0.0.1:5555`, `[::1]:5555`, `unix` or `unknown`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PeerAddress::Tcp(sa) => sa.fmt(f),
            PeerAddress::Unix => f.write_str("unix"),
            PeerAddress::Unknown => f.write_str("unknown"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_as_logs_and_crossbar_do() {
        let v4 = PeerAddress::Tcp("203.0.113.7:51234".parse().unwrap());
        assert_eq!(v4.to_string(), "203.0.113.7:51234");
        assert_eq!(v4.wamp_peer(), "tcp4:203.0.113.7:51234");
        let v6 = PeerAddress::Tcp("[::1]:80".parse().unwrap());
        assert_eq!(v6.wamp_peer(), "tcp6:[::1]:80");
        let mapped = PeerAddress::Tcp("[::ffff:10.0.0.1]:80".parse().unwrap());
        assert_eq!(mapped.wamp_peer(), "tcp4:10.0.0.1:80");
        assert_eq!(mapped.ip(), Some("10.0.0.1".parse().unwrap()));
        assert_eq!(PeerAddress::Unix.wamp_peer(), "unix");
        assert_eq!(PeerAddress::Unix.ip(), None);
    }
}
