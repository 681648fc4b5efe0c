//! IPv4 and IPv6 networks in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`), for the list of
//! proxies an endpoint trusts. A few dozen lines of our own rather than a dependency.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// A network: an address and a prefix length, with no host bits set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

/// Text that is not a network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CidrError(String);

impl Cidr {
    /// Whether `ip` is in the network. An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is
    /// taken as the IPv4 address it maps.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(ip) & mask == u32::from(net)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(ip) & mask == u128::from(net)
            }
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = CidrError;

    /// `ADDRESS/PREFIX`, or a bare address (one host: `/32` or `/128`). The host bits must be
    /// zero (`10.0.0.1/8` is refused, naming `10.0.0.0/8`): a typo should not widen the list.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let expected =
            "expected an IPv4 or IPv6 network such as 10.0.0.0/8, 192.0.2.7/32 or 2001:db8::/32";
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let ip: IpAddr = addr
            .parse()
            .map_err(|_| CidrError(format!("\"{addr}\" is not an IP address; {expected}")))?;
        // An IPv4-mapped network is the IPv4 network it maps.
        let (ip, offset) = match ip {
            IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some() && prefix.is_some() => {
                (ip.to_canonical(), 96)
            }
            _ => (ip.to_canonical(), 0),
        };
        let max: u8 = if ip.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|_| p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.checked_sub(offset))
                .filter(|p| *p <= max)
                .ok_or_else(|| {
                    CidrError(format!(
                        "\"{p}\" is not a prefix length from 0 to {}; {expected}",
                        max + offset
                    ))
                })?,
        };
        let network = Cidr {
            network: ip,
            prefix,
        }
        .masked();
        if network.network != ip {
            return Err(CidrError(format!(
                "\"{s}\" has host bits set; did you mean {network}?"
            )));
        }
        Ok(network)
    }
}

impl Cidr {
    /// The network with its host bits cleared.
    fn masked(self) -> Cidr {
        let network = match self.network {
            IpAddr::V4(ip) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                IpAddr::V4((u32::from(ip) & mask).into())
            }
            IpAddr::V6(ip) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                IpAddr::V6((u128::from(ip) & mask).into())
            }
        };
        Cidr { network, ..self }
    }
}

impl fmt::Display for Cidr {
    /// `10.0.0.0/8`, `2001:db8::/32`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(s: &str) -> Cidr {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv4_networks() {
        let net = cidr("10.0.0.0/8");
        assert!(net.contains(ip("10.255.1.2")));
        assert!(!net.contains(ip("11.0.0.1")));
        assert!(net.contains(ip("::ffff:10.1.2.3")));
        assert!(!net.contains(ip("::1")));
        assert!(cidr("0.0.0.0/0").contains(ip("203.0.113.7")));
        let host = cidr("127.0.0.1");
        assert_eq!(host.to_string(), "127.0.0.1/32");
        assert!(host.contains(ip("127.0.0.1")));
        assert!(!host.contains(ip("127.0.0.2")));
    }

    #[test]
    fn ipv6_networks() {
        let net = cidr("2001:db8::/32");
        assert!(net.contains(ip("2001:db8:1::7")));
        assert!(!net.contains(ip("2001:db9::1")));
        assert!(!net.contains(ip("10.0.0.1")));
        assert!(cidr("::/0").contains(ip("::1")));
        assert!(cidr("::1/128").contains(ip("::1")));
        assert_eq!(cidr("::ffff:10.0.0.0/104").to_string(), "10.0.0.0/8");
        assert!(cidr("::ffff:10.0.0.0/104").contains(ip("10.2.3.4")));
    }

    #[test]
    fn refused_networks() {
        for (text, says) in [
            ("10.0.0.1/8", "did you mean 10.0.0.0/8?"),
            ("10.0.0.0/33", "from 0 to 32"),
            ("2001:db8::/129", "from 0 to 128"),
            ("10.0.0.0/", "is not a prefix length"),
            ("10.0.0.0/+8", "is not a prefix length"),
            ("10.0.0.0/8/8", "is not a prefix length"),
            ("localhost", "is not an IP address"),
            ("10.0.0/8", "is not an IP address"),
            ("", "is not an IP address"),
        ] {
            let e = text.parse::<Cidr>().unwrap_err().to_string();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
