//! The CBOR serializer (`wamp.2.cbor`), with serde_cbor.
//!
//! serde_cbor is unmaintained (RUSTSEC-2021-0127): this file is the only one that names it, so
//! that replacing it touches nothing else. Writing uses definite lengths and the shortest
//! lossless encoding of each number; binary data is a byte string. Reading accepts
//! indefinite-length items and skips tags (the self-describe tag 55799 included), reads
//! `undefined` as null, and refuses trailing bytes, non-string map keys and negative integers
//! below `i64::MIN`.

use serde::Serialize;
use serde::de::DeserializeSeed;

use super::binary::Binary;
use super::error::{DecodeError, EncodeError};
use super::value_serde::ValueSeed;
use crate::value::Value;

/// The serializer's WAMP name.
const NAME: &str = "cbor";

/// How CBOR carries binary data.
pub(crate) const BINARY: Binary = Binary::Native;

/// Appends `value` to `out` as CBOR.
pub(crate) fn encode<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    value
        .serialize(&mut serde_cbor::Serializer::new(out))
        .map_err(|e| EncodeError::Unsupported {
            codec: NAME,
            reason: e.to_string(),
        })
}

/// Reads one CBOR data item, with nothing after it.
pub(crate) fn decode(bytes: &[u8]) -> Result<Value, DecodeError> {
    let mut de = serde_cbor::Deserializer::from_slice(bytes);
    let value = ValueSeed::new(BINARY)
        .deserialize(&mut de)
        .map_err(syntax)?;
    de.end().map_err(syntax)?;
    Ok(value)
}

/// A parser error as a [`DecodeError`].
fn syntax(e: serde_cbor::Error) -> DecodeError {
    DecodeError::Syntax {
        codec: NAME,
        reason: e.to_string(),
    }
}
