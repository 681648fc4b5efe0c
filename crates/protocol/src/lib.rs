//! The WAMP v2 vocabulary, with no I/O.
//!
//! - [`value`]: [`Value`], the dynamic value type every serializer maps both ways.
//! - [`payload`]: [`Payload`], a message's arguments, as values or as the sender's bytes
//!   ([`RawPayload`]).
//! - [`ids`]: id newtypes, random global ids and router-scope sequences.
//! - [`uri`]: [`Uri`] and the loose and strict URI rules.
//! - [`message`]: [`Message`], every WAMP message.
//! - [`errors`]: the WAMP error and close-reason URIs.
//! - [`codec`]: [`Codec`], encoding and decoding whole messages as JSON, CBOR or MessagePack.
//! - private: `shape` reads a message from its positional list with strict shape checks
//!   (`Message: TryFrom<Value>`, and from a scanned frame).
//!
//! serde_cbor is unmaintained (RUSTSEC-2021-0127): only `codec/cbor.rs` names it.

pub mod codec;
pub mod errors;
pub mod ids;
pub mod message;
pub mod payload;
mod shape;
pub mod uri;
pub mod value;

pub use codec::{Codec, DecodeError, EncodeError, MAX_DEPTH};
pub use ids::{PublicationId, RegistrationId, RequestId, SessionId, SubscriptionId};
pub use message::Message;
pub use payload::{PASSTHRU_KEYS, Payload, RawPayload, is_passthru};
pub use uri::{Uri, UriRules};
pub use value::{Dict, List, Value};
