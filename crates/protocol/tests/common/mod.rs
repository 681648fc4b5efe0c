//! Shared by the scanner tests: every frame is decoded both ways, and the two must agree.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use bytes::Bytes;
use crossway_protocol::{Codec, DecodeError, Message, RawPayload};

/// Decodes `frame` by scanning it and with the reference (every value built): both accept it or
/// both refuse it, with equal messages; `decode_bytes` gives what `decode` gives.
pub fn agree(codec: Codec, frame: &[u8]) -> Result<Message, DecodeError> {
    let scanned = codec.decode(frame);
    let reference = codec.decode_message(frame);
    match (&scanned, &reference) {
        (Ok(a), Ok(b)) =>
        {
            #[allow(clippy::eq_op)]
            if b == b {
                assert_eq!(a, b, "{codec}: {}", show(frame));
            }
        }
        (Err(_), Err(_)) => {}
        _ => panic!(
            "{codec}: scanning gives {scanned:?}, the reference {reference:?}: {}",
            show(frame)
        ),
    }
    let shared = codec.decode_bytes(Bytes::copy_from_slice(frame));
    assert_eq!(
        shared.as_ref().ok().and_then(raw),
        scanned.as_ref().ok().and_then(raw),
        "{codec}: decode_bytes"
    );
    scanned
}

/// Asserts that `frame` decodes, both ways; gives the message.
pub fn accepted(codec: Codec, frame: &[u8]) -> Message {
    match agree(codec, frame) {
        Ok(msg) => msg,
        Err(e) => panic!("{codec}: refused {}: {e}", show(frame)),
    }
}

/// Asserts that `frame` is refused, both ways; gives the scanner's reason.
pub fn refused(codec: Codec, frame: &[u8]) -> String {
    match agree(codec, frame) {
        Ok(msg) => panic!("{codec}: accepted {}: {msg:?}", show(frame)),
        Err(e) => e.to_string(),
    }
}

/// The raw payload of a message that has one.
pub fn raw(msg: &Message) -> Option<RawPayload> {
    msg.payload()?.raw().cloned()
}

/// Asserts that the same-codec re-encoding of `msg` carries its payload's bytes unchanged.
pub fn payload_survives(codec: Codec, msg: &Message) {
    let before = raw(msg).expect("a raw payload");
    let again = codec.decode(&codec.encode(msg).unwrap()).unwrap();
    let after = raw(&again).expect("a raw payload");
    assert_eq!(before.args_bytes(), after.args_bytes(), "{codec}");
    assert_eq!(before.kwargs_bytes(), after.kwargs_bytes(), "{codec}");
}

/// A frame for messages: text as is, binary as hex.
pub fn show(frame: &[u8]) -> String {
    match std::str::from_utf8(frame) {
        Ok(text) => text.to_owned(),
        Err(_) => frame.iter().map(|b| format!("{b:02x}")).collect(),
    }
}
