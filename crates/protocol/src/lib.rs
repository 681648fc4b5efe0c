//! The WAMP v2 vocabulary, with no I/O.
//!
//! - [`value`]: [`Value`], the dynamic payload type every serializer maps both ways.
//! - [`ids`]: id newtypes, random global ids and router-scope sequences.
//! - [`uri`]: [`Uri`] and the loose and strict URI rules.
//! - [`message`]: [`Message`], every WAMP message.
//! - [`errors`]: the WAMP error and close-reason URIs.
//! - [`codec`]: [`Codec`], encoding and decoding whole messages as JSON, CBOR or MessagePack.
//! - private: `shape` reads a message from its positional list with strict shape checks
//!   (`Message: TryFrom<Value>`); `wire` writes a borrowed message as its positional list;
//!   `value_serde` is the serde glue of [`Value`] (binary conventions, depth limit); `json`,
//!   `cbor` and `msgpack` drive one serializer each.
//!
//! serde_cbor is unmaintained (RUSTSEC-2021-0127): only `cbor.rs` names it.

mod cbor;
pub mod codec;
pub mod errors;
pub mod ids;
mod json;
pub mod message;
mod msgpack;
mod shape;
pub mod uri;
pub mod value;
mod value_serde;
mod wire;

pub use codec::{Codec, DecodeError, EncodeError, MAX_DEPTH};
pub use ids::{PublicationId, RegistrationId, RequestId, SessionId, SubscriptionId};
pub use message::Message;
pub use uri::{Uri, UriRules};
pub use value::{Dict, List, Value};
