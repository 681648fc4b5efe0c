//! Pull readers over one serializer's bytes, item by item, building no values.
//!
//! The scanner (`scan.rs`) validates payloads with them and the transcoder (`transcode.rs`)
//! converts payloads between serializers with them. Each reader reads exactly what the value
//! decoder of its serializer (serde_json, serde_cbor, rmp-serde with [`ValueSeed`]) reads, and
//! refuses what it refuses: the item rules are here and in each reader, the rules about nesting
//! and map keys in the scanner.
//!
//! - `json`: [`JsonReader`]; `cbor`: [`CborReader`]; `msgpack`: [`MsgPackReader`].
//!
//! [`ValueSeed`]: super::value_serde::ValueSeed

mod cbor;
mod json;
mod msgpack;

use std::borrow::Cow;

pub(crate) use cbor::CborReader;
pub(crate) use json::JsonReader;
pub(crate) use msgpack::MsgPackReader;

use super::binary::Binary;

/// Why bytes could not be read, as a parser would say it.
pub(crate) type ReadError = &'static str;

/// The head of one item: the whole of a scalar, the opening of a list or map.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Item<'a> {
    /// Null (and CBOR's `undefined`).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer that fits in `i64`.
    Int(i64),
    /// An integer above `i64::MAX`.
    UInt(u64),
    /// A float (a JSON number with a fraction or exponent, or beyond the integer range).
    Float(f64),
    /// A string (not yet unescaped).
    Str(Text<'a>),
    /// Binary data (MessagePack also gives a `str` that is not UTF-8 as binary).
    Bytes(Blob<'a>),
    /// A list; its items follow.
    List(Len),
    /// A map; its keys and values follow.
    Map(Len),
}

/// How many entries a list or map has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Len {
    /// As many as the head says (CBOR definite lengths, MessagePack).
    Known(u64),
    /// Until an end marker (JSON, CBOR indefinite lengths).
    Open,
}

/// A string as read, valid (UTF-8, escapes): unescaped or joined only when asked.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Text<'a> {
    /// The text itself, UTF-8.
    Plain(&'a [u8]),
    /// JSON text between the quotes, UTF-8 with escapes.
    Escaped(&'a [u8]),
    /// The chunks of a CBOR indefinite-length text string, heads included, UTF-8 once joined.
    Chunked(&'a [u8]),
}

/// Binary data as read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Blob<'a> {
    /// The bytes themselves.
    Plain(&'a [u8]),
    /// CBOR chunks of an indefinite-length byte string, heads included (all valid).
    Chunked(&'a [u8]),
}

/// A list or map being read: its length and how many entries were read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Container {
    /// The length from its head.
    pub(crate) len: Len,
    /// Whether it is a map.
    pub(crate) map: bool,
    /// Entries read so far (a map entry is a key and its value).
    pub(crate) seen: u64,
}

/// A reader of one serializer, positioned in its input.
pub(crate) trait Reader<'a>: Clone {
    /// How the serializer carries binary data.
    const BINARY: Binary = Binary::Native;

    /// How many bytes end a string after its text (JSON's closing quote).
    const TEXT_TRAILER: usize = 0;

    /// Where the next item starts (JSON skips whitespace first).
    fn start(&mut self) -> usize {
        self.position()
    }

    /// Where the reader is: the end of the last item read.
    fn position(&self) -> usize;

    /// Reads the head of the next item; gives it with the number of CBOR tags before it.
    fn item(&mut self) -> Result<(Item<'a>, usize), ReadError>;

    /// Whether another entry of `container` follows; reads what separates entries, or what ends
    /// the container.
    fn next_entry(&mut self, container: &mut Container) -> Result<bool, ReadError>;

    /// Reads what separates a map key from its value (JSON's `:`).
    fn key_done(&mut self) -> Result<(), ReadError> {
        Ok(())
    }

    /// Checks that nothing but (JSON) whitespace follows.
    fn finish(&mut self) -> Result<(), ReadError>;
}

impl Container {
    /// A container opened by an [`Item::List`] (`map` false) or [`Item::Map`] (`map` true).
    pub(crate) fn new(len: Len, map: bool) -> Container {
        Container { len, map, seen: 0 }
    }

    /// For readers of known lengths: whether another entry follows, counting it.
    pub(crate) fn next_known(&mut self, len: u64) -> bool {
        if self.seen < len {
            self.seen += 1;
            true
        } else {
            false
        }
    }
}

impl<'a> Text<'a> {
    /// The string, unescaped.
    pub(crate) fn to_cow(self) -> Cow<'a, str> {
        match self {
            Text::Plain(text) => utf8(text),
            Text::Escaped(raw) => Cow::Owned(json::unescape(raw)),
            Text::Chunked(chunks) => match String::from_utf8(cbor::join_chunks(chunks)) {
                Ok(text) => Cow::Owned(text),
                Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
            },
        }
    }

    /// Whether the string starts with a NUL character (JSON's mark of binary data).
    pub(crate) fn starts_with_nul(&self) -> bool {
        match self {
            Text::Plain(text) => text.starts_with(b"\0"),
            Text::Escaped(raw) => raw.starts_with(b"\\u0000"),
            Text::Chunked(_) => self.to_cow().starts_with('\0'),
        }
    }
}

impl<'a> Blob<'a> {
    /// The bytes, joined.
    pub(crate) fn to_cow(self) -> Cow<'a, [u8]> {
        match self {
            Blob::Plain(b) => Cow::Borrowed(b),
            Blob::Chunked(chunks) => Cow::Owned(cbor::join_chunks(chunks)),
        }
    }
}

/// Runs `$f` (a closure taking a reader) with a reader of `$codec` over `$bytes`.
macro_rules! with_reader {
    ($codec:expr, $bytes:expr, $f:expr) => {
        match $codec {
            $crate::codec::Codec::Json => ($f)($crate::codec::reader::JsonReader::new($bytes)),
            $crate::codec::Codec::Cbor => ($f)($crate::codec::reader::CborReader::new($bytes)),
            $crate::codec::Codec::MsgPack => {
                ($f)($crate::codec::reader::MsgPackReader::new($bytes))
            }
        }
    };
}

pub(crate) use with_reader;

/// Text a reader found valid: `from_utf8` and its fast path for ASCII, which `from_utf8_lossy`
/// lacks (a lossy copy only if the bytes were not valid after all).
fn utf8(text: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(text) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(text),
    }
}

/// Skips the next item and everything in it (input already validated, or errors are fine).
pub(crate) fn skip<'a, R: Reader<'a>>(r: &mut R) -> Result<(), ReadError> {
    let (item, _) = r.item()?;
    let (len, map) = match item {
        Item::List(len) => (len, false),
        Item::Map(len) => (len, true),
        _ => return Ok(()),
    };
    let mut container = Container::new(len, map);
    while r.next_entry(&mut container)? {
        if map {
            skip(r)?;
            r.key_done()?;
        }
        skip(r)?;
    }
    Ok(())
}

/// How many entries the container just opened has (reads ahead on a copy of the reader).
pub(crate) fn count<'a, R: Reader<'a>>(r: &R, len: Len, map: bool) -> Result<usize, ReadError> {
    if let Len::Known(n) = len {
        return usize::try_from(n).map_err(|_| "length out of range");
    }
    let mut probe = r.clone();
    let mut container = Container::new(len, map);
    let mut n = 0;
    while probe.next_entry(&mut container)? {
        if map {
            skip(&mut probe)?;
            probe.key_done()?;
        }
        skip(&mut probe)?;
        n += 1;
    }
    Ok(n)
}
