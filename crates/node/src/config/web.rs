//! Reading an endpoint's web paths (`paths:`) and its HSTS header (`hsts:`).
//!
//! `paths` maps each HTTP path to what it serves: `websocket` (the WAMP upgrade), `static` (a
//! directory's files), `redirect` (to another URL) or `publish` (the HTTP publish bridge). With
//! `paths`, the upgrade is served only where an entry says `type: websocket`, so an endpoint can
//! serve web paths alone (an http -> https redirect port); without it, `path` (default `/ws`) is
//! the upgrade and `http_publish` the bridge, as before.

use std::path::Path;

use config::Value;

use super::check::Checker;
use super::http_publish::{BridgeContext, read_http_publish};
use super::model::{HstsSpec, HttpPublishSpec, TransportKind, WebPath, WebPathKind};
use super::tls::resolve;

/// The `max_age` of HSTS when the block names none: one year, as browsers' preload lists ask.
pub const DEFAULT_HSTS_MAX_AGE: u64 = 365 * 24 * 3600;

const HSTS_KEYS: &[&str] = &["max_age", "include_subdomains"];
const STATIC_KEYS: &[&str] = &["type", "directory"];
const REDIRECT_KEYS: &[&str] = &["type", "url", "status"];
const WEBSOCKET_KEYS: &[&str] = &["type"];
const REDIRECT_STATUSES: &[u64] = &[301, 302, 307, 308];

/// What an endpoint's `paths` block gave.
#[derive(Debug, Default)]
pub struct WebPaths {
    /// The WebSocket upgrade's path, if an entry is `type: websocket`.
    pub websocket: Option<String>,
    /// The static and redirect paths.
    pub web: Vec<WebPath>,
    /// The bridge, if an entry is `type: publish`.
    pub publish: Option<HttpPublishSpec>,
}

/// Reads the `paths` block at `path`; relative directories are taken from `base`. Problems are
/// recorded; the entries without one are kept.
pub fn read_paths(
    c: &mut Checker,
    path: &str,
    value: &Value,
    base: &Path,
    bridge: BridgeContext<'_>,
) -> WebPaths {
    let mut out = WebPaths::default();
    let Some(t) = c.table(path, value) else {
        return out;
    };
    if bridge.transport == Some(TransportKind::RawSocket) {
        c.problem(
            path,
            "a rawsocket endpoint serves no HTTP; use transport: websocket or universal",
        );
        return out;
    }
    if t.is_empty() {
        c.problem(
            path,
            "empty: name at least one path, such as \"/ws\": { type: websocket }",
        );
    }
    for (key, entry) in t.entries() {
        let at = t.child(key);
        if !key.starts_with('/') || key.contains(['?', '#']) {
            c.problem(
                &at,
                format!("\"{key}\" is not a path; a path starts with '/' and has no '?' or '#'"),
            );
            continue;
        }
        let Some(e) = c.table(&at, entry) else {
            continue;
        };
        match c.required_string(&e, "type").as_deref() {
            Some("websocket") => {
                c.only_keys(&e, WEBSOCKET_KEYS);
                if let Some(first) = &out.websocket {
                    c.problem(
                        &at,
                        format!("a second websocket path; the endpoint upgrades at {first} only"),
                    );
                } else {
                    out.websocket = Some(key.to_owned());
                }
            }
            Some("static") => {
                c.only_keys(&e, STATIC_KEYS);
                if let Some(directory) = read_directory(c, &e.child("directory"), &e, base) {
                    out.web.push(WebPath {
                        path: key.to_owned(),
                        kind: WebPathKind::Static { directory },
                    });
                }
            }
            Some("redirect") => {
                c.only_keys(&e, REDIRECT_KEYS);
                if let Some(kind) = read_redirect(c, &e) {
                    out.web.push(WebPath {
                        path: key.to_owned(),
                        kind,
                    });
                }
            }
            Some("publish") => {
                let cx = BridgeContext {
                    transport: bridge.transport,
                    ws_path: bridge.ws_path,
                    anonymous: bridge.anonymous,
                };
                if let Some(spec) = read_http_publish(c, &at, entry, cx, Some(key)) {
                    out.publish = Some(spec);
                }
            }
            Some(other) => c.problem(
                &e.child("type"),
                format!(
                    "\"{other}\" is not a path type; expected websocket, static, redirect or publish"
                ),
            ),
            None => {}
        }
    }
    if out.web.iter().filter(|w| w.path == "/").count() > 1 {
        c.problem(path, "\"/\" is given twice");
    }
    out
}

/// A static entry's `directory`, resolved, which must be a readable directory now.
fn read_directory(
    c: &mut Checker,
    at: &str,
    e: &super::check::Table<'_>,
    base: &Path,
) -> Option<std::path::PathBuf> {
    let dir = c.required_string(e, "directory")?;
    let resolved = resolve(base, &dir);
    match std::fs::canonicalize(&resolved) {
        Ok(real) if real.is_dir() => Some(real),
        Ok(_) => {
            c.problem(at, format!("\"{}\" is not a directory", resolved.display()));
            None
        }
        Err(err) => {
            c.problem(at, format!("cannot open \"{}\": {err}", resolved.display()));
            None
        }
    }
}

/// A redirect entry: its `url` (http or https) and `status`.
fn read_redirect(c: &mut Checker, e: &super::check::Table<'_>) -> Option<WebPathKind> {
    let url = c.required_string(e, "url");
    let mut ok = url.is_some();
    if let Some(u) = &url {
        let lower = u.to_ascii_lowercase();
        let scheme_ok = lower.starts_with("https://") || lower.starts_with("http://");
        if !scheme_ok || u.contains(['\r', '\n', ' ']) {
            c.problem(
                &e.child("url"),
                format!("\"{u}\" is not an http:// or https:// URL"),
            );
            ok = false;
        }
    }
    let status = match (e.get("status").is_some(), c.optional_u64(e, "status")) {
        (false, _) => 301,
        (true, Some(s)) if REDIRECT_STATUSES.contains(&s) => s as u16,
        (true, Some(s)) => {
            c.problem(
                &e.child("status"),
                format!("{s} is not a redirect status; expected 301, 302, 307 or 308"),
            );
            ok = false;
            301
        }
        (true, None) => {
            ok = false;
            301
        }
    };
    let url = url?;
    ok.then_some(WebPathKind::Redirect {
        url: url.trim_end_matches('/').to_owned(),
        status,
    })
}

/// Reads the `hsts` block at `path`, which only a TLS endpoint may have.
pub fn read_hsts(c: &mut Checker, path: &str, value: &Value, tls: bool) -> Option<HstsSpec> {
    let t = c.table(path, value)?;
    c.only_keys(&t, HSTS_KEYS);
    if !tls {
        c.problem(
            path,
            "HSTS needs a tls block: browsers ignore the header on plain HTTP",
        );
        return None;
    }
    let max_age = c
        .optional_u64(&t, "max_age")
        .unwrap_or(DEFAULT_HSTS_MAX_AGE);
    let include_subdomains = c.optional_bool(&t, "include_subdomains").unwrap_or(false);
    Some(HstsSpec {
        max_age,
        include_subdomains,
    })
}
