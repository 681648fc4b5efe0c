//! The choice of serializer, and encoding and decoding of whole messages with it.
//!
//! Decoding reads the bytes into a [`Value`] (at most [`MAX_DEPTH`] levels deep), then checks it
//! against the message's shape (`shape.rs`). Encoding serializes the borrowed message directly
//! (`wire.rs`). The serializers themselves live in `json.rs`, `cbor.rs` and `msgpack.rs`.
//!
//! [`MAX_DEPTH`]: super::MAX_DEPTH

use std::fmt;

use serde::Serialize;

use super::binary::Binary;
use super::error::{DecodeError, EncodeError};
use super::value_serde::ValueRef;
use super::wire::WireMessage;
use super::{cbor, json, msgpack};
use crate::message::Message;
use crate::value::Value;

/// What [`Codec::encode`] allocates to begin with: most WAMP messages fit, so encoding one does
/// not grow its buffer step by step (from 8 bytes, five reallocations for a 100-byte EVENT: 13%
/// of the router's CPU for one publisher to one subscriber). Larger ones grow from here.
const ENCODE_CAPACITY: usize = 256;

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

    /// Encodes one message.
    pub fn encode(self, msg: &Message) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(ENCODE_CAPACITY);
        self.encode_into(msg, &mut out)?;
        Ok(out)
    }

    /// Encodes one message, appending it to `out`. On error, `out` is left as it was.
    pub fn encode_into(self, msg: &Message, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        self.write(&WireMessage::new(msg, self.binary()), out)
    }

    /// Decodes one message: the whole of `bytes`, nothing before or after it.
    pub fn decode(self, bytes: &[u8]) -> Result<Message, DecodeError> {
        Message::try_from(self.decode_value(bytes)?)
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

    /// Decodes one value of any shape, with this serializer's binary convention.
    pub fn decode_value(self, bytes: &[u8]) -> Result<Value, DecodeError> {
        match self {
            Codec::Json => json::decode(bytes),
            Codec::Cbor => cbor::decode(bytes),
            Codec::MsgPack => msgpack::decode(bytes),
        }
    }

    /// How this serializer carries binary data.
    fn binary(self) -> Binary {
        match self {
            Codec::Json => json::BINARY,
            Codec::Cbor => cbor::BINARY,
            Codec::MsgPack => msgpack::BINARY,
        }
    }

    /// Appends `value` to `out`; on error, truncates `out` back to its length before the call.
    fn write<T: Serialize>(self, value: &T, out: &mut Vec<u8>) -> Result<(), EncodeError> {
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
