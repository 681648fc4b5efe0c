//! The PROXY protocol (versions 1 and 2, as HAProxy defines it): the header a load balancer
//! sends before the client's bytes, naming the client it speaks for.
//!
//! Bytes in, a parsed header out: [`parse_proxy_header`] looks at the octets read so far and
//! says either how many more belong to the header for certain, or what the header says, so that
//! a reader never takes an octet beyond the header (the TLS, WebSocket or RawSocket handshake
//! follows it). [`read_proxy_header`] is that reader over any stream. Whether the peer may send
//! a header at all (whom to trust) is the caller's decision.
//!
//! - `v1`: the text line, `PROXY TCP4|TCP6|UNKNOWN ...\r\n`, at most 107 octets.
//! - `v2`: the binary header: a 12-octet signature, version and command, family, length,
//!   addresses, then TLVs (skipped, but for the one saying whether the client used TLS).
//! - `read`: [`read_proxy_header`].

mod read;
mod v1;
mod v2;

use std::fmt;
use std::net::SocketAddr;

pub use read::read_proxy_header;

/// The first octets of a version 2 header.
pub const V2_SIGNATURE: [u8; 12] = *b"\r\n\r\n\0\r\nQUIT\n";
/// The longest version 1 line, CRLF included.
pub const V1_MAX_LEN: usize = 107;
/// The most octets a version 2 header may carry after its 16 fixed ones (addresses and TLVs).
/// HAProxy's TLVs (ALPN, authority, unique id, TLS details) fit easily; more is refused.
pub const V2_MAX_PAYLOAD: usize = 2048;
/// Octets read before the version is known (after the first one alone): no more than the
/// shortest header of either version has (a v1 `PROXY UNKNOWN\r\n` is 15, a v2 header at
/// least 16), so none is read too many.
const PREFIX_LEN: usize = 12;

/// Which versions an endpoint accepts (`proxy.protocol: v1 | v2 | any`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProxyVersions {
    /// The text header only.
    V1,
    /// The binary header only.
    V2,
    /// Either.
    Any,
}

/// A version of the PROXY protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProxyVersion {
    /// The text header.
    V1,
    /// The binary header.
    V2,
}

/// What a complete PROXY header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyHeader {
    /// The version it was written in.
    pub version: ProxyVersion,
    /// Whom the connection is for.
    pub source: ProxySource,
    /// Whether the client reached the proxy over TLS, where the header says (the version 2
    /// `PP2_TYPE_SSL` TLV, which HAProxy sends with `send-proxy-v2-ssl`); `None` otherwise.
    pub tls: Option<bool>,
}

/// Whom a PROXY header says the connection is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxySource {
    /// The proxy's own connection (version 2 `LOCAL`, such as a health check; version 1
    /// `UNKNOWN`; version 2 with an unspecified family): the socket's address stands.
    Local,
    /// A TCP client: its address and port, and the address it connected to.
    Tcp {
        /// The client's address.
        client: SocketAddr,
        /// The address the client connected to (the proxy's listening address).
        destination: SocketAddr,
    },
    /// A client on a Unix domain socket of the proxy (version 2 `AF_UNIX`).
    Unix,
}

/// Where [`parse_proxy_header`] stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// The header is not complete: read exactly this many more octets (at least 1), which
    /// certainly belong to it, and look again.
    Need(usize),
    /// The header is complete and takes every octet given.
    Done(ProxyHeader),
}

/// Why a connection's first octets are not an acceptable PROXY header.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// Neither signature: the peer sent something else first.
    #[error("the connection does not begin with a PROXY header")]
    NotProxy,
    /// A version the endpoint does not accept.
    #[error("a PROXY {got} header where {want} is required")]
    Version {
        /// The version sent.
        got: ProxyVersion,
        /// The version required.
        want: ProxyVersion,
    },
    /// A malformed version 1 line.
    #[error("malformed PROXY v1 header: {0}")]
    V1(&'static str),
    /// A malformed version 2 header.
    #[error("malformed PROXY v2 header: {0}")]
    V2(&'static str),
    /// A header longer than the bound of its version.
    #[error("PROXY {version} header longer than {max} bytes")]
    TooLong {
        /// Its version.
        version: ProxyVersion,
        /// The bound.
        max: usize,
    },
    /// The peer closed the stream before the header was complete.
    #[error("peer closed the connection after {read} bytes of a PROXY header")]
    Closed {
        /// How many octets had come (0: the peer sent nothing at all).
        read: usize,
    },
    /// The stream failed.
    #[error("I/O error while reading a PROXY header")]
    Io(#[source] std::io::Error),
}

impl ProxyVersions {
    /// The version required when `got` is not accepted.
    fn refuses(self, got: ProxyVersion) -> Option<ProxyVersion> {
        match (self, got) {
            (ProxyVersions::V1, ProxyVersion::V2) => Some(ProxyVersion::V1),
            (ProxyVersions::V2, ProxyVersion::V1) => Some(ProxyVersion::V2),
            _ => None,
        }
    }
}

impl fmt::Display for ProxyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProxyVersion::V1 => "v1",
            ProxyVersion::V2 => "v2",
        })
    }
}

/// Looks at `buf`, the first octets of a connection (all of them read so far, and nothing
/// beyond what an earlier [`Progress::Need`] asked for), and says how many more octets the
/// header needs, or what it says once complete. Never panics, whatever `buf` holds.
pub fn parse_proxy_header(buf: &[u8], accept: ProxyVersions) -> Result<Progress, ProxyError> {
    if buf.is_empty() {
        // One octet first: a peer that sends no header at all (a RawSocket or TLS client,
        // whose first octet is 0x7F or 0x16) is told apart at once, not after 12 octets it may
        // never send.
        return Ok(Progress::Need(1));
    }
    let Some(prefix) = buf.get(..PREFIX_LEN) else {
        // Either signature's first octets must agree with what came so far.
        let v1 = b"PROXY ".get(..buf.len().min(6)) == buf.get(..buf.len().min(6));
        let v2 = V2_SIGNATURE.get(..buf.len()) == Some(buf);
        if !v1 && !v2 {
            return Err(ProxyError::NotProxy);
        }
        return Ok(Progress::Need(PREFIX_LEN - buf.len()));
    };
    let version = if prefix == V2_SIGNATURE {
        ProxyVersion::V2
    } else if prefix.starts_with(b"PROXY ") {
        ProxyVersion::V1
    } else {
        return Err(ProxyError::NotProxy);
    };
    if let Some(want) = accept.refuses(version) {
        return Err(ProxyError::Version { got: version, want });
    }
    match version {
        ProxyVersion::V1 => v1::parse(buf),
        ProxyVersion::V2 => v2::parse(buf),
    }
}

/// Feeds `input` to the parser as a reader would, exactly the octets it asks for, until it is
/// done or refuses; gives the outcome and the octets taken (for the versions' tests).
#[cfg(test)]
fn feed(input: &[u8]) -> (Result<Progress, ProxyError>, usize) {
    let mut len = 0;
    loop {
        let Some(buf) = input.get(..len) else {
            return (Ok(Progress::Need(len - input.len())), input.len());
        };
        match parse_proxy_header(buf, ProxyVersions::Any) {
            Ok(Progress::Need(n)) => {
                assert!(n >= 1, "asked for nothing");
                len += n;
            }
            other => return (other, len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_octets_decide() {
        assert!(matches!(
            parse_proxy_header(b"", ProxyVersions::Any),
            Ok(Progress::Need(1))
        ));
        assert!(matches!(
            parse_proxy_header(b"P", ProxyVersions::Any),
            Ok(Progress::Need(11))
        ));
        assert!(matches!(
            parse_proxy_header(b"PRO", ProxyVersions::Any),
            Ok(Progress::Need(9))
        ));
        assert!(matches!(
            parse_proxy_header(b"\r\n\r", ProxyVersions::Any),
            Ok(Progress::Need(9))
        ));
        assert!(matches!(
            parse_proxy_header(b"GET", ProxyVersions::Any),
            Err(ProxyError::NotProxy)
        ));
        assert!(matches!(
            parse_proxy_header(&[0x7f], ProxyVersions::Any),
            Err(ProxyError::NotProxy)
        ));
        assert!(matches!(
            parse_proxy_header(b"PROXY\tTCP4 1", ProxyVersions::Any),
            Err(ProxyError::NotProxy)
        ));
    }

    #[test]
    fn versions_are_checked_as_soon_as_known() {
        let v1 = b"PROXY TCP4 1";
        assert!(matches!(
            parse_proxy_header(v1, ProxyVersions::V2),
            Err(ProxyError::Version {
                got: ProxyVersion::V1,
                want: ProxyVersion::V2
            })
        ));
        assert!(matches!(
            parse_proxy_header(&V2_SIGNATURE, ProxyVersions::V1),
            Err(ProxyError::Version {
                got: ProxyVersion::V2,
                want: ProxyVersion::V1
            })
        ));
        assert!(matches!(
            parse_proxy_header(&V2_SIGNATURE, ProxyVersions::V2),
            Ok(Progress::Need(4))
        ));
    }
}
