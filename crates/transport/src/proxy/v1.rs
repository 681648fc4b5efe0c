//! The version 1 header: one text line, `PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n`, at
//! most 107 octets with its CRLF. `PROXY UNKNOWN` (anything may follow, up to the CRLF) is a
//! connection the proxy cannot describe: the socket's address stands.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::{Progress, ProxyError, ProxyHeader, ProxySource, ProxyVersion, V1_MAX_LEN};

/// Parses a line that starts with `PROXY `.
pub(super) fn parse(buf: &[u8]) -> Result<Progress, ProxyError> {
    let Some(line) = buf.strip_suffix(b"\r\n") else {
        // A CR or LF anywhere but at the end is no v1 line.
        let body = buf.strip_suffix(b"\r").unwrap_or(buf);
        if body.iter().any(|b| *b == b'\r' || *b == b'\n') {
            return Err(ProxyError::V1("CR or LF inside the line"));
        }
        // The line ends in CRLF: two more octets at least, one if the CR is here.
        let need = if buf.ends_with(b"\r") { 1 } else { 2 };
        let room = V1_MAX_LEN.saturating_sub(buf.len());
        if room == 0 {
            return Err(ProxyError::TooLong {
                version: ProxyVersion::V1,
                max: V1_MAX_LEN,
            });
        }
        return Ok(Progress::Need(need.min(room)));
    };
    if buf.len() > V1_MAX_LEN {
        return Err(ProxyError::TooLong {
            version: ProxyVersion::V1,
            max: V1_MAX_LEN,
        });
    }
    if line.iter().any(|b| !(b' '..=b'~').contains(b)) {
        return Err(ProxyError::V1("a character that is not printable ASCII"));
    }
    let line = std::str::from_utf8(line).map_err(|_| ProxyError::V1("not ASCII"))?;
    let mut words = line.split(' ');
    words.next(); // PROXY
    let source = match words.next() {
        Some("UNKNOWN") => ProxySource::Local,
        Some("TCP4") => tcp(&mut words, |s| s.parse::<Ipv4Addr>().ok().map(IpAddr::V4))?,
        Some("TCP6") => tcp(&mut words, |s| s.parse::<Ipv6Addr>().ok().map(IpAddr::V6))?,
        _ => return Err(ProxyError::V1("the protocol is not TCP4, TCP6 or UNKNOWN")),
    };
    Ok(Progress::Done(ProxyHeader {
        version: ProxyVersion::V1,
        source,
        tls: None,
    }))
}

/// The four fields after `TCP4` or `TCP6`, each separated by one space, and nothing more.
fn tcp<'a>(
    words: &mut impl Iterator<Item = &'a str>,
    ip: impl Fn(&str) -> Option<IpAddr>,
) -> Result<ProxySource, ProxyError> {
    let mut next = || words.next().ok_or(ProxyError::V1("too few fields"));
    let src = ip(next()?).ok_or(ProxyError::V1("bad source address"))?;
    let dst = ip(next()?).ok_or(ProxyError::V1("bad destination address"))?;
    let sport = port(next()?).ok_or(ProxyError::V1("bad source port"))?;
    let dport = port(next()?).ok_or(ProxyError::V1("bad destination port"))?;
    if words.next().is_some() {
        return Err(ProxyError::V1("too many fields"));
    }
    Ok(ProxySource::Tcp {
        client: SocketAddr::new(src, sport),
        destination: SocketAddr::new(dst, dport),
    })
}

/// A port: 1 to 5 decimal digits, at most 65535.
fn port(s: &str) -> Option<u16> {
    if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::super::feed;
    use super::*;

    fn done(input: &[u8]) -> ProxyHeader {
        match feed(input) {
            (Ok(Progress::Done(h)), used) => {
                assert_eq!(used, input.len(), "read exactly the header");
                h
            }
            (other, _) => panic!("{input:?}: {other:?}"),
        }
    }

    fn refused(input: &[u8]) -> ProxyError {
        match feed(input) {
            (Err(e), _) => e,
            (other, _) => panic!("{input:?}: {other:?}"),
        }
    }

    #[test]
    fn tcp4_tcp6_and_unknown() {
        let h = done(b"PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n");
        assert_eq!(h.version, ProxyVersion::V1);
        assert_eq!(
            h.source,
            ProxySource::Tcp {
                client: "192.0.2.1:56324".parse().unwrap(),
                destination: "198.51.100.1:443".parse().unwrap(),
            }
        );
        let h = done(b"PROXY TCP6 2001:db8::1 ::1 65535 0\r\n");
        assert!(matches!(h.source, ProxySource::Tcp { client, .. }
            if client == "[2001:db8::1]:65535".parse().unwrap()));
        assert_eq!(done(b"PROXY UNKNOWN\r\n").source, ProxySource::Local);
        assert_eq!(
            done(b"PROXY UNKNOWN ffff::1 ::1 1 2\r\n").source,
            ProxySource::Local
        );
    }

    #[test]
    fn the_longest_line_is_read_and_no_further() {
        let longest = b"PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
        assert_eq!(longest.len(), V1_MAX_LEN);
        done(longest);
        // The octets after the header are never asked for.
        let (r, used) = feed(b"PROXY UNKNOWN\r\n\x7f\x01");
        assert!(matches!(r, Ok(Progress::Done(_))));
        assert_eq!(used, 15);
    }

    #[test]
    fn malformed_lines() {
        let mut long = b"PROXY UNKNOWN ".to_vec();
        long.resize(200, b'a');
        assert!(matches!(refused(&long), ProxyError::TooLong { .. }));
        for bad in [
            &b"PROXY TCP4 192.0.2.1 198.51.100.1 56324\r\n"[..],
            b"PROXY TCP4 192.0.2.1 198.51.100.1 56324 443 1\r\n",
            b"PROXY TCP4 192.0.2.1  198.51.100.1 56324 443\r\n",
            b"PROXY TCP4 ::1 ::1 1 2\r\n",
            b"PROXY TCP6 192.0.2.1 198.51.100.1 1 2\r\n",
            b"PROXY TCP4 192.0.2.1 198.51.100.1 65536 443\r\n",
            b"PROXY TCP4 192.0.2.1 198.51.100.1 +1 443\r\n",
            b"PROXY TCP4 192.0.2.1 198.51.100.1 1 443 \r\n",
            b"PROXY UDP4 192.0.2.1 198.51.100.1 1 2\r\n",
            b"PROXY TCP4 192.0.2.1\n198.51.100.1 1 2\r\n",
            b"PROXY TCP4 192.0.2.1\r198.51.100.1 1 2\r\n",
            b"PROXY UNKNOWN \x01\r\n",
            b"PROXY \r\n1234",
        ] {
            assert!(
                matches!(refused(bad), ProxyError::V1(_)),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
