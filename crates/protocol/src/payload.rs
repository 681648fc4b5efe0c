//! The application's payload of a message, `Arguments|list` and `ArgumentsKw|dict`: as values,
//! or as the bytes a peer sent.
//!
//! A decoded message keeps its payload as the sender's bytes ([`Payload::Raw`]): the router
//! checks it (well-formed, nesting limit, map keys strings) but does not build it as values, and
//! writes it back verbatim for the sender's serializer, key order and number spelling included.
//! For another serializer the bytes are converted ([`RawPayload::to_codec`]), which keeps the
//! order of map entries but writes numbers and binary data the way that serializer does.
//!
//! In payload passthru mode (the options or details carry `ppt_scheme`, or autobahn's older
//! `enc_algo`: [`is_passthru`]) a bare binary element stands where `Arguments|list` goes. Such a
//! payload has no form as values: it is always a [`RawPayload`] (one a decoder of values builds
//! is CBOR), and converting it to another serializer changes only how the binary is written.

use bytes::Bytes;

use crate::codec::scan::{self, Element, Kind};
use crate::codec::{Codec, DecodeError, EncodeError, transcode};
use crate::value::{Dict, List, Value};

/// `Arguments|list` and `ArgumentsKw|dict` of ABORT, ERROR, PUBLISH, EVENT, EVENT_RECEIVED, CALL,
/// RESULT, INVOCATION and YIELD.
///
/// Equality compares values: a raw payload equals another, raw or not, when their elements
/// decode to equal values (so a NaN is never equal, as with [`Value`]).
#[derive(Debug, Clone)]
pub enum Payload {
    /// Values, as an application or the router builds them, written with the message's codec.
    /// An element is `None` when absent (an empty list is not an absent one).
    Values {
        /// The positional payload.
        args: Option<List>,
        /// The keyword payload.
        kwargs: Option<Dict>,
    },
    /// The elements as a peer encoded them.
    Raw(RawPayload),
}

/// Payload elements as encoded with one codec: a list (`Arguments|list`) and a map
/// (`ArgumentsKw|dict`), either or both, checked as a decoder checks them.
///
/// Cloning shares the bytes. Equality is byte equality (same codec, same element bytes).
#[derive(Debug, Clone)]
pub struct RawPayload {
    /// How the elements are encoded.
    codec: Codec,
    /// The bytes holding them (a slice of the frame they came in, or their own).
    bytes: Bytes,
    /// Where `Arguments|list` lies in `bytes`.
    args: Option<Span>,
    /// Where `ArgumentsKw|dict` lies in `bytes`.
    kwargs: Option<Span>,
}

/// The options (and details) that say a payload is in passthru mode and that the router forwards
/// untouched: the specification's `ppt_*` and autobahn's older `enc_*` names.
pub const PASSTHRU_KEYS: [&str; 7] = [
    "ppt_scheme",
    "ppt_serializer",
    "ppt_cipher",
    "ppt_keyid",
    "enc_algo",
    "enc_key",
    "enc_serializer",
];

/// Whether `options` (or details) put the payload in passthru mode: `ppt_scheme`, or autobahn's
/// older `enc_algo`, is a non-empty string. Then `Arguments|list` may be one bare binary element.
pub fn is_passthru(options: &Dict) -> bool {
    ["ppt_scheme", "enc_algo"]
        .iter()
        .any(|k| matches!(options.get(*k), Some(Value::Str(s)) if !s.is_empty()))
}

/// Where an element lies in a [`RawPayload`]'s bytes (frames are far below 4 GiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    /// The first byte.
    start: u32,
    /// One past the last byte.
    end: u32,
}

/// Which element of a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// `Arguments|list`.
    Args,
    /// `ArgumentsKw|dict`.
    Kwargs,
}

impl Payload {
    /// No payload: neither element present.
    pub const EMPTY: Payload = Payload::Values {
        args: None,
        kwargs: None,
    };

    /// A payload of values.
    pub fn new(args: Option<List>, kwargs: Option<Dict>) -> Payload {
        Payload::Values { args, kwargs }
    }

    /// A passthru payload: `data` as the one bare binary element where `Arguments|list` goes
    /// (encoded as CBOR; converted like any raw payload for other serializers).
    pub fn binary(data: &[u8]) -> Payload {
        Payload::Raw(RawPayload::binary(Codec::Cbor, data))
    }

    /// The bare binary element of a passthru payload, if this payload is one.
    pub fn binary_data(&self) -> Option<Vec<u8>> {
        match self.raw()?.decode(Part::Args) {
            Ok(Some(Value::Bytes(data))) => Some(data),
            _ => None,
        }
    }

    /// Whether neither element is present.
    pub fn is_empty(&self) -> bool {
        match self {
            Payload::Values { args, kwargs } => args.is_none() && kwargs.is_none(),
            Payload::Raw(raw) => raw.args.is_none() && raw.kwargs.is_none(),
        }
    }

    /// The encoded elements, if this payload is raw.
    pub fn raw(&self) -> Option<&RawPayload> {
        match self {
            Payload::Values { .. } => None,
            Payload::Raw(raw) => Some(raw),
        }
    }

    /// The positional payload as values (decoded from a raw payload).
    pub fn args(&self) -> Result<Option<List>, DecodeError> {
        match self {
            Payload::Values { args, .. } => Ok(args.clone()),
            Payload::Raw(raw) => raw.args(),
        }
    }

    /// The keyword payload as values (decoded from a raw payload).
    pub fn kwargs(&self) -> Result<Option<Dict>, DecodeError> {
        match self {
            Payload::Values { kwargs, .. } => Ok(kwargs.clone()),
            Payload::Raw(raw) => raw.kwargs(),
        }
    }

    /// Both elements as values, taking them out of a payload of values without a copy.
    pub fn into_values(self) -> Result<(Option<List>, Option<Dict>), DecodeError> {
        match self {
            Payload::Values { args, kwargs } => Ok((args, kwargs)),
            Payload::Raw(raw) => Ok((raw.args()?, raw.kwargs()?)),
        }
    }

    /// The payload for a message encoded with `codec`: a raw payload of another codec converted
    /// to it, anything else as it is (values are written by whatever codec encodes them).
    pub fn to_codec(&self, codec: Codec) -> Result<Payload, EncodeError> {
        match self {
            Payload::Raw(raw) if raw.codec != codec => raw.to_codec(codec).map(Payload::Raw),
            other => Ok(other.clone()),
        }
    }
}

impl Payload {
    /// The element where `Arguments|list` goes, as a value (a list, or a passthru binary).
    fn first(&self) -> Result<Option<Value>, DecodeError> {
        match self {
            Payload::Values { args, .. } => Ok(args.clone().map(Value::List)),
            Payload::Raw(raw) => raw.decode(Part::Args),
        }
    }
}

impl Default for Payload {
    /// [`Payload::EMPTY`].
    fn default() -> Self {
        Payload::EMPTY
    }
}

impl From<RawPayload> for Payload {
    fn from(raw: RawPayload) -> Self {
        Payload::Raw(raw)
    }
}

impl PartialEq for Payload {
    /// Whether both payloads hold equal values (a payload that does not decode equals none; a
    /// passthru payload's binary element is compared as binary data).
    fn eq(&self, other: &Payload) -> bool {
        match (self.first(), other.first(), self.kwargs(), other.kwargs()) {
            (Ok(a), Ok(b), Ok(k), Ok(l)) => a == b && k == l,
            _ => false,
        }
    }
}

impl PartialEq for RawPayload {
    /// Whether both hold the same elements, byte for byte, in the same codec.
    fn eq(&self, other: &RawPayload) -> bool {
        self.codec == other.codec
            && self.args_bytes() == other.args_bytes()
            && self.kwargs_bytes() == other.kwargs_bytes()
    }
}

impl Eq for RawPayload {}

impl RawPayload {
    /// Keeps encoded elements: `args` must be one list and `kwargs` one map, each valid for
    /// `codec` as a decoder checks message elements (JSON may have whitespace around them).
    pub fn new(
        codec: Codec,
        args: Option<&[u8]>,
        kwargs: Option<&[u8]>,
    ) -> Result<RawPayload, DecodeError> {
        let mut bytes =
            Vec::with_capacity(args.map_or(0, <[u8]>::len) + kwargs.map_or(0, <[u8]>::len));
        let args = args
            .map(|a| keep(codec, a, Kind::List, &mut bytes))
            .transpose()?;
        let kwargs = kwargs
            .map(|k| keep(codec, k, Kind::Map, &mut bytes))
            .transpose()?;
        Ok(RawPayload::built(codec, bytes, args, kwargs))
    }

    /// Encodes values as a raw payload of `codec` (to encode a payload once and send it often).
    pub fn encode(
        codec: Codec,
        args: Option<&List>,
        kwargs: Option<&Dict>,
    ) -> Result<RawPayload, EncodeError> {
        let mut bytes = Vec::new();
        let mut append = |write: &dyn Fn(&mut Vec<u8>) -> Result<(), EncodeError>| {
            let start = bytes.len();
            write(&mut bytes)?;
            span(start, bytes.len(), codec)
        };
        let args = args
            .map(|a| append(&|out| codec.write_list(a, out)))
            .transpose()?;
        let kwargs = kwargs
            .map(|k| append(&|out| codec.write_dict(k, out)))
            .transpose()?;
        Ok(RawPayload::built(codec, bytes, args, kwargs))
    }

    /// A passthru payload of `codec`: `data` as the one binary element where `Arguments|list`
    /// goes.
    pub fn binary(codec: Codec, data: &[u8]) -> RawPayload {
        RawPayload::binary_with(codec, data, None)
            .unwrap_or_else(|_| RawPayload::built(codec, Vec::new(), None, None))
    }

    /// A passthru payload of `codec`: `data` where `Arguments|list` goes, then `kwargs` if any.
    pub fn binary_with(
        codec: Codec,
        data: &[u8],
        kwargs: Option<&Dict>,
    ) -> Result<RawPayload, EncodeError> {
        let mut bytes = codec.encode_value(&Value::Bytes(data.to_vec()))?;
        let args = span(0, bytes.len(), codec)?;
        let kwargs = kwargs
            .map(|k| {
                let start = bytes.len();
                codec.write_dict(k, &mut bytes)?;
                span(start, bytes.len(), codec)
            })
            .transpose()?;
        Ok(RawPayload::built(codec, bytes, Some(args), kwargs))
    }

    /// The same elements in bytes of their own: a payload kept for later (a retained event, the
    /// event history, a testament) then holds only its elements, not the frame it came in.
    pub fn detached(&self) -> RawPayload {
        let (Some(first), Some(last)) = (self.args.or(self.kwargs), self.kwargs.or(self.args))
        else {
            return RawPayload::built(self.codec, Vec::new(), None, None);
        };
        let bytes = self
            .bytes
            .get(first.start as usize..last.end as usize)
            .unwrap_or_default();
        let shift = |s: Span| Span {
            start: s.start.saturating_sub(first.start),
            end: s.end.saturating_sub(first.start),
        };
        RawPayload {
            codec: self.codec,
            bytes: Bytes::copy_from_slice(bytes),
            args: self.args.map(shift),
            kwargs: self.kwargs.map(shift),
        }
    }

    /// The bytes of the elements (and of anything between them), for bounds on what is kept.
    pub fn len(&self) -> usize {
        match (self.args.or(self.kwargs), self.kwargs.or(self.args)) {
            (Some(first), Some(last)) => last.end.saturating_sub(first.start) as usize,
            _ => 0,
        }
    }

    /// Whether neither element is present.
    pub fn is_empty(&self) -> bool {
        self.args.is_none() && self.kwargs.is_none()
    }

    /// The codec of the elements.
    pub fn codec(&self) -> Codec {
        self.codec
    }

    /// `Arguments|list` as encoded, if present.
    pub fn args_bytes(&self) -> Option<&[u8]> {
        self.part(Part::Args)
    }

    /// `ArgumentsKw|dict` as encoded, if present.
    pub fn kwargs_bytes(&self) -> Option<&[u8]> {
        self.part(Part::Kwargs)
    }

    /// `Arguments|list`, decoded.
    pub fn args(&self) -> Result<Option<List>, DecodeError> {
        match self.decode(Part::Args)? {
            None => Ok(None),
            Some(Value::List(list)) => Ok(Some(list)),
            Some(_) => Err(DecodeError::Shape(
                "Arguments|list is not a list".to_owned(),
            )),
        }
    }

    /// `ArgumentsKw|dict`, decoded.
    pub fn kwargs(&self) -> Result<Option<Dict>, DecodeError> {
        match self.decode(Part::Kwargs)? {
            None => Ok(None),
            Some(Value::Map(dict)) => Ok(Some(dict)),
            Some(_) => Err(DecodeError::Shape(
                "ArgumentsKw|dict is not a dict".to_owned(),
            )),
        }
    }

    /// The same elements encoded with `codec` (shared, not copied, if it is theirs): map entries
    /// keep their order; numbers, strings and binary data are written as `codec` writes them, with
    /// JSON's `"\0"` + base64 strings and binary data turned into each other.
    pub fn to_codec(&self, codec: Codec) -> Result<RawPayload, EncodeError> {
        if codec == self.codec {
            return Ok(self.clone());
        }
        let mut bytes = Vec::with_capacity(self.bytes.len() + self.bytes.len() / 2);
        let mut convert = |part| -> Result<Option<Span>, EncodeError> {
            let Some(element) = self.part(part) else {
                return Ok(None);
            };
            let start = bytes.len();
            transcode::element(self.codec, element, codec, &mut bytes)?;
            span(start, bytes.len(), codec).map(Some)
        };
        let args = convert(Part::Args)?;
        let kwargs = convert(Part::Kwargs)?;
        Ok(RawPayload::built(codec, bytes, args, kwargs))
    }

    /// Elements just built in `bytes`, lying at `args` and `kwargs`.
    fn built(codec: Codec, bytes: Vec<u8>, args: Option<Span>, kwargs: Option<Span>) -> Self {
        RawPayload {
            codec,
            bytes: Bytes::from(bytes),
            args,
            kwargs,
        }
    }

    /// Elements a decoder has checked, lying at `args` and `kwargs` in `bytes`.
    pub(crate) fn checked(
        codec: Codec,
        bytes: Bytes,
        args: Option<std::ops::Range<usize>>,
        kwargs: Option<std::ops::Range<usize>>,
    ) -> Result<RawPayload, DecodeError> {
        let to_span =
            |r: std::ops::Range<usize>| match (u32::try_from(r.start), u32::try_from(r.end)) {
                (Ok(start), Ok(end)) if start <= end && r.end <= bytes.len() => {
                    Ok(Span { start, end })
                }
                _ => Err(DecodeError::Shape(
                    "a payload element out of range (or beyond 4 GiB)".to_owned(),
                )),
            };
        Ok(RawPayload {
            codec,
            args: args.map(to_span).transpose()?,
            kwargs: kwargs.map(to_span).transpose()?,
            bytes,
        })
    }

    /// One element as encoded, if present.
    pub(crate) fn part(&self, part: Part) -> Option<&[u8]> {
        let span = match part {
            Part::Args => self.args,
            Part::Kwargs => self.kwargs,
        }?;
        self.bytes.get(span.start as usize..span.end as usize)
    }

    /// One element decoded, if present.
    pub(crate) fn decode(&self, part: Part) -> Result<Option<Value>, DecodeError> {
        self.part(part)
            .map(|bytes| self.codec.decode_value(bytes))
            .transpose()
    }
}

/// Checks `element` (of `kind`) and appends it to `bytes`; gives where it lies there.
fn keep(
    codec: Codec,
    element: &[u8],
    kind: Kind,
    bytes: &mut Vec<u8>,
) -> Result<Span, DecodeError> {
    let Element {
        start,
        end,
        kind: found,
        ..
    } = scan::element_of(codec, element)?;
    if found != kind {
        let expected = if kind == Kind::List {
            "Arguments|list must be a list"
        } else {
            "ArgumentsKw|dict must be a dict"
        };
        return Err(DecodeError::Shape(expected.to_owned()));
    }
    let at = bytes.len();
    bytes.extend_from_slice(element.get(start..end).unwrap_or_default());
    span(at, bytes.len(), codec).map_err(|e| DecodeError::Shape(e.to_string()))
}

/// The span `start..end`, if it fits in 32 bits.
fn span(start: usize, end: usize, codec: Codec) -> Result<Span, EncodeError> {
    match (u32::try_from(start), u32::try_from(end)) {
        (Ok(start), Ok(end)) => Ok(Span { start, end }),
        _ => Err(EncodeError::Unsupported {
            codec: codec.name(),
            reason: "a payload beyond 4 GiB".to_owned(),
        }),
    }
}
