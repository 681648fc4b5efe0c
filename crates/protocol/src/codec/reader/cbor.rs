//! The CBOR reader: RFC 8949 as serde_cbor 0.11 reads it.
//!
//! Tags are skipped (and counted: serde_cbor's nesting limit counts them). `undefined` is null;
//! half, single and double floats are floats. Refused: reserved additional information (28 to
//! 30), simple values other than false, true, null and undefined, a break outside an
//! indefinite-length item, negative integers below `i64::MIN`, text strings that are not UTF-8
//! (an indefinite-length one is checked once joined, as serde_cbor does), and chunks of
//! indefinite-length strings that are not definite strings of the same type.

use super::{Blob, Container, Item, Len, ReadError, Reader, Text};

/// The most tags read before one item: serde_cbor's nesting limit stops any more.
const MAX_TAGS: usize = 128;

/// A CBOR reader over a byte slice.
#[derive(Debug, Clone)]
pub(crate) struct CborReader<'a> {
    /// The input.
    bytes: &'a [u8],
    /// The next byte to read.
    pos: usize,
}

/// The additional information that marks an indefinite length (and, in major type 7, a break).
const INDEFINITE: u8 = 31;

impl<'a> CborReader<'a> {
    /// A reader at the start of `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        CborReader { bytes, pos: 0 }
    }

    /// Reads one byte.
    fn byte(&mut self) -> Result<u8, ReadError> {
        let b = self.bytes.get(self.pos).copied().ok_or_else(eof)?;
        self.pos += 1;
        Ok(b)
    }

    /// Reads `n` bytes.
    fn take(&mut self, n: u64) -> Result<&'a [u8], ReadError> {
        let end = usize::try_from(n)
            .ok()
            .and_then(|n| self.pos.checked_add(n))
            .ok_or("length out of range")?;
        let bytes = self.bytes.get(self.pos..end).ok_or_else(eof)?;
        self.pos = end;
        Ok(bytes)
    }

    /// Reads a big-endian number of `N` bytes.
    fn be<const N: usize>(&mut self) -> Result<[u8; N], ReadError> {
        let bytes = self.take(N as u64)?;
        bytes.try_into().map_err(|_| eof())
    }

    /// The argument of a head with additional information `info` (below 28).
    fn argument(&mut self, info: u8) -> Result<u64, ReadError> {
        Ok(match info {
            0..=23 => u64::from(info),
            24 => u64::from(self.byte()?),
            25 => u64::from(u16::from_be_bytes(self.be()?)),
            26 => u64::from(u32::from_be_bytes(self.be()?)),
            27 => u64::from_be_bytes(self.be()?),
            _ => return Err(unassigned()),
        })
    }

    /// Reads the chunks of an indefinite-length string of major type `major`, up to and
    /// including its break; gives the chunks' bytes, heads included (and, if `join`, their
    /// content joined).
    fn chunks(&mut self, major: u8, join: bool) -> Result<(&'a [u8], Vec<u8>), ReadError> {
        let start = self.pos;
        let mut joined = Vec::new();
        loop {
            let b = self.byte()?;
            if b == 0xff {
                break;
            }
            if b >> 5 != major || b & 0x1f >= 28 {
                return Err("unexpected code");
            }
            let len = self.argument(b & 0x1f)?;
            let chunk = self.take(len)?;
            if join {
                joined.extend_from_slice(chunk);
            }
        }
        let chunks = self
            .bytes
            .get(start..self.pos.saturating_sub(1))
            .unwrap_or_default();
        Ok((chunks, joined))
    }
}

impl<'a> Reader<'a> for CborReader<'a> {
    fn position(&self) -> usize {
        self.pos
    }

    fn item(&mut self) -> Result<(Item<'a>, usize), ReadError> {
        let mut tags = 0;
        loop {
            let head = self.byte()?;
            let (major, info) = (head >> 5, head & 0x1f);
            if info == INDEFINITE {
                let item = match major {
                    2 => Item::Bytes(Blob::Chunked(self.chunks(2, false)?.0)),
                    3 => {
                        let (chunks, joined) = self.chunks(3, true)?;
                        std::str::from_utf8(&joined).map_err(|_| invalid_utf8())?;
                        Item::Str(Text::Chunked(chunks))
                    }
                    4 => Item::List(Len::Open),
                    5 => Item::Map(Len::Open),
                    7 => return Err("unexpected code"),
                    _ => return Err(unassigned()),
                };
                return Ok((item, tags));
            }
            if major == 7 {
                let item = match info {
                    20 => Item::Bool(false),
                    21 => Item::Bool(true),
                    22 | 23 => Item::Null,
                    25 => Item::Float(f64::from(f16_to_f32(u16::from_be_bytes(self.be()?)))),
                    26 => Item::Float(f64::from(f32::from_be_bytes(self.be()?))),
                    27 => Item::Float(f64::from_be_bytes(self.be()?)),
                    _ => return Err(unassigned()),
                };
                return Ok((item, tags));
            }
            let arg = self.argument(info)?;
            let item = match major {
                0 => match i64::try_from(arg) {
                    Ok(i) => Item::Int(i),
                    Err(_) => Item::UInt(arg),
                },
                1 => match i64::try_from(arg) {
                    Ok(i) => Item::Int(-1 - i),
                    Err(_) => {
                        return Err("a negative integer outside the i64 and u64 range");
                    }
                },
                2 => Item::Bytes(Blob::Plain(self.take(arg)?)),
                3 => {
                    let bytes = self.take(arg)?;
                    std::str::from_utf8(bytes).map_err(|_| invalid_utf8())?;
                    Item::Str(Text::Plain(bytes))
                }
                4 => Item::List(Len::Known(arg)),
                5 => Item::Map(Len::Known(arg)),
                _ => {
                    tags += 1;
                    if tags >= MAX_TAGS {
                        return Err("recursion limit exceeded");
                    }
                    continue;
                }
            };
            return Ok((item, tags));
        }
    }

    fn next_entry(&mut self, container: &mut Container) -> Result<bool, ReadError> {
        match container.len {
            Len::Known(n) => Ok(container.next_known(n)),
            Len::Open => match self.bytes.get(self.pos) {
                None => Err(eof()),
                Some(0xff) => {
                    self.pos += 1;
                    Ok(false)
                }
                Some(_) => {
                    container.seen += 1;
                    Ok(true)
                }
            },
        }
    }

    fn finish(&mut self) -> Result<(), ReadError> {
        if self.pos < self.bytes.len() {
            return Err("trailing data");
        }
        Ok(())
    }
}

/// The content of the chunks of a valid indefinite-length byte string (heads included, break
/// excluded), joined.
pub(super) fn join_chunks(chunks: &[u8]) -> Vec<u8> {
    let mut r = CborReader::new(chunks);
    let mut joined = Vec::new();
    while let Ok(head) = r.byte() {
        let Ok(len) = r.argument(head & 0x1f) else {
            break;
        };
        let Ok(chunk) = r.take(len) else { break };
        joined.extend_from_slice(chunk);
    }
    joined
}

/// A half-precision float as single precision, as serde_cbor converts it (exactly; a NaN keeps
/// its payload, made quiet).
fn f16_to_f32(bits: u16) -> f32 {
    let sign = u32::from(bits & 0x8000) << 16;
    let exponent = u32::from((bits >> 10) & 0x1f);
    let mantissa = u32::from(bits & 0x03ff);
    match exponent {
        // Subnormal (or zero): mantissa × 2^-24, exact in single precision.
        0 => {
            let magnitude = mantissa as f32 / 16_777_216.0;
            if sign == 0 { magnitude } else { -magnitude }
        }
        0x1f if mantissa == 0 => f32::from_bits(sign | 0x7f80_0000),
        0x1f => f32::from_bits(sign | 0x7fc0_0000 | (mantissa << 13)),
        _ => f32::from_bits(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13)),
    }
}

/// The error for input that ends inside an item.
fn eof() -> ReadError {
    "EOF while parsing a value"
}

/// The error for additional information or simple values that CBOR leaves unassigned.
fn unassigned() -> ReadError {
    "unassigned type"
}

/// The error for a text string that is not UTF-8.
fn invalid_utf8() -> ReadError {
    "invalid UTF-8"
}
