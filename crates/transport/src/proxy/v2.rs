//! The version 2 header: the 12-octet signature, version and command, address family and
//! protocol, a 16-bit length, the addresses, then TLVs.
//!
//! `LOCAL` (a connection the proxy makes itself, such as a health check) and an unspecified
//! family keep the socket's address; TLVs are skipped, once their lengths are checked, but for
//! `PP2_TYPE_SSL`, whose first octet says whether the client used TLS.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::{Progress, ProxyError, ProxyHeader, ProxySource, ProxyVersion, V2_MAX_PAYLOAD};

/// The fixed part: signature, version and command, family and protocol, length.
const FIXED_LEN: usize = 16;
/// `PP2_TYPE_SSL`: how the client reached the proxy.
const TLV_SSL: u8 = 0x20;
/// `PP2_CLIENT_SSL`: in that TLV's first octet, the client used TLS.
const CLIENT_SSL: u8 = 0x01;

/// Parses a header that starts with the signature.
pub(super) fn parse(buf: &[u8]) -> Result<Progress, ProxyError> {
    let Some(&[ver_cmd, family, hi, lo]) = buf.get(12..FIXED_LEN) else {
        return Ok(Progress::Need(FIXED_LEN.saturating_sub(buf.len())));
    };
    if ver_cmd >> 4 != 2 {
        return Err(ProxyError::V2("version is not 2"));
    }
    let local = match ver_cmd & 0x0f {
        0 => true,
        1 => false,
        _ => return Err(ProxyError::V2("command is neither LOCAL nor PROXY")),
    };
    let len = usize::from(u16::from_be_bytes([hi, lo]));
    if len > V2_MAX_PAYLOAD {
        return Err(ProxyError::TooLong {
            version: ProxyVersion::V2,
            max: FIXED_LEN + V2_MAX_PAYLOAD,
        });
    }
    let total = FIXED_LEN + len;
    let Some(payload) = buf.get(FIXED_LEN..total) else {
        return Ok(Progress::Need(total - buf.len()));
    };
    if buf.len() > total {
        return Err(ProxyError::V2("octets given beyond the header"));
    }
    if local {
        return Ok(done(ProxySource::Local, None));
    }
    let (source, rest) = match family {
        0x00 => return Ok(done(ProxySource::Local, None)),
        0x11 => {
            let (a, rest) = split::<12>(payload)?;
            let ip = |o: usize| IpAddr::V4(Ipv4Addr::from(pick::<4>(&a, o)));
            (tcp(ip(0), ip(4), &a, 8), rest)
        }
        0x21 => {
            let (a, rest) = split::<36>(payload)?;
            let ip = |o: usize| IpAddr::V6(Ipv6Addr::from(pick::<16>(&a, o)));
            (tcp(ip(0), ip(16), &a, 32), rest)
        }
        0x31 => (ProxySource::Unix, split::<216>(payload)?.1),
        0x12 | 0x22 | 0x32 => return Err(ProxyError::V2("a datagram (UDP) connection")),
        _ => return Err(ProxyError::V2("unknown address family or protocol")),
    };
    Ok(done(source, tls(rest)?))
}

fn done(source: ProxySource, tls: Option<bool>) -> Progress {
    Progress::Done(ProxyHeader {
        version: ProxyVersion::V2,
        source,
        tls,
    })
}

/// The first `N` octets (the address block) and the rest; too short is the header's fault.
fn split<const N: usize>(payload: &[u8]) -> Result<([u8; N], &[u8]), ProxyError> {
    let (head, rest) = payload
        .split_first_chunk::<N>()
        .ok_or(ProxyError::V2("length too short for the address family"))?;
    Ok((*head, rest))
}

/// `M` octets of `block` from `at` (inside the block by construction; zeros otherwise).
fn pick<const M: usize>(block: &[u8], at: usize) -> [u8; M] {
    block
        .get(at..at + M)
        .and_then(|s| <[u8; M]>::try_from(s).ok())
        .unwrap_or([0; M])
}

/// A TCP source from the addresses and the two ports at `ports` in `block`.
fn tcp(src: IpAddr, dst: IpAddr, block: &[u8], ports: usize) -> ProxySource {
    let [a, b, c, d] = pick::<4>(block, ports);
    ProxySource::Tcp {
        client: SocketAddr::new(src, u16::from_be_bytes([a, b])),
        destination: SocketAddr::new(dst, u16::from_be_bytes([c, d])),
    }
}

/// Walks the TLVs, each a type, a 16-bit length and a value that must fit; gives what
/// `PP2_TYPE_SSL` says of the client's TLS, if it is there.
fn tls(mut tlvs: &[u8]) -> Result<Option<bool>, ProxyError> {
    let mut tls = None;
    while let Some((&[kind, hi, lo], rest)) = tlvs.split_first_chunk::<3>() {
        let len = usize::from(u16::from_be_bytes([hi, lo]));
        let value = rest
            .get(..len)
            .ok_or(ProxyError::V2("a TLV runs past the header"))?;
        if kind == TLV_SSL {
            let client = value
                .first()
                .ok_or(ProxyError::V2("an empty PP2_TYPE_SSL TLV"))?;
            tls = Some(client & CLIENT_SSL != 0);
        }
        tlvs = rest.get(len..).unwrap_or_default();
    }
    if !tlvs.is_empty() {
        return Err(ProxyError::V2("a TLV runs past the header"));
    }
    Ok(tls)
}

#[cfg(test)]
mod tests {
    use super::super::{V2_SIGNATURE, feed};
    use super::*;

    fn header(ver_cmd: u8, family: u8, payload: &[u8]) -> Vec<u8> {
        let mut h = V2_SIGNATURE.to_vec();
        h.push(ver_cmd);
        h.push(family);
        h.extend_from_slice(&u16::try_from(payload.len()).unwrap().to_be_bytes());
        h.extend_from_slice(payload);
        h
    }

    fn tcp4_block() -> Vec<u8> {
        let mut p = vec![192, 0, 2, 1, 198, 51, 100, 1];
        p.extend_from_slice(&56324u16.to_be_bytes());
        p.extend_from_slice(&443u16.to_be_bytes());
        p
    }

    fn done(input: &[u8]) -> ProxyHeader {
        match feed(input) {
            (Ok(Progress::Done(h)), used) if used == input.len() => h,
            other => panic!("{other:?}"),
        }
    }

    fn malformed(input: &[u8]) -> &'static str {
        match feed(input) {
            (Err(ProxyError::V2(why)), _) => why,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tcp4_tcp6_unix_and_local() {
        let h = done(&header(0x21, 0x11, &tcp4_block()));
        assert_eq!(h.version, ProxyVersion::V2);
        assert_eq!(
            h.source,
            ProxySource::Tcp {
                client: "192.0.2.1:56324".parse().unwrap(),
                destination: "198.51.100.1:443".parse().unwrap(),
            }
        );
        assert_eq!(h.tls, None);
        let mut six = Ipv6Addr::LOCALHOST.octets().to_vec();
        six.extend_from_slice(&"2001:db8::2".parse::<Ipv6Addr>().unwrap().octets());
        six.extend_from_slice(&[0, 80, 1, 187]);
        let h = done(&header(0x21, 0x21, &six));
        assert!(matches!(h.source, ProxySource::Tcp { client, destination }
            if client == "[::1]:80".parse().unwrap() && destination.port() == 443));
        assert_eq!(
            done(&header(0x21, 0x31, &[0; 216])).source,
            ProxySource::Unix
        );
        // LOCAL: whatever the family says, the socket's address stands.
        assert_eq!(done(&header(0x20, 0x00, &[])).source, ProxySource::Local);
        assert_eq!(
            done(&header(0x20, 0x11, &tcp4_block())).source,
            ProxySource::Local
        );
        assert_eq!(
            done(&header(0x21, 0x00, &[1, 2, 3])).source,
            ProxySource::Local
        );
    }

    #[test]
    fn tlvs_are_skipped_and_ssl_is_read() {
        let mut p = tcp4_block();
        p.extend_from_slice(&[0x04, 0, 0]); // NOOP, empty
        p.extend_from_slice(&[0x01, 0, 2, b'h', b'2']); // ALPN
        p.extend_from_slice(&[TLV_SSL, 0, 5, CLIENT_SSL, 0, 0, 0, 0]);
        assert_eq!(done(&header(0x21, 0x11, &p)).tls, Some(true));
        let mut p = tcp4_block();
        p.extend_from_slice(&[TLV_SSL, 0, 5, 0, 0, 0, 0, 0]);
        assert_eq!(done(&header(0x21, 0x11, &p)).tls, Some(false));
    }

    #[test]
    fn nothing_after_the_header_is_asked_for() {
        let mut input = header(0x21, 0x11, &tcp4_block());
        let len = input.len();
        input.extend_from_slice(&[0x7f, 0xf1, 0, 0]);
        let (r, used) = feed(&input);
        assert!(matches!(r, Ok(Progress::Done(_))));
        assert_eq!(used, len);
    }

    #[test]
    fn malformed_headers() {
        assert_eq!(
            malformed(&header(0x11, 0x11, &tcp4_block())),
            "version is not 2"
        );
        assert_eq!(
            malformed(&header(0x22, 0x11, &tcp4_block())),
            "command is neither LOCAL nor PROXY"
        );
        assert_eq!(
            malformed(&header(0x21, 0x11, &[0; 11])),
            "length too short for the address family"
        );
        assert_eq!(
            malformed(&header(0x21, 0x21, &[0; 12])),
            "length too short for the address family"
        );
        assert_eq!(
            malformed(&header(0x21, 0x41, &[0; 12])),
            "unknown address family or protocol"
        );
        assert_eq!(
            malformed(&header(0x21, 0x10, &[0; 12])),
            "unknown address family or protocol"
        );
        assert_eq!(
            malformed(&header(0x21, 0x12, &[0; 12])),
            "a datagram (UDP) connection"
        );
        let mut p = tcp4_block();
        p.extend_from_slice(&[0x01, 0, 9, b'h']);
        assert_eq!(
            malformed(&header(0x21, 0x11, &p)),
            "a TLV runs past the header"
        );
        let mut p = tcp4_block();
        p.extend_from_slice(&[0x01, 0]);
        assert_eq!(
            malformed(&header(0x21, 0x11, &p)),
            "a TLV runs past the header"
        );
        let mut p = tcp4_block();
        p.extend_from_slice(&[TLV_SSL, 0, 0]);
        assert_eq!(
            malformed(&header(0x21, 0x11, &p)),
            "an empty PP2_TYPE_SSL TLV"
        );
    }

    #[test]
    fn an_oversized_header_is_refused_before_it_is_read() {
        let mut h = V2_SIGNATURE.to_vec();
        h.extend_from_slice(&[0x21, 0x11, 0xff, 0xff]);
        let (r, used) = feed(&h);
        assert!(matches!(
            r,
            Err(ProxyError::TooLong {
                version: ProxyVersion::V2,
                ..
            })
        ));
        assert_eq!(used, 16);
        done(&header(
            0x21,
            0x11,
            &[tcp4_block(), vec![0x04, 0x07, 0xf1], vec![0; 2033]].concat(),
        ));
    }
}
