//! The JSON serializer (`wamp.2.json`), with serde_json.
//!
//! Output is compact (`[16,1,{},"t"]`, as autobahn writes it). Binary data is a string of `"\0"`
//! followed by base64 (standard alphabet, padded; read with or without padding), and every string
//! that starts with `"\0"` is read back as binary, in payloads and message elements alike (map
//! keys stay strings). The convention is ambiguous by design: a string that itself starts with
//! `"\0"` is written unchanged (as autobahn does) and comes back as binary, or as an error if the
//! rest is not base64. JSON has no NaN or infinity: writing one is an [`EncodeError`] rather than
//! a silent `null`, so a payload never changes on its way through the router.

use serde::Serialize;
use serde::de::DeserializeSeed;

use super::binary::Binary;
use super::error::{DecodeError, EncodeError};
use super::value_serde::ValueSeed;
use crate::value::Value;

/// The serializer's WAMP name.
const NAME: &str = "json";

/// How JSON carries binary data.
pub(crate) const BINARY: Binary = Binary::Base64;

/// Appends `value` to `out` as compact JSON.
pub(crate) fn encode<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    serde_json::to_writer(out, value).map_err(|e| EncodeError::Unsupported {
        codec: NAME,
        reason: e.to_string(),
    })
}

/// Reads one JSON document (trailing whitespace allowed, nothing else).
pub(crate) fn decode(bytes: &[u8]) -> Result<Value, DecodeError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = ValueSeed::new(BINARY)
        .deserialize(&mut de)
        .map_err(syntax)?;
    de.end().map_err(syntax)?;
    Ok(value)
}

/// A parser error as a [`DecodeError`].
fn syntax(e: serde_json::Error) -> DecodeError {
    DecodeError::Syntax {
        codec: NAME,
        reason: e.to_string(),
    }
}
