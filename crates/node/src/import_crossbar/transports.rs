//! Crossbar.io transports as Crossway endpoints: websocket, rawsocket, universal and the
//! WebSocket paths of web transports.

use serde_json::{Map, Value};
use yaml_rust2::Yaml;
use yaml_rust2::yaml::Hash;

use super::auth::auth;
use super::listen::{Listen, endpoint};
use super::report::{Report, child, index};
use super::{Folders, s};

/// The serializers both have.
const SERIALIZERS: [&str; 3] = ["json", "cbor", "msgpack"];
/// Crossway's bounds of `max_message_size`.
const MESSAGE_SIZE: std::ops::RangeInclusive<i64> = 512..=64 * 1024 * 1024;

/// Crossbar.io's per-transport WebSocket pings, as the node-wide keep-alive.
#[derive(Debug, Default)]
pub(crate) struct Keepalive {
    interval_ms: Option<(i64, String)>,
    timeout_ms: Option<(i64, String)>,
}

impl Keepalive {
    /// The `limits` block, when a transport set pings.
    pub(crate) fn yaml(&self) -> Option<Yaml> {
        let mut h = Hash::new();
        if let Some((ms, _)) = &self.interval_ms {
            h.insert(s("keepalive_interval"), seconds(*ms));
        }
        if let Some((ms, _)) = &self.timeout_ms {
            h.insert(s("keepalive_timeout"), seconds(*ms));
        }
        (!h.is_empty()).then_some(Yaml::Hash(h))
    }

    fn set(slot: &mut Option<(i64, String)>, ms: i64, p: &str, r: &mut Report) {
        match slot {
            None => *slot = Some((ms, p.to_owned())),
            Some((first, at)) if *first != ms => r.untranslated(
                p,
                format!("Crossway's keep-alive is one setting for the node: the value at {at} ({first} ms) is taken"),
            ),
            Some(_) => {}
        }
    }
}

fn seconds(ms: i64) -> Yaml {
    if ms % 1000 == 0 {
        Yaml::Integer(ms / 1000)
    } else {
        Yaml::Real(format!("{}", ms as f64 / 1000.0))
    }
}

/// The endpoints of one router worker's `transports` list at `path`.
pub(crate) fn transports(
    list: &[Value],
    path: &str,
    folders: &Folders,
    keepalive: &mut Keepalive,
    r: &mut Report,
) -> Vec<Yaml> {
    let mut out = Vec::new();
    for (i, t) in list.iter().enumerate() {
        let p = index(path, i);
        let Value::Object(t) = t else {
            r.untranslated(&p, "not an object");
            continue;
        };
        let kind = t.get("type").and_then(Value::as_str).unwrap_or("(none)");
        let converted = match kind {
            "websocket" => websocket(t, &p, folders, keepalive, r),
            "rawsocket" => rawsocket(t, &p, folders, r),
            "universal" => universal(t, &p, folders, keepalive, r),
            "web" => web(t, &p, folders, keepalive, r),
            other => {
                r.untranslated(
                    &p,
                    format!("a transport of type {other} is not available in Crossway"),
                );
                None
            }
        };
        out.extend(converted);
    }
    out
}

/// Endpoint names made unique (`web-8080`, `web-8080-2`).
pub(crate) fn unique_names(endpoints: &mut [Yaml]) {
    let mut seen: Vec<String> = Vec::new();
    for e in endpoints {
        let Yaml::Hash(h) = e else { continue };
        let Some(Yaml::String(name)) = h.get_mut(&s("name")) else {
            continue;
        };
        let mut n = 1;
        let mut unique = name.clone();
        while seen.contains(&unique) {
            n += 1;
            unique = format!("{name}-{n}");
        }
        seen.push(unique.clone());
        *name = unique;
    }
}

/// One endpoint's YAML.
fn endpoint_yaml(
    name: String,
    transport: &str,
    l: Listen,
    path: Option<String>,
    part: Part,
) -> Yaml {
    let mut h = Hash::new();
    h.insert(s("name"), s(&name));
    h.insert(s("transport"), s(transport));
    h.insert(s("listen"), s(&l.listen));
    if let Some(p) = path {
        h.insert(s("path"), s(&p));
    }
    if let Some(list) = part.serializers {
        h.insert(
            s("serializers"),
            Yaml::Array(list.iter().map(|x| s(x)).collect()),
        );
    }
    if let Some(n) = part.max_message_size {
        h.insert(s("max_message_size"), Yaml::Integer(n));
    }
    if let Some(t) = l.tls {
        h.insert(s("tls"), t);
    }
    if let Some(a) = part.auth {
        h.insert(s("auth"), a);
    }
    Yaml::Hash(h)
}

/// The name of a transport: its `id`, else its type and port.
fn name(t: &Map<String, Value>, kind: &str, label: &str) -> String {
    t.get("id")
        .and_then(Value::as_str)
        .map_or_else(|| format!("{kind}-{label}"), str::to_owned)
}

fn websocket(
    t: &Map<String, Value>,
    p: &str,
    folders: &Folders,
    keepalive: &mut Keepalive,
    r: &mut Report,
) -> Option<Yaml> {
    r.keys(
        t,
        p,
        &[
            "type",
            "id",
            "endpoint",
            "serializers",
            "options",
            "auth",
            "url",
            "debug",
        ],
    );
    let l = endpoint(t.get("endpoint"), &child(p, "endpoint"), folders, r)?;
    let path = match t.get("url").and_then(Value::as_str) {
        Some(url) => url_path(url),
        None => {
            r.dropped(
                p,
                "Crossbar.io accepts this WebSocket on any HTTP path, Crossway on one: /ws (set `path` if clients use another)",
            );
            "/ws".to_owned()
        }
    };
    let ws = websocket_part(t, p, keepalive, r);
    let name = name(t, "websocket", &l.label);
    Some(endpoint_yaml(name, "websocket", l, Some(path), ws))
}

fn rawsocket(t: &Map<String, Value>, p: &str, folders: &Folders, r: &mut Report) -> Option<Yaml> {
    let raw = rawsocket_part(t, p, r);
    let l = endpoint(t.get("endpoint"), &child(p, "endpoint"), folders, r)?;
    let name = name(t, "rawsocket", &l.label);
    Some(endpoint_yaml(name, "rawsocket", l, None, raw))
}

fn universal(
    t: &Map<String, Value>,
    p: &str,
    folders: &Folders,
    keepalive: &mut Keepalive,
    r: &mut Report,
) -> Option<Yaml> {
    r.keys(
        t,
        p,
        &[
            "type",
            "id",
            "endpoint",
            "rawsocket",
            "websocket",
            "web",
            "mqtt",
        ],
    );
    if t.contains_key("mqtt") {
        r.untranslated(&child(p, "mqtt"), "MQTT is not available in Crossway");
    }
    let l = endpoint(t.get("endpoint"), &child(p, "endpoint"), folders, r)?;
    let raw = match t.get("rawsocket") {
        Some(Value::Object(raw)) => Some(rawsocket_part(raw, &child(p, "rawsocket"), r)),
        _ => None,
    };
    let mut ws_paths: Vec<(String, String, &Map<String, Value>)> = Vec::new();
    if let Some(Value::Object(paths)) = t.get("websocket") {
        for (k, v) in paths {
            if let Value::Object(o) = v {
                ws_paths.push((http_path(k), child(&child(p, "websocket"), k), o));
            }
        }
    }
    if let Some(Value::Object(web)) = t.get("web") {
        ws_paths.extend(web_paths(web, &child(p, "web"), r));
    }
    let ws = first_websocket(ws_paths, keepalive, r);
    let (path, ws) = match ws {
        Some((path, ws)) => (Some(path), Some(ws)),
        None => (None, None),
    };
    let merged = merge(raw, ws, p, r);
    let name = name(t, "universal", &l.label);
    Some(endpoint_yaml(name, "universal", l, path, merged))
}

fn web(
    t: &Map<String, Value>,
    p: &str,
    folders: &Folders,
    keepalive: &mut Keepalive,
    r: &mut Report,
) -> Option<Yaml> {
    r.keys(t, p, &["type", "id", "endpoint", "paths", "options"]);
    if let Some(Value::Object(o)) = t.get("options") {
        for k in o.keys() {
            let kp = child(&child(p, "options"), k);
            match k.as_str() {
                "access_log" | "display_tracebacks" | "client_timeout" => {
                    r.dropped(&kp, "web server tuning with no Crossway setting");
                }
                _ => r.untranslated(
                    &kp,
                    "web server options (HSTS, ...) are not available in Crossway yet",
                ),
            }
        }
    }
    let l = endpoint(t.get("endpoint"), &child(p, "endpoint"), folders, r)?;
    let paths = match t.get("paths") {
        Some(Value::Object(paths)) => web_paths(paths, &child(p, "paths"), r),
        _ => Vec::new(),
    };
    let Some((path, ws)) = first_websocket(paths, keepalive, r) else {
        r.untranslated(
            p,
            "a web transport without a WebSocket path serves no WAMP: not converted",
        );
        return None;
    };
    let name = name(t, "web", &l.label);
    Some(endpoint_yaml(name, "websocket", l, Some(path), ws))
}

/// The WebSocket paths of a web transport's `paths` (each with its HTTP path and JSON path);
/// every other path is reported.
fn web_paths<'a>(
    paths: &'a Map<String, Value>,
    p: &str,
    r: &mut Report,
) -> Vec<(String, String, &'a Map<String, Value>)> {
    let mut out = Vec::new();
    for (k, v) in paths {
        let kp = child(p, k);
        let Value::Object(o) = v else {
            r.untranslated(&kp, "not an object");
            continue;
        };
        match o.get("type").and_then(Value::as_str) {
            Some("websocket") => out.push((http_path(k), kp, o)),
            Some(kind) => r.untranslated(
                &kp,
                format!("a web path of type {kind}: Crossway serves WAMP endpoints only, no HTTP resources"),
            ),
            None => r.untranslated(&kp, "a web path without a type"),
        }
    }
    out
}

/// The first WebSocket path is the endpoint's; the others are reported.
fn first_websocket(
    paths: Vec<(String, String, &Map<String, Value>)>,
    keepalive: &mut Keepalive,
    r: &mut Report,
) -> Option<(String, Part)> {
    let mut first = None;
    for (path, jp, o) in paths {
        if first.is_some() {
            r.untranslated(&jp, "a second WebSocket path on one port: Crossway serves one WebSocket path per endpoint");
            continue;
        }
        r.keys(
            o,
            &jp,
            &["type", "serializers", "options", "auth", "debug", "url"],
        );
        first = Some((path, websocket_part(o, &jp, keepalive, r)));
    }
    first
}

/// What a WebSocket or RawSocket part sets.
struct Part {
    serializers: Option<Vec<String>>,
    max_message_size: Option<i64>,
    auth: Option<Yaml>,
    /// The `auth` JSON, to compare the parts of a universal transport.
    auth_json: Option<Value>,
}

fn common(o: &Map<String, Value>, p: &str, r: &mut Report) -> Part {
    let serializers = match o.get("serializers") {
        Some(Value::Array(list)) => {
            let mut out = Vec::new();
            for (i, v) in list.iter().enumerate() {
                match v.as_str() {
                    Some(name) if SERIALIZERS.contains(&name) => out.push(name.to_owned()),
                    _ => r.untranslated(
                        &index(&child(p, "serializers"), i),
                        format!("serializer {v}: Crossway speaks json, cbor and msgpack"),
                    ),
                }
            }
            (!out.is_empty()).then_some(out)
        }
        _ => None,
    };
    let auth = match o.get("auth") {
        Some(Value::Object(a)) => auth(a, &child(p, "auth"), r),
        _ => None,
    };
    Part {
        serializers,
        max_message_size: None,
        auth,
        auth_json: o.get("auth").cloned(),
    }
}

fn message_size(v: &Value, p: &str, r: &mut Report) -> Option<i64> {
    match v.as_i64() {
        Some(n) if MESSAGE_SIZE.contains(&n) => Some(n),
        _ => {
            r.untranslated(
                p,
                format!("{v}: Crossway's max_message_size is 512 B to 64 MiB"),
            );
            None
        }
    }
}

fn websocket_part(
    o: &Map<String, Value>,
    p: &str,
    keepalive: &mut Keepalive,
    r: &mut Report,
) -> Part {
    let mut part = common(o, p, r);
    let Some(Value::Object(opts)) = o.get("options") else {
        return part;
    };
    let op = child(p, "options");
    for (k, v) in opts {
        let kp = child(&op, k);
        match k.as_str() {
            "max_message_size" => part.max_message_size = message_size(v, &kp, r),
            "auto_ping_interval" | "auto_ping_timeout" => match v.as_i64() {
                Some(ms) if ms > 0 => {
                    let slot = if k == "auto_ping_interval" {
                        &mut keepalive.interval_ms
                    } else {
                        &mut keepalive.timeout_ms
                    };
                    Keepalive::set(slot, ms, &kp, r);
                }
                _ => r.untranslated(&kp, "not a positive number of milliseconds"),
            },
            "allowed_origins" if v.as_array().is_some_and(|a| a.iter().any(|o| o == "*")) => {
                r.dropped(&kp, "every origin is allowed, as in Crossway");
            }
            "allowed_origins" => r.untranslated(&kp, "Crossway does not check the Origin header"),
            "allow_null_origin" => r.dropped(&kp, "Crossway does not check the Origin header"),
            "enable_webstatus" if v == &Value::Bool(false) => {
                r.dropped(&kp, "Crossway has no status page")
            }
            "compression" => r.dropped(
                &kp,
                "Crossway does not compress WebSocket messages; clients fall back to none",
            ),
            "max_frame_size"
            | "auto_fragment_size"
            | "fail_by_drop"
            | "open_handshake_timeout"
            | "close_handshake_timeout"
            | "auto_ping_size"
            | "echo_close_codereason"
            | "tcp_nodelay" => {
                r.dropped(
                    &kp,
                    "WebSocket tuning with no Crossway setting (see limits in the README)",
                );
            }
            _ => r.untranslated(&kp, "a WebSocket option Crossway does not have"),
        }
    }
    part
}

fn rawsocket_part(o: &Map<String, Value>, p: &str, r: &mut Report) -> Part {
    r.keys(
        o,
        p,
        &[
            "type",
            "id",
            "endpoint",
            "serializers",
            "options",
            "auth",
            "debug",
            "max_message_size",
        ],
    );
    let mut part = common(o, p, r);
    if let Some(v) = o.get("max_message_size") {
        part.max_message_size = message_size(v, &child(p, "max_message_size"), r);
    }
    if let Some(Value::Object(opts)) = o.get("options") {
        for (k, v) in opts {
            let kp = child(&child(p, "options"), k);
            match k.as_str() {
                "max_message_size" => part.max_message_size = message_size(v, &kp, r),
                _ => r.untranslated(&kp, "a RawSocket option Crossway does not have"),
            }
        }
    }
    part
}

/// A universal transport's RawSocket and WebSocket parts as one endpoint's settings.
fn merge(raw: Option<Part>, ws: Option<Part>, p: &str, r: &mut Report) -> Part {
    match (raw, ws) {
        (None, None) => Part {
            serializers: None,
            max_message_size: None,
            auth: None,
            auth_json: None,
        },
        (Some(one), None) | (None, Some(one)) => one,
        (Some(raw), Some(ws)) => {
            let serializers = match (raw.serializers, ws.serializers) {
                (Some(a), Some(b)) if a != b => {
                    r.untranslated(p, "RawSocket and WebSocket allow different serializers: Crossway has one list per endpoint, the union is written");
                    let mut u = b;
                    u.extend(a.into_iter().filter(|x| !u.contains(x)).collect::<Vec<_>>());
                    Some(u)
                }
                (Some(_), None) | (None, Some(_)) => {
                    r.untranslated(p, "RawSocket and WebSocket allow different serializers: Crossway has one list per endpoint, all three are written");
                    None
                }
                (a, b) => b.or(a),
            };
            if raw.auth_json != ws.auth_json {
                r.untranslated(
                    p,
                    "RawSocket and WebSocket authenticate differently: Crossway has one `auth` per endpoint, the WebSocket one is written",
                );
            }
            let size = match (raw.max_message_size, ws.max_message_size) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            Part {
                serializers,
                max_message_size: size,
                auth: ws.auth,
                auth_json: ws.auth_json,
            }
        }
    }
}

/// A web path key (`ws`, `/`, `/ws`) as an HTTP path.
fn http_path(key: &str) -> String {
    if key.starts_with('/') {
        key.to_owned()
    } else {
        format!("/{key}")
    }
}

/// The path of a `ws://host:port/path` URL; `/` when it has none.
fn url_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    match rest.find('/') {
        Some(i) => rest.get(i..).unwrap_or("/").to_owned(),
        None => "/".to_owned(),
    }
}
