//! Behind a reverse proxy or load balancer: who may speak for a client, and what they say.
//!
//! An endpoint's `proxy` block names the proxies it trusts; with `protocol`, every connection
//! starts with a PROXY header from one of them; with `forwarded_headers`, a WebSocket request
//! from one of them says the client's address in `Forwarded` or `X-Forwarded-For`.
//!
//! - `cidr`: [`Cidr`], the networks in `trusted`.
//! - `forwarded`: the forwarding headers read into hops, and the walk that finds the client.
//! - `origin`: [`Origin`], the one place a connection's client address is decided.

mod cidr;
mod forwarded;
mod origin;

use std::net::IpAddr;

use crossway_routing::PeerAddress;
use crossway_transport::{BoxedIo, ProxyError, ProxyVersions, read_proxy_header};

pub use cidr::{Cidr, CidrError};
pub use origin::Origin;

/// An endpoint's `proxy` block, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyPolicy {
    /// The proxies that may speak for a client (not empty).
    pub trusted: Vec<Cidr>,
    /// The PROXY header every connection must begin with, if any.
    pub protocol: Option<ProxyVersions>,
    /// Whether WebSocket requests' `Forwarded` and `X-Forwarded-For` are read.
    pub forwarded_headers: bool,
}

/// Why a connection was closed before its PROXY header was accepted.
#[derive(Debug, thiserror::Error)]
pub enum ProxyRefusal {
    /// The socket's peer is not in `trusted`.
    #[error("a PROXY header is required and {0} is not a trusted proxy")]
    Untrusted(PeerAddress),
    /// No acceptable header.
    #[error(transparent)]
    Header(#[from] ProxyError),
}

impl ProxyPolicy {
    /// Whether `ip` is one of the trusted proxies.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.trusted.iter().any(|net| net.contains(ip))
    }

    /// Whether `peer` is one of the trusted proxies (a Unix socket peer never is).
    pub fn trusts_peer(&self, peer: &PeerAddress) -> bool {
        peer.ip().is_some_and(|ip| self.trusts(ip))
    }

    /// With `protocol` set: refuses a peer that is not trusted before reading anything, then
    /// reads the PROXY header (exactly its octets) and takes what it says into `origin`.
    /// Without, does nothing. Put a timeout around this call.
    pub async fn accept_header(
        &self,
        io: &mut BoxedIo,
        origin: &mut Origin,
    ) -> Result<(), ProxyRefusal> {
        let Some(versions) = self.protocol else {
            return Ok(());
        };
        if !self.trusts_peer(&origin.peer) {
            return Err(ProxyRefusal::Untrusted(origin.peer));
        }
        let header = read_proxy_header(io, versions).await?;
        origin.take_proxy_header(&header);
        Ok(())
    }
}

impl ProxyRefusal {
    /// Whether the peer went away without sending a single octet (a health check that only
    /// connects, a port scan): worth a debug line, not a warning.
    pub fn is_silent(&self) -> bool {
        matches!(self, ProxyRefusal::Header(ProxyError::Closed { read: 0 }))
    }
}
