//! Where the elements of a message being read come from: a decoded list, or a scanned frame
//! whose elements are decoded one by one when taken.

use bytes::Bytes;

use crate::codec::scan::{Element, Elements, Scalar};
use crate::codec::{Codec, DecodeError};
use crate::value::{Dict, Value};

/// A scanned frame's bytes: shared (a payload is a slice of them) or borrowed (a payload is
/// copied out).
#[derive(Debug, Clone, Copy)]
pub(crate) enum FrameBytes<'a> {
    /// The frame as received.
    Shared(&'a Bytes),
    /// A slice the caller keeps.
    Borrowed(&'a [u8]),
}

impl<'a> FrameBytes<'a> {
    /// The bytes `start..end` of the frame: a slice of a shared frame, a copy of a borrowed one
    /// (empty if out of range).
    pub(crate) fn slice(&self, start: usize, end: usize) -> Bytes {
        match self {
            FrameBytes::Shared(b) if start <= end && end <= b.len() => b.slice(start..end),
            FrameBytes::Shared(_) => Bytes::new(),
            FrameBytes::Borrowed(b) => {
                Bytes::copy_from_slice(b.get(start..end).unwrap_or_default())
            }
        }
    }

    /// The frame's bytes.
    pub(crate) fn as_slice(&self) -> &'a [u8] {
        match *self {
            FrameBytes::Shared(b) => b,
            FrameBytes::Borrowed(b) => b,
        }
    }
}

/// Where the elements of a message being read come from.
pub(super) enum Source<'a> {
    /// A decoded list.
    Values(std::vec::IntoIter<Value>),
    /// A scanned frame: each element decoded when taken, the payload kept as bytes.
    Frame {
        /// The frame's codec.
        codec: Codec,
        /// The frame.
        frame: FrameBytes<'a>,
        /// Where its elements lie.
        elements: &'a Elements,
        /// The next element to take.
        next: usize,
    },
}

impl<'a> Source<'a> {
    /// How many elements are left.
    pub(super) fn remaining(&self) -> usize {
        match self {
            Source::Values(items) => items.len(),
            Source::Frame { elements, next, .. } => elements.count.saturating_sub(*next),
        }
    }

    /// The next element, decoded.
    pub(super) fn next_value(&mut self) -> Option<Result<Value, DecodeError>> {
        match self {
            Source::Values(items) => items.next().map(Ok),
            Source::Frame { .. } => {
                let element = self.next_element()?;
                Some(self.decode(element))
            }
        }
    }

    /// The next element of a frame, undecoded.
    pub(super) fn next_element(&mut self) -> Option<Element> {
        match self {
            Source::Values(_) => None,
            Source::Frame { elements, next, .. } => {
                let element = elements.get(*next)?;
                *next += 1;
                Some(element)
            }
        }
    }

    /// The next element's text, if it is a string the scanner read whole (then it is taken).
    pub(super) fn next_text(&mut self) -> Option<&'a str> {
        let Source::Frame {
            frame,
            elements,
            next,
            ..
        } = self
        else {
            return None;
        };
        let Scalar::Text { start, end } = elements.get(*next)?.scalar else {
            return None;
        };
        let text = std::str::from_utf8(frame.as_slice().get(start..end)?).ok()?;
        *next += 1;
        Some(text)
    }

    /// An element of a frame, decoded (or taken as the scanner read it).
    pub(super) fn decode(&self, element: Element) -> Result<Value, DecodeError> {
        let Source::Frame { codec, frame, .. } = self else {
            return Err(DecodeError::Shape("no frame to decode from".into()));
        };
        let bytes = frame.as_slice();
        let text = |start: usize, end: usize| {
            let text = bytes
                .get(start..end)
                .and_then(|b| std::str::from_utf8(b).ok());
            text.map(|t| Value::Str(t.to_owned()))
        };
        let scanned = match element.scalar {
            Scalar::Unknown => None,
            Scalar::Int(i) => Some(Value::Int(i)),
            Scalar::UInt(u) => Some(Value::UInt(u)),
            Scalar::Text { start, end } => text(start, end),
            Scalar::EmptyMap => Some(Value::Map(Dict::new())),
        };
        match scanned {
            Some(value) => Ok(value),
            None => codec.decode_value(bytes.get(element.start..element.end).unwrap_or_default()),
        }
    }
}
