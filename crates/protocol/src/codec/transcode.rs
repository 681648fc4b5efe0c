//! Converting an encoded (and already checked) payload element from one serializer to another
//! without building it as values: a reader of the source drives the target's serde serializer.
//!
//! Map entries keep their order (and any repeated key). Scalars are written as a [`Value`] of the
//! same kind would be: integers as `i64` when they fit, floats as `f64`, and binary data natively,
//! except that JSON writes it as `"\0"` + base64 and a JSON string starting with `"\0"` (not a
//! map key) is read as the binary data it carries. JSON cannot carry a non-finite float: that is
//! an [`EncodeError`], as it is for values.
//!
//! Lists and maps are written with their length first, as the values path writes them; a JSON or
//! CBOR indefinite-length source is counted ahead on a copy of its reader.
//!
//! [`Value`]: crate::Value

use std::cell::RefCell;

use serde::ser::{self, SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use super::binary::{self, Binary};
use super::error::{EncodeError, not_finite};
use super::reader::{self, Container, Item, Reader, with_reader};
use super::serializer::Codec;

/// Appends `element`, one item encoded with `source`, to `out` encoded with `target`; on error
/// `out` is left as it was.
pub(crate) fn element(
    source: Codec,
    element: &[u8],
    target: Codec,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    with_reader!(source, element, |reader| write(reader, target, out))
}

/// Writes the item at `reader` with `target`.
fn write<'a, R: Reader<'a>>(
    reader: R,
    target: Codec,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let item = Transcoder {
        reader: RefCell::new(reader),
        target: target.binary(),
    };
    target.write(&item, out)
}

/// The next item of a reader, to serialize.
struct Transcoder<R> {
    /// The source, shared by the nested items being serialized.
    reader: RefCell<R>,
    /// How the target carries binary data.
    target: Binary,
}

impl<'a, R: Reader<'a>> Transcoder<R> {
    /// Reads the next item's head.
    fn next<E: ser::Error>(&self) -> Result<Item<'a>, E> {
        self.reader
            .borrow_mut()
            .item()
            .map(|(item, _)| item)
            .map_err(E::custom)
    }

    /// Whether `container` has another entry.
    fn more<E: ser::Error>(&self, container: &mut Container) -> Result<bool, E> {
        self.reader
            .borrow_mut()
            .next_entry(container)
            .map_err(E::custom)
    }

    /// How many entries `container` has.
    fn count<E: ser::Error>(&self, container: &Container) -> Result<usize, E> {
        reader::count(&*self.reader.borrow(), container.len, container.map).map_err(E::custom)
    }

    /// Writes binary data the target's way.
    fn bytes<S: Serializer>(&self, serializer: S, bytes: &[u8]) -> Result<S::Ok, S::Error> {
        match self.target {
            Binary::Native => serializer.serialize_bytes(bytes),
            Binary::Base64 => serializer.serialize_str(&binary::to_nul_base64(bytes)),
        }
    }

    /// Writes the entries of a list just opened.
    fn list<S: Serializer>(&self, serializer: S, mut list: Container) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.count(&list)?))?;
        while self.more(&mut list)? {
            seq.serialize_element(self)?;
        }
        seq.end()
    }

    /// Writes the entries of a map just opened.
    fn map<S: Serializer>(&self, serializer: S, mut entries: Container) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.count(&entries)?))?;
        while self.more(&mut entries)? {
            let Item::Str(key) = self.next()? else {
                return Err(ser::Error::custom("a map key must be a string"));
            };
            self.reader
                .borrow_mut()
                .key_done()
                .map_err(ser::Error::custom)?;
            map.serialize_key(&*key.to_cow())?;
            map.serialize_value(self)?;
        }
        map.end()
    }
}

impl<'a, R: Reader<'a>> Serialize for Transcoder<R> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.next()? {
            Item::Null => serializer.serialize_unit(),
            Item::Bool(b) => serializer.serialize_bool(b),
            Item::Int(i) => serializer.serialize_i64(i),
            Item::UInt(u) => serializer.serialize_u64(u),
            Item::Float(f) if self.target == Binary::Base64 && !f.is_finite() => {
                Err(ser::Error::custom(not_finite(f)))
            }
            Item::Float(f) => serializer.serialize_f64(f),
            Item::Str(text) => {
                let text = text.to_cow();
                if R::BINARY == Binary::Base64
                    && let Some(bytes) = binary::from_nul_base64(&text)
                {
                    return self.bytes(serializer, &bytes.map_err(ser::Error::custom)?);
                }
                serializer.serialize_str(&text)
            }
            Item::Bytes(blob) => self.bytes(serializer, &blob.to_cow()),
            Item::List(len) => self.list(serializer, Container::new(len, false)),
            Item::Map(len) => self.map(serializer, Container::new(len, true)),
        }
    }
}
