//! Writing a message as its positional list, `[code, element, ...]`.
//!
//! A borrowed message is serialized directly as a sequence, with no intermediate [`Value`] tree,
//! so that writing an EVENT never copies its payload. `Arguments|list` is written when present, or
//! as an empty list when `ArgumentsKw|dict` follows; `ArgumentsKw|dict` only when present.
//!
//! [`Value`]: crate::Value

use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};

use super::binary::Binary;
use super::value_serde::{DictRef, ListRef};
use crate::message::Message;
use crate::value::{Dict, List, Value};

/// A borrowed message, serialized as its positional list.
pub(crate) struct WireMessage<'a> {
    /// The message.
    msg: &'a Message,
    /// The codec's binary convention.
    binary: Binary,
}

impl<'a> WireMessage<'a> {
    /// Wraps `msg` for a codec with the `binary` convention.
    pub(crate) fn new(msg: &'a Message, binary: Binary) -> Self {
        WireMessage { msg, binary }
    }
}

impl Serialize for WireMessage<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let elements = elements(self.msg);
        let elements = elements.as_slice();
        let mut seq = serializer.serialize_seq(Some(elements.len()))?;
        for element in elements {
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
    fn payload(self, args: Option<&'a List>, kwargs: Option<&'a Dict>) -> Self {
        match (args, kwargs) {
            (args, Some(kwargs)) => self
                .push(Element::List(args.map_or(&[], Vec::as_slice)))
                .push(Element::Dict(kwargs)),
            (Some(args), None) => self.push(Element::List(args)),
            (None, None) => self,
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
            args,
            kwargs,
        } => e
            .push(D(details))
            .push(Str(reason.as_str()))
            .payload(args.as_ref(), kwargs.as_ref()),
        Message::Challenge { auth_method, extra } => e.push(Str(auth_method)).push(D(extra)),
        Message::Authenticate { signature, extra } => e.push(Str(signature)).push(D(extra)),
        Message::Goodbye { details, reason } => e.push(D(details)).push(Str(reason.as_str())),
        Message::Error {
            request_type,
            request,
            details,
            error,
            args,
            kwargs,
        } => e
            .push(Int(*request_type))
            .push(Int(request.0))
            .push(D(details))
            .push(Str(error.as_str()))
            .payload(args.as_ref(), kwargs.as_ref()),
        Message::Publish {
            request,
            options,
            topic,
            args,
            kwargs,
        } => e
            .push(Int(request.0))
            .push(D(options))
            .push(Str(topic.as_str()))
            .payload(args.as_ref(), kwargs.as_ref()),
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
            args,
            kwargs,
        } => e
            .push(Int(subscription.0))
            .push(Int(publication.0))
            .push(D(details))
            .payload(args.as_ref(), kwargs.as_ref()),
        Message::EventReceived {
            publication,
            details,
            args,
            kwargs,
        } => {
            let e = e.push(Int(publication.0));
            match (details, args.is_some() || kwargs.is_some()) {
                (Some(details), _) => e.push(D(details)),
                (None, true) => e.push(D(&EMPTY_DICT)),
                (None, false) => e,
            }
            .payload(args.as_ref(), kwargs.as_ref())
        }
        Message::Call {
            request,
            options,
            procedure,
            args,
            kwargs,
        } => e
            .push(Int(request.0))
            .push(D(options))
            .push(Str(procedure.as_str()))
            .payload(args.as_ref(), kwargs.as_ref()),
        Message::Cancel { request, options } | Message::Interrupt { request, options } => {
            e.push(Int(request.0)).push(D(options))
        }
        Message::Result {
            request,
            details,
            args,
            kwargs,
        } => e
            .push(Int(request.0))
            .push(D(details))
            .payload(args.as_ref(), kwargs.as_ref()),
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
            args,
            kwargs,
        } => e
            .push(Int(request.0))
            .push(Int(registration.0))
            .push(D(details))
            .payload(args.as_ref(), kwargs.as_ref()),
        Message::Yield {
            request,
            options,
            args,
            kwargs,
        } => e
            .push(Int(request.0))
            .push(D(options))
            .payload(args.as_ref(), kwargs.as_ref()),
    }
}
