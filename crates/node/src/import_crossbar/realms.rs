//! Crossbar.io realms, roles and permissions as Crossway realms.

use serde_json::{Map, Value};
use yaml_rust2::Yaml;
use yaml_rust2::yaml::Hash;

use super::report::{Report, child, index};
use super::s;

/// One converted realm.
pub(crate) struct Realm {
    /// Its name.
    pub(crate) name: String,
    /// Where it was.
    pub(crate) path: String,
    /// Its YAML.
    pub(crate) yaml: Yaml,
}

/// The realms of one router worker's `realms` list at `path`.
pub(crate) fn realms(list: &[Value], path: &str, r: &mut Report) -> Vec<Realm> {
    let mut out = Vec::new();
    for (i, v) in list.iter().enumerate() {
        let p = index(path, i);
        let Value::Object(o) = v else {
            r.untranslated(&p, "not an object");
            continue;
        };
        r.keys(o, &p, &["name", "roles", "options", "store"]);
        let Some(name) = o.get("name").and_then(Value::as_str) else {
            r.untranslated(&p, "a realm without a name");
            continue;
        };
        let mut h = Hash::new();
        h.insert(s("name"), s(name));
        if let Some(Value::Object(opts)) = o.get("options") {
            for (k, v) in opts {
                match (k.as_str(), v.as_str()) {
                    ("uri_check", Some(c @ ("loose" | "strict"))) => {
                        h.insert(s("uri_check"), s(c));
                    }
                    _ => r.untranslated(
                        &child(&child(&p, "options"), k),
                        "Crossway has no such realm option",
                    ),
                }
            }
        }
        if o.get("store").is_some() {
            r.untranslated(
                &child(&p, "store"),
                "event history (a realm store) is not available in Crossway",
            );
        }
        if let Some(roles) = o.get("roles") {
            let rp = child(&p, "roles");
            match roles {
                Value::Array(roles) => {
                    let converted = roles
                        .iter()
                        .enumerate()
                        .filter_map(|(j, role)| self::role(role, &index(&rp, j), r))
                        .collect();
                    h.insert(s("roles"), Yaml::Array(converted));
                }
                _ => r.untranslated(&rp, "not a list"),
            }
        }
        out.push(Realm {
            name: name.to_owned(),
            path: p,
            yaml: Yaml::Hash(h),
        });
    }
    out
}

/// Realms of the same name in several router workers: the first is kept.
pub(crate) fn drop_duplicates(realms: &mut Vec<Realm>, r: &mut Report) {
    let mut seen: Vec<String> = Vec::new();
    realms.retain(|realm| {
        if seen.contains(&realm.name) {
            r.untranslated(
                &realm.path,
                format!(
                    "realm {:?} again (another router worker): the first one is kept",
                    realm.name
                ),
            );
            false
        } else {
            seen.push(realm.name.clone());
            true
        }
    });
}

fn role(v: &Value, p: &str, r: &mut Report) -> Option<Yaml> {
    let Value::Object(o) = v else {
        r.untranslated(p, "not an object");
        return None;
    };
    r.keys(o, p, &["name", "permissions", "authorizer"]);
    let Some(name) = o.get("name").and_then(Value::as_str) else {
        r.untranslated(p, "a role without a name");
        return None;
    };
    if o.get("authorizer").is_some() {
        r.untranslated(
            &child(p, "authorizer"),
            "dynamic authorization is not available in Crossway: the role allows nothing but its permissions",
        );
    }
    let mut rules: Vec<(String, String, Yaml)> = Vec::new();
    if let Some(Value::Array(perms)) = o.get("permissions") {
        let pp = child(p, "permissions");
        for (i, perm) in perms.iter().enumerate() {
            let ip = index(&pp, i);
            let Value::Object(perm) = perm else {
                r.untranslated(&ip, "not an object");
                continue;
            };
            let Some((uri, m, rule)) = permission(perm, &ip, r) else {
                continue;
            };
            if rules.iter().any(|(u, mm, _)| *u == uri && *mm == m) {
                r.untranslated(
                    &ip,
                    format!("a second rule for {uri:?} ({m}): Crossway takes one rule per URI and match; the first is kept"),
                );
                continue;
            }
            rules.push((uri, m, rule));
        }
    }
    let mut h = Hash::new();
    h.insert(s("name"), s(name));
    h.insert(
        s("permissions"),
        Yaml::Array(rules.into_iter().map(|(_, _, y)| y).collect()),
    );
    Some(Yaml::Hash(h))
}

fn permission(o: &Map<String, Value>, p: &str, r: &mut Report) -> Option<(String, String, Yaml)> {
    r.keys(o, p, &["uri", "match", "allow", "disclose", "cache"]);
    let Some(uri) = o.get("uri").and_then(Value::as_str) else {
        r.untranslated(p, "a permission without a uri");
        return None;
    };
    let m = o.get("match").and_then(Value::as_str).unwrap_or("exact");
    if !matches!(m, "exact" | "prefix" | "wildcard") {
        r.untranslated(
            &child(p, "match"),
            format!("match {m:?} is not exact, prefix or wildcard"),
        );
        return None;
    }
    let mut allow = Vec::new();
    if let Some(Value::Object(a)) = o.get("allow") {
        for action in ["publish", "subscribe", "call", "register"] {
            if a.get(action).and_then(Value::as_bool) == Some(true) {
                allow.push(s(action));
            }
        }
        r.keys(
            a,
            &child(p, "allow"),
            &["publish", "subscribe", "call", "register"],
        );
    }
    let mut disclose = false;
    if let Some(Value::Object(d)) = o.get("disclose") {
        r.keys(d, &child(p, "disclose"), &["caller", "publisher"]);
        let allowed = |action: &str| allow.contains(&s(action));
        let caller = d.get("caller").and_then(Value::as_bool).unwrap_or(false);
        let publisher = d.get("publisher").and_then(Value::as_bool).unwrap_or(false);
        // Only the flag for an allowed action matters; Crossway has one flag for both.
        let relevant: Vec<bool> = [(allowed("call"), caller), (allowed("publish"), publisher)]
            .into_iter()
            .filter_map(|(on, flag)| on.then_some(flag))
            .collect();
        disclose = relevant.iter().any(|d| *d);
        if relevant.contains(&true) && relevant.contains(&false) {
            r.untranslated(
                &child(p, "disclose"),
                "caller and publisher disclosure differ: Crossway has one `disclose` per rule; written as true",
            );
        }
    }
    let mut h = Hash::new();
    h.insert(s("uri"), s(uri));
    h.insert(s("match"), s(m));
    h.insert(s("allow"), Yaml::Array(allow));
    if disclose {
        h.insert(s("disclose"), Yaml::Boolean(true));
    }
    Some((uri.to_owned(), m.to_owned(), Yaml::Hash(h)))
}
