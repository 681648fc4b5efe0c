//! The HTTP paths of a Crossbar.io web transport (or a universal transport's `web` part):
//! WebSocket paths for the endpoint, `static` and `redirect` paths as Crossway's `paths`
//! entries, and the transport's HSTS options as the `hsts` block.

use serde_json::{Map, Value};
use yaml_rust2::Yaml;
use yaml_rust2::yaml::Hash;

use super::report::{Report, child};
use super::{Folders, literal, s};

/// What a transport's `paths` gave.
pub(crate) struct WebPaths<'a> {
    /// The WebSocket paths: HTTP path, JSON path and the path's object.
    pub websockets: Vec<(String, String, &'a Map<String, Value>)>,
    /// The static and redirect paths: HTTP path and Crossway's entry.
    pub entries: Vec<(String, Yaml)>,
}

/// Sorts the paths of `paths` at `p`; what has no Crossway counterpart is reported.
pub(crate) fn web_paths<'a>(
    paths: &'a Map<String, Value>,
    p: &str,
    folders: &Folders,
    r: &mut Report,
) -> WebPaths<'a> {
    let mut out = WebPaths {
        websockets: Vec::new(),
        entries: Vec::new(),
    };
    for (k, v) in paths {
        let kp = child(p, k);
        let Value::Object(o) = v else {
            r.untranslated(&kp, "not an object");
            continue;
        };
        match o.get("type").and_then(Value::as_str) {
            Some("websocket") => out.websockets.push((http_path(k), kp, o)),
            Some("static") => {
                if let Some(entry) = static_entry(o, &kp, folders, r) {
                    out.entries.push((http_path(k), entry));
                }
            }
            Some("redirect") => {
                r.keys(o, &kp, &["type", "url"]);
                match o.get("url").and_then(Value::as_str) {
                    // Crossbar.io's redirect answers 302.
                    Some(url) => out.entries.push((
                        http_path(k),
                        entry("redirect", vec![("url", s(url)), ("status", Yaml::Integer(302))]),
                    )),
                    None => r.untranslated(&kp, "a redirect without a url"),
                }
            }
            Some(kind) => r.untranslated(
                &kp,
                format!("a web path of type {kind}: Crossway serves websocket, static, redirect and publish paths"),
            ),
            None => r.untranslated(&kp, "a web path without a type"),
        }
    }
    out
}

/// A `static` path: a directory (relative to Crossbar.io's node folder, where its config.json
/// lives); files from a Python package cannot be served.
fn static_entry(
    o: &Map<String, Value>,
    p: &str,
    folders: &Folders,
    r: &mut Report,
) -> Option<Yaml> {
    r.keys(
        o,
        p,
        &["type", "directory", "options", "package", "resource"],
    );
    if let Some(Value::Object(opts)) = o.get("options") {
        let op = child(p, "options");
        for k in opts.keys() {
            let kp = child(&op, k);
            match k.as_str() {
                "enable_directory_listing" => r.dropped(
                    &kp,
                    "Crossway never lists a directory (one without index.html is 404)",
                ),
                "cache_timeout" => r.dropped(
                    &kp,
                    "Crossway sends ETag and Last-Modified, and browsers revalidate",
                ),
                _ => r.untranslated(&kp, "Crossway has no such setting"),
            }
        }
    }
    match o.get("directory").and_then(Value::as_str) {
        Some(dir) => Some(entry(
            "static",
            vec![("directory", literal(&folders.file(dir)))],
        )),
        None => {
            r.untranslated(
                p,
                "static files from a Python package: Crossway serves a directory only",
            );
            None
        }
    }
}

/// A `paths` entry of `kind` with `keys`.
fn entry(kind: &str, keys: Vec<(&str, Yaml)>) -> Yaml {
    let mut h = Hash::new();
    h.insert(s("type"), s(kind));
    for (k, v) in keys {
        h.insert(s(k), v);
    }
    Yaml::Hash(h)
}

/// The `hsts` block of a web transport's `options` (`hsts`, `hsts_max_age`), if it turns HSTS
/// on; `tls`: whether the endpoint has TLS (HSTS needs it).
pub(crate) fn hsts(
    options: &Map<String, Value>,
    p: &str,
    tls: bool,
    r: &mut Report,
) -> Option<Yaml> {
    if options.get("hsts") != Some(&Value::Bool(true)) {
        return None;
    }
    if !tls {
        r.untranslated(&child(p, "hsts"), "HSTS needs a TLS endpoint");
        return None;
    }
    let mut h = Hash::new();
    if let Some(age) = options.get("hsts_max_age").and_then(Value::as_i64) {
        h.insert(s("max_age"), Yaml::Integer(age));
    }
    Some(Yaml::Hash(h))
}

/// Sets the web paths and HSTS of an endpoint's YAML: with `entries`, its `path` becomes a
/// websocket entry of `paths` beside them.
pub(crate) fn add_to_endpoint(
    endpoint: &mut Yaml,
    entries: Vec<(String, Yaml)>,
    hsts: Option<Yaml>,
) {
    let Yaml::Hash(h) = endpoint else {
        return;
    };
    if !entries.is_empty() {
        let mut paths = Hash::new();
        if let Some(Yaml::String(ws)) = h.remove(&s("path")) {
            paths.insert(s(&ws), entry("websocket", Vec::new()));
        }
        for (path, e) in entries {
            paths.insert(s(&path), e);
        }
        h.insert(s("paths"), Yaml::Hash(paths));
    }
    if let Some(hsts) = hsts {
        h.insert(s("hsts"), hsts);
    }
}

/// A Crossbar.io path key (`ws`, `/`) as an HTTP path.
pub(crate) fn http_path(key: &str) -> String {
    if key.starts_with('/') {
        key.to_owned()
    } else {
        format!("/{key}")
    }
}
