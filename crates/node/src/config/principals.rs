//! Reading the principals of an `auth` method: a map from authid to what the principal proves
//! and what it is admitted as.
//!
//! Authids are the map's keys, kept as written: dots, dashes, uppercase letters and spaces are
//! theirs. Secrets (`ticket`, `secret`) are read without ever being quoted in a problem.

use std::collections::{BTreeMap, HashMap};

use config::Value;
use crossway_routing::auth::{
    Admission, CraSalt, CryptosignPrincipal, MAX_ITERATIONS, PublicKey, Secret, TicketPrincipal,
    WampCraPrincipal,
};

use super::check::{Checker, Table};

const TICKET_KEYS: &[&str] = &["ticket", "role", "realm"];
const WAMPCRA_KEYS: &[&str] = &["secret", "role", "realm", "salt", "iterations", "keylen"];
const CRYPTOSIGN_KEYS: &[&str] = &["authorized_keys", "role", "realm"];
const ADMISSION_KEYS: &[&str] = &["role", "realm"];

/// PBKDF2 iterations when `salt` is given without `iterations` (autobahn's default).
pub const DEFAULT_ITERATIONS: u32 = 1000;
/// The derived key's length in bytes when `salt` is given without `keylen` (autobahn's default).
pub const DEFAULT_KEYLEN: u32 = 32;
/// The longest derived key accepted, in bytes.
pub const MAX_KEYLEN: u32 = 1024;

/// Reads the principals map at `path`, each principal's table with `item` (given its authid).
/// `None` if the map or any principal has a problem (each is recorded).
pub fn read_principals<T>(
    c: &mut Checker,
    path: &str,
    value: &Value,
    mut item: impl FnMut(&mut Checker, &Table<'_>, &str) -> Option<T>,
) -> Option<BTreeMap<String, T>> {
    let t = c.table(path, value)?;
    if t.is_empty() {
        c.problem(path, "give at least one principal (authid: { role: ... })");
        return None;
    }
    let mut out = BTreeMap::new();
    let mut complete = true;
    for (p, authid, v) in c.entries(&t) {
        if authid.trim().is_empty() {
            c.problem(&p, "an authid must not be empty");
            complete = false;
            continue;
        }
        match c.table(&p, v).and_then(|pt| item(c, &pt, authid)) {
            Some(principal) => {
                out.insert(authid.to_owned(), principal);
            }
            None => complete = false,
        }
    }
    complete.then_some(out)
}

/// A principal of the `ticket` method.
pub fn read_ticket(c: &mut Checker, t: &Table<'_>, realms: &[String]) -> Option<TicketPrincipal> {
    c.only_keys(t, TICKET_KEYS);
    let ticket = c.required_text(t, "ticket");
    let admission = read_admission(c, t, realms);
    Some(TicketPrincipal {
        ticket: Secret::new(ticket?),
        admission: admission?,
    })
}

/// A principal of the `wampcra` method.
pub fn read_wampcra(c: &mut Checker, t: &Table<'_>, realms: &[String]) -> Option<WampCraPrincipal> {
    c.only_keys(t, WAMPCRA_KEYS);
    let secret = c.required_text(t, "secret");
    let salt = read_salt(c, t);
    let admission = read_admission(c, t, realms);
    Some(WampCraPrincipal {
        secret: Secret::new(secret?),
        salt: salt?,
        admission: admission?,
    })
}

/// A principal of the `cryptosign` method. `owners` holds every key read so far with its
/// authid: a key may stand for one principal only.
pub fn read_cryptosign(
    c: &mut Checker,
    t: &Table<'_>,
    authid: &str,
    realms: &[String],
    owners: &mut HashMap<PublicKey, String>,
) -> Option<CryptosignPrincipal> {
    c.only_keys(t, CRYPTOSIGN_KEYS);
    let keys = read_keys(c, t, authid, owners);
    let admission = read_admission(c, t, realms);
    Some(CryptosignPrincipal {
        authorized_keys: keys?,
        admission: admission?,
    })
}

/// A principal of the `tls` method: a role (and realm) only.
pub fn read_tls_principal(c: &mut Checker, t: &Table<'_>, realms: &[String]) -> Option<Admission> {
    c.only_keys(t, ADMISSION_KEYS);
    read_admission(c, t, realms)
}

/// A principal's `role` (required, not empty) and `realm` (optional: one of `realms`).
fn read_admission(c: &mut Checker, t: &Table<'_>, realms: &[String]) -> Option<Admission> {
    let role = c.required_text(t, "role");
    let realm = c.optional_string(t, "realm");
    if let Some(r) = &realm
        && !realms.contains(r)
    {
        c.problem(
            &t.child("realm"),
            format!(
                "\"{r}\" is not a realm of this node; expected one of: {}",
                realms.join(", ")
            ),
        );
        return None;
    }
    Some(Admission { role: role?, realm })
}

/// `salt`, `iterations` and `keylen`: `Some(None)` when the secret is not salted, `None` when
/// the keys have a problem.
fn read_salt(c: &mut Checker, t: &Table<'_>) -> Option<Option<CraSalt>> {
    let salt = t.get("salt").map(|_| c.required_text(t, "salt"));
    let mut ok = true;
    let mut number = |c: &mut Checker, key: &str, max: u32, default: u32| {
        let Some(n) = c.optional_u64(t, key) else {
            ok &= t.get(key).is_none();
            return default;
        };
        if salt.is_none() {
            c.problem(
                &t.child(key),
                "applies only with salt (the secret is then a password the key is derived from)",
            );
            ok = false;
        }
        match u32::try_from(n) {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                c.problem(&t.child(key), format!("must be from 1 to {max}"));
                ok = false;
                default
            }
        }
    };
    let iterations = number(c, "iterations", MAX_ITERATIONS, DEFAULT_ITERATIONS);
    let keylen = number(c, "keylen", MAX_KEYLEN, DEFAULT_KEYLEN);
    if !ok {
        return None;
    }
    match salt {
        None => Some(None),
        Some(salt) => Some(Some(CraSalt {
            salt: salt?,
            iterations,
            keylen,
        })),
    }
}

/// `authorized_keys`: a non-empty list of Ed25519 public keys in hex, none of them another
/// principal's. A key is never quoted (a private key pasted by mistake looks the same).
fn read_keys(
    c: &mut Checker,
    t: &Table<'_>,
    authid: &str,
    owners: &mut HashMap<PublicKey, String>,
) -> Option<Vec<PublicKey>> {
    let Some(items) = c.optional_list(t, "authorized_keys") else {
        if t.get("authorized_keys").is_none() {
            c.problem(&t.child("authorized_keys"), "required key is missing");
        }
        return None;
    };
    if items.is_empty() {
        c.problem(
            &t.child("authorized_keys"),
            "give at least one public key (64 hexadecimal characters)",
        );
        return None;
    }
    let mut keys = Vec::new();
    let mut ok = true;
    for (p, v) in items {
        let Some(text) = c.string(&p, v) else {
            ok = false;
            continue;
        };
        let Some(key) = PublicKey::from_hex(text.trim()) else {
            c.problem(
                &p,
                format!(
                    "not an Ed25519 public key: expected 64 hexadecimal characters, found {} characters",
                    text.trim().chars().count()
                ),
            );
            ok = false;
            continue;
        };
        match owners.get(&key) {
            Some(owner) if owner == authid => {
                c.problem(&p, "this key is listed twice");
                ok = false;
            }
            Some(owner) => {
                c.problem(
                    &p,
                    format!(
                        "this key is already principal \"{owner}\"'s; a key names one principal"
                    ),
                );
                ok = false;
            }
            None => {
                owners.insert(key, authid.to_owned());
                keys.push(key);
            }
        }
    }
    ok.then_some(keys)
}
