//! Scanning a frame: where each element of the message's list lies, every element checked as
//! the value decoder would read it, and no value built.
//!
//! The checks the readers leave to this file: lists and maps at most [`MAX_DEPTH`] levels deep
//! (the message's list being the first), CBOR tags and containers at most 127 levels deep
//! together (serde_cbor's own limit), map keys strings, and (JSON) a string that starts with
//! `"\0"` valid base64 after it, unless it is a map key. Since every element is checked in its
//! place in the message, decoding an element alone afterwards cannot fail.

use super::binary::{self, Binary};
use super::error::{DecodeError, MAX_DEPTH, TOO_DEEP};
use super::reader::{Container, Item, Len, ReadError, Reader, Text, with_reader};
use super::serializer::Codec;

/// The most elements a WAMP message has (ERROR with both payloads).
pub(crate) const MAX_ELEMENTS: usize = 7;

/// serde_cbor refuses to enter a 128th level of lists, maps and tags.
const PARSER_NESTING: usize = 128;

/// What an element is, as far as reading a message needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A list.
    List,
    /// A map.
    Map,
    /// Binary data (in JSON, a `"\0"` + base64 string).
    Binary,
    /// Anything else.
    Other,
}

/// An element's value when the scanner read it whole, so that it need not be decoded again:
/// what the value decoder would give for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
    /// Not read whole: decode the element.
    Unknown,
    /// An integer that fits in `i64`.
    Int(i64),
    /// An integer above `i64::MAX`.
    UInt(u64),
    /// A string with neither escapes nor chunks (and, in JSON, not binary): these bytes.
    Text {
        /// Its first byte.
        start: usize,
        /// One past its last byte.
        end: usize,
    },
    /// A map with no entry.
    EmptyMap,
}

/// Where one element of a frame lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Element {
    /// Its first byte (JSON: after whitespace; CBOR: its tags included).
    pub(crate) start: usize,
    /// One past its last byte.
    pub(crate) end: usize,
    /// What it is.
    pub(crate) kind: Kind,
    /// Its value, if read whole.
    pub(crate) scalar: Scalar,
}

/// The elements of a frame's list: where the first [`MAX_ELEMENTS`] lie, and how many there are.
#[derive(Debug, Clone)]
pub(crate) struct Elements {
    /// The first elements; those past `count` are unused.
    items: [Element; MAX_ELEMENTS],
    /// How many elements the list has (more than are kept, for a message too long).
    pub(crate) count: usize,
}

impl Elements {
    /// No element yet.
    pub(crate) fn new() -> Self {
        let unused = Element {
            start: 0,
            end: 0,
            kind: Kind::Other,
            scalar: Scalar::Unknown,
        };
        Elements {
            items: [unused; MAX_ELEMENTS],
            count: 0,
        }
    }

    /// Element `i` (from 0, the type code), if the list has it and it is kept.
    pub(crate) fn get(&self, i: usize) -> Option<Element> {
        self.items.get(i).copied().filter(|_| i < self.count)
    }

    /// Adds one; past [`MAX_ELEMENTS`] only counts it.
    fn push(&mut self, element: Element) {
        if let Some(slot) = self.items.get_mut(self.count) {
            *slot = element;
        }
        self.count += 1;
    }
}

/// Scans a frame of `codec` with [`frame`].
pub(crate) fn frame_of(
    codec: Codec,
    bytes: &[u8],
    elements: &mut Elements,
) -> Result<bool, DecodeError> {
    with_reader!(codec, bytes, |r| frame(r, elements)).map_err(|reason| syntax(codec, reason))
}

/// Checks one element of `codec` given alone with [`element`].
pub(crate) fn element_of(codec: Codec, bytes: &[u8]) -> Result<Element, DecodeError> {
    with_reader!(codec, bytes, element).map_err(|reason| syntax(codec, reason))
}

/// Scans a frame into `elements` (empty to begin with): false if it is valid but not a list (for
/// the caller to say why it is not a message).
pub(crate) fn frame<'a, R: Reader<'a>>(
    mut r: R,
    elements: &mut Elements,
) -> Result<bool, ReadError> {
    let (item, tags) = r.item()?;
    let nesting = tagged(0, tags)? + 1;
    let Item::List(len) = item else {
        return Ok(false);
    };
    if nesting >= PARSER_NESTING {
        return Err(recursion());
    }
    let mut list = Container::new(len, false);
    while r.next_entry(&mut list)? {
        let start = r.start();
        let (kind, scalar) = value(&mut r, 1, nesting)?;
        let end = r.position();
        let scalar = match scalar {
            // The text ends where the element does, but for JSON's closing quote.
            Scalar::Text { end: len, .. } => {
                let end = end - R::TEXT_TRAILER;
                Scalar::Text {
                    start: end - len,
                    end,
                }
            }
            other => other,
        };
        elements.push(Element {
            start,
            end,
            kind,
            scalar,
        });
    }
    r.finish()?;
    Ok(true)
}

/// Checks one element given alone (all of `r`'s input), as if in a message's list.
pub(crate) fn element<'a, R: Reader<'a>>(mut r: R) -> Result<Element, ReadError> {
    let start = r.start();
    let (kind, _) = value(&mut r, 1, 1)?;
    let end = r.position();
    r.finish()?;
    Ok(Element {
        start,
        end,
        kind,
        scalar: Scalar::Unknown,
    })
}

/// Checks the next item and everything in it: `depth` lists and maps enclose it, and serde_cbor
/// would read it `nesting` levels deep. Gives what it is, and its value if it is a scalar (a
/// text's value as its length).
fn value<'a, R: Reader<'a>>(
    r: &mut R,
    depth: usize,
    nesting: usize,
) -> Result<(Kind, Scalar), ReadError> {
    let (item, tags) = r.item()?;
    let nesting = tagged(nesting, tags)?;
    Ok(match item {
        Item::List(len) => {
            container(r, len, false, depth, nesting)?;
            (Kind::List, Scalar::Unknown)
        }
        Item::Map(len) => {
            let entries = container(r, len, true, depth, nesting)?;
            let scalar = if entries == 0 {
                Scalar::EmptyMap
            } else {
                Scalar::Unknown
            };
            (Kind::Map, scalar)
        }
        Item::Str(text) if R::BINARY == Binary::Base64 && text.starts_with_nul() => {
            if let Some(Err(_)) = binary::from_nul_base64(&text.to_cow()) {
                return Err("invalid base64 after \"\\0\"");
            }
            (Kind::Binary, Scalar::Unknown)
        }
        Item::Str(Text::Plain(text)) => (
            Kind::Other,
            Scalar::Text {
                start: 0,
                end: text.len(),
            },
        ),
        Item::Bytes(_) => (Kind::Binary, Scalar::Unknown),
        Item::Int(i) => (Kind::Other, Scalar::Int(i)),
        Item::UInt(u) => (Kind::Other, Scalar::UInt(u)),
        _ => (Kind::Other, Scalar::Unknown),
    })
}

/// Checks the entries of a list or map just opened; gives how many there are.
fn container<'a, R: Reader<'a>>(
    r: &mut R,
    len: Len,
    map: bool,
    depth: usize,
    nesting: usize,
) -> Result<u64, ReadError> {
    if depth >= MAX_DEPTH {
        return Err(TOO_DEEP);
    }
    let nesting = nesting + 1;
    if nesting >= PARSER_NESTING {
        return Err(recursion());
    }
    let mut container = Container::new(len, map);
    while r.next_entry(&mut container)? {
        if map {
            key(r, nesting)?;
            r.key_done()?;
        }
        value(r, depth + 1, nesting)?;
    }
    Ok(container.seen)
}

/// Checks a map key: a string.
fn key<'a, R: Reader<'a>>(r: &mut R, nesting: usize) -> Result<(), ReadError> {
    let (item, tags) = r.item()?;
    tagged(nesting, tags)?;
    match item {
        Item::Str(_) => Ok(()),
        _ => Err("a map key must be a string"),
    }
}

/// The nesting inside `tags` CBOR tags read at `nesting`: each tag is a level of its own.
fn tagged(nesting: usize, tags: usize) -> Result<usize, ReadError> {
    let inside = nesting + tags;
    if tags > 0 && inside >= PARSER_NESTING {
        return Err(recursion());
    }
    Ok(inside)
}

/// A reader's error as a [`DecodeError`].
fn syntax(codec: Codec, reason: ReadError) -> DecodeError {
    DecodeError::Syntax {
        codec: codec.name(),
        reason: reason.to_owned(),
    }
}

/// The error for CBOR nested past serde_cbor's limit.
fn recursion() -> ReadError {
    "recursion limit exceeded"
}
