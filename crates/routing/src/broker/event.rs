//! One publication's EVENT as the broker encodes it for each subscription and serializer.
//!
//! The payload is the publisher's: subscribers of the publisher's serializer get its bytes as
//! they came. For another serializer the payload is converted once per publication, when first
//! needed, and that conversion serves every subscription and subscriber of that serializer.

use crossway_protocol::{
    Codec, Dict, EncodeError, Message, Payload, PublicationId, SubscriptionId,
};

use crate::subscription::PerCodec;

/// A publication's EVENT: the message (its subscription id set per delivery) and its payload
/// converted to each serializer that needed it.
#[derive(Debug)]
pub(crate) struct Event {
    /// `Message::Event` with the publisher's payload.
    message: Message,
    /// The payload in other serializers, converted when first needed (or why it could not be).
    converted: PerCodec<Option<Result<Payload, EncodeError>>>,
    /// How many conversions were made.
    conversions: usize,
}

impl Event {
    /// The EVENT of publication `id` with `details` and the publisher's `payload`.
    pub(crate) fn new(id: PublicationId, details: Dict, payload: Payload) -> Event {
        Event {
            message: Message::Event {
                subscription: SubscriptionId(0),
                publication: id,
                details,
                payload,
            },
            converted: PerCodec::default(),
            conversions: 0,
        }
    }

    /// The details, to add to before the next delivery.
    pub(crate) fn details_mut(&mut self) -> Option<&mut Dict> {
        match &mut self.message {
            Message::Event { details, .. } => Some(details),
            _ => None,
        }
    }

    /// How many times the payload was converted to another serializer.
    pub(crate) fn conversions(&self) -> usize {
        self.conversions
    }

    /// Encodes the EVENT for `subscription` with `codec`.
    pub(crate) fn encode(
        &mut self,
        subscription: SubscriptionId,
        codec: Codec,
    ) -> Result<Vec<u8>, EncodeError> {
        let Message::Event {
            subscription: id,
            payload,
            ..
        } = &mut self.message
        else {
            return codec.encode(&self.message);
        };
        *id = subscription;
        let needs_conversion = payload.raw().is_some_and(|raw| raw.codec() != codec);
        if !needs_conversion {
            return codec.encode(&self.message);
        }
        let slot = self.converted.get_mut(codec);
        let converted = match slot {
            Some(done) => done,
            None => {
                self.conversions += 1;
                slot.insert(payload.to_codec(codec))
            }
        };
        let converted = match converted {
            Ok(converted) => converted,
            Err(error) => return Err(error.clone()),
        };
        // The converted payload stands in for the publisher's while this EVENT is encoded.
        std::mem::swap(payload, converted);
        let encoded = codec.encode(&self.message);
        if let Message::Event { payload, .. } = &mut self.message {
            std::mem::swap(payload, converted);
        }
        encoded
    }
}
