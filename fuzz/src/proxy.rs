//! The `proxy_header` target: the PROXY protocol header parser and its reader.
//!
//! Input layout: one control octet, then the octets the peer sends.
//!
//! - bits 0-1: the versions accepted (0 v1, 1 v2, 2 and 3 either);
//! - bits 2-6: the most octets per read (0: no limit);
//! - bit 7: every other read is `Pending` first.
//!
//! Properties: no panic; the parser, fed exactly the octets it asks for, asks for at least one
//! at a time and never more than the version's bound; [`read_proxy_header`] over a stream ends
//! as the parser does and leaves every octet after the header unread (the TLS or framing
//! handshake follows it); a complete header is of an accepted version, takes no more than its
//! bound, and says the same again when its addresses are written back as a header of its
//! version.

use std::net::SocketAddr;

use crossway_transport::proxy::{Progress, V1_MAX_LEN, V2_MAX_PAYLOAD, V2_SIGNATURE};
use crossway_transport::{
    ProxyError, ProxyHeader, ProxySource, ProxyVersion, ProxyVersions, parse_proxy_header,
    read_proxy_header, rt,
};
use futures_util::io::AsyncReadExt;

use crate::memio::{Behaviour, MemIo};

/// The target.
pub fn header_target(data: &[u8]) {
    let Some((&control, stream)) = data.split_first() else {
        return;
    };
    let accept = match control & 0x03 {
        0 => ProxyVersions::V1,
        1 => ProxyVersions::V2,
        _ => ProxyVersions::Any,
    };
    let how = Behaviour {
        chunk: usize::from((control >> 2) & 0x1f),
        pending: control & 0x80 != 0,
        write_budget: None,
    };
    let (expected, used) = parse_exactly(stream, accept);
    if let Ok(header) = &expected {
        check_header(header, used, accept);
    }
    let (mut io, _) = MemIo::new(stream.to_vec(), how);
    let (got, rest) = rt::block_on(async {
        let got = read_proxy_header(&mut io, accept).await;
        let mut rest = Vec::new();
        io.read_to_end(&mut rest).await.expect("an in-memory stream");
        (got, rest)
    });
    match (&expected, &got) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "the reader and the parser disagree"),
        (Err(ProxyError::Closed { read }), Err(ProxyError::Closed { read: r })) => {
            assert_eq!(read, r, "the reader and the parser disagree on a short stream");
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("the parser says {expected:?}, the reader {got:?}"),
    }
    // Whatever the outcome, nothing past what the parser asked for was read.
    assert_eq!(
        rest,
        stream.get(used.min(stream.len())..).unwrap_or_default(),
        "the reader took octets beyond the header"
    );
}

/// Feeds the parser exactly the octets it asks for; gives its outcome and how many octets of
/// `stream` a reader takes (when the parser asks for more than there is, the reader takes the
/// rest and reports `Closed` with what it had before).
fn parse_exactly(stream: &[u8], accept: ProxyVersions) -> (Result<ProxyHeader, ProxyError>, usize) {
    let mut len = 0;
    loop {
        let Some(buf) = stream.get(..len) else {
            unreachable!("checked before asking");
        };
        match parse_proxy_header(buf, accept) {
            Ok(Progress::Need(n)) => {
                assert!(n >= 1, "asked for nothing");
                assert!(
                    len + n <= 16 + V2_MAX_PAYLOAD,
                    "asked for {} octets in all",
                    len + n
                );
                if len + n > stream.len() {
                    return (Err(ProxyError::Closed { read: len }), stream.len());
                }
                len += n;
            }
            Ok(Progress::Done(header)) => return (Ok(header), len),
            Err(e) => return (Err(e), len),
        }
    }
}

/// A complete header: accepted version, within its bound, and the same once written again.
fn check_header(header: &ProxyHeader, used: usize, accept: ProxyVersions) {
    match (header.version, accept) {
        (ProxyVersion::V1, ProxyVersions::V2) | (ProxyVersion::V2, ProxyVersions::V1) => {
            panic!("a {} header where it is not accepted", header.version)
        }
        _ => {}
    }
    match header.version {
        ProxyVersion::V1 => assert!(used <= V1_MAX_LEN, "a v1 line of {used} octets"),
        ProxyVersion::V2 => assert!(used <= 16 + V2_MAX_PAYLOAD, "a v2 header of {used} octets"),
    }
    let ProxySource::Tcp {
        client,
        destination,
    } = header.source
    else {
        return;
    };
    let again = match header.version {
        ProxyVersion::V1 => v1(client, destination),
        ProxyVersion::V2 => v2(client, destination),
    };
    let (reparsed, _) = parse_exactly(&again, ProxyVersions::Any);
    match reparsed {
        Ok(h) => assert_eq!(h.source, header.source, "written again: {again:?}"),
        Err(e) => panic!("written again, {again:?} is refused: {e}"),
    }
}

/// The v1 line for a TCP connection.
fn v1(client: SocketAddr, destination: SocketAddr) -> Vec<u8> {
    let family = if client.is_ipv4() { "TCP4" } else { "TCP6" };
    format!(
        "PROXY {family} {} {} {} {}\r\n",
        client.ip(),
        destination.ip(),
        client.port(),
        destination.port()
    )
    .into_bytes()
}

/// The v2 header for a TCP connection, without TLVs.
fn v2(client: SocketAddr, destination: SocketAddr) -> Vec<u8> {
    let mut h = V2_SIGNATURE.to_vec();
    let mut addrs = Vec::new();
    let family = match (client, destination) {
        (SocketAddr::V4(c), SocketAddr::V4(d)) => {
            addrs.extend_from_slice(&c.ip().octets());
            addrs.extend_from_slice(&d.ip().octets());
            0x11
        }
        (SocketAddr::V6(c), SocketAddr::V6(d)) => {
            addrs.extend_from_slice(&c.ip().octets());
            addrs.extend_from_slice(&d.ip().octets());
            0x21
        }
        _ => panic!("a header naming addresses of two families"),
    };
    addrs.extend_from_slice(&client.port().to_be_bytes());
    addrs.extend_from_slice(&destination.port().to_be_bytes());
    h.push(0x21);
    h.push(family);
    h.extend_from_slice(&u16::try_from(addrs.len()).unwrap_or(0).to_be_bytes());
    h.extend_from_slice(&addrs);
    h
}
