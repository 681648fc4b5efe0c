//! The codec targets: decoding must never panic nor overflow the stack, and what decodes must
//! survive encoding and decoding again.
//!
//! Properties, for the codec `c` under test and the input `b`:
//!
//! 1. `c.decode_value(b)`, when it succeeds, gives a value `v` with `c.encode_value(v)` = `e`
//!    succeeding, `c.decode_value(e)` = `v'` succeeding, `v' == v`, and `c.encode_value(v')` = `e`
//!    (the encoding is stable after one round).
//! 2. The same for `c.decode(b)` and whole messages.
//! 3. A message that decodes is also encoded with the other two codecs and decoded back: no
//!    panic. Between CBOR and MessagePack (both carry every [`Value`] losslessly) the message
//!    must come back equal; JSON is left out of that check because it cannot carry non-finite
//!    floats and reads any string starting with `"\0"` as binary, by the WAMP convention.
//!
//! NaN: a float NaN (CBOR and MessagePack can carry it) makes `==` false even on the same
//! value, so structural equality is checked only when the decoded value equals itself (which
//! is false exactly when it holds a NaN). The byte comparison of the second encoding with the
//! first still covers such values: NaN bits may change in the first round but must be stable.
//!
//! [`Value`]: crossway_protocol::Value

use crossway_protocol::{Codec, Message, Value};

/// Runs every property above on `data` with `codec`.
pub fn check(codec: Codec, data: &[u8]) {
    if let Ok(value) = codec.decode_value(data) {
        value_round_trip(codec, &value);
    }
    if let Ok(msg) = codec.decode(data) {
        message_round_trip(codec, &msg);
        for other in Codec::ALL {
            if other != codec {
                cross(codec, other, &msg);
            }
        }
    }
}

/// Property 1.
fn value_round_trip(codec: Codec, value: &Value) {
    let first = match codec.encode_value(value) {
        Ok(bytes) => bytes,
        Err(e) => panic!("{codec}: a decoded value does not encode: {e}\nvalue: {value:?}"),
    };
    let again = match codec.decode_value(&first) {
        Ok(v) => v,
        Err(e) => panic!(
            "{codec}: a re-encoded value does not decode: {e}\nvalue: {value:?}\nbytes: {}",
            hex(&first)
        ),
    };
    if is_reflexive(value) {
        assert_eq!(&again, value, "{codec}: the value changed in a round trip");
    }
    let second = match codec.encode_value(&again) {
        Ok(bytes) => bytes,
        Err(e) => panic!("{codec}: the value does not encode a second time: {e}"),
    };
    assert_eq!(
        hex(&first),
        hex(&second),
        "{codec}: the encoding of a value is not stable"
    );
}

/// Property 2.
fn message_round_trip(codec: Codec, msg: &Message) {
    let first = match codec.encode(msg) {
        Ok(bytes) => bytes,
        Err(e) => panic!("{codec}: a decoded message does not encode: {e}\nmessage: {msg:?}"),
    };
    let again = match codec.decode(&first) {
        Ok(m) => m,
        Err(e) => panic!(
            "{codec}: a re-encoded message does not decode: {e}\nmessage: {msg:?}\nbytes: {}",
            hex(&first)
        ),
    };
    if is_reflexive(msg) {
        assert_eq!(&again, msg, "{codec}: the message changed in a round trip");
    }
    let second = match codec.encode(&again) {
        Ok(bytes) => bytes,
        Err(e) => panic!("{codec}: the message does not encode a second time: {e}"),
    };
    assert_eq!(
        hex(&first),
        hex(&second),
        "{codec}: the encoding of a message is not stable"
    );
}

/// Property 3: `msg`, decoded with `from`, through `to` and back.
fn cross(from: Codec, to: Codec, msg: &Message) {
    let Ok(bytes) = to.encode(msg) else {
        return;
    };
    let back = to.decode(&bytes);
    let lossless = from != Codec::Json && to != Codec::Json;
    if lossless && is_reflexive(msg) {
        match back {
            Ok(back) => assert_eq!(&back, msg, "{from} -> {to}: the message changed"),
            Err(e) => panic!(
                "{from} -> {to}: the message does not decode: {e}\nmessage: {msg:?}\nbytes: {}",
                hex(&bytes)
            ),
        }
    }
}

/// Whether `x == x`: false exactly when `x` holds a float NaN somewhere.
#[allow(clippy::eq_op)]
fn is_reflexive<T: PartialEq>(x: &T) -> bool {
    x == x
}

/// Lower-case hex, for messages.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
