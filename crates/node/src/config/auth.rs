//! Reading an endpoint's `auth` block into the router's [`AuthPolicy`]: which methods the
//! endpoint enables, their principals and roles, and their dynamic authenticators.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use config::Value;
use crossway_protocol::{Uri, UriRules};
use crossway_routing::auth::{
    AnonymousAuth, AuthMethod, AuthPolicy, CertField, CryptosignAuth, DynamicAuth, TicketAuth,
    TlsAuth, WampCraAuth,
};

use super::check::{Checker, Table};
use super::principals::{
    read_cryptosign, read_principals, read_ticket, read_tls_principal, read_wampcra,
};

const ANONYMOUS_KEYS: &[&str] = &["role"];
const METHOD_KEYS: &[&str] = &[
    "principals",
    "authenticator",
    "authenticator_realm",
    "authenticator_timeout",
];

/// How long the router waits for a dynamic authenticator by default.
const DEFAULT_AUTHENTICATOR_TIMEOUT: Duration = Duration::from_secs(5);
const TLS_KEYS: &[&str] = &["authid", "role", "principals"];

/// What the endpoint around an `auth` block offers it.
#[derive(Debug, Clone, Copy)]
pub struct AuthContext<'a> {
    /// The node's realms, which a principal's `realm` must name.
    pub realms: &'a [String],
    /// Whether a client certificate can arrive on the endpoint (its `tls` block has
    /// `ca_certificates`, or is broken and reported already).
    pub client_certificates: bool,
}

/// Reads the `auth` block at `path`; `None` if it has a problem (each is recorded).
pub fn read_auth(
    c: &mut Checker,
    path: &str,
    value: &Value,
    cx: AuthContext<'_>,
) -> Option<AuthPolicy> {
    let t = c.table(path, value)?;
    let names: Vec<&str> = AuthMethod::ALL.iter().map(|m| m.name()).collect();
    c.only_keys(&t, &names);
    if names.iter().all(|n| t.get(n).is_none()) {
        c.problem(
            path,
            format!("give at least one method: {}", names.join(", ")),
        );
        return None;
    }
    let realms = cx.realms;
    let anonymous = method(c, &t, AuthMethod::Anonymous, |c, t| {
        c.only_keys(t, ANONYMOUS_KEYS);
        c.required_text(t, "role")
            .map(|role| AnonymousAuth { role })
    });
    let ticket = method(c, &t, AuthMethod::Ticket, |c, t| {
        principals(c, t, realms, |c, p, _| read_ticket(c, p, realms)).map(
            |(principals, authenticator)| TicketAuth {
                principals,
                authenticator,
            },
        )
    });
    let wampcra = method(c, &t, AuthMethod::WampCra, |c, t| {
        principals(c, t, realms, |c, p, _| read_wampcra(c, p, realms)).map(
            |(principals, authenticator)| WampCraAuth {
                principals,
                authenticator,
            },
        )
    });
    let mut owners = HashMap::new();
    let cryptosign = method(c, &t, AuthMethod::Cryptosign, |c, t| {
        principals(c, t, realms, |c, p, authid| {
            read_cryptosign(c, p, authid, realms, &mut owners)
        })
        .map(|(principals, authenticator)| CryptosignAuth {
            principals,
            authenticator,
        })
    });
    let tls = method(c, &t, AuthMethod::Tls, |c, t| read_tls_auth(c, t, cx));
    Some(AuthPolicy {
        anonymous: anonymous?,
        ticket: ticket?,
        wampcra: wampcra?,
        cryptosign: cryptosign?,
        tls: tls?,
    })
}

/// The method's block read with `read`: `Some(None)` when it is absent, `None` when it has a
/// problem.
fn method<T>(
    c: &mut Checker,
    auth: &Table<'_>,
    method: AuthMethod,
    read: impl FnOnce(&mut Checker, &Table<'_>) -> Option<T>,
) -> Option<Option<T>> {
    let Some(value) = auth.get(method.name()) else {
        return Some(None);
    };
    let t = c.table(&auth.child(method.name()), value)?;
    read(c, &t).map(Some)
}

/// The required `principals` of a method that has nothing else.
fn principals<T>(
    c: &mut Checker,
    t: &Table<'_>,
    realms: &[String],
    item: impl FnMut(&mut Checker, &Table<'_>, &str) -> Option<T>,
) -> Option<(BTreeMap<String, T>, Option<DynamicAuth>)> {
    c.only_keys(t, METHOD_KEYS);
    let authenticator = read_authenticator(c, t, realms);
    let principals = match (t.get("principals"), t.get("authenticator")) {
        (Some(value), _) => read_principals(c, &t.child("principals"), value, item),
        (None, Some(_)) => Some(BTreeMap::new()),
        (None, None) => {
            c.problem(
                &t.child("principals"),
                "required key is missing (or name an authenticator procedure)",
            );
            None
        }
    };
    Some((principals?, authenticator?))
}

/// `authenticator` (a procedure's URI), `authenticator_realm` (one of the node's realms) and
/// `authenticator_timeout` (seconds): `Some(None)` when there is no authenticator, `None` when
/// something is wrong.
fn read_authenticator(
    c: &mut Checker,
    t: &Table<'_>,
    realms: &[String],
) -> Option<Option<DynamicAuth>> {
    let Some(procedure) = c.optional_string(t, "authenticator") else {
        for key in ["authenticator_realm", "authenticator_timeout"] {
            if t.get(key).is_some() {
                c.problem(&t.child(key), "applies only with authenticator");
            }
        }
        return if t.get("authenticator").is_some() {
            None
        } else {
            Some(None)
        };
    };
    let mut ok = true;
    if !Uri::new(&procedure).is_valid(UriRules::Loose) {
        c.problem(
            &t.child("authenticator"),
            format!("\"{procedure}\" is not a valid procedure URI"),
        );
        ok = false;
    }
    let realm = c.optional_string(t, "authenticator_realm");
    if let Some(r) = &realm
        && !realms.contains(r)
    {
        c.problem(
            &t.child("authenticator_realm"),
            format!("\"{r}\" is not one of the node's realms"),
        );
        ok = false;
    }
    let timeout = match c.optional_seconds(t, "authenticator_timeout") {
        Some(d) if d.is_zero() => {
            c.problem(
                &t.child("authenticator_timeout"),
                "must be more than 0 seconds",
            );
            ok = false;
            d
        }
        Some(d) => d,
        None => DEFAULT_AUTHENTICATOR_TIMEOUT,
    };
    ok.then_some(Some(DynamicAuth {
        procedure,
        realm,
        timeout,
    }))
}

/// The `tls` method: which certificate field is the authid, and the roles.
fn read_tls_auth(c: &mut Checker, t: &Table<'_>, cx: AuthContext<'_>) -> Option<TlsAuth> {
    c.only_keys(t, TLS_KEYS);
    let names: Vec<&str> = CertField::ALL.iter().map(|f| f.name()).collect();
    let authid = c.required_string(t, "authid").and_then(|name| {
        let field = CertField::from_name(&name);
        if field.is_none() {
            c.problem(
                &t.child("authid"),
                format!(
                    "\"{name}\" is not a certificate field; expected one of: {}",
                    names.join(", ")
                ),
            );
        }
        field
    });
    // `None`: broken; `Some(None)`: absent.
    let role = match t.get("role") {
        Some(_) => c.required_text(t, "role").map(Some),
        None => Some(None),
    };
    let principals = match t.get("principals") {
        Some(v) => read_principals(c, &t.child("principals"), v, |c, p, name| {
            if authid == Some(CertField::Fingerprint) && fingerprint(name).is_none() {
                c.problem(
                    p.path(),
                    "a fingerprint is the certificate's SHA-256: 64 hexadecimal characters, colons allowed",
                );
                return None;
            }
            read_tls_principal(c, p, cx.realms)
        }),
        None => Some(BTreeMap::new()),
    };
    if t.get("role").is_none() && t.get("principals").is_none() {
        c.problem(
            t.path(),
            "give role (the role of any certificate), principals (roles by authid), or both",
        );
        return None;
    }
    if !cx.client_certificates {
        c.problem(
            t.path(),
            "no client certificate can arrive on this endpoint: give its tls block ca_certificates",
        );
        return None;
    }
    let principals = match authid? {
        CertField::Fingerprint => by_fingerprint(c, t, principals?)?,
        _ => principals?,
    };
    Some(TlsAuth {
        authid: authid?,
        role: role?,
        principals,
    })
}

/// `principals` keyed by their fingerprints as the router writes them; two names of one
/// fingerprint are a problem.
fn by_fingerprint<T>(
    c: &mut Checker,
    t: &Table<'_>,
    principals: BTreeMap<String, T>,
) -> Option<BTreeMap<String, T>> {
    let mut out = BTreeMap::new();
    let mut ok = true;
    for (name, principal) in principals {
        let hex = fingerprint(&name).unwrap_or_else(|| name.clone());
        if out.insert(hex, principal).is_some() {
            c.problem(
                &format!("{}.principals.{name}", t.path()),
                "the same fingerprint as another principal (written differently)",
            );
            ok = false;
        }
    }
    ok.then_some(out)
}

/// A fingerprint as the router writes it (lowercase hex, no colons), from the way it is written
/// in the file (`openssl x509 -fingerprint -sha256` writes uppercase pairs with colons).
fn fingerprint(name: &str) -> Option<String> {
    let hex: String = name
        .chars()
        .filter(|c| *c != ':')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hex)
}
