//! Reading a message from its positional list, `[code, element, ...]`, with strict shape checks.
//!
//! Reading takes either a decoded [`Value`] (owned, so payloads move into the message without a
//! copy) or a scanned frame (`codec/scan.rs`), whose elements are decoded one by one except the
//! payload, which stays as the frame's bytes. Both check the number of elements each message
//! type allows and the type of each element, with the same errors.
//!
//! Ids are integers in 0..=2^53, as autobahn accepts them. Request ids are 1..=2^53, except in
//! UNSUBSCRIBED and UNREGISTERED, where 0 says the router revoked the subscription or
//! registration. A URI is any string here: the router checks it against the realm's rules. Element
//! positions in error messages count from 1, the type code being element 1.

mod source;

pub(crate) use source::FrameBytes;
use source::Source;

use crate::codec::scan::{Element, Elements, Kind};
use crate::codec::{Codec, DecodeError};
use crate::ids::MAX_ID;
use crate::message::{Message, code, code_name};
use crate::payload::{Payload, RawPayload, is_passthru};
use crate::uri::Uri;
use crate::value::{Dict, Value};

/// The label of `Arguments|list` in errors.
const ARGS: &str = "Arguments|list";
/// The label of `ArgumentsKw|dict` in errors.
const KWARGS: &str = "ArgumentsKw|dict";

impl TryFrom<Value> for Message {
    type Error = DecodeError;

    /// Reads a message from its positional list; a list of the wrong shape is
    /// [`DecodeError::Shape`]. The payload is [`Payload::Values`].
    fn try_from(value: Value) -> Result<Message, DecodeError> {
        let items = match value {
            Value::List(items) => items,
            other => {
                return Err(shape(format!(
                    "a message must be a list, got {}",
                    kind(&other)
                )));
            }
        };
        let count = items.len();
        message(Source::Values(items.into_iter()), count)
    }
}

/// Reads a message from a scanned frame.
pub(crate) fn read_frame(
    codec: Codec,
    frame: FrameBytes<'_>,
    elements: &Elements,
) -> Result<Message, DecodeError> {
    let source = Source::Frame {
        codec,
        frame,
        elements,
        next: 0,
    };
    message(source, elements.count)
}

/// Reads a message of `count` elements.
fn message(mut source: Source<'_>, count: usize) -> Result<Message, DecodeError> {
    let code = match source.next_value().transpose()? {
        None => return Err(shape("a message must not be an empty list".into())),
        Some(Value::Int(i)) => u64::try_from(i).map_err(|_| unknown(i))?,
        Some(Value::UInt(u)) => u,
        Some(other) => {
            return Err(shape(format!(
                "element 1 (message type) must be an integer, got {}",
                kind(&other)
            )));
        }
    };
    let (min, max) = arity(code).ok_or_else(|| unknown(code))?;
    let name = code_name(code);
    if !(min..=max).contains(&count) {
        let allowed = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(shape(format!(
            "{name} must have {allowed} elements, got {count}"
        )));
    }
    let mut f = Fields {
        name,
        source,
        position: 1,
    };
    read(code, &mut f)
}

/// The elements of one message after its type code, taken one by one with their checks.
struct Fields<'a> {
    /// The message's name, for errors.
    name: &'static str,
    /// The elements not yet taken.
    source: Source<'a>,
    /// The position (from 1) of the last element taken.
    position: usize,
}

impl Fields<'_> {
    /// The next element, which the arity check guarantees.
    fn next(&mut self, label: &str) -> Result<Value, DecodeError> {
        self.position += 1;
        self.source.next_value().unwrap_or_else(|| {
            Err(shape(format!(
                "{}: element {} ({label}) is missing",
                self.name, self.position
            )))
        })
    }
    /// An error for element `label` of the wrong type.
    fn wrong(&self, label: &str, expected: &str, got: &Value) -> DecodeError {
        shape(format!(
            "{}: element {} ({label}) must be {expected}, got {}",
            self.name,
            self.position,
            kind(got)
        ))
    }

    /// An id in `min..=2^53`.
    fn id(&mut self, label: &str, min: u64) -> Result<u64, DecodeError> {
        let value = self.next(label)?;
        let n = match value {
            Value::Int(i) => i128::from(i),
            Value::UInt(u) => i128::from(u),
            ref other => return Err(self.wrong(label, "an integer id", other)),
        };
        match u64::try_from(n) {
            Ok(id) if (min..=MAX_ID).contains(&id) => Ok(id),
            _ => Err(shape(format!(
                "{}: element {} ({label}) must be an id in {min}..=2^53, got {n}",
                self.name, self.position
            ))),
        }
    }

    /// A request id: 1..=2^53.
    fn request(&mut self, label: &str) -> Result<u64, DecodeError> {
        self.id(label, 1)
    }

    /// A non-negative integer.
    fn int(&mut self, label: &str) -> Result<u64, DecodeError> {
        match self.next(label)? {
            Value::Int(i) => u64::try_from(i).map_err(|_| {
                shape(format!(
                    "{}: element {} ({label}) must be a non-negative integer, got {i}",
                    self.name, self.position
                ))
            }),
            Value::UInt(u) => Ok(u),
            other => Err(self.wrong(label, "a non-negative integer", &other)),
        }
    }

    /// A string.
    fn string(&mut self, label: &str) -> Result<String, DecodeError> {
        if let Some(text) = self.source.next_text() {
            self.position += 1;
            return Ok(text.to_owned());
        }
        match self.next(label)? {
            Value::Str(s) => Ok(s),
            other => Err(self.wrong(label, "a string", &other)),
        }
    }

    /// A URI (any string; the router checks URI rules).
    fn uri(&mut self, label: &str) -> Result<Uri, DecodeError> {
        if let Some(text) = self.source.next_text() {
            self.position += 1;
            return Ok(Uri::new(text));
        }
        self.string(label).map(Uri::from)
    }

    /// A dictionary.
    fn dict(&mut self, label: &str) -> Result<Dict, DecodeError> {
        match self.next(label)? {
            Value::Map(dict) => Ok(dict),
            other => Err(self.wrong(label, "a dict", &other)),
        }
    }

    /// A dictionary, if the list goes on.
    fn opt_dict(&mut self, label: &str) -> Result<Option<Dict>, DecodeError> {
        if self.source.remaining() == 0 {
            return Ok(None);
        }
        self.dict(label).map(Some)
    }

    /// `Arguments|list` and `ArgumentsKw|dict`, as far as the list goes on: values from a
    /// decoded list, the frame's bytes from a frame. With `passthru` (the message's options or
    /// details say so: [`is_passthru`]) a bare binary element may stand for `Arguments|list`.
    fn payload(&mut self, passthru: bool) -> Result<Payload, DecodeError> {
        let (codec, frame) = match &self.source {
            Source::Values(_) => return self.values_payload(passthru),
            Source::Frame { codec, frame, .. } => (*codec, *frame),
        };
        let args = self.raw(ARGS, Kind::List, passthru)?;
        let kwargs = self.raw(KWARGS, Kind::Map, false)?;
        let (Some(first), Some(last)) = (args.or(kwargs), kwargs.or(args)) else {
            return Ok(Payload::EMPTY);
        };
        let bytes = frame.slice(first.start, last.end);
        let within = |e: Element| e.start - first.start..e.end - first.start;
        RawPayload::checked(codec, bytes, args.map(within), kwargs.map(within)).map(Payload::Raw)
    }

    /// The payload of a decoded list: values, or (passthru with a binary element) a raw CBOR
    /// payload, since a bare binary has no form as values.
    fn values_payload(&mut self, passthru: bool) -> Result<Payload, DecodeError> {
        if self.source.remaining() == 0 {
            return Ok(Payload::EMPTY);
        }
        let args = match self.next(ARGS)? {
            Value::List(list) => list,
            Value::Bytes(data) if passthru => {
                let kwargs = self.opt_dict(KWARGS)?;
                return passthru_payload(&data, kwargs.as_ref());
            }
            other => return Err(self.not_args(&other)),
        };
        let kwargs = self.opt_dict(KWARGS)?;
        Ok(Payload::Values {
            args: Some(args),
            kwargs,
        })
    }

    /// A payload element of a frame, if the list goes on: it must be of `kind` (or binary, with
    /// `binary_too`).
    fn raw(
        &mut self,
        label: &str,
        kind: Kind,
        binary_too: bool,
    ) -> Result<Option<Element>, DecodeError> {
        if self.source.remaining() == 0 {
            return Ok(None);
        }
        self.position += 1;
        let Some(element) = self.source.next_element() else {
            return Ok(None);
        };
        if element.kind == kind || binary_too && element.kind == Kind::Binary {
            return Ok(Some(element));
        }
        let value = self.source.decode(element)?;
        Err(if kind == Kind::List {
            self.not_args(&value)
        } else {
            self.wrong(label, "a dict", &value)
        })
    }

    /// The error for an `Arguments|list` that is not a list.
    fn not_args(&self, got: &Value) -> DecodeError {
        match got {
            Value::Bytes(_) => shape(format!(
                "{}: element {} ({ARGS}) must be a list, got binary data (a bare binary \
                 payload needs ppt_scheme or enc_algo in the options or details)",
                self.name, self.position
            )),
            other => self.wrong(ARGS, "a list", other),
        }
    }
}

/// The allowed element count (type code included) of each known message type.
fn arity(code: u64) -> Option<(usize, usize)> {
    Some(match code {
        code::HELLO | code::WELCOME | code::CHALLENGE | code::AUTHENTICATE | code::GOODBYE => {
            (3, 3)
        }
        code::ABORT => (3, 5),
        code::ERROR => (5, 7),
        code::PUBLISH | code::EVENT | code::CALL | code::INVOCATION => (4, 6),
        code::PUBLISHED | code::SUBSCRIBED | code::UNSUBSCRIBE | code::REGISTERED => (3, 3),
        code::UNREGISTER | code::CANCEL | code::INTERRUPT => (3, 3),
        code::SUBSCRIBE | code::REGISTER => (4, 4),
        code::UNSUBSCRIBED | code::UNREGISTERED => (2, 3),
        code::EVENT_RECEIVED => (2, 5),
        code::RESULT | code::YIELD => (3, 5),
        _ => return None,
    })
}

/// Reads the elements after the type code of a message of a known type with a checked count.
fn read(code: u64, f: &mut Fields) -> Result<Message, DecodeError> {
    Ok(match code {
        code::HELLO => Message::Hello {
            realm: f.uri("Realm|uri")?,
            details: f.dict("Details|dict")?,
        },
        code::WELCOME => Message::Welcome {
            session: f.id("Session|id", 0)?.into(),
            details: f.dict("Details|dict")?,
        },
        code::ABORT => {
            let details = f.dict("Details|dict")?;
            let reason = f.uri("Reason|uri")?;
            let payload = f.payload(is_passthru(&details))?;
            Message::Abort {
                details,
                reason,
                payload,
            }
        }
        code::CHALLENGE => Message::Challenge {
            auth_method: f.string("AuthMethod|string")?,
            extra: f.dict("Extra|dict")?,
        },
        code::AUTHENTICATE => Message::Authenticate {
            signature: f.string("Signature|string")?,
            extra: f.dict("Extra|dict")?,
        },
        code::GOODBYE => Message::Goodbye {
            details: f.dict("Details|dict")?,
            reason: f.uri("Reason|uri")?,
        },
        code::ERROR => {
            let request_type = f.int("REQUEST.Type|int")?;
            let request = f.request("REQUEST.Request|id")?.into();
            let details = f.dict("Details|dict")?;
            let error = f.uri("Error|uri")?;
            let payload = f.payload(is_passthru(&details))?;
            Message::Error {
                request_type,
                request,
                details,
                error,
                payload,
            }
        }
        code::PUBLISH => {
            let request = f.request("Request|id")?.into();
            let options = f.dict("Options|dict")?;
            let topic = f.uri("Topic|uri")?;
            let payload = f.payload(is_passthru(&options))?;
            Message::Publish {
                request,
                options,
                topic,
                payload,
            }
        }
        code::PUBLISHED => Message::Published {
            request: f.request("PUBLISH.Request|id")?.into(),
            publication: f.id("Publication|id", 0)?.into(),
        },
        code::SUBSCRIBE => Message::Subscribe {
            request: f.request("Request|id")?.into(),
            options: f.dict("Options|dict")?,
            topic: f.uri("Topic|uri")?,
        },
        code::SUBSCRIBED => Message::Subscribed {
            request: f.request("SUBSCRIBE.Request|id")?.into(),
            subscription: f.id("Subscription|id", 0)?.into(),
        },
        code::UNSUBSCRIBE => Message::Unsubscribe {
            request: f.request("Request|id")?.into(),
            subscription: f.id("SUBSCRIBED.Subscription|id", 0)?.into(),
        },
        code::UNSUBSCRIBED => Message::Unsubscribed {
            request: f.id("UNSUBSCRIBE.Request|id", 0)?.into(),
            details: f.opt_dict("Details|dict")?,
        },
        code::EVENT => {
            let subscription = f.id("SUBSCRIBED.Subscription|id", 0)?.into();
            let publication = f.id("PUBLISHED.Publication|id", 0)?.into();
            let details = f.dict("Details|dict")?;
            let payload = f.payload(is_passthru(&details))?;
            Message::Event {
                subscription,
                publication,
                details,
                payload,
            }
        }
        code::EVENT_RECEIVED => {
            let publication = f.id("EVENT.Publication|id", 0)?.into();
            let details = f.opt_dict("Details|dict")?;
            let payload = f.payload(details.as_ref().is_some_and(is_passthru))?;
            Message::EventReceived {
                publication,
                details,
                payload,
            }
        }
        code::CALL => {
            let request = f.request("Request|id")?.into();
            let options = f.dict("Options|dict")?;
            let procedure = f.uri("Procedure|uri")?;
            let payload = f.payload(is_passthru(&options))?;
            Message::Call {
                request,
                options,
                procedure,
                payload,
            }
        }
        code::CANCEL => Message::Cancel {
            request: f.request("CALL.Request|id")?.into(),
            options: f.dict("Options|dict")?,
        },
        code::RESULT => {
            let request = f.request("CALL.Request|id")?.into();
            let details = f.dict("Details|dict")?;
            let payload = f.payload(is_passthru(&details))?;
            Message::Result {
                request,
                details,
                payload,
            }
        }
        code::REGISTER => Message::Register {
            request: f.request("Request|id")?.into(),
            options: f.dict("Options|dict")?,
            procedure: f.uri("Procedure|uri")?,
        },
        code::REGISTERED => Message::Registered {
            request: f.request("REGISTER.Request|id")?.into(),
            registration: f.id("Registration|id", 0)?.into(),
        },
        code::UNREGISTER => Message::Unregister {
            request: f.request("Request|id")?.into(),
            registration: f.id("REGISTERED.Registration|id", 0)?.into(),
        },
        code::UNREGISTERED => Message::Unregistered {
            request: f.id("UNREGISTER.Request|id", 0)?.into(),
            details: f.opt_dict("Details|dict")?,
        },
        code::INVOCATION => {
            let request = f.request("Request|id")?.into();
            let registration = f.id("REGISTERED.Registration|id", 0)?.into();
            let details = f.dict("Details|dict")?;
            let payload = f.payload(is_passthru(&details))?;
            Message::Invocation {
                request,
                registration,
                details,
                payload,
            }
        }
        code::INTERRUPT => Message::Interrupt {
            request: f.request("INVOCATION.Request|id")?.into(),
            options: f.dict("Options|dict")?,
        },
        code::YIELD => {
            let request = f.request("INVOCATION.Request|id")?.into();
            let options = f.dict("Options|dict")?;
            let payload = f.payload(is_passthru(&options))?;
            Message::Yield {
                request,
                options,
                payload,
            }
        }
        other => return Err(unknown(other)),
    })
}

/// A passthru payload from a decoded list: `data` where `Arguments|list` goes, then `kwargs`.
fn passthru_payload(data: &[u8], kwargs: Option<&Dict>) -> Result<Payload, DecodeError> {
    RawPayload::binary_with(Codec::Cbor, data, kwargs)
        .map(Payload::Raw)
        .map_err(|e| shape(e.to_string()))
}

/// A shape error.
fn shape(reason: String) -> DecodeError {
    DecodeError::Shape(reason)
}

/// The error for a type code that names no known message.
fn unknown(code: impl std::fmt::Display) -> DecodeError {
    shape(format!("unknown message type {code}"))
}

/// What a value is, for error messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Int(_) | Value::UInt(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Str(_) => "a string",
        Value::Bytes(_) => "binary data",
        Value::List(_) => "a list",
        Value::Map(_) => "a map",
    }
}
