//! Encoding and decoding whole messages as JSON, CBOR or MessagePack.
//!
//! - `serializer`: [`Codec`], the choice of serializer; values encoded and decoded with it.
//! - `frame`: whole messages: decoding by scanning, encoding with raw payloads spliced in.
//! - `error`: [`DecodeError`], [`EncodeError`] and the nesting limit [`MAX_DEPTH`].
//! - `reader`: a pull reader per serializer, building no values.
//! - `scan`: where a frame's elements lie, each checked as the value decoders would check it.
//! - `transcode`: a raw payload element converted from one serializer to another.
//! - `wire`: writes a borrowed message as its positional list.
//! - `binary`: how each serializer carries binary data (JSON: `"\0"` + base64).
//! - `value_serde`: the serde glue of [`Value`](crate::Value) (binary conventions, depth limit).
//! - `json`, `cbor`, `msgpack`: drive one serde serializer each.
//!
//! serde_cbor is unmaintained (RUSTSEC-2021-0127): only `cbor.rs` names it.

mod binary;
mod cbor;
mod error;
mod frame;
mod json;
mod msgpack;
pub(crate) mod reader;
pub(crate) mod scan;
mod serializer;
pub(crate) mod transcode;
mod value_serde;
mod wire;

pub use error::{DecodeError, EncodeError, MAX_DEPTH};
pub use serializer::Codec;
