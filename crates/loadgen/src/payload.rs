//! What a publication carries: a timestamp and padding, or the end marker of a publisher.
//!
//! A publication's arguments are `[stamp, pad]`: `stamp` the nanoseconds from the run's clock
//! base to the scheduled (paced) or actual (unpaced) send time, `pad` a string of `--payload`
//! ASCII bytes, the same size in every serializer. A publisher's last publication, sent with
//! `acknowledge`, is `["end", publisher, sent]`: once a subscriber has it from every publisher, it
//! has everything those publishers sent before (the router keeps each publisher's order).
//!
//! NATS and MQTT carry bytes, not arguments: there a message's body is the same list written as
//! JSON text, `[stamp,"pad"]` or `["end",publisher,sent]`, so that a 64-byte payload is the same
//! size on the wire in all three protocols.

use std::io::Write;

use crossway_protocol::{List, Value};
use serde::de::IgnoredAny;

/// The first argument of an end marker.
const END: &str = "end";

/// The arguments of one publisher's publications, minus the timestamp.
#[derive(Debug, Clone)]
pub struct Payload {
    pad: String,
}

/// What a subscriber received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// A publication stamped at this many nanoseconds from the clock base.
    Stamped(u64),
    /// The end marker of `publisher`, which sent `sent` publications before it.
    End {
        /// The publisher's index.
        publisher: u64,
        /// How many publications it sent before the marker.
        sent: u64,
    },
    /// Anything else (not from this load generator).
    Other,
}

impl Payload {
    /// A payload whose padding is `size` bytes.
    pub fn new(size: usize) -> Payload {
        Payload {
            pad: "x".repeat(size),
        }
    }

    /// The arguments of one publication stamped `stamp_ns`.
    pub fn args(&self, stamp_ns: u64) -> List {
        vec![Value::from_u64(stamp_ns), Value::Str(self.pad.clone())]
    }

    /// The arguments of the end marker of `publisher`, after `sent` publications.
    pub fn end_marker(publisher: usize, sent: u64) -> List {
        vec![
            Value::Str(END.to_owned()),
            Value::from_u64(publisher as u64),
            Value::from_u64(sent),
        ]
    }

    /// Replaces `out` with the body of one publication stamped `stamp_ns`: `[stamp,"pad"]` (the
    /// padding is ASCII `x`, which JSON needs not escape).
    pub fn write_body(&self, stamp_ns: u64, out: &mut Vec<u8>) {
        out.clear();
        // Writing to a Vec cannot fail.
        let _ = write!(out, "[{stamp_ns},\"");
        out.extend_from_slice(self.pad.as_bytes());
        out.extend_from_slice(b"\"]");
    }

    /// Replaces `out` with the body of the end marker of `publisher`, after `sent` publications.
    pub fn write_end_body(publisher: usize, sent: u64, out: &mut Vec<u8>) {
        out.clear();
        let _ = write!(out, "[\"{END}\",{publisher},{sent}]");
    }
}

/// Whether a NATS or MQTT body may be an end marker (every one is; a stamped body never is).
pub fn body_may_be_marker(body: &[u8]) -> bool {
    body.starts_with(b"[\"")
}

impl Received {
    /// Reads an event's arguments.
    pub fn classify(args: Option<&List>) -> Received {
        let Some(args) = args else {
            return Received::Other;
        };
        match args.first() {
            Some(Value::Str(s)) if s == END => {
                match (
                    args.get(1).and_then(Value::as_u64),
                    args.get(2).and_then(Value::as_u64),
                ) {
                    (Some(publisher), Some(sent)) => Received::End { publisher, sent },
                    _ => Received::Other,
                }
            }
            Some(v) => v.as_u64().map_or(Received::Other, Received::Stamped),
            None => Received::Other,
        }
    }

    /// Reads a NATS or MQTT body.
    pub fn from_body(body: &[u8]) -> Received {
        if let Ok((stamp, _)) = serde_json::from_slice::<(u64, IgnoredAny)>(body) {
            return Received::Stamped(stamp);
        }
        match serde_json::from_slice::<(&str, u64, u64)>(body) {
            Ok((END, publisher, sent)) => Received::End { publisher, sent },
            _ => Received::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossway_protocol::{Codec, Message, PublicationId, SubscriptionId};

    #[test]
    fn stamps_and_markers_survive_every_serializer() {
        let payload = Payload::new(64);
        for codec in Codec::ALL {
            for (args, want) in [
                (payload.args(123_456_789), Received::Stamped(123_456_789)),
                (
                    Payload::end_marker(3, 1000),
                    Received::End {
                        publisher: 3,
                        sent: 1000,
                    },
                ),
            ] {
                let event = Message::Event {
                    subscription: SubscriptionId(1),
                    publication: PublicationId(2),
                    details: Default::default(),
                    payload: crossway_protocol::Payload::new(Some(args), None),
                };
                let bytes = codec.encode(&event).unwrap();
                let Message::Event { payload, .. } = codec.decode(&bytes).unwrap() else {
                    panic!("not an EVENT");
                };
                let args = payload.args().unwrap();
                assert_eq!(Received::classify(args.as_ref()), want, "{codec}");
            }
        }
    }

    #[test]
    fn bodies_carry_the_same_list_as_json_text() {
        let payload = Payload::new(64);
        let mut body = Vec::new();
        payload.write_body(123_456_789, &mut body);
        assert_eq!(body.len(), "[123456789,\"\"]".len() + 64);
        assert!(body.starts_with(b"[123456789,\"xxx"));
        assert_eq!(Received::from_body(&body), Received::Stamped(123_456_789));
        assert!(!body_may_be_marker(&body));
        Payload::write_end_body(3, 1000, &mut body);
        assert_eq!(body, b"[\"end\",3,1000]");
        assert!(body_may_be_marker(&body));
        let end = Received::End {
            publisher: 3,
            sent: 1000,
        };
        assert_eq!(Received::from_body(&body), end);
        for other in [
            &b""[..],
            b"[]",
            b"[\"end\"]",
            b"[\"hi\",1,2]",
            b"[-1,\"x\"]",
            b"\xff",
        ] {
            assert_eq!(Received::from_body(other), Received::Other);
        }
    }

    #[test]
    fn the_padding_has_the_payload_size() {
        let args = Payload::new(4096).args(1);
        assert_eq!(args[1].as_str().unwrap().len(), 4096);
    }

    #[test]
    fn foreign_events_are_other() {
        assert_eq!(Received::classify(None), Received::Other);
        assert_eq!(Received::classify(Some(&vec![])), Received::Other);
        assert_eq!(
            Received::classify(Some(&vec![Value::Str("hi".into())])),
            Received::Other
        );
        assert_eq!(
            Received::classify(Some(&vec![Value::Str("end".into())])),
            Received::Other
        );
        assert_eq!(
            Received::classify(Some(&vec![Value::Int(-1)])),
            Received::Other
        );
    }
}
