//! The choice of serializer, and encoding and decoding single values with it.
//!
//! Whole messages are encoded and decoded in `frame.rs`; the serializers themselves live in
//! `json.rs`, `cbor.rs` and `msgpack.rs`.

use std::fmt;

use serde::Serialize;

use super::binary::Binary;
use super::error::{DecodeError, EncodeError};
use super::value_serde::{DictRef, ListRef, ValueRef};
use super::{cbor, json, msgpack};
use crate::value::{Dict, Value};

/// A WAMP serializer: how a message becomes bytes and back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// JSON, with binary values as `"\0"` + base64 strings.
    Json,
    /// CBOR (RFC 8949).
    Cbor,
    /// MessagePack.
    MsgPack,
}

impl Codec {
    /// Every codec, in the order the router prefers them.
    pub const ALL: [Codec; 3] = [Codec::Json, Codec::Cbor, Codec::MsgPack];

    /// The serializer's name as WAMP writes it: `json`, `cbor`, `msgpack`.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Json => "json",
            Codec::Cbor => "cbor",
            Codec::MsgPack => "msgpack",
        }
    }

    /// The codec with this WAMP name.
    pub fn from_name(name: &str) -> Option<Codec> {
        Codec::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Encodes one value (for payloads carried outside a message), with this serializer's binary
    /// convention.
    pub fn encode_value(self, value: &Value) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        let value = ValueRef {
            value,
            binary: self.binary(),
            depth: 0,
        };
        self.write(&value, &mut out)?;
        Ok(out)
    }

    /// Decodes one value of any shape, with this serializer's binary convention: the whole of
    /// `bytes`, every value built.
    pub fn decode_value(self, bytes: &[u8]) -> Result<Value, DecodeError> {
        match self {
            Codec::Json => json::decode(bytes),
            Codec::Cbor => cbor::decode(bytes),
            Codec::MsgPack => msgpack::decode(bytes),
        }
    }

    /// Appends a list to `out`, as an element of a message's list (one level deep).
    pub(crate) fn write_list(self, list: &[Value], out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let list = ListRef {
            list,
            binary: self.binary(),
            depth: 1,
        };
        self.write(&list, out)
    }

    /// Appends a dictionary to `out`, as an element of a message's list (one level deep).
    pub(crate) fn write_dict(self, dict: &Dict, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let dict = DictRef {
            dict,
            binary: self.binary(),
            depth: 1,
        };
        self.write(&dict, out)
    }

    /// How this serializer carries binary data.
    pub(crate) fn binary(self) -> Binary {
        match self {
            Codec::Json => json::BINARY,
            Codec::Cbor => cbor::BINARY,
            Codec::MsgPack => msgpack::BINARY,
        }
    }

    /// Appends `value` to `out`; on error, truncates `out` back to its length before the call.
    pub(crate) fn write<T: Serialize + ?Sized>(
        self,
        value: &T,
        out: &mut Vec<u8>,
    ) -> Result<(), EncodeError> {
        let start = out.len();
        let result = match self {
            Codec::Json => json::encode(value, out),
            Codec::Cbor => cbor::encode(value, out),
            Codec::MsgPack => msgpack::encode(value, out),
        };
        if result.is_err() {
            out.truncate(start);
        }
        result
    }
}

impl fmt::Display for Codec {
    /// The WAMP name, as [`Codec::name`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
