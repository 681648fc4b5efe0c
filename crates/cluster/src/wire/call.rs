//! A call's message between nodes (INVOCATION, INTERRUPT, RESULT, ERROR) in a flat binary form,
//! as publications have: the payload crosses as the caller's or callee's bytes.
//!
//! ```text
//! 0x02                      (not a MessagePack array)
//! type u8                   (the WAMP message type: 68, 69, 50 or 8)
//! callee u64, request u64   (big-endian)
//! from, realm               (u16 length + UTF-8 each)
//! registration u8           (0: none, else 1 + the match policy's index), then its procedure
//! details or options        (u32 length + a MessagePack map; u32::MAX: empty)
//! error                     (ERROR only: u16 length + UTF-8)
//! payload                   (as in publications; INTERRUPT has none)
//! ```

use std::sync::Arc;

use crossway_protocol::message::code;
use crossway_protocol::{Message, RegistrationId, RequestId, SessionId, Uri};
use crossway_routing::MatchPolicy;

use super::flat::{self, Cursor, bad};
use super::{CallEnvelope, WireError};

/// The first byte of a call message.
pub(crate) const MARK: u8 = 0x02;

/// Writes a call message.
pub(crate) fn encode(e: &CallEnvelope) -> Result<Vec<u8>, WireError> {
    let (kind, request, dict, error, payload) = match &e.message {
        Message::Invocation {
            request,
            details,
            payload,
            ..
        } => (code::INVOCATION, request, details, None, Some(payload)),
        Message::Interrupt { request, options } => (code::INTERRUPT, request, options, None, None),
        Message::Result {
            request,
            details,
            payload,
        } => (code::RESULT, request, details, None, Some(payload)),
        Message::Error {
            request,
            details,
            error,
            payload,
            ..
        } => (code::ERROR, request, details, Some(error), Some(payload)),
        other => return Err(WireError(format!("{} does not cross", other.name()))),
    };
    let raw = match payload {
        Some(p) => flat::raw(p)?,
        None => None,
    };
    let mut out = Vec::with_capacity(96 + raw.as_ref().map_or(0, |r| r.len()));
    out.push(MARK);
    out.push(u8::try_from(kind).map_err(|_| bad("message type"))?);
    out.extend_from_slice(&e.callee.0.to_be_bytes());
    out.extend_from_slice(&request.0.to_be_bytes());
    flat::short(&mut out, &e.from)?;
    flat::short(&mut out, e.realm.as_str())?;
    match &e.registration {
        None => out.push(0),
        Some((procedure, policy)) => {
            let index = MatchPolicy::ALL
                .iter()
                .position(|p| p == policy)
                .unwrap_or(0);
            out.push(u8::try_from(index + 1).map_err(|_| bad("match policy"))?);
            flat::short(&mut out, procedure.as_str())?;
        }
    }
    flat::map(&mut out, dict)?;
    if let Some(error) = error {
        flat::short(&mut out, error.as_str())?;
    }
    if kind != code::INTERRUPT {
        flat::payload(&mut out, raw.as_ref())?;
    }
    Ok(out)
}

/// Reads a call message (after its first byte).
pub(crate) fn decode(bytes: &[u8]) -> Result<CallEnvelope, WireError> {
    let mut r = Cursor { bytes };
    let kind = u64::from(r.u8()?);
    let callee = SessionId(r.u64()?);
    let request = RequestId(r.u64()?);
    let from: Arc<str> = Arc::from(r.string()?);
    let realm = Uri::from(r.string()?);
    let registration = match r.u8()? {
        0 => None,
        n => {
            let policy = *MatchPolicy::ALL
                .get(usize::from(n - 1))
                .ok_or_else(|| bad("match policy"))?;
            Some((Uri::from(r.string()?), policy))
        }
    };
    let dict = r.map()?;
    let message = match kind {
        code::INVOCATION => Message::Invocation {
            request,
            registration: RegistrationId(0),
            details: dict,
            payload: r.payload()?,
        },
        code::INTERRUPT => Message::Interrupt {
            request,
            options: dict,
        },
        code::RESULT => Message::Result {
            request,
            details: dict,
            payload: r.payload()?,
        },
        code::ERROR => {
            let error = Uri::from(r.string()?);
            Message::Error {
                request_type: code::CALL,
                request,
                details: dict,
                error,
                payload: r.payload()?,
            }
        }
        _ => return Err(bad("call message type")),
    };
    r.end()?;
    Ok(CallEnvelope {
        from,
        realm,
        callee,
        registration,
        message,
    })
}
