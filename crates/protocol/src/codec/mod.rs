//! Encoding and decoding whole messages as JSON, CBOR or MessagePack.
//!
//! - `serializer`: [`Codec`], the choice of serializer, and its entry points.
//! - `error`: [`DecodeError`], [`EncodeError`] and the nesting limit [`MAX_DEPTH`].
//! - `binary`: how each serializer carries binary data (JSON: `"\0"` + base64).
//! - `value_serde`: the serde glue of [`Value`](crate::Value) (binary conventions, depth limit).
//! - `wire`: writes a borrowed message as its positional list.
//! - `json`, `cbor`, `msgpack`: drive one serializer each.
//!
//! serde_cbor is unmaintained (RUSTSEC-2021-0127): only `cbor.rs` names it.

mod binary;
mod cbor;
mod error;
mod json;
mod msgpack;
mod serializer;
mod value_serde;
mod wire;

pub use error::{DecodeError, EncodeError, MAX_DEPTH};
pub use serializer::Codec;
