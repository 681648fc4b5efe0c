//! Writing a message as its positional list, `[code, element, ...]`.
//!
//! A borrowed message is serialized directly as a sequence, with no intermediate [`Value`] tree.
//! A raw payload's elements are not serde's to write: the elements before them are serialized as
//! a list of their own, which is then reopened (JSON: its closing bracket taken off; CBOR and
//! MessagePack: its one-byte head given the whole count) for the payload's bytes, verbatim when
//! they are of the message's codec and converted otherwise. `Arguments|list` is written when
//! present, or as an empty list when `ArgumentsKw|dict` follows; `ArgumentsKw|dict` only when
//! present.
//!
//! [`Value`]: crate::Value

use serde::ser::{self, SerializeSeq};
use serde::{Serialize, Serializer};

use super::binary::Binary;
use super::error::EncodeError;
use super::serializer::Codec;
use super::transcode;
use super::value_serde::{DictRef, ListRef};
use crate::message::Message;
use crate::payload::{Part, Payload, RawPayload};
use crate::value::{Dict, Value};

/// Appends `msg` to `out`; on error `out` is left as it was.
pub(crate) fn write(codec: Codec, msg: &Message, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let start = out.len();
    let result = write_elements(codec, elements(msg).as_slice(), start, out);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// Writes the list of `elements` (at most 7, so that every codec's head of it is one byte) at
/// `start` of `out`.
fn write_elements(
    codec: Codec,
    elements: &[Element<'_>],
    start: usize,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let raw_from = elements
        .iter()
        .position(|e| matches!(e, Element::Raw(..)))
        .unwrap_or(elements.len());
    let (serialized, raw) = elements.split_at(raw_from);
    let list = Elements {
        items: serialized,
        binary: codec.binary(),
    };
    codec.write(&list, out)?;
    if raw.is_empty() {
        return Ok(());
    }
    let len = u8::try_from(elements.len()).unwrap_or(u8::MAX) & 0x0f;
    match codec {
        Codec::Json => {
            out.pop();
        }
        Codec::Cbor | Codec::MsgPack => {
            if let Some(head) = out.get_mut(start) {
                *head = if codec == Codec::Cbor { 0x80 } else { 0x90 } | len;
            }
        }
    }
    for element in raw {
        if codec == Codec::Json {
            out.push(b',');
        }
        if let Element::Raw(raw, part) = *element {
            match raw.part(part) {
                Some(bytes) if raw.codec() == codec => out.extend_from_slice(bytes),
                Some(bytes) => transcode::element(raw.codec(), bytes, codec, out)?,
                None => codec.write_list(&[], out)?,
            }
        }
    }
    if codec == Codec::Json {
        out.push(b']');
    }
    Ok(())
}

/// Elements of a message, serialized as a list.
struct Elements<'a, 'm> {
    /// The elements (none of them raw).
    items: &'a [Element<'m>],
    /// The codec's binary convention.
    binary: Binary,
}

impl Serialize for Elements<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.items.len()))?;
        for element in self.items {
            match *element {
                Element::Int(n) => seq.serialize_element(&n)?,
                Element::Str(s) => seq.serialize_element(s)?,
                Element::Dict(dict) => seq.serialize_element(&DictRef {
                    dict,
                    binary: self.binary,
                    depth: 1,
                })?,
                Element::List(list) => seq.serialize_element(&ListRef {
                    list,
                    binary: self.binary,
                    depth: 1,
                })?,
                Element::Raw(..) => return Err(ser::Error::custom("raw elements come last")),
            }
        }
        seq.end()
    }
}

/// One element of a message being written, borrowed from it.
#[derive(Clone, Copy)]
enum Element<'a> {
    /// A type code, an id or an integer.
    Int(u64),
    /// A URI or a string.
    Str(&'a str),
    /// A dictionary.
    Dict(&'a Dict),
    /// A list.
    List(&'a [Value]),
    /// An element of a raw payload (an empty list in its place if absent).
    Raw(&'a RawPayload, Part),
}

/// The elements of one message: at most 7 (ERROR with both payloads).
struct MessageElements<'a> {
    /// The elements; those past `len` are unused.
    items: [Element<'a>; 7],
    /// How many elements are in use.
    len: usize,
}

impl<'a> MessageElements<'a> {
    /// A list holding only the type code.
    fn new(code: u64) -> Self {
        MessageElements {
            items: [Element::Int(code); 7],
            len: 1,
        }
    }

    /// Appends an element (the longest message has 7).
    fn push(&mut self, element: Element<'a>) -> &mut Self {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = element;
            self.len += 1;
        }
        self
    }

    /// Appends `Arguments|list` and `ArgumentsKw|dict` as far as present: arguments are written
    /// when present or when keyword arguments follow (then as an empty list if absent).
    fn payload(&mut self, payload: &'a Payload) -> &mut Self {
        match payload {
            Payload::Values { args, kwargs } => match (args, kwargs) {
                (args, Some(kwargs)) => self
                    .push(Element::List(args.as_ref().map_or(&[], Vec::as_slice)))
                    .push(Element::Dict(kwargs)),
                (Some(args), None) => self.push(Element::List(args)),
                (None, None) => self,
            },
            Payload::Raw(raw) => match (raw.args_bytes(), raw.kwargs_bytes()) {
                (_, Some(_)) => self
                    .push(Element::Raw(raw, Part::Args))
                    .push(Element::Raw(raw, Part::Kwargs)),
                (Some(_), None) => self.push(Element::Raw(raw, Part::Args)),
                (None, None) => self,
            },
        }
    }

    /// The elements in use.
    fn as_slice(&self) -> &[Element<'a>] {
        self.items.get(..self.len).unwrap_or(&self.items)
    }
}

/// A dictionary to write where one must stand but the message holds none.
static EMPTY_DICT: Dict = Dict::new();

/// The elements of `msg`, in wire order.
fn elements(msg: &Message) -> MessageElements<'_> {
    use Element::{Dict as D, Int, Str};
    let mut e = MessageElements::new(msg.code());
    match msg {
        Message::Hello { realm, details } => {
            e.push(Str(realm.as_str())).push(D(details));
        }
        Message::Welcome { session, details } => {
            e.push(Int(session.0)).push(D(details));
        }
        Message::Abort {
            details,
            reason,
            payload,
        } => {
            e.push(D(details))
                .push(Str(reason.as_str()))
                .payload(payload);
        }
        Message::Challenge { auth_method, extra } => {
            e.push(Str(auth_method)).push(D(extra));
        }
        Message::Authenticate { signature, extra } => {
            e.push(Str(signature)).push(D(extra));
        }
        Message::Goodbye { details, reason } => {
            e.push(D(details)).push(Str(reason.as_str()));
        }
        Message::Error {
            request_type,
            request,
            details,
            error,
            payload,
        } => {
            e.push(Int(*request_type))
                .push(Int(request.0))
                .push(D(details))
                .push(Str(error.as_str()))
                .payload(payload);
        }
        Message::Publish {
            request,
            options,
            topic,
            payload,
        } => {
            e.push(Int(request.0))
                .push(D(options))
                .push(Str(topic.as_str()))
                .payload(payload);
        }
        Message::Published {
            request,
            publication,
        } => {
            e.push(Int(request.0)).push(Int(publication.0));
        }
        Message::Subscribe {
            request,
            options,
            topic,
        }
        | Message::Register {
            request,
            options,
            procedure: topic,
        } => {
            e.push(Int(request.0))
                .push(D(options))
                .push(Str(topic.as_str()));
        }
        Message::Subscribed {
            request,
            subscription,
        }
        | Message::Unsubscribe {
            request,
            subscription,
        } => {
            e.push(Int(request.0)).push(Int(subscription.0));
        }
        Message::Unsubscribed { request, details } | Message::Unregistered { request, details } => {
            e.push(Int(request.0));
            if let Some(details) = details {
                e.push(D(details));
            }
        }
        Message::Event {
            subscription,
            publication,
            details,
            payload,
        } => {
            e.push(Int(subscription.0))
                .push(Int(publication.0))
                .push(D(details))
                .payload(payload);
        }
        Message::EventReceived {
            publication,
            details,
            payload,
        } => {
            e.push(Int(publication.0));
            match (details, !payload.is_empty()) {
                (Some(details), _) => e.push(D(details)),
                (None, true) => e.push(D(&EMPTY_DICT)),
                (None, false) => &mut e,
            }
            .payload(payload);
        }
        Message::Call {
            request,
            options,
            procedure,
            payload,
        } => {
            e.push(Int(request.0))
                .push(D(options))
                .push(Str(procedure.as_str()))
                .payload(payload);
        }
        Message::Cancel { request, options } | Message::Interrupt { request, options } => {
            e.push(Int(request.0)).push(D(options));
        }
        Message::Result {
            request,
            details,
            payload,
        } => {
            e.push(Int(request.0)).push(D(details)).payload(payload);
        }
        Message::Registered {
            request,
            registration,
        }
        | Message::Unregister {
            request,
            registration,
        } => {
            e.push(Int(request.0)).push(Int(registration.0));
        }
        Message::Invocation {
            request,
            registration,
            details,
            payload,
        } => {
            e.push(Int(request.0))
                .push(Int(registration.0))
                .push(D(details))
                .payload(payload);
        }
        Message::Yield {
            request,
            options,
            payload,
        } => {
            e.push(Int(request.0)).push(D(options)).payload(payload);
        }
    }
    e
}
