//! The type of an encoded WAMP message, read from its first octets without decoding it: a
//! message is a list whose first element is its type code, so the writer can count what it sends
//! (events, invocations, results) from the frames alone.

use crossway_protocol::Codec;

/// The most octets looked at.
const LOOK: usize = 24;

/// The type code of the encoded message `frame`, or `None` when its start is not a list
/// beginning with a small unsigned integer.
pub fn peek(codec: Codec, frame: &[u8]) -> Option<u64> {
    let head = frame.get(..frame.len().min(LOOK))?;
    match codec {
        Codec::Json => json(head),
        Codec::Cbor => cbor(head),
        Codec::MsgPack => msgpack(head),
    }
}

/// `[` then digits, with JSON whitespace allowed around them.
fn json(head: &[u8]) -> Option<u64> {
    let mut rest = head.iter().skip_while(|b| b.is_ascii_whitespace());
    if rest.next() != Some(&b'[') {
        return None;
    }
    let mut code: u64 = 0;
    let mut digits = 0;
    for b in rest.skip_while(|b| b.is_ascii_whitespace()) {
        if !b.is_ascii_digit() {
            break;
        }
        code = code.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
        digits += 1;
    }
    (digits > 0).then_some(code)
}

/// An array head (any length form), then an unsigned integer of up to one extra octet.
fn cbor(head: &[u8]) -> Option<u64> {
    let (&first, rest) = head.split_first()?;
    let rest = match first {
        0x80..=0x97 | 0x9f => rest,
        0x98 => rest.get(1..)?,
        0x99 => rest.get(2..)?,
        0x9a => rest.get(4..)?,
        0x9b => rest.get(8..)?,
        _ => return None,
    };
    match rest {
        [n @ 0x00..=0x17, ..] => Some(u64::from(*n)),
        [0x18, n, ..] => Some(u64::from(*n)),
        _ => None,
    }
}

/// An array head (fixarray, array 16 or array 32), then a positive fixint or a uint 8.
fn msgpack(head: &[u8]) -> Option<u64> {
    let (&first, rest) = head.split_first()?;
    let rest = match first {
        0x90..=0x9f => rest,
        0xdc => rest.get(2..)?,
        0xdd => rest.get(4..)?,
        _ => return None,
    };
    match rest {
        [n @ 0x00..=0x7f, ..] => Some(u64::from(*n)),
        [0xcc, n, ..] => Some(u64::from(*n)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossway_protocol::Message;

    #[test]
    fn every_codec_reads_back_the_type_of_what_it_wrote() {
        let messages = [
            Message::goodbye("wamp.close.normal"),
            Message::abort("wamp.error.no_such_realm", "no"),
        ];
        for codec in Codec::ALL {
            for m in &messages {
                let bytes = codec.encode(m).unwrap();
                assert_eq!(peek(codec, &bytes), Some(m.code()), "{codec:?} {m:?}");
            }
        }
    }

    #[test]
    fn odd_starts_are_unknown() {
        assert_eq!(peek(Codec::Json, b" [ 36 ,1]"), Some(36));
        assert_eq!(peek(Codec::Json, b"{}"), None);
        assert_eq!(peek(Codec::Json, b"[\"x\"]"), None);
        assert_eq!(peek(Codec::Json, b""), None);
        assert_eq!(peek(Codec::Cbor, &[0x83, 0x18, 70]), Some(70));
        assert_eq!(peek(Codec::Cbor, &[0xa1]), None);
        assert_eq!(peek(Codec::MsgPack, &[0x93, 0xcc, 70]), Some(70));
        assert_eq!(peek(Codec::MsgPack, &[0xdc]), None);
    }
}
