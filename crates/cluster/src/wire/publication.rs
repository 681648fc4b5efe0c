//! The one message on the hot path, a publication, in a flat binary form of its own: no value
//! tree is built to write or read it, and the payload's bytes are copied once each way.
//!
//! ```text
//! 0x01                      (not a MessagePack array: tells this form from the others)
//! origin u64, sequence u64  (the publishing node's run, and its count of publications sent)
//! id u64, publisher u64     (big-endian)
//! flags u8                  (1: broadcast, 2: identity follows)
//! realm, topic              (u16 length + UTF-8 each)
//! identity                  (authid, authrole, authmethod, authprovider: u16 length + UTF-8)
//! options                   (u32 length + a MessagePack map; u32::MAX: none)
//! serializer u8             (0: no payload, else 1 + its index in Codec::ALL)
//! args, kwargs              (u32 length + bytes each; u32::MAX: absent)
//! ```

use crossway_protocol::{PublicationId, SessionId, Uri};
use crossway_routing::Identity;
use crossway_routing::cluster::CrossPublication;

use super::WireError;
use super::flat::{self, Cursor};

/// The first byte of a publication.
pub(crate) const MARK: u8 = 0x01;

const BROADCAST: u8 = 1;
const IDENTITY: u8 = 2;

/// Where a publication stands among those of its node: the node's run (its incarnation) and
/// the publication's number there. One node's publications are delivered in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Order {
    /// The publishing node's incarnation.
    pub(crate) origin: u64,
    /// The publication's number on that node.
    pub(crate) sequence: u64,
}

/// Writes a publication of `realm`.
pub(crate) fn encode(
    realm: &Uri,
    p: &CrossPublication,
    order: Order,
) -> Result<Vec<u8>, WireError> {
    let raw = flat::raw(&p.payload)?;
    let payload_len = raw.as_ref().map_or(0, |r| r.len());
    let mut out =
        Vec::with_capacity(64 + realm.as_str().len() + p.topic.as_str().len() + payload_len);
    out.push(MARK);
    for n in [order.origin, order.sequence, p.id.0, p.publisher.0] {
        out.extend_from_slice(&n.to_be_bytes());
    }
    let mut flags = 0;
    if p.broadcast {
        flags |= BROADCAST;
    }
    if p.identity.is_some() {
        flags |= IDENTITY;
    }
    out.push(flags);
    flat::short(&mut out, realm.as_str())?;
    flat::short(&mut out, p.topic.as_str())?;
    if let Some(i) = &p.identity {
        for s in [&i.authid, &i.authrole, &i.authmethod, &i.authprovider] {
            flat::short(&mut out, s)?;
        }
    }
    flat::map(&mut out, &p.options)?;
    flat::payload(&mut out, raw.as_ref())?;
    Ok(out)
}

/// Reads a publication (after its first byte).
pub(crate) fn decode(bytes: &[u8]) -> Result<(Uri, CrossPublication, Order), WireError> {
    let mut r = Cursor { bytes };
    let order = Order {
        origin: r.u64()?,
        sequence: r.u64()?,
    };
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
    let options = r.map()?;
    let payload = r.payload()?;
    r.end()?;
    let publication = CrossPublication {
        id,
        topic,
        publisher,
        identity,
        options,
        payload,
        broadcast: flags & BROADCAST != 0,
    };
    Ok((realm, publication, order))
}
