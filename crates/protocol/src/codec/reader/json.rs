//! The JSON reader: RFC 8259 as serde_json reads it from a byte slice.
//!
//! Whitespace is space, tab, CR and LF. Strings are UTF-8 without control characters, with the
//! escapes `\" \\ \/ \b \f \n \r \t \uXXXX`, surrogates only in pairs. Numbers: an optional
//! minus, no leading zeros, a fraction and exponent each with at least one digit. An integer is
//! an `i64` or `u64` as serde_json gives it (`-0` and negatives below `i64::MIN` are floats, as
//! are integers above `u64::MAX`); anything else is a float, and a float too large for `f64` is
//! refused ("number out of range"), as serde_json refuses it.

use super::{Container, Item, Len, ReadError, Reader, Text};
use crate::codec::binary::Binary;

/// A JSON reader over a byte slice.
#[derive(Debug, Clone)]
pub(crate) struct JsonReader<'a> {
    /// The input.
    bytes: &'a [u8],
    /// The next byte to read.
    pos: usize,
}

impl<'a> JsonReader<'a> {
    /// A reader at the start of `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        JsonReader { bytes, pos: 0 }
    }

    /// The next byte, not consumed.
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Skips whitespace.
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Reads `word` (`null`, `true`, `false`), whose first letter was seen.
    fn word(&mut self, word: &[u8]) -> Result<(), ReadError> {
        let end = self.pos + word.len();
        if self.bytes.get(self.pos..end) == Some(word) {
            self.pos = end;
            Ok(())
        } else {
            Err("expected ident")
        }
    }

    /// Reads a number.
    fn number(&mut self) -> Result<Item<'a>, ReadError> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        // The integer part's value, while it fits in a u64.
        let mut significand = Some(0u64);
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(invalid_number());
                }
            }
            Some(b'1'..=b'9') => {
                while let Some(digit @ b'0'..=b'9') = self.peek() {
                    self.pos += 1;
                    significand = significand
                        .and_then(|n| n.checked_mul(10))
                        .and_then(|n| n.checked_add(u64::from(digit - b'0')));
                }
            }
            None => return Err(eof(Inside::Value)),
            Some(_) => return Err(invalid_number()),
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.some_digits()?;
            float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.some_digits()?;
            float = true;
        }
        if !float && let Some(n) = significand {
            return Ok(match (negative, i64::try_from(n)) {
                (false, Ok(i)) => Item::Int(i),
                (false, Err(_)) => Item::UInt(n),
                // As serde_json: -0 and anything below i64::MIN are floats.
                (true, _) => match (n as i64).wrapping_neg() {
                    neg if neg < 0 => Item::Int(neg),
                    _ => Item::Float(-(n as f64)),
                },
            });
        }
        let text = self.bytes.get(start..self.pos).unwrap_or_default();
        let f: f64 = std::str::from_utf8(text)
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or_else(invalid_number)?;
        if f.is_infinite() {
            return Err("number out of range");
        }
        Ok(Item::Float(f))
    }

    /// Skips digits.
    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    /// Skips one or more digits.
    fn some_digits(&mut self) -> Result<(), ReadError> {
        match self.peek() {
            Some(b'0'..=b'9') => {
                self.digits();
                Ok(())
            }
            None => Err(eof(Inside::Value)),
            Some(_) => Err(invalid_number()),
        }
    }

    /// Reads a string, whose opening quote was seen.
    fn string(&mut self) -> Result<Text<'a>, ReadError> {
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        let mut ascii = true;
        loop {
            let rest = self.bytes.get(self.pos..).unwrap_or_default();
            let (at, plain) = special(rest).ok_or_else(|| eof(Inside::Str))?;
            self.pos += at;
            ascii &= plain;
            match self.peek() {
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 1;
                    self.escape()?;
                }
                _ => {
                    return Err("control character (\\u0000-\\u001F) found while parsing a string");
                }
            }
        }
        let raw = self.bytes.get(start..self.pos).unwrap_or_default();
        self.pos += 1;
        // Escapes are ASCII: the raw text is UTF-8 exactly when the string is.
        if !ascii && std::str::from_utf8(raw).is_err() {
            return Err("invalid unicode code point");
        }
        Ok(if escaped {
            Text::Escaped(raw)
        } else {
            Text::Plain(raw)
        })
    }

    /// Reads an escape, whose backslash was read.
    fn escape(&mut self) -> Result<(), ReadError> {
        let b = self.peek().ok_or_else(|| eof(Inside::Str))?;
        self.pos += 1;
        match b {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Ok(()),
            b'u' => {
                let n = self.hex4()?;
                if (0xDC00..=0xDFFF).contains(&n) {
                    return Err(lone_surrogate());
                }
                if (0xD800..=0xDBFF).contains(&n) {
                    for expected in [b'\\', b'u'] {
                        match self.peek() {
                            None => return Err(eof(Inside::Str)),
                            Some(b) if b == expected => self.pos += 1,
                            Some(_) => return Err("unexpected end of hex escape"),
                        }
                    }
                    if !(0xDC00..=0xDFFF).contains(&self.hex4()?) {
                        return Err(lone_surrogate());
                    }
                }
                Ok(())
            }
            _ => Err("invalid escape"),
        }
    }

    /// Reads four hex digits.
    fn hex4(&mut self) -> Result<u16, ReadError> {
        let mut n = 0u16;
        for _ in 0..4 {
            let b = self.peek().ok_or_else(|| eof(Inside::Str))?;
            let digit = char::from(b).to_digit(16).ok_or("invalid escape")?;
            n = n * 16 + digit as u16;
            self.pos += 1;
        }
        Ok(n)
    }
}

impl<'a> Reader<'a> for JsonReader<'a> {
    const TEXT_TRAILER: usize = 1;
    const BINARY: Binary = Binary::Base64;

    fn start(&mut self) -> usize {
        self.skip_space();
        self.pos
    }

    fn position(&self) -> usize {
        self.pos
    }

    fn item(&mut self) -> Result<(Item<'a>, usize), ReadError> {
        self.skip_space();
        let item = match self.peek() {
            None => return Err(eof(Inside::Value)),
            Some(b'n') => self.word(b"null").map(|()| Item::Null)?,
            Some(b't') => self.word(b"true").map(|()| Item::Bool(true))?,
            Some(b'f') => self.word(b"false").map(|()| Item::Bool(false))?,
            Some(b'"') => Item::Str(self.string()?),
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b'[') => {
                self.pos += 1;
                Item::List(Len::Open)
            }
            Some(b'{') => {
                self.pos += 1;
                Item::Map(Len::Open)
            }
            Some(_) => return Err("expected value"),
        };
        Ok((item, 0))
    }

    fn next_entry(&mut self, container: &mut Container) -> Result<bool, ReadError> {
        self.skip_space();
        let close = if container.map { b'}' } else { b']' };
        match self.peek() {
            None => Err(eof(if container.map {
                Inside::Object
            } else {
                Inside::List
            })),
            Some(b) if b == close => {
                self.pos += 1;
                Ok(false)
            }
            Some(b',') if container.seen > 0 => {
                self.pos += 1;
                container.seen += 1;
                Ok(true)
            }
            Some(_) if container.seen == 0 => {
                container.seen = 1;
                Ok(true)
            }
            Some(_) if container.map => Err("expected `,` or `}`"),
            Some(_) => Err("expected `,` or `]`"),
        }
    }

    fn key_done(&mut self) -> Result<(), ReadError> {
        self.skip_space();
        match self.peek() {
            Some(b':') => {
                self.pos += 1;
                Ok(())
            }
            None => Err(eof(Inside::Object)),
            Some(_) => Err("expected `:`"),
        }
    }

    fn finish(&mut self) -> Result<(), ReadError> {
        self.skip_space();
        if self.pos < self.bytes.len() {
            return Err("trailing characters");
        }
        Ok(())
    }
}

/// The text of a valid escaped JSON string (between its quotes), unescaped.
pub(super) fn unescape(raw: &[u8]) -> String {
    unescape_text(&super::utf8(raw))
}

/// [`unescape`] of text.
fn unescape_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let unescaped = match chars.next() {
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                let high = hex4(&mut chars);
                if (0xD800..=0xDBFF).contains(&high) {
                    chars.next();
                    chars.next();
                    let low = hex4(&mut chars);
                    let code = 0x10000 + ((high - 0xD800) << 10) + (low.wrapping_sub(0xDC00));
                    char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
                } else {
                    char::from_u32(high).unwrap_or(char::REPLACEMENT_CHARACTER)
                }
            }
            Some(other) => other,
            None => break,
        };
        out.push(unescaped);
    }
    out
}

/// Where the first quote, backslash or control character of `bytes` is, and whether every byte
/// before it is ASCII: sixteen bytes at a time, then byte by byte in the block that has one.
fn special(bytes: &[u8]) -> Option<(usize, bool)> {
    let is_special = |b: &u8| *b == b'"' || *b == b'\\' || *b < 0x20;
    let in_block = |block: &[u8], at: usize, high: u64| {
        let i = block.iter().position(is_special)?;
        let ascii = high & HIGH == 0 && block.get(..i).is_some_and(|b| b.is_ascii());
        Some((at + i, ascii))
    };
    let mut blocks = bytes.chunks_exact(16);
    let mut at = 0;
    let mut high = 0;
    for block in blocks.by_ref() {
        let (first, second) = block.split_at(8);
        let first = u64::from_le_bytes(first.try_into().unwrap_or([0; 8]));
        let second = u64::from_le_bytes(second.try_into().unwrap_or([0; 8]));
        if (hits(first) | hits(second)) & HIGH != 0 {
            return in_block(block, at, high);
        }
        high |= first | second;
        at += 16;
    }
    in_block(blocks.remainder(), at, high)
}

/// The high bit of each of eight bytes.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// One in each byte.
const ONES: u64 = 0x0101_0101_0101_0101;

/// For the bytes of `word`: a byte below 0x20, a quote or a backslash sets its high bit (a byte
/// above it may be set too; the first set one is exact).
fn hits(word: u64) -> u64 {
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    (word.wrapping_sub(ONES * 0x20)
        | quote.wrapping_sub(ONES) & !quote
        | backslash.wrapping_sub(ONES) & !backslash)
        & !word
}

/// Four hex digits of a valid escape.
fn hex4(chars: &mut std::str::Chars<'_>) -> u32 {
    chars
        .take(4)
        .fold(0, |n, c| n * 16 + c.to_digit(16).unwrap_or(0))
}

/// The error for input that ends inside `what`.
fn eof(what: Inside) -> ReadError {
    match what {
        Inside::Value => "EOF while parsing a value",
        Inside::Str => "EOF while parsing a string",
        Inside::List => "EOF while parsing a list",
        Inside::Object => "EOF while parsing an object",
    }
}

/// What input ended inside of.
#[derive(Debug, Clone, Copy)]
enum Inside {
    /// A value.
    Value,
    /// A string.
    Str,
    /// A list.
    List,
    /// An object.
    Object,
}

/// The error for a malformed number.
fn invalid_number() -> ReadError {
    "invalid number"
}

/// The error for a surrogate without its pair.
fn lone_surrogate() -> ReadError {
    "lone leading surrogate in hex escape"
}
