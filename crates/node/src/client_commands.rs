//! `crossway pub`, `crossway sub` and `crossway call`: a WAMP client on the command line, for
//! scripts and for poking at a running router.
//!
//! - `connect`: the options every command shares (URL, realm, serializer, TLS files,
//!   authentication, secrets from the environment) and the connection they make.
//! - `json`: command-line arguments as a JSON payload, and payloads back as JSON lines.
//! - `outcome`: the exit statuses a script can rely on, and what each error maps to.
//! - `publish`, `subscribe`, `call`: the three commands.

mod call;
mod connect;
mod json;
mod outcome;
mod publish;
mod subscribe;

pub use call::CallArgs;
pub use connect::ConnectArgs;
pub use outcome::Outcome;
pub use publish::PublishArgs;
pub use subscribe::{MatchPolicy, SubscribeArgs};
