//! Writing a message as its positional list, `[code, element, ...]`.
//!
//! The list's head and separators are written here and each element on its own: ids, URIs and
//! dictionaries with serde, with no intermediate [`Value`] tree, a payload of values likewise, and
//! a raw payload as its bytes, verbatim when they are of the message's codec and converted
//! otherwise. `Arguments|list` is written when present, or as an empty list when
//! `ArgumentsKw|dict` follows; `ArgumentsKw|dict` only when present.
//!
//! [`Value`]: crate::Value

use super::error::EncodeError;
use super::serializer::Codec;
use super::transcode;
use crate::message::Message;
use crate::payload::{Part, Payload, RawPayload};
use crate::value::{Dict, Value};

/// Appends `msg` to `out`; on error `out` is left as it was.
pub(crate) fn write(codec: Codec, msg: &Message, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let start = out.len();
    let result = write_elements(codec, elements(msg).as_slice(), out);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// Writes the list of `elements` (at most 7: every codec's head of such a list is one byte).
fn write_elements(
    codec: Codec,
    elements: &[Element<'_>],
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let len = u8::try_from(elements.len()).unwrap_or(u8::MAX) & 0x0f;
    out.push(match codec {
        Codec::Json => b'[',
        Codec::Cbor => 0x80 | len,
        Codec::MsgPack => 0x90 | len,
    });
    for (i, element) in elements.iter().enumerate() {
        if codec == Codec::Json && i > 0 {
            out.push(b',');
        }
        match *element {
            Element::Int(n) => codec.write(&n, out)?,
            Element::Str(s) => codec.write(s, out)?,
            Element::Dict(dict) => codec.write_dict(dict, out)?,
            Element::List(list) => codec.write_list(list, out)?,
            Element::Raw(raw, part) => match raw.part(part) {
                Some(bytes) if raw.codec() == codec => out.extend_from_slice(bytes),
                Some(bytes) => transcode::element(raw.codec(), bytes, codec, out)?,
                None => codec.write_list(&[], out)?,
            },
        }
    }
    if codec == Codec::Json {
        out.push(b']');
    }
    Ok(())
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
struct Elements<'a> {
    /// The elements; those past `len` are unused.
    items: [Element<'a>; 7],
    /// How many elements are in use.
    len: usize,
}

impl<'a> Elements<'a> {
    /// A list holding only the type code.
    fn new(code: u64) -> Self {
        Elements {
            items: [Element::Int(code); 7],
            len: 1,
        }
    }

    /// Appends an element (the longest message has 7).
    fn push(mut self, element: Element<'a>) -> Self {
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = element;
            self.len += 1;
        }
        self
    }

    /// Appends `Arguments|list` and `ArgumentsKw|dict` as far as present: arguments are written
    /// when present or when keyword arguments follow (then as an empty list if absent).
    fn payload(self, payload: &'a Payload) -> Self {
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
fn elements(msg: &Message) -> Elements<'_> {
    use Element::{Dict as D, Int, Str};
    let e = Elements::new(msg.code());
    match msg {
        Message::Hello { realm, details } => e.push(Str(realm.as_str())).push(D(details)),
        Message::Welcome { session, details } => e.push(Int(session.0)).push(D(details)),
        Message::Abort {
            details,
            reason,
            payload,
        } => e
            .push(D(details))
            .push(Str(reason.as_str()))
            .payload(payload),
        Message::Challenge { auth_method, extra } => e.push(Str(auth_method)).push(D(extra)),
        Message::Authenticate { signature, extra } => e.push(Str(signature)).push(D(extra)),
        Message::Goodbye { details, reason } => e.push(D(details)).push(Str(reason.as_str())),
        Message::Error {
            request_type,
            request,
            details,
            error,
            payload,
        } => e
            .push(Int(*request_type))
            .push(Int(request.0))
            .push(D(details))
            .push(Str(error.as_str()))
            .payload(payload),
        Message::Publish {
            request,
            options,
            topic,
            payload,
        } => e
            .push(Int(request.0))
            .push(D(options))
            .push(Str(topic.as_str()))
            .payload(payload),
        Message::Published {
            request,
            publication,
        } => e.push(Int(request.0)).push(Int(publication.0)),
        Message::Subscribe {
            request,
            options,
            topic,
        } => e
            .push(Int(request.0))
            .push(D(options))
            .push(Str(topic.as_str())),
        Message::Subscribed {
            request,
            subscription,
        }
        | Message::Unsubscribe {
            request,
            subscription,
        } => e.push(Int(request.0)).push(Int(subscription.0)),
        Message::Unsubscribed { request, details } | Message::Unregistered { request, details } => {
            let e = e.push(Int(request.0));
            match details {
                Some(details) => e.push(D(details)),
                None => e,
            }
        }
        Message::Event {
            subscription,
            publication,
            details,
            payload,
        } => e
            .push(Int(subscription.0))
            .push(Int(publication.0))
            .push(D(details))
            .payload(payload),
        Message::EventReceived {
            publication,
            details,
            payload,
        } => {
            let e = e.push(Int(publication.0));
            match (details, !payload.is_empty()) {
                (Some(details), _) => e.push(D(details)),
                (None, true) => e.push(D(&EMPTY_DICT)),
                (None, false) => e,
            }
            .payload(payload)
        }
        Message::Call {
            request,
            options,
            procedure,
            payload,
        } => e
            .push(Int(request.0))
            .push(D(options))
            .push(Str(procedure.as_str()))
            .payload(payload),
        Message::Cancel { request, options } | Message::Interrupt { request, options } => {
            e.push(Int(request.0)).push(D(options))
        }
        Message::Result {
            request,
            details,
            payload,
        } => e.push(Int(request.0)).push(D(details)).payload(payload),
        Message::Register {
            request,
            options,
            procedure,
        } => e
            .push(Int(request.0))
            .push(D(options))
            .push(Str(procedure.as_str())),
        Message::Registered {
            request,
            registration,
        }
        | Message::Unregister {
            request,
            registration,
        } => e.push(Int(request.0)).push(Int(registration.0)),
        Message::Invocation {
            request,
            registration,
            details,
            payload,
        } => e
            .push(Int(request.0))
            .push(Int(registration.0))
            .push(D(details))
            .payload(payload),
        Message::Yield {
            request,
            options,
            payload,
        } => e.push(Int(request.0)).push(D(options)).payload(payload),
    }
}
