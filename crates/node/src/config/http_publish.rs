//! Reading an endpoint's `http_publish` block: the HTTP POST path that publishes into a realm,
//! its signing secret, the role its publications have and the largest body it takes.

use config::Value;

use super::check::Checker;
use super::model::{HttpPublishSpec, TransportKind};
use crate::bridge::BridgeSecret;

const HTTP_PUBLISH_KEYS: &[&str] = &["path", "secret", "role", "max_body"];

/// The bridge's path when the block names none.
pub const DEFAULT_PUBLISH_PATH: &str = "/publish";
/// The role of the bridge's publications when the block names none: a realm with roles must
/// grant it on purpose.
pub const DEFAULT_PUBLISH_ROLE: &str = "http_publish";
/// The largest body accepted by default: 64 KiB.
pub const DEFAULT_MAX_BODY: usize = 64 << 10;
/// The largest `max_body` accepted: 16 MiB.
pub const MAX_MAX_BODY: usize = 16 << 20;

/// What the block depends on in its endpoint (`None`: that key has its own problem).
pub struct BridgeContext<'a> {
    /// The endpoint's transport.
    pub transport: Option<TransportKind>,
    /// The endpoint's WebSocket path.
    pub ws_path: &'a str,
    /// Whether the endpoint admits anonymous sessions (or has no `auth` block).
    pub anonymous: bool,
}

/// Reads the `http_publish` block at `path`; `None` if it has a problem (each is recorded).
pub fn read_http_publish(
    c: &mut Checker,
    path: &str,
    value: &Value,
    cx: BridgeContext<'_>,
) -> Option<HttpPublishSpec> {
    let t = c.table(path, value)?;
    c.only_keys(&t, HTTP_PUBLISH_KEYS);
    let mut ok = true;
    if cx.transport == Some(TransportKind::RawSocket) {
        c.problem(
            path,
            "a rawsocket endpoint serves no HTTP; use transport: websocket or universal",
        );
        ok = false;
    }
    let bridge_path = c
        .optional_string(&t, "path")
        .unwrap_or_else(|| DEFAULT_PUBLISH_PATH.to_owned());
    if !bridge_path.starts_with('/') {
        c.problem(
            &t.child("path"),
            format!("\"{bridge_path}\" must start with '/'"),
        );
        ok = false;
    } else if bridge_path.contains(['?', '#']) {
        c.problem(
            &t.child("path"),
            format!("\"{bridge_path}\" must be a path alone, without '?' or '#'"),
        );
        ok = false;
    } else if bridge_path == cx.ws_path {
        c.problem(
            &t.child("path"),
            format!("\"{bridge_path}\" is the endpoint's WebSocket path; give the bridge its own"),
        );
        ok = false;
    }
    let secret = match t.get("secret") {
        None => None,
        Some(v) => match c.string(&t.child("secret"), v) {
            Some(s) if s.trim().is_empty() => {
                c.problem(&t.child("secret"), "must not be empty");
                ok = false;
                None
            }
            Some(s) => Some(BridgeSecret::new(s)),
            None => {
                ok = false;
                None
            }
        },
    };
    if t.get("secret").is_none() && !cx.anonymous {
        c.problem(
            &t.child("secret"),
            "required: the endpoint's auth admits no anonymous sessions, so the bridge must not \
             publish for unauthenticated requests; give a secret (HMAC-SHA256 key)",
        );
        ok = false;
    }
    let role = match c.optional_string(&t, "role") {
        Some(r) if r.trim().is_empty() => {
            c.problem(&t.child("role"), "must not be empty");
            ok = false;
            String::new()
        }
        Some(r) => r,
        None => DEFAULT_PUBLISH_ROLE.to_owned(),
    };
    let max_body = match (t.get("max_body").is_some(), c.optional_u64(&t, "max_body")) {
        (false, _) => DEFAULT_MAX_BODY,
        (true, None) => {
            ok = false;
            DEFAULT_MAX_BODY
        }
        (true, Some(n)) => {
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            if !(1..=MAX_MAX_BODY).contains(&n) {
                c.problem(
                    &t.child("max_body"),
                    format!("{n} bytes is out of range; expected 1 to {MAX_MAX_BODY} (16 MiB)"),
                );
                ok = false;
            }
            n
        }
    };
    ok.then_some(HttpPublishSpec {
        path: bridge_path,
        secret,
        role,
        max_body,
    })
}
