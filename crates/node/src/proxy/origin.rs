//! A connection's origin: the client's address, decided once per connection before its session
//! starts, from the socket, then a trusted PROXY header, then trusted forwarding headers.

use crossway_routing::PeerAddress;
use crossway_transport::{ForwardingHeaders, ProxyHeader, ProxySource};
use tracing::{Span, debug, field, warn};

use super::ProxyPolicy;
use super::forwarded::{Hop, Walk, forwarded_hops, walk, x_forwarded_hops};

/// Where a connection comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    /// The client's address.
    pub peer: PeerAddress,
    /// The socket's own address, once a proxy has named another client.
    pub proxy: Option<PeerAddress>,
    /// Whether the client's connection used TLS: the proxy's word where it gives one, else
    /// whether this connection is TLS.
    pub tls: bool,
}

impl Origin {
    /// A connection whose socket's peer is the client, so far.
    pub fn direct(socket: PeerAddress, tls: bool) -> Origin {
        Origin {
            peer: socket,
            proxy: None,
            tls,
        }
    }

    /// Takes what a PROXY header (from a trusted peer) says. `LOCAL` and `UNKNOWN` keep the
    /// socket's address.
    pub fn take_proxy_header(&mut self, header: &ProxyHeader) {
        let client = match header.source {
            ProxySource::Local => return,
            ProxySource::Tcp { client, .. } => PeerAddress::Tcp(client),
            ProxySource::Unix => PeerAddress::Unix,
        };
        self.named_by_proxy(client, header.tls);
    }

    /// Takes what forwarding headers say, if `policy` reads them and the peer so far (the
    /// socket's, or the PROXY header's) is trusted; otherwise they change nothing.
    ///
    /// `Forwarded` and `X-Forwarded-For` together are ignored both: which of them a proxy
    /// wrote, and which the client, cannot be told apart. The walk (see `forwarded`) stops at
    /// an unknown, obfuscated or malformed entry and keeps the nearest address it passed.
    pub fn take_forwarding(&mut self, policy: &ProxyPolicy, headers: &ForwardingHeaders) {
        if !policy.forwarded_headers {
            return;
        }
        if !policy.trusts_peer(&self.peer) {
            debug!("forwarding headers from a peer that is not a trusted proxy: ignored");
            return;
        }
        let hops = match (
            headers.forwarded.is_empty(),
            headers.x_forwarded_for.is_empty(),
        ) {
            (false, true) => forwarded_hops(&headers.forwarded),
            (true, false) => x_forwarded_hops(&headers.x_forwarded_for, &headers.x_forwarded_proto),
            (true, true) => return,
            (false, false) => {
                warn!(
                    "both Forwarded and X-Forwarded-For from a trusted proxy: both ignored \
                     (have the proxy set one and remove the other)"
                );
                return;
            }
        };
        let found = match walk(&hops, |ip| policy.trusts(ip)) {
            None => return,
            Some(Walk::Client(addr, tls)) => Some((addr, tls)),
            Some(Walk::Stopped(passed, hop)) => {
                if hop == Hop::Malformed {
                    warn!(
                        "a malformed forwarding header entry from a trusted proxy: not read past it"
                    );
                } else {
                    debug!("a forwarding header hides the client's address: not read past it");
                }
                passed
            }
        };
        if let Some((addr, tls)) = found {
            self.named_by_proxy(PeerAddress::Tcp(addr), tls);
        }
    }

    /// Writes the client's address, final now, into the connection's span: `peer`, and
    /// `proxy` where a proxy named the client. Once only: a second write would show the field
    /// twice.
    pub fn record_in(&self, span: &Span) {
        span.record("peer", field::display(self.peer));
        if let Some(proxy) = self.proxy {
            span.record("proxy", field::display(proxy));
        }
    }

    /// A proxy named `client`: the socket's address stays as `proxy`.
    fn named_by_proxy(&mut self, client: PeerAddress, tls: Option<bool>) {
        self.proxy = self.proxy.or(Some(self.peer));
        self.peer = client;
        self.tls = tls.unwrap_or(self.tls);
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use crossway_transport::ProxyVersion;

    use super::*;

    fn policy() -> ProxyPolicy {
        ProxyPolicy {
            trusted: vec!["10.0.0.0/8".parse().unwrap()],
            protocol: None,
            forwarded_headers: true,
        }
    }

    fn tcp(s: &str) -> PeerAddress {
        PeerAddress::Tcp(s.parse::<SocketAddr>().unwrap())
    }

    fn xff(value: &str) -> ForwardingHeaders {
        ForwardingHeaders {
            x_forwarded_for: vec![value.to_owned()],
            ..Default::default()
        }
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        let mut o = Origin::direct(tcp("10.0.0.9:40000"), false);
        let mut h = xff("198.51.100.1, 203.0.113.7, 10.0.0.5");
        h.x_forwarded_proto = vec!["https".to_owned()];
        o.take_forwarding(&policy(), &h);
        assert_eq!(o.peer, tcp("203.0.113.7:0"));
        assert_eq!(o.proxy, Some(tcp("10.0.0.9:40000")));
        assert!(o.tls);
    }

    #[test]
    fn an_untrusted_peer_changes_nothing() {
        let before = Origin::direct(tcp("203.0.113.9:40000"), false);
        let mut o = before;
        o.take_forwarding(&policy(), &xff("192.0.2.1"));
        assert_eq!(o, before);
        let mut off = policy();
        off.forwarded_headers = false;
        let mut o = Origin::direct(tcp("10.0.0.9:40000"), false);
        o.take_forwarding(&off, &xff("192.0.2.1"));
        assert_eq!(o.peer, tcp("10.0.0.9:40000"));
    }

    #[test]
    fn both_headers_are_ignored_both() {
        let mut o = Origin::direct(tcp("10.0.0.9:40000"), false);
        let mut h = xff("192.0.2.1");
        h.forwarded = vec!["for=192.0.2.2".to_owned()];
        o.take_forwarding(&policy(), &h);
        assert_eq!(o.peer, tcp("10.0.0.9:40000"));
        assert_eq!(o.proxy, None);
    }

    #[test]
    fn the_proxy_header_decides_whose_forwarding_headers_count() {
        // A PROXY header naming a trusted inner proxy: its forwarding headers count, and the
        // socket's address is the one kept as `proxy`.
        let mut o = Origin::direct(tcp("10.0.0.9:40000"), false);
        o.take_proxy_header(&ProxyHeader {
            version: ProxyVersion::V2,
            source: ProxySource::Tcp {
                client: "10.0.0.7:1234".parse().unwrap(),
                destination: "10.0.0.9:443".parse().unwrap(),
            },
            tls: Some(true),
        });
        assert_eq!(o.peer, tcp("10.0.0.7:1234"));
        assert!(o.tls);
        o.take_forwarding(&policy(), &xff("192.0.2.1"));
        assert_eq!(o.peer, tcp("192.0.2.1:0"));
        assert_eq!(o.proxy, Some(tcp("10.0.0.9:40000")));
        // One naming an outside client: forwarding headers are that client's words.
        let mut o = Origin::direct(tcp("10.0.0.9:40000"), false);
        o.take_proxy_header(&ProxyHeader {
            version: ProxyVersion::V1,
            source: ProxySource::Tcp {
                client: "203.0.113.7:5".parse().unwrap(),
                destination: "10.0.0.9:443".parse().unwrap(),
            },
            tls: None,
        });
        o.take_forwarding(&policy(), &xff("192.0.2.1"));
        assert_eq!(o.peer, tcp("203.0.113.7:5"));
        // LOCAL keeps the socket's address.
        let mut o = Origin::direct(tcp("10.0.0.9:40000"), true);
        o.take_proxy_header(&ProxyHeader {
            version: ProxyVersion::V2,
            source: ProxySource::Local,
            tls: None,
        });
        assert_eq!(o, Origin::direct(tcp("10.0.0.9:40000"), true));
    }

    #[test]
    fn a_hidden_client_leaves_the_nearest_address() {
        let mut o = Origin::direct(tcp("10.0.0.9:40000"), false);
        o.take_forwarding(&policy(), &xff("unknown, 10.0.0.5"));
        assert_eq!(o.peer, tcp("10.0.0.5:0"));
        let mut o = Origin::direct(tcp("10.0.0.9:40000"), false);
        o.take_forwarding(&policy(), &xff("not-an-address"));
        assert_eq!(o.peer, tcp("10.0.0.9:40000"));
        assert_eq!(o.proxy, None);
    }
}
