//! MQTT 3.1.1 with QoS 0, the client's side: CONNECT, SUBSCRIBE, PUBLISH and PINGREQ written;
//! CONNACK, SUBACK, PUBLISH and PINGRESP read. A publisher's end marker is confirmed by a
//! PINGREQ after it: the broker handles a client's packets in order, so its PINGRESP comes once
//! the marker has gone to every subscriber (QoS 0 itself has no acknowledgement).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::stream::ByteStream;
use crate::stream_client::{Incoming, StreamClient, Wire};

/// The keep-alive announced in CONNECT, in seconds: long, since a lean subscriber sends
/// nothing while it counts (a broker closes a client silent for 1.5 times this).
const KEEP_ALIVE_S: u16 = 600;
/// The largest remaining length the protocol can express (four length octets).
const MAX_REMAINING: usize = 268_435_455;
/// The packet identifier of a subscriber's one SUBSCRIBE.
const SUBSCRIBE_ID: u16 = 1;

/// Control packet types (the high nibble of the first octet).
mod kind {
    pub const CONNECT: u8 = 1;
    pub const CONNACK: u8 = 2;
    pub const PUBLISH: u8 = 3;
    pub const SUBSCRIBE: u8 = 8;
    pub const SUBACK: u8 = 9;
    pub const PINGRESP: u8 = 13;
}

/// Client ids, unique within this process.
static NEXT_CLIENT: AtomicU64 = AtomicU64::new(1);

/// The MQTT 3.1.1 protocol, QoS 0.
#[derive(Debug, Clone, Copy)]
pub struct Mqtt;

impl Wire for Mqtt {
    const NAME: &'static str = "MQTT";
    const PING: &'static [u8] = &[0xc0, 0x00];
    /// MQTT brokers do not ping clients.
    const PONG: &'static [u8] = &[];

    fn parse(buf: &[u8]) -> Result<Option<(Incoming<'_>, usize)>, String> {
        let Some(&first) = buf.first() else {
            return Ok(None);
        };
        let Some((remaining, header)) = read_remaining(buf.get(1..).unwrap_or_default())? else {
            return Ok(None);
        };
        let start = 1 + header;
        let end = start + remaining;
        let Some(body) = buf.get(start..end) else {
            return Ok(None);
        };
        let item = match first >> 4 {
            kind::CONNACK => match body {
                [_, 0] => Incoming::Reply,
                [_, code] => Incoming::Refused(connack_refusal(*code)),
                _ => return Err("a malformed CONNACK".to_owned()),
            },
            kind::PUBLISH => {
                let qos = (first >> 1) & 3;
                let topic_len = match body {
                    [hi, lo, ..] => usize::from(u16::from_be_bytes([*hi, *lo])),
                    _ => return Err("a PUBLISH too short for its topic".to_owned()),
                };
                let payload_at = 2 + topic_len + if qos > 0 { 2 } else { 0 };
                match body.get(payload_at..) {
                    Some(payload) => Incoming::Message(payload),
                    None => return Err("a PUBLISH too short for its topic".to_owned()),
                }
            }
            kind::SUBACK => match body.get(2..) {
                Some(codes) if !codes.is_empty() && codes.iter().all(|c| *c <= 2) => {
                    Incoming::Reply
                }
                Some([0x80, ..]) => Incoming::Refused("subscription refused (0x80)".to_owned()),
                _ => return Err("a malformed SUBACK".to_owned()),
            },
            kind::PINGRESP => Incoming::Reply,
            _ => Incoming::Other,
        };
        Ok(Some((item, end)))
    }

    fn publish(out: &mut Vec<u8>, topic: &str, body: &[u8]) {
        out.push(kind::PUBLISH << 4);
        push_remaining(out, 2 + topic.len() + body.len());
        push_string(out, topic);
        out.extend_from_slice(body);
    }
}

/// Connects to the broker at `host_port` with a clean session and a fresh client id; the
/// client publishes to `topic`.
pub async fn connect(host_port: &str, topic: &str) -> Result<StreamClient<Mqtt>, String> {
    let mut client = StreamClient::new(ByteStream::connect(host_port).await?, topic);
    let id = format!(
        "crossway-loadgen-{}-{}",
        std::process::id(),
        NEXT_CLIENT.fetch_add(1, Ordering::Relaxed)
    );
    let out = client.output();
    out.push(kind::CONNECT << 4);
    push_remaining(out, 10 + 2 + id.len());
    push_string(out, "MQTT");
    // Protocol level 4 (3.1.1); flags: clean session only.
    out.extend_from_slice(&[4, 0x02]);
    out.extend_from_slice(&KEEP_ALIVE_S.to_be_bytes());
    push_string(out, &id);
    client.request("CONNECT").await?;
    Ok(client)
}

/// Connects and subscribes to `topic` (a topic filter) with QoS 0; the SUBACK says the
/// subscription is in place.
pub async fn subscribe(host_port: &str, topic: &str) -> Result<StreamClient<Mqtt>, String> {
    let mut client = connect(host_port, topic).await?;
    let out = client.output();
    // SUBSCRIBE has flags 0b0010.
    out.push((kind::SUBSCRIBE << 4) | 0x02);
    push_remaining(out, 2 + 2 + topic.len() + 1);
    out.extend_from_slice(&SUBSCRIBE_ID.to_be_bytes());
    push_string(out, topic);
    out.push(0);
    client.request("SUBSCRIBE").await?;
    Ok(client)
}

/// The remaining length at the start of `buf` and how many octets it took; `None` while
/// incomplete.
fn read_remaining(buf: &[u8]) -> Result<Option<(usize, usize)>, String> {
    let mut value = 0usize;
    for (i, octet) in buf.iter().take(4).enumerate() {
        value |= usize::from(octet & 0x7f) << (7 * i);
        if octet & 0x80 == 0 {
            return Ok(Some((value, i + 1)));
        }
    }
    if buf.len() >= 4 {
        Err("an MQTT remaining length longer than four octets".to_owned())
    } else {
        Ok(None)
    }
}

/// Appends a remaining length (at most [`MAX_REMAINING`]; longer is cut there, which no
/// packet of this client comes near).
fn push_remaining(out: &mut Vec<u8>, n: usize) {
    let mut n = n.min(MAX_REMAINING);
    loop {
        let octet = (n % 128) as u8;
        n /= 128;
        if n == 0 {
            out.push(octet);
            return;
        }
        out.push(octet | 0x80);
    }
}

/// Appends a UTF-8 string with its two-octet length (topics and ids here are short).
fn push_string(out: &mut Vec<u8>, s: &str) {
    let len = u16::try_from(s.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s.as_bytes().get(..usize::from(len)).unwrap_or_default());
}

/// Why a broker refused a connection, from CONNACK's return code.
fn connack_refusal(code: u8) -> String {
    let why = match code {
        1 => "unacceptable protocol version",
        2 => "client identifier rejected",
        3 => "server unavailable",
        4 => "bad user name or password",
        5 => "not authorized",
        _ => "unknown return code",
    };
    format!("{why} ({code})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_lengths_round_trip_at_every_size_boundary() {
        for n in [
            0,
            127,
            128,
            16_383,
            16_384,
            2_097_151,
            2_097_152,
            MAX_REMAINING,
        ] {
            let mut out = Vec::new();
            push_remaining(&mut out, n);
            assert_eq!(read_remaining(&out).unwrap(), Some((n, out.len())), "{n}");
            assert_eq!(read_remaining(&out[..out.len() - 1]).unwrap(), None, "{n}");
        }
        assert!(read_remaining(&[0xff, 0xff, 0xff, 0xff, 0x01]).is_err());
    }

    #[test]
    fn a_publication_is_read_back_and_incomplete_ones_wait() {
        let mut out = Vec::new();
        let body = vec![b'x'; 200];
        Mqtt::publish(&mut out, "com.crossway.loadgen", &body);
        assert_eq!(out[..3], [0x30, 0xde, 0x01]);
        assert_eq!(
            Mqtt::parse(&out).unwrap(),
            Some((Incoming::Message(&body), out.len()))
        );
        for cut in 0..out.len() {
            assert_eq!(Mqtt::parse(&out[..cut]).unwrap(), None, "{cut}");
        }
        // QoS 1 carries a packet identifier after the topic.
        let qos1 = [0x32, 0x07, 0x00, 0x01, b't', 0x00, 0x05, b'h', b'i'];
        assert_eq!(
            Mqtt::parse(&qos1).unwrap(),
            Some((Incoming::Message(b"hi"), 9))
        );
    }

    #[test]
    fn acknowledgements_are_replies_and_refusals_say_why() {
        let replies: [&[u8]; 4] = [
            &[0x20, 0x02, 0x00, 0x00],
            &[0x90, 0x03, 0x00, 0x01, 0x00],
            &[0xd0, 0x00],
            &[0x90, 0x04, 0x00, 0x01, 0x00, 0x01],
        ];
        for packet in replies {
            assert_eq!(
                Mqtt::parse(packet).unwrap(),
                Some((Incoming::Reply, packet.len()))
            );
        }
        let Some((Incoming::Refused(why), 4)) = Mqtt::parse(&[0x20, 0x02, 0x00, 0x05]).unwrap()
        else {
            panic!("a refused CONNACK");
        };
        assert_eq!(why, "not authorized (5)");
        assert!(matches!(
            Mqtt::parse(&[0x90, 0x03, 0x00, 0x01, 0x80]).unwrap(),
            Some((Incoming::Refused(_), 5))
        ));
        for bad in [
            &[0x20, 0x01, 0x00][..],
            &[0x90, 0x02, 0x00, 0x01],
            &[0x30, 0x01, 0x00],
            &[0x30, 0x02, 0x00, 0x09],
        ] {
            assert!(Mqtt::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Mqtt::parse(&[0xe0, 0x00]).unwrap(),
            Some((Incoming::Other, 2))
        );
    }

    #[test]
    fn strings_carry_their_length() {
        let mut out = Vec::new();
        push_string(&mut out, "MQTT");
        assert_eq!(out, [0, 4, b'M', b'Q', b'T', b'T']);
    }
}
