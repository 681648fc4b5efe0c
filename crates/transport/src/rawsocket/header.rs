//! The 4-octet RawSocket frame header: `RRRR XTTT` then a 24-bit big-endian length.
//!
//! `RRRR` are reserved (zero), `TTT` the frame type (0 message, 1 PING, 2 PONG, 3 to 7
//! reserved) and `X` a 25th length bit, set only for a payload of exactly 2^24 octets with the
//! 24 length bits clear.

use crate::error::TransportError;

/// The size of a frame header.
pub(crate) const HEADER_LEN: usize = 4;
/// The largest payload a header can announce: 2^24 octets (with the `X` bit).
pub(crate) const MAX_PAYLOAD: usize = 1 << 24;

/// The `X` bit of the first octet.
const X_BIT: u8 = 0x08;
/// The `TTT` bits of the first octet.
const TYPE_BITS: u8 = 0x07;

/// What a frame carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FrameType {
    /// A serialized WAMP message (type 0).
    Message,
    /// A PING, to be answered with a PONG echoing its payload (type 1).
    Ping,
    /// A PONG, the answer to a PING (type 2).
    Pong,
}

/// A decoded frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    /// The frame type.
    pub kind: FrameType,
    /// The payload length, not counting the header.
    pub len: usize,
}

impl FrameType {
    /// The `TTT` value.
    fn bits(self) -> u8 {
        match self {
            FrameType::Message => 0,
            FrameType::Ping => 1,
            FrameType::Pong => 2,
        }
    }
}

/// Encodes a header. `len` must be at most [`MAX_PAYLOAD`] (the writer checks it against the
/// peer's limit, which never exceeds it).
pub(crate) fn encode(kind: FrameType, len: usize) -> [u8; HEADER_LEN] {
    debug_assert!(len <= MAX_PAYLOAD);
    if len == MAX_PAYLOAD {
        return [X_BIT | kind.bits(), 0, 0, 0];
    }
    let [_, a, b, c] = u32::try_from(len).unwrap_or(0).to_be_bytes();
    [kind.bits(), a, b, c]
}

/// Decodes a header and checks it against `max`, the longest payload this side accepts.
///
/// Reserved bits, a reserved frame type or an `X` bit with length bits set are
/// [`TransportError::Protocol`]; a payload over `max` is [`TransportError::TooLarge`].
pub(crate) fn decode(h: [u8; HEADER_LEN], max: usize) -> Result<Header, TransportError> {
    let [first, a, b, c] = h;
    if first >> 4 != 0 {
        return Err(TransportError::Protocol(format!(
            "reserved bits set in a RawSocket frame header (first octet 0x{first:02x})"
        )));
    }
    let kind = match first & TYPE_BITS {
        0 => FrameType::Message,
        1 => FrameType::Ping,
        2 => FrameType::Pong,
        t => {
            return Err(TransportError::Protocol(format!(
                "reserved RawSocket frame type {t}"
            )));
        }
    };
    // Lossless: at most 2^24 on every platform Rust supports (usize has at least 32 bits here).
    let short = u32::from_be_bytes([0, a, b, c]) as usize;
    let len = if first & X_BIT == 0 {
        short
    } else if short == 0 {
        MAX_PAYLOAD
    } else {
        return Err(TransportError::Protocol(
            "RawSocket frame header with the X bit and length bits set".to_owned(),
        ));
    };
    if len > max {
        return Err(TransportError::TooLarge { size: len, max });
    }
    Ok(Header { kind, len })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_type_and_edge_length() {
        for kind in [FrameType::Message, FrameType::Ping, FrameType::Pong] {
            for len in [0, 1, 511, 512, 0xFF_FFFF, MAX_PAYLOAD] {
                let h = encode(kind, len);
                assert_eq!(decode(h, MAX_PAYLOAD).unwrap(), Header { kind, len });
            }
        }
    }

    #[test]
    fn the_spec_examples() {
        assert_eq!(encode(FrameType::Message, MAX_PAYLOAD), [0x08, 0, 0, 0]);
        assert_eq!(
            encode(FrameType::Message, MAX_PAYLOAD - 1),
            [0x00, 0xFF, 0xFF, 0xFF]
        );
        assert_eq!(encode(FrameType::Ping, 0x01_0203), [0x01, 0x01, 0x02, 0x03]);
        assert_eq!(encode(FrameType::Pong, 5), [0x02, 0, 0, 5]);
    }

    #[test]
    fn rejects_reserved_bits_types_and_bad_x() {
        for first in [0x10, 0x80, 0xF0] {
            let e = decode([first, 0, 0, 1], 100).unwrap_err();
            assert!(matches!(e, TransportError::Protocol(ref m) if m.contains("reserved bits")));
        }
        for t in 3..=7u8 {
            let e = decode([t, 0, 0, 1], 100).unwrap_err();
            assert!(matches!(e, TransportError::Protocol(ref m) if m.contains("type")));
        }
        let e = decode([0x08, 0, 0, 1], MAX_PAYLOAD).unwrap_err();
        assert!(matches!(e, TransportError::Protocol(ref m) if m.contains("X bit")));
    }

    #[test]
    fn enforces_the_limit() {
        assert_eq!(decode([0, 0, 2, 0], 512).unwrap().len, 512);
        let e = decode([0, 0, 2, 1], 512).unwrap_err();
        assert!(matches!(
            e,
            TransportError::TooLarge {
                size: 513,
                max: 512
            }
        ));
        let e = decode([0x08, 0, 0, 0], 1 << 23).unwrap_err();
        assert!(matches!(e, TransportError::TooLarge { size, .. } if size == MAX_PAYLOAD));
    }
}
