//! NATS core publish/subscribe, the client's side of its text protocol: CONNECT, SUB, PUB,
//! PING and PONG written; INFO, MSG, PING, PONG, +OK and -ERR read. A publisher's end marker is
//! confirmed by a PING after it: the server handles a client's operations in order, so its
//! PONG comes once the marker has gone to every subscriber.

use crate::stream::ByteStream;
use crate::stream_client::{Incoming, StreamClient, Wire};

/// The longest control line accepted from a server (INFO lines are the longest, well under).
const MAX_LINE: usize = 64 * 1024;
/// The longest message body accepted (the server's `max_payload` is 1 MiB by default, 64 MiB
/// at most).
const MAX_BODY: usize = 64 << 20;
/// The subscription id of a subscriber's one subscription.
const SID: &str = "1";

/// The NATS client protocol.
#[derive(Debug, Clone, Copy)]
pub struct Nats;

impl Wire for Nats {
    const NAME: &'static str = "NATS";
    const PING: &'static [u8] = b"PING\r\n";
    const PONG: &'static [u8] = b"PONG\r\n";

    fn parse(buf: &[u8]) -> Result<Option<(Incoming<'_>, usize)>, String> {
        let Some(newline) = buf.iter().position(|&b| b == b'\n') else {
            return if buf.len() > MAX_LINE {
                Err(format!("a NATS control line longer than {MAX_LINE} bytes"))
            } else {
                Ok(None)
            };
        };
        let line = buf.get(..newline).unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let mut words = line
            .split(|b| *b == b' ' || *b == b'\t')
            .filter(|w| !w.is_empty());
        let op = words.next().unwrap_or_default();
        let after_line = newline + 1;
        let is = |name: &[u8]| op.eq_ignore_ascii_case(name);
        let item = if is(b"MSG") {
            // MSG <subject> <sid> [reply-to] <#bytes>
            let (count, last) = words.fold((0, &b""[..]), |(n, _), w| (n + 1, w));
            if !(3..=4).contains(&count) {
                return Err(format!("a malformed NATS MSG line: {}", show(line)));
            }
            let size = parse_size(last)?;
            let end = after_line + size;
            let Some(trailer) = buf.get(end..end + 2) else {
                return Ok(None);
            };
            if trailer != b"\r\n" {
                return Err("a NATS MSG whose body is not followed by CRLF".to_owned());
            }
            let body = buf.get(after_line..end).unwrap_or_default();
            return Ok(Some((Incoming::Message(body), end + 2)));
        } else if is(b"PING") {
            Incoming::Ping
        } else if is(b"PONG") {
            Incoming::Reply
        } else if is(b"+OK") || is(b"INFO") {
            Incoming::Other
        } else if is(b"-ERR") {
            let text = line.get(op.len()..).unwrap_or_default();
            Incoming::Refused(show(text).trim().to_owned())
        } else {
            return Err(format!("an unexpected NATS operation: {}", show(line)));
        };
        Ok(Some((item, after_line)))
    }

    fn publish(out: &mut Vec<u8>, topic: &str, body: &[u8]) {
        out.extend_from_slice(b"PUB ");
        out.extend_from_slice(topic.as_bytes());
        out.push(b' ');
        push_decimal(out, body.len());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body);
        out.extend_from_slice(b"\r\n");
    }
}

/// Connects to the server at `host_port` and says CONNECT; the client publishes to `topic`.
pub async fn connect(host_port: &str, topic: &str) -> Result<StreamClient<Nats>, String> {
    let mut client = StreamClient::new(ByteStream::connect(host_port).await?, topic);
    // verbose off: no +OK per operation; echo on: a client may subscribe to what it publishes.
    client.output().extend_from_slice(
        concat!(
            r#"CONNECT {"verbose":false,"pedantic":false,"tls_required":false,"#,
            r#""name":"crossway-loadgen","lang":"rust","version":""#,
            env!("CARGO_PKG_VERSION"),
            r#"","protocol":1,"echo":true}"#,
            "\r\n"
        )
        .as_bytes(),
    );
    client.output().extend_from_slice(Nats::PING);
    client.request("CONNECT").await?;
    Ok(client)
}

/// Connects and subscribes to `topic` (a subject); the PONG after SUB says the subscription is
/// in place.
pub async fn subscribe(host_port: &str, topic: &str) -> Result<StreamClient<Nats>, String> {
    let mut client = connect(host_port, topic).await?;
    let sub = format!("SUB {topic} {SID}\r\n");
    client.output().extend_from_slice(sub.as_bytes());
    client.output().extend_from_slice(Nats::PING);
    client.request("SUB").await?;
    Ok(client)
}

/// A decimal byte count.
fn parse_size(word: &[u8]) -> Result<usize, String> {
    std::str::from_utf8(word)
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|n| *n <= MAX_BODY)
        .ok_or_else(|| {
            format!(
                "a NATS message size that is not a number up to {MAX_BODY}: {}",
                show(word)
            )
        })
}

/// Appends `n` in decimal.
fn push_decimal(out: &mut Vec<u8>, n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(i..).unwrap_or_default());
}

/// Bytes from the server, for a message (at most 80 characters).
fn show(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(mut buf: &[u8]) -> Vec<Incoming<'_>> {
        let mut items = Vec::new();
        while let Some((item, len)) = Nats::parse(buf).unwrap() {
            items.push(item);
            buf = &buf[len..];
        }
        assert!(buf.is_empty(), "left over: {:?}", show(buf));
        items
    }

    #[test]
    fn server_operations_are_read() {
        let stream = b"INFO {\"server_id\":\"x\",\"max_payload\":1048576}\r\n+OK\r\nPING\r\npong\r\n\
                       MSG a.b 1 5\r\nhello\r\nMSG a.b 1 reply.to 0\r\n\r\n-ERR 'Slow Consumer'\r\n";
        assert_eq!(
            parse_all(stream),
            vec![
                Incoming::Other,
                Incoming::Other,
                Incoming::Ping,
                Incoming::Reply,
                Incoming::Message(b"hello"),
                Incoming::Message(b""),
                Incoming::Refused("'Slow Consumer'".to_owned()),
            ]
        );
    }

    #[test]
    fn an_incomplete_operation_waits_for_more_bytes_at_every_cut() {
        let stream = b"MSG com.x 1 12\r\n[1,\"xxxxxx\"]\r\nPONG\r\n";
        for cut in 0..stream.len() {
            let head = &stream[..cut];
            match Nats::parse(head).unwrap() {
                None => assert!(cut < 30, "{cut}"),
                Some((Incoming::Message(body), len)) => {
                    assert_eq!((body, len), (&b"[1,\"xxxxxx\"]"[..], 30));
                }
                Some(other) => panic!("{other:?} at {cut}"),
            }
        }
    }

    #[test]
    fn malformed_operations_are_errors() {
        for bad in [
            &b"MSG a 1\r\n"[..],
            b"MSG a 1 x\r\n",
            b"MSG a 1 2 3 4\r\n",
            b"MSG a 1 3\r\nabcXY",
            b"MSG a 1 999999999999\r\n",
            b"HELLO\r\n",
        ] {
            assert!(Nats::parse(bad).is_err(), "{}", show(bad));
        }
        assert!(Nats::parse(&vec![b'I'; MAX_LINE + 1]).is_err());
        assert_eq!(Nats::parse(&vec![b'I'; MAX_LINE]).unwrap(), None);
    }

    #[test]
    fn a_publication_is_pub_with_its_size() {
        let mut out = Vec::new();
        Nats::publish(&mut out, "com.crossway.loadgen", b"[7,\"xx\"]");
        Nats::publish(&mut out, "t", b"");
        assert_eq!(
            out,
            b"PUB com.crossway.loadgen 8\r\n[7,\"xx\"]\r\nPUB t 0\r\n\r\n"
        );
        let mut n = Vec::new();
        push_decimal(&mut n, 1_234_567_890);
        assert_eq!(n, b"1234567890");
    }
}
