//! The HTTP publish bridge: `POST /publish` (the path is configured) on a WebSocket or universal
//! endpoint publishes a JSON body into a realm.
//!
//! Each request is a short WAMP session of its own: it joins the realm named in the body with the
//! bridge's configured role (`http_publish.role`, by default `http_publish`), publishes once with
//! the realm's permissions deciding, and leaves. A realm with roles therefore lets the bridge in
//! only if it grants that role what it needs; a realm without roles lets everyone publish, as it
//! does for WebSocket clients.
//!
//! - `secret`: [`BridgeSecret`], the HMAC-SHA256 key of `X-Signature`, checked in constant time.
//! - `body`: the JSON body, checked, turned into HELLO and PUBLISH.
//! - `answer`: the JSON answers and their statuses.
//! - `publish`: [`Bridge`], one request from its head to its answer.

mod answer;
mod body;
mod publish;
mod secret;

pub use publish::Bridge;
pub use secret::BridgeSecret;
