//! The pieces of the flat binary forms (publications, call messages): length-prefixed strings,
//! byte runs, a payload as its serializer and its elements' bytes, a map as MessagePack, and a
//! cursor that checks every read.

use crossway_protocol::{Codec, Dict, Payload, RawPayload, Value};

use super::WireError;

/// The length that says a byte run is absent.
const ABSENT: u32 = u32::MAX;

/// Writes `s` with a u16 length.
pub(super) fn short(out: &mut Vec<u8>, s: &str) -> Result<(), WireError> {
    let len = u16::try_from(s.len()).map_err(|_| bad("string length"))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

/// Writes `bytes` (or their absence) with a u32 length.
pub(super) fn long(out: &mut Vec<u8>, bytes: Option<&[u8]>) -> Result<(), WireError> {
    match bytes {
        None => out.extend_from_slice(&ABSENT.to_be_bytes()),
        Some(b) => {
            let len = u32::try_from(b.len())
                .ok()
                .filter(|n| *n != ABSENT)
                .ok_or_else(|| bad("length"))?;
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(b);
        }
    }
    Ok(())
}

/// Writes a map as MessagePack (absent when empty).
pub(super) fn map(out: &mut Vec<u8>, dict: &Dict) -> Result<(), WireError> {
    if dict.is_empty() {
        return long(out, None);
    }
    let bytes = Codec::MsgPack
        .encode_value(&Value::Map(dict.clone()))
        .map_err(|e| WireError(e.to_string()))?;
    long(out, Some(&bytes))
}

/// A payload as raw elements: its own, or its values encoded as MessagePack; `None` when it
/// has no element.
pub(super) fn raw(payload: &Payload) -> Result<Option<RawPayload>, WireError> {
    match payload {
        Payload::Raw(raw) => Ok(Some(raw.clone())),
        Payload::Values { args, kwargs } if args.is_some() || kwargs.is_some() => {
            RawPayload::encode(Codec::MsgPack, args.as_ref(), kwargs.as_ref())
                .map(Some)
                .map_err(|e| WireError(e.to_string()))
        }
        Payload::Values { .. } => Ok(None),
    }
}

/// Writes a payload: its serializer (0: none, else 1 + its index in `Codec::ALL`), then its
/// elements.
pub(super) fn payload(out: &mut Vec<u8>, raw: Option<&RawPayload>) -> Result<(), WireError> {
    match raw {
        None => out.push(0),
        Some(raw) => {
            let index = Codec::ALL
                .iter()
                .position(|c| *c == raw.codec())
                .unwrap_or(0);
            out.push(u8::try_from(index + 1).unwrap_or(1));
            long(out, raw.args_bytes())?;
            long(out, raw.kwargs_bytes())?;
        }
    }
    Ok(())
}

/// Why a flat message does not read.
pub(super) fn bad(what: &str) -> WireError {
    WireError(format!("bad or missing {what} in a cluster message"))
}

/// Reads from the front of a byte slice, every read checked.
pub(super) struct Cursor<'a> {
    pub(super) bytes: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        if self.bytes.len() < n {
            return Err(bad("bytes"));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    pub(super) fn u8(&mut self) -> Result<u8, WireError> {
        self.take(1)?.first().copied().ok_or_else(|| bad("byte"))
    }

    pub(super) fn u64(&mut self) -> Result<u64, WireError> {
        let b: [u8; 8] = self.take(8)?.try_into().map_err(|_| bad("number"))?;
        Ok(u64::from_be_bytes(b))
    }

    pub(super) fn string(&mut self) -> Result<String, WireError> {
        let b: [u8; 2] = self.take(2)?.try_into().map_err(|_| bad("length"))?;
        let s = self.take(usize::from(u16::from_be_bytes(b)))?;
        String::from_utf8(s.to_vec()).map_err(|_| bad("UTF-8"))
    }

    pub(super) fn long(&mut self) -> Result<Option<&'a [u8]>, WireError> {
        let b: [u8; 4] = self.take(4)?.try_into().map_err(|_| bad("length"))?;
        match u32::from_be_bytes(b) {
            ABSENT => Ok(None),
            n => {
                let n = usize::try_from(n).map_err(|_| bad("length"))?;
                self.take(n).map(Some)
            }
        }
    }

    /// A map written by [`map`].
    pub(super) fn map(&mut self) -> Result<Dict, WireError> {
        match self.long()? {
            None => Ok(Dict::new()),
            Some(bytes) => match Codec::MsgPack.decode_value(bytes) {
                Ok(Value::Map(m)) => Ok(m),
                _ => Err(bad("map")),
            },
        }
    }

    /// A payload written by [`payload`], checked as a decoder checks message elements.
    pub(super) fn payload(&mut self) -> Result<Payload, WireError> {
        match self.u8()? {
            0 => Ok(Payload::new(None, None)),
            n => {
                let codec = *Codec::ALL
                    .get(usize::from(n - 1))
                    .ok_or_else(|| bad("serializer"))?;
                let (args, kwargs) = (self.long()?, self.long()?);
                RawPayload::new(codec, args, kwargs)
                    .map(Payload::Raw)
                    .map_err(|e| WireError(format!("payload: {e}")))
            }
        }
    }

    /// Fails unless everything was read.
    pub(super) fn end(&self) -> Result<(), WireError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(bad("end"))
        }
    }
}
