//! The choice of serializer, and encoding and decoding of whole messages with it.
//!
//! (Skeleton: the JSON, CBOR and MessagePack implementations live in `json.rs`, `cbor.rs` and
//! `msgpack.rs`.)

use crate::message::Message;

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

/// Why bytes could not be decoded as a WAMP message.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The bytes are not valid data of the serializer.
    #[error("invalid {codec} data: {reason}")]
    Syntax {
        /// The serializer's name.
        codec: &'static str,
        /// What the parser said.
        reason: String,
    },
    /// The data is valid but not a WAMP message of a known shape.
    #[error("not a valid WAMP message: {0}")]
    Shape(String),
}

/// Why a message could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// The serializer refused the value.
    #[error("cannot encode as {codec}: {reason}")]
    Unsupported {
        /// The serializer's name.
        codec: &'static str,
        /// What the serializer said.
        reason: String,
    },
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
        let _ = msg;
        todo!()
    }

    /// Decodes one message.
    pub fn decode(self, bytes: &[u8]) -> Result<Message, DecodeError> {
        let _ = bytes;
        todo!()
    }
}
