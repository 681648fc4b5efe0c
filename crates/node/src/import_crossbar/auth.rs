//! A Crossbar.io transport's `auth` object as an endpoint's `auth` block.

use serde_json::{Map, Value};
use yaml_rust2::Yaml;
use yaml_rust2::yaml::Hash;

use super::report::{Report, child};
use super::{literal, s};

/// The `auth` object at `p`; `None` when nothing in it could be converted (reported).
pub(crate) fn auth(o: &Map<String, Value>, p: &str, r: &mut Report) -> Option<Yaml> {
    let mut h = Hash::new();
    for (method, v) in o {
        let mp = child(p, method);
        let Value::Object(m) = v else {
            r.untranslated(&mp, "not an object");
            continue;
        };
        let dynamic = m.get("type").and_then(Value::as_str) == Some("dynamic");
        let converted = match method.as_str() {
            "anonymous" if dynamic => {
                r.untranslated(
                    &mp,
                    "a dynamic authenticator for anonymous sessions is not available in Crossway",
                );
                None
            }
            "anonymous" => {
                r.keys(m, &mp, &["type", "role"]);
                let role = m.get("role").and_then(Value::as_str).unwrap_or("anonymous");
                Some(super::map([("role", s(role))]))
            }
            "ticket" | "wampcra" | "cryptosign" if dynamic => Some(authenticator(m, &mp, r)),
            "ticket" => static_method(m, &mp, "principals", &["ticket", "role", "realm"], r),
            "wampcra" => static_method(
                m,
                &mp,
                "users",
                &["secret", "role", "realm", "salt", "iterations", "keylen"],
                r,
            ),
            "cryptosign" => static_method(
                m,
                &mp,
                "principals",
                &["authorized_keys", "role", "realm"],
                r,
            ),
            "tls" => {
                r.untranslated(
                    &mp,
                    "Crossbar.io names TLS principals by SHA-1 fingerprint (or asks an authenticator); Crossway takes the authid from a certificate field or its SHA-256 fingerprint: write `auth.tls` by hand (see the README)",
                );
                None
            }
            _ => {
                r.untranslated(
                    &mp,
                    format!("the {method} method is not available in Crossway"),
                );
                None
            }
        };
        if let Some(c) = converted {
            h.insert(s(method), c);
        }
    }
    (!h.is_empty()).then_some(Yaml::Hash(h))
}

/// A method with `type: static` and its principals under `key` (`users` for WAMP-CRA).
fn static_method(
    m: &Map<String, Value>,
    p: &str,
    key: &str,
    fields: &[&str],
    r: &mut Report,
) -> Option<Yaml> {
    r.keys(m, p, &["type", key]);
    let Some(Value::Object(principals)) = m.get(key) else {
        r.untranslated(p, format!("no `{key}` object"));
        return None;
    };
    let pp = child(p, key);
    let mut out = Hash::new();
    for (authid, v) in principals {
        let ap = child(&pp, authid);
        let Value::Object(fieldmap) = v else {
            r.untranslated(&ap, "not an object");
            continue;
        };
        r.keys(fieldmap, &ap, fields);
        let salted = ["salt", "iterations", "keylen"].map(|k| fieldmap.contains_key(k));
        if salted.contains(&true) && salted.contains(&false) {
            r.untranslated(
                &ap,
                "Crossbar.io derives the key only when salt, iterations and keylen are all given, Crossway whenever salt is: give all three",
            );
            continue;
        }
        let mut h = Hash::new();
        for f in fields {
            match fieldmap.get(*f) {
                Some(Value::String(text)) => {
                    h.insert(s(f), literal(text));
                }
                Some(Value::Number(n)) => {
                    if let Some(n) = n.as_i64() {
                        h.insert(s(f), Yaml::Integer(n));
                    } else {
                        r.untranslated(&child(&ap, f), "not a whole number");
                    }
                }
                Some(Value::Array(items)) => {
                    h.insert(
                        s(f),
                        Yaml::Array(items.iter().filter_map(Value::as_str).map(s).collect()),
                    );
                }
                Some(_) => r.untranslated(&child(&ap, f), "not a string, number or list"),
                None => {}
            }
        }
        out.insert(s(authid), Yaml::Hash(h));
    }
    Some(super::map([("principals", Yaml::Hash(out))]))
}

/// A method with `type: dynamic`: its authenticator procedure.
fn authenticator(m: &Map<String, Value>, p: &str, r: &mut Report) -> Yaml {
    r.keys(
        m,
        p,
        &[
            "type",
            "authenticator",
            "authenticator-realm",
            "authenticator_realm",
        ],
    );
    let mut h = Hash::new();
    match m.get("authenticator").and_then(Value::as_str) {
        Some(proc) => {
            h.insert(s("authenticator"), s(proc));
        }
        None => r.untranslated(p, "a dynamic method without an authenticator"),
    }
    if let Some(realm) = m
        .get("authenticator-realm")
        .or_else(|| m.get("authenticator_realm"))
        .and_then(Value::as_str)
    {
        h.insert(s("authenticator_realm"), s(realm));
    }
    Yaml::Hash(h)
}
