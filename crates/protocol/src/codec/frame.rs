//! Encoding and decoding whole messages, one frame each.
//!
//! Decoding scans the frame (`scan.rs`): every element is checked, the elements routing needs
//! (type code, ids, URIs, options and details) are decoded as values, and the payload stays as
//! the frame's bytes. Encoding writes the borrowed message directly (`wire.rs`), a raw payload
//! as its bytes. [`Codec::decode_message`] is the reference: it builds every value first, as
//! every decoder did before payloads stayed raw, and accepts exactly the same frames.

use bytes::Bytes;

use super::error::{DecodeError, EncodeError};
use super::scan::{self, Elements};
use super::serializer::Codec;
use super::wire;
use crate::message::Message;
use crate::shape::{self, FrameBytes};

/// What [`Codec::encode`] allocates to begin with: most WAMP messages fit, so encoding one does
/// not grow its buffer step by step (from 8 bytes, five reallocations for a 100-byte EVENT: 13%
/// of the router's CPU for one publisher to one subscriber). Larger ones grow from here.
const ENCODE_CAPACITY: usize = 256;

impl Codec {
    /// Encodes one message.
    pub fn encode(self, msg: &Message) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(ENCODE_CAPACITY);
        self.encode_into(msg, &mut out)?;
        Ok(out)
    }

    /// Encodes one message, appending it to `out`. On error, `out` is left as it was.
    pub fn encode_into(self, msg: &Message, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        wire::write(self, msg, out)
    }

    /// Decodes one message: the whole of `bytes`, nothing before or after it. Its payload is
    /// copied out of `bytes` (see [`Codec::decode_bytes`] to share it instead).
    pub fn decode(self, bytes: &[u8]) -> Result<Message, DecodeError> {
        self.decode_frame(FrameBytes::Borrowed(bytes))
    }

    /// Decodes one message from a frame as received: its payload is a slice of `frame`, not a
    /// copy.
    pub fn decode_bytes(self, frame: Bytes) -> Result<Message, DecodeError> {
        self.decode_frame(FrameBytes::Shared(&frame))
    }

    /// Decodes one message by building every value first: the payload is
    /// [`Payload::Values`](crate::Payload::Values) (a passthru payload, which has no form as
    /// values, is raw CBOR). Slower; the reference the other decoders agree with.
    pub fn decode_message(self, bytes: &[u8]) -> Result<Message, DecodeError> {
        Message::try_from(self.decode_value(bytes)?)
    }

    /// Scans `frame` and reads the message in it.
    fn decode_frame(self, frame: FrameBytes<'_>) -> Result<Message, DecodeError> {
        let bytes = frame.as_slice();
        let mut elements = Elements::new();
        if scan::frame_of(self, bytes, &mut elements)? {
            shape::read_frame(self, frame, &elements)
        } else {
            // Not a list: the reference says why it is no message.
            self.decode_message(bytes)
        }
    }
}
