//! The MessagePack serializer (`wamp.2.msgpack`), with rmp-serde.
//!
//! Maps are written as maps with string keys (nothing goes through rmp-serde's struct-as-array
//! mode), strings as `str` and binary data as `bin`. Reading turns `str` into strings and `bin`
//! into binary; a `str` that is not UTF-8 is read as binary (rmp-serde's fallback). Extension
//! types, non-string map keys and trailing bytes are refused.

use std::io::Cursor;

use serde::Serialize;
use serde::de::DeserializeSeed;

use super::binary::Binary;
use super::error::{DecodeError, EncodeError};
use super::value_serde::ValueSeed;
use crate::value::Value;

/// The serializer's WAMP name.
const NAME: &str = "msgpack";

/// How MessagePack carries binary data.
pub(crate) const BINARY: Binary = Binary::Native;

/// Appends `value` to `out` as MessagePack.
pub(crate) fn encode<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    value
        .serialize(&mut rmp_serde::Serializer::new(out))
        .map_err(|e| EncodeError::Unsupported {
            codec: NAME,
            reason: e.to_string(),
        })
}

/// Reads one MessagePack value, with nothing after it.
pub(crate) fn decode(bytes: &[u8]) -> Result<Value, DecodeError> {
    let mut de = rmp_serde::Deserializer::new(Cursor::new(bytes));
    let value = ValueSeed::new(BINARY)
        .deserialize(&mut de)
        .map_err(|e| syntax(e.to_string()))?;
    let read = de.position();
    if read != bytes.len() as u64 {
        return Err(syntax(format!(
            "{} trailing bytes after the value",
            (bytes.len() as u64).saturating_sub(read)
        )));
    }
    Ok(value)
}

/// A parser error as a [`DecodeError`].
fn syntax(reason: String) -> DecodeError {
    DecodeError::Syntax {
        codec: NAME,
        reason,
    }
}
