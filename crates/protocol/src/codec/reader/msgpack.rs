//! The MessagePack reader: the MessagePack specification as rmp-serde 1.3 reads it.
//!
//! A `str` that is not UTF-8 is binary data (rmp-serde's fallback); extension types and the
//! reserved marker 0xc1 are refused.

use super::{Blob, Container, Item, Len, ReadError, Reader, Text};

/// A MessagePack reader over a byte slice.
#[derive(Debug, Clone)]
pub(crate) struct MsgPackReader<'a> {
    /// The input.
    bytes: &'a [u8],
    /// The next byte to read.
    pos: usize,
}

impl<'a> MsgPackReader<'a> {
    /// A reader at the start of `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        MsgPackReader { bytes, pos: 0 }
    }

    /// Reads `n` bytes.
    fn take(&mut self, n: usize) -> Result<&'a [u8], ReadError> {
        let end = self.pos.checked_add(n).ok_or("length out of range")?;
        let bytes = self
            .bytes
            .get(self.pos..end)
            .ok_or("unexpected end of data")?;
        self.pos = end;
        Ok(bytes)
    }

    /// Reads `N` big-endian bytes.
    fn be<const N: usize>(&mut self) -> Result<[u8; N], ReadError> {
        self.take(N)?
            .try_into()
            .map_err(|_| "unexpected end of data")
    }

    /// Reads a length of `N` bytes (1, 2 or 4).
    fn len<const N: usize>(&mut self) -> Result<usize, ReadError> {
        let bytes: [u8; N] = self.be()?;
        let n = bytes.iter().fold(0u64, |n, &b| n << 8 | u64::from(b));
        usize::try_from(n).map_err(|_| "length out of range")
    }

    /// Reads a `str` of `len` bytes: binary data when it is not UTF-8.
    fn str(&mut self, len: usize) -> Result<Item<'a>, ReadError> {
        let bytes = self.take(len)?;
        Ok(match std::str::from_utf8(bytes) {
            Ok(_) => Item::Str(Text::Plain(bytes)),
            Err(_) => Item::Bytes(Blob::Plain(bytes)),
        })
    }

    /// Reads a `bin` of `len` bytes.
    fn bin(&mut self, len: usize) -> Result<Item<'a>, ReadError> {
        Ok(Item::Bytes(Blob::Plain(self.take(len)?)))
    }
}

impl<'a> Reader<'a> for MsgPackReader<'a> {
    fn position(&self) -> usize {
        self.pos
    }

    fn item(&mut self) -> Result<(Item<'a>, usize), ReadError> {
        let [marker] = self.be::<1>()?;
        let item = match marker {
            0x00..=0x7f => Item::Int(i64::from(marker)),
            0x80..=0x8f => Item::Map(Len::Known(u64::from(marker & 0x0f))),
            0x90..=0x9f => Item::List(Len::Known(u64::from(marker & 0x0f))),
            0xa0..=0xbf => self.str(usize::from(marker & 0x1f))?,
            0xc0 => Item::Null,
            0xc1 => return Err("reserved marker"),
            0xc2 => Item::Bool(false),
            0xc3 => Item::Bool(true),
            0xc4 => self.len::<1>().and_then(|n| self.bin(n))?,
            0xc5 => self.len::<2>().and_then(|n| self.bin(n))?,
            0xc6 => self.len::<4>().and_then(|n| self.bin(n))?,
            0xc7..=0xc9 | 0xd4..=0xd8 => {
                return Err("an extension type is not a WAMP value");
            }
            0xca => Item::Float(f64::from(f32::from_be_bytes(self.be()?))),
            0xcb => Item::Float(f64::from_be_bytes(self.be()?)),
            0xcc => Item::Int(i64::from(u8::from_be_bytes(self.be()?))),
            0xcd => Item::Int(i64::from(u16::from_be_bytes(self.be()?))),
            0xce => Item::Int(i64::from(u32::from_be_bytes(self.be()?))),
            0xcf => {
                let n = u64::from_be_bytes(self.be()?);
                i64::try_from(n).map_or(Item::UInt(n), Item::Int)
            }
            0xd0 => Item::Int(i64::from(i8::from_be_bytes(self.be()?))),
            0xd1 => Item::Int(i64::from(i16::from_be_bytes(self.be()?))),
            0xd2 => Item::Int(i64::from(i32::from_be_bytes(self.be()?))),
            0xd3 => Item::Int(i64::from_be_bytes(self.be()?)),
            0xd9 => self.len::<1>().and_then(|n| self.str(n))?,
            0xda => self.len::<2>().and_then(|n| self.str(n))?,
            0xdb => self.len::<4>().and_then(|n| self.str(n))?,
            0xdc => Item::List(Len::Known(self.len::<2>()? as u64)),
            0xdd => Item::List(Len::Known(self.len::<4>()? as u64)),
            0xde => Item::Map(Len::Known(self.len::<2>()? as u64)),
            0xdf => Item::Map(Len::Known(self.len::<4>()? as u64)),
            0xe0..=0xff => Item::Int(i64::from(marker as i8)),
        };
        Ok((item, 0))
    }

    fn next_entry(&mut self, container: &mut Container) -> Result<bool, ReadError> {
        match container.len {
            Len::Known(n) => Ok(container.next_known(n)),
            Len::Open => Err("open length in MessagePack"),
        }
    }

    fn finish(&mut self) -> Result<(), ReadError> {
        if self.pos < self.bytes.len() {
            return Err("trailing bytes after the value");
        }
        Ok(())
    }
}
