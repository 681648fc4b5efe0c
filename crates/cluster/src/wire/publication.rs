//! The one message on the hot path, a publication, in a flat binary form of its own: no value
//! tree is built to write or read it, and the payload's bytes are copied once each way.
//!
//! ```text
//! 0x01                      (not a MessagePack array: tells this form from the others)
//! id u64, publisher u64     (big-endian)
//! flags u8                  (1: broadcast, 2: identity follows, 4: options follow)
//! realm, topic              (u16 length + UTF-8 each)
//! identity                  (authid, authrole, authmethod, authprovider: u16 length + UTF-8)
//! options                   (u32 length + a MessagePack map)
//! serializer u8             (0: no payload, else 1 + its index in Codec::ALL)
//! args, kwargs              (u32 length + bytes each; u32::MAX: absent)
//! ```

use crossway_protocol::{Codec, Dict, Payload, PublicationId, RawPayload, SessionId, Uri, Value};
use crossway_routing::Identity;
use crossway_routing::cluster::CrossPublication;

use super::WireError;

/// The first byte of a publication.
pub(crate) const MARK: u8 = 0x01;

const BROADCAST: u8 = 1;
const IDENTITY: u8 = 2;
const OPTIONS: u8 = 4;
const ABSENT: u32 = u32::MAX;

/// Writes a publication of `realm`.
pub(crate) fn encode(realm: &Uri, p: &CrossPublication) -> Result<Vec<u8>, WireError> {
    let raw = match &p.payload {
        Payload::Raw(raw) => Some(raw.clone()),
        Payload::Values { args, kwargs } if args.is_some() || kwargs.is_some() => Some(
            RawPayload::encode(Codec::MsgPack, args.as_ref(), kwargs.as_ref())
                .map_err(|e| WireError(e.to_string()))?,
        ),
        Payload::Values { .. } => None,
    };
    let options = if p.options.is_empty() {
        None
    } else {
        Some(
            Codec::MsgPack
                .encode_value(&Value::Map(p.options.clone()))
                .map_err(|e| WireError(e.to_string()))?,
        )
    };
    let payload_len = raw.as_ref().map_or(0, RawPayload::len);
    let mut out =
        Vec::with_capacity(64 + realm.as_str().len() + p.topic.as_str().len() + payload_len);
    out.push(MARK);
    out.extend_from_slice(&p.id.0.to_be_bytes());
    out.extend_from_slice(&p.publisher.0.to_be_bytes());
    let mut flags = 0;
    if p.broadcast {
        flags |= BROADCAST;
    }
    if p.identity.is_some() {
        flags |= IDENTITY;
    }
    if options.is_some() {
        flags |= OPTIONS;
    }
    out.push(flags);
    short(&mut out, realm.as_str())?;
    short(&mut out, p.topic.as_str())?;
    if let Some(i) = &p.identity {
        for s in [&i.authid, &i.authrole, &i.authmethod, &i.authprovider] {
            short(&mut out, s)?;
        }
    }
    if let Some(options) = &options {
        long(&mut out, Some(options))?;
    }
    match &raw {
        None => out.push(0),
        Some(raw) => {
            let index = Codec::ALL
                .iter()
                .position(|c| *c == raw.codec())
                .unwrap_or(0);
            out.push(u8::try_from(index + 1).unwrap_or(1));
            long(&mut out, raw.args_bytes())?;
            long(&mut out, raw.kwargs_bytes())?;
        }
    }
    Ok(out)
}

/// Reads a publication (after its first byte); the payload is checked as a decoder checks
/// message elements.
pub(crate) fn decode(bytes: &[u8]) -> Result<(Uri, CrossPublication), WireError> {
    let mut r = Cursor { bytes };
    let id = PublicationId(r.u64()?);
    let publisher = SessionId(r.u64()?);
    let flags = r.u8()?;
    let realm = Uri::from(r.string()?);
    let topic = Uri::from(r.string()?);
    let identity = if flags & IDENTITY != 0 {
        Some(Identity {
            authid: r.string()?,
            authrole: r.string()?,
            authmethod: r.string()?,
            authprovider: r.string()?,
        })
    } else {
        None
    };
    let options = if flags & OPTIONS != 0 {
        let bytes = r.long()?.ok_or_else(|| bad("options"))?;
        match Codec::MsgPack.decode_value(bytes) {
            Ok(Value::Map(m)) => m,
            _ => return Err(bad("options")),
        }
    } else {
        Dict::new()
    };
    let payload = match r.u8()? {
        0 => Payload::new(None, None),
        n => {
            let codec = usize::from(n - 1);
            let codec = *Codec::ALL.get(codec).ok_or_else(|| bad("serializer"))?;
            let (args, kwargs) = (r.long()?, r.long()?);
            RawPayload::new(codec, args, kwargs)
                .map(Payload::Raw)
                .map_err(|e| WireError(format!("payload: {e}")))?
        }
    };
    if !r.bytes.is_empty() {
        return Err(bad("end"));
    }
    let publication = CrossPublication {
        id,
        topic,
        publisher,
        identity,
        options,
        payload,
        broadcast: flags & BROADCAST != 0,
    };
    Ok((realm, publication))
}

fn short(out: &mut Vec<u8>, s: &str) -> Result<(), WireError> {
    let len = u16::try_from(s.len()).map_err(|_| bad("string length"))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

fn long(out: &mut Vec<u8>, bytes: Option<&[u8]>) -> Result<(), WireError> {
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

fn bad(what: &str) -> WireError {
    WireError(format!("bad or missing {what} in a publication"))
}

/// Reads from the front of a byte slice, every read checked.
struct Cursor<'a> {
    bytes: &'a [u8],
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

    fn u8(&mut self) -> Result<u8, WireError> {
        self.take(1)?.first().copied().ok_or_else(|| bad("byte"))
    }

    fn u64(&mut self) -> Result<u64, WireError> {
        let b: [u8; 8] = self.take(8)?.try_into().map_err(|_| bad("number"))?;
        Ok(u64::from_be_bytes(b))
    }

    fn string(&mut self) -> Result<String, WireError> {
        let b: [u8; 2] = self.take(2)?.try_into().map_err(|_| bad("length"))?;
        let s = self.take(usize::from(u16::from_be_bytes(b)))?;
        String::from_utf8(s.to_vec()).map_err(|_| bad("UTF-8"))
    }

    fn long(&mut self) -> Result<Option<&'a [u8]>, WireError> {
        let b: [u8; 4] = self.take(4)?.try_into().map_err(|_| bad("length"))?;
        match u32::from_be_bytes(b) {
            ABSENT => Ok(None),
            n => {
                let n = usize::try_from(n).map_err(|_| bad("length"))?;
                self.take(n).map(Some)
            }
        }
    }
}
