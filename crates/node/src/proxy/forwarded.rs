//! Reading `Forwarded` (RFC 7239) and `X-Forwarded-For` / `X-Forwarded-Proto` into hops, and
//! the walk that finds the client among them.
//!
//! Each proxy on the way adds the address it received the request from at the right end. So the
//! walk goes from the right: an address the endpoint trusts is one of its proxies, whose word
//! about the next address to the left is good; the first address it does not trust is the
//! client. Whatever stands further left was written by the client or by proxies nobody vouches
//! for, and is never read.

use std::net::{IpAddr, SocketAddr};

/// One entry of a forwarding header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hop {
    /// An address (port 0 where the header gives none), and whether that client used TLS
    /// where the header says.
    Addr(SocketAddr, Option<bool>),
    /// `unknown`, an obfuscated identifier (`_hidden`), or an element without `for=`: the proxy
    /// does not say.
    Hidden,
    /// Text that is no address.
    Malformed,
}

/// Where the walk ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Walk {
    /// The client, and whether it used TLS where the header says: the first address from the
    /// right that is not trusted or, when every address is trusted, the leftmost one.
    Client(SocketAddr, Option<bool>),
    /// The walk stopped at a hidden or malformed entry: the nearest address it passed, if any
    /// (`None`: the peer's own address stands), and the entry that stopped it.
    Stopped(Option<(SocketAddr, Option<bool>)>, Hop),
}

/// Finds the client among `hops` (left to right, as written), skipping from the right every
/// address `trusted` accepts. `None` for no hops at all.
pub fn walk(hops: &[Hop], trusted: impl Fn(IpAddr) -> bool) -> Option<Walk> {
    let mut passed = None;
    for hop in hops.iter().rev() {
        match *hop {
            Hop::Addr(addr, tls) if trusted(addr.ip()) => passed = Some((addr, tls)),
            Hop::Addr(addr, tls) => return Some(Walk::Client(addr, tls)),
            stop => return Some(Walk::Stopped(passed, stop)),
        }
    }
    passed.map(|(addr, tls)| Walk::Client(addr, tls))
}

/// The hops of every `Forwarded` line, left to right: one per element, from its `for=` and
/// `proto=` parameters.
pub fn forwarded_hops(lines: &[String]) -> Vec<Hop> {
    lines
        .iter()
        .flat_map(|line| split_outside_quotes(line, ','))
        .filter(|element| !element.trim().is_empty())
        .map(forwarded_element)
        .collect()
}

/// The hops of every `X-Forwarded-For` line, left to right; `X-Forwarded-Proto` counts when it
/// has one value (for the client, whichever hop it is) or one per address.
pub fn x_forwarded_hops(for_lines: &[String], proto_lines: &[String]) -> Vec<Hop> {
    let list = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .flat_map(|l| l.split(','))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect()
    };
    let addrs = list(for_lines);
    let protos = list(proto_lines);
    let proto = |i: usize| match protos.as_slice() {
        [one] => scheme_tls(one),
        many if many.len() == addrs.len() => many.get(i).and_then(|p| scheme_tls(p)),
        _ => None,
    };
    addrs
        .iter()
        .enumerate()
        .map(|(i, a)| match node(a) {
            Hop::Addr(addr, _) => Hop::Addr(addr, proto(i)),
            other => other,
        })
        .collect()
}

/// One `Forwarded` element: `for=...;proto=...;by=...`, parameter names in any case.
fn forwarded_element(element: &str) -> Hop {
    let mut for_ = None;
    let mut proto = None;
    for pair in split_outside_quotes(element, ';') {
        let Some((name, value)) = pair.split_once('=') else {
            return Hop::Malformed;
        };
        let Some(value) = unquote(value.trim()) else {
            return Hop::Malformed;
        };
        let slot = match name.trim().to_ascii_lowercase().as_str() {
            "for" => &mut for_,
            "proto" => &mut proto,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Hop::Malformed;
        }
    }
    match for_.as_deref().map(node) {
        Some(Hop::Addr(addr, _)) => Hop::Addr(addr, proto.as_deref().and_then(scheme_tls)),
        Some(other) => other,
        None => Hop::Hidden,
    }
}

/// A node: `192.0.2.1`, `192.0.2.1:80`, `2001:db8::1`, `[2001:db8::1]`, `[2001:db8::1]:80`,
/// a port that may be obfuscated (`:_p`, taken as 0), `unknown` or an obfuscated `_name`.
fn node(text: &str) -> Hop {
    if text.eq_ignore_ascii_case("unknown") || text.starts_with('_') {
        return Hop::Hidden;
    }
    let addr = |ip: IpAddr, port: Option<&str>| match port.map(port_number) {
        None => Hop::Addr(SocketAddr::new(ip, 0), None),
        Some(Some(port)) => Hop::Addr(SocketAddr::new(ip, port), None),
        Some(None) => Hop::Malformed,
    };
    if let Ok(ip) = text.parse::<IpAddr>() {
        return addr(ip, None);
    }
    if let Some(rest) = text.strip_prefix('[') {
        let Some((ip, after)) = rest.split_once(']') else {
            return Hop::Malformed;
        };
        let port = match after {
            "" => None,
            p => match p.strip_prefix(':') {
                Some(p) => Some(p),
                None => return Hop::Malformed,
            },
        };
        return match ip.parse::<IpAddr>() {
            Ok(ip @ IpAddr::V6(_)) => addr(ip, port),
            _ => Hop::Malformed,
        };
    }
    match text.split_once(':') {
        Some((ip, port)) => match ip.parse::<IpAddr>() {
            Ok(ip @ IpAddr::V4(_)) => addr(ip, Some(port)),
            _ => Hop::Malformed,
        },
        None => Hop::Malformed,
    }
}

/// A port: digits up to 65535, or an obfuscated one (`_x`), which counts as 0.
fn port_number(p: &str) -> Option<u16> {
    if p.starts_with('_') {
        return Some(0);
    }
    if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    p.parse().ok()
}

/// Whether a scheme (`https`, `wss`, `http`, `ws`, any case) means TLS; `None` for others.
fn scheme_tls(scheme: &str) -> Option<bool> {
    match scheme.to_ascii_lowercase().as_str() {
        "https" | "wss" => Some(true),
        "http" | "ws" => Some(false),
        _ => None,
    }
}

/// A token as it is, or a quoted string without its quotes and escapes; `None` for an
/// unterminated quote.
fn unquote(value: &str) -> Option<String> {
    let Some(inner) = value.strip_prefix('"') else {
        return Some(value.to_owned());
    };
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return chars.as_str().is_empty().then_some(out),
            '\\' => out.push(chars.next()?),
            c => out.push(c),
        }
    }
    None
}

/// `text` split at every `sep` outside a quoted string.
fn split_outside_quotes(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == sep && !quoted => {
                parts.push(text.get(start..i).unwrap_or_default());
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(text.get(start..).unwrap_or_default());
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(l: &[&str]) -> Vec<String> {
        l.iter().map(|s| s.to_string()).collect()
    }

    fn at(s: &str) -> Hop {
        Hop::Addr(s.parse().unwrap(), None)
    }

    fn trusted(ip: IpAddr) -> bool {
        matches!(ip, IpAddr::V4(v4) if v4.octets()[0] == 10)
    }

    #[test]
    fn x_forwarded_for_entries() {
        let hops = x_forwarded_hops(
            &lines(&[
                "203.0.113.7, 2001:db8::1",
                "[2001:db8::2]:81 ,10.0.0.1:80,,unknown",
            ]),
            &[],
        );
        assert_eq!(
            hops,
            [
                at("203.0.113.7:0"),
                at("[2001:db8::1]:0"),
                at("[2001:db8::2]:81"),
                at("10.0.0.1:80"),
                Hop::Hidden
            ]
        );
        for bad in [
            "203.0.113",
            "host.example",
            "[::1",
            "[::1]x",
            "1.2.3.4:99999",
            "[1.2.3.4]",
        ] {
            assert_eq!(
                x_forwarded_hops(&lines(&[bad]), &[]),
                [Hop::Malformed],
                "{bad}"
            );
        }
    }

    #[test]
    fn x_forwarded_proto_one_value_or_one_per_address() {
        let one = x_forwarded_hops(&lines(&["203.0.113.7, 10.0.0.1"]), &lines(&["https"]));
        assert_eq!(
            one,
            [
                Hop::Addr("203.0.113.7:0".parse().unwrap(), Some(true)),
                Hop::Addr("10.0.0.1:0".parse().unwrap(), Some(true))
            ]
        );
        let each = x_forwarded_hops(&lines(&["203.0.113.7, 10.0.0.1"]), &lines(&["wss", "http"]));
        assert_eq!(
            each,
            [
                Hop::Addr("203.0.113.7:0".parse().unwrap(), Some(true)),
                Hop::Addr("10.0.0.1:0".parse().unwrap(), Some(false))
            ]
        );
        let odd = x_forwarded_hops(&lines(&["203.0.113.7"]), &lines(&["https, http"]));
        assert_eq!(odd, [at("203.0.113.7:0")]);
    }

    #[test]
    fn forwarded_elements() {
        let hops = forwarded_hops(&lines(&[
            r#"for=192.0.2.43;proto=https, For="[2001:db8:cafe::17]:4711""#,
            r#"for=unknown, for=_hidden, for="_x:_y";by=203.0.113.43, proto=http;by=10.0.0.1"#,
            r#"for="10.0.0.2:_port";host="a,b;c""#,
        ]));
        assert_eq!(
            hops,
            [
                Hop::Addr("192.0.2.43:0".parse().unwrap(), Some(true)),
                at("[2001:db8:cafe::17]:4711"),
                Hop::Hidden,
                Hop::Hidden,
                Hop::Hidden,
                Hop::Hidden,
                at("10.0.0.2:0"),
            ]
        );
        for bad in [
            "for",
            "for=1.2.3.4;for=1.2.3.5",
            r#"for="1.2.3.4"#,
            r#"for="1.2.3.4"x"#,
            "for=nowhere",
        ] {
            assert_eq!(forwarded_hops(&lines(&[bad])), [Hop::Malformed], "{bad}");
        }
    }

    #[test]
    fn the_walk_takes_the_first_untrusted_address_from_the_right() {
        let c = |s: &str| Walk::Client(s.parse().unwrap(), None);
        let spoof = [at("198.51.100.1:0"), at("203.0.113.7:0"), at("10.0.0.5:0")];
        assert_eq!(walk(&spoof, trusted), Some(c("203.0.113.7:0")));
        // Every address trusted: the leftmost, an inside client.
        let inside = [at("10.1.1.1:0"), at("10.0.0.5:0")];
        assert_eq!(walk(&inside, trusted), Some(c("10.1.1.1:0")));
        // Hidden or malformed: the nearest address passed, or none.
        let hidden = [at("203.0.113.7:0"), Hop::Hidden, at("10.0.0.5:0")];
        assert_eq!(
            walk(&hidden, trusted),
            Some(Walk::Stopped(
                Some(("10.0.0.5:0".parse().unwrap(), None)),
                Hop::Hidden
            ))
        );
        assert_eq!(
            walk(&[Hop::Malformed], trusted),
            Some(Walk::Stopped(None, Hop::Malformed))
        );
        // What stands left of the client is never read.
        let garbage_left = [Hop::Malformed, at("203.0.113.7:0")];
        assert_eq!(walk(&garbage_left, trusted), Some(c("203.0.113.7:0")));
        assert_eq!(walk(&[], trusted), None);
    }
}
