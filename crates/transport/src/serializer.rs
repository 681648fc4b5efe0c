//! The serializer names that the transport handshakes negotiate.
//!
//! The transport knows only the names: WebSocket subprotocols (`wamp.2.json`) and RawSocket
//! serializer ids. Encoding and decoding are `crossway-protocol`'s codecs.

use std::fmt;

/// A WAMP serializer as the transport handshakes name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Serializer {
    /// JSON: WebSocket text frames, subprotocol `wamp.2.json`, RawSocket id 1.
    Json,
    /// CBOR: WebSocket binary frames, subprotocol `wamp.2.cbor`, RawSocket id 3.
    Cbor,
    /// MessagePack: WebSocket binary frames, subprotocol `wamp.2.msgpack`, RawSocket id 2.
    MsgPack,
}

impl Serializer {
    /// Every serializer, in the order the router prefers them.
    pub const ALL: [Serializer; 3] = [Serializer::Json, Serializer::Cbor, Serializer::MsgPack];

    /// The serializer's WAMP name: `json`, `cbor`, `msgpack`.
    pub fn name(self) -> &'static str {
        match self {
            Serializer::Json => "json",
            Serializer::Cbor => "cbor",
            Serializer::MsgPack => "msgpack",
        }
    }

    /// The serializer with this WAMP name (exact, lowercase).
    pub fn from_name(s: &str) -> Option<Serializer> {
        Serializer::ALL.into_iter().find(|ser| ser.name() == s)
    }

    /// The WebSocket subprotocol: `wamp.2.json`, `wamp.2.cbor`, `wamp.2.msgpack`.
    pub fn subprotocol(self) -> &'static str {
        match self {
            Serializer::Json => "wamp.2.json",
            Serializer::Cbor => "wamp.2.cbor",
            Serializer::MsgPack => "wamp.2.msgpack",
        }
    }

    /// The serializer of a WebSocket subprotocol. Batched variants (`wamp.2.json.batched`) are
    /// not supported and give `None`.
    pub fn from_subprotocol(s: &str) -> Option<Serializer> {
        Serializer::ALL
            .into_iter()
            .find(|ser| ser.subprotocol() == s)
    }

    /// The serializer id of the RawSocket handshake: 1 JSON, 2 MessagePack, 3 CBOR.
    pub fn rawsocket_id(self) -> u8 {
        match self {
            Serializer::Json => 1,
            Serializer::MsgPack => 2,
            Serializer::Cbor => 3,
        }
    }

    /// The serializer of a RawSocket handshake id.
    pub fn from_rawsocket_id(id: u8) -> Option<Serializer> {
        Serializer::ALL
            .into_iter()
            .find(|ser| ser.rawsocket_id() == id)
    }

    /// Whether messages are text: JSON goes in WebSocket text frames, the others in binary frames.
    pub fn is_text(self) -> bool {
        self == Serializer::Json
    }
}

impl fmt::Display for Serializer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for ser in Serializer::ALL {
            assert_eq!(Serializer::from_name(ser.name()), Some(ser));
            assert_eq!(Serializer::from_subprotocol(ser.subprotocol()), Some(ser));
            assert_eq!(Serializer::from_rawsocket_id(ser.rawsocket_id()), Some(ser));
        }
        assert_eq!(Serializer::from_name("JSON"), None);
        assert_eq!(Serializer::from_subprotocol("wamp.2.json.batched"), None);
        assert_eq!(Serializer::from_rawsocket_id(0), None);
    }

    #[test]
    fn rawsocket_ids_follow_the_spec() {
        assert_eq!(Serializer::Json.rawsocket_id(), 1);
        assert_eq!(Serializer::MsgPack.rawsocket_id(), 2);
        assert_eq!(Serializer::Cbor.rawsocket_id(), 3);
    }

    #[test]
    fn only_json_is_text() {
        assert!(Serializer::Json.is_text());
        assert!(!Serializer::Cbor.is_text());
        assert!(!Serializer::MsgPack.is_text());
    }
}
