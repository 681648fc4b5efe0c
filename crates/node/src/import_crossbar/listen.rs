//! A Crossbar.io transport's `endpoint` (tcp or unix, with its `tls`) as `listen` and `tls`.

use serde_json::{Map, Value};
use yaml_rust2::Yaml;
use yaml_rust2::yaml::Hash;

use super::report::{Report, child, index};
use super::{Folders, literal, s};

/// What an `endpoint` becomes.
pub(crate) struct Listen {
    /// The `listen` value.
    pub(crate) listen: String,
    /// A short word for the endpoint's name: the port, or `unix`.
    pub(crate) label: String,
    /// The `tls` block, if any.
    pub(crate) tls: Option<Yaml>,
}

/// The `endpoint` object at `p`; `None` (reported) when it cannot be converted.
pub(crate) fn endpoint(
    v: Option<&Value>,
    p: &str,
    folders: &Folders,
    r: &mut Report,
) -> Option<Listen> {
    let Some(Value::Object(o)) = v else {
        r.untranslated(p, "a transport without an endpoint object");
        return None;
    };
    let tls = match o.get("tls") {
        Some(Value::Object(t)) => Some(tls(t, &child(p, "tls"), folders, r)),
        Some(_) => {
            r.untranslated(&child(p, "tls"), "not an object");
            None
        }
        None => None,
    };
    match o.get("type").and_then(Value::as_str) {
        Some("tcp") => {
            r.keys(
                o,
                p,
                &[
                    "type",
                    "port",
                    "interface",
                    "version",
                    "backlog",
                    "shared",
                    "tls",
                    "user_timeout",
                ],
            );
            for k in ["backlog", "shared", "user_timeout"] {
                if o.contains_key(k) {
                    r.dropped(&child(p, k), "socket tuning with no Crossway setting");
                }
            }
            let port = match o.get("port") {
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::String(text)) => env_reference(text),
                _ => {
                    r.untranslated(p, "a tcp endpoint without a port");
                    return None;
                }
            };
            let v6 = o.get("version").and_then(Value::as_u64) == Some(6);
            let host = o.get("interface").and_then(Value::as_str).unwrap_or(if v6 {
                "::"
            } else {
                "0.0.0.0"
            });
            let listen = if host.contains(':') {
                format!("[{host}]:{port}")
            } else {
                format!("{host}:{port}")
            };
            Some(Listen {
                listen,
                label: port,
                tls,
            })
        }
        Some("unix") => {
            r.keys(o, p, &["type", "path", "tls"]);
            let Some(path) = o.get("path").and_then(Value::as_str) else {
                r.untranslated(p, "a unix endpoint without a path");
                return None;
            };
            Some(Listen {
                listen: format!("unix:{}", folders.file(path)),
                label: "unix".to_owned(),
                tls,
            })
        }
        other => {
            r.untranslated(
                p,
                format!(
                    "an endpoint of type {}: Crossway listens on tcp and unix only",
                    other.unwrap_or("(none)")
                ),
            );
            None
        }
    }
}

/// Crossbar.io's `"$PORT"` or `"${PORT}"` as Crossway's `${PORT}`; other text as it is.
fn env_reference(text: &str) -> String {
    match text.strip_prefix('$') {
        Some(name) if !name.starts_with('{') => format!("${{{name}}}"),
        _ => text.to_owned(),
    }
}

fn tls(o: &Map<String, Value>, p: &str, folders: &Folders, r: &mut Report) -> Yaml {
    r.keys(
        o,
        p,
        &[
            "key",
            "certificate",
            "chain_certificates",
            "ca_certificates",
            "dhparam",
            "ciphers",
        ],
    );
    let mut h = Hash::new();
    for k in ["certificate", "key"] {
        match o.get(k).and_then(Value::as_str) {
            Some(f) => {
                h.insert(s(k), literal(&folders.file(f)));
            }
            None => r.untranslated(
                &child(p, k),
                "missing: a TLS endpoint needs a certificate and a key",
            ),
        }
    }
    if o.contains_key("chain_certificates") {
        r.untranslated(
            &child(p, "chain_certificates"),
            "Crossway sends every PEM block of `certificate`: append these files to the certificate file (leaf first, then intermediates)",
        );
    }
    if let Some(Value::Array(cas)) = o.get("ca_certificates") {
        let files: Vec<Yaml> = cas
            .iter()
            .enumerate()
            .filter_map(|(i, f)| match f.as_str() {
                Some(f) => Some(literal(&folders.file(f))),
                None => {
                    r.untranslated(&index(&child(p, "ca_certificates"), i), "not a file name");
                    None
                }
            })
            .collect();
        if !files.is_empty() {
            h.insert(s("ca_certificates"), Yaml::Array(files));
        }
    }
    if o.contains_key("dhparam") {
        r.dropped(
            &child(p, "dhparam"),
            "Crossway uses ECDHE key exchange only, which needs no DH parameters",
        );
    }
    match o.get("ciphers") {
        Some(Value::String(c)) => {
            h.insert(s("ciphers"), s(c));
        }
        Some(_) => r.untranslated(&child(p, "ciphers"), "not a cipher string"),
        None => {}
    }
    Yaml::Hash(h)
}
