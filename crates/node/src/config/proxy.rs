//! Reading an endpoint's `proxy` block: the proxies it trusts, the PROXY header it requires,
//! whether it reads forwarding headers.

use config::Value;
use crossway_transport::{ListenAddr, ProxyVersions};

use super::check::Checker;
use super::model::TransportKind;
use crate::proxy::{Cidr, ProxyPolicy};

const PROXY_KEYS: &[&str] = &["trusted", "protocol", "forwarded_headers"];

/// What the `proxy` block depends on in its endpoint (`None`: that key has its own problem).
pub struct ProxyContext<'a> {
    /// The endpoint's transport.
    pub transport: Option<TransportKind>,
    /// Where it listens.
    pub listen: Option<&'a ListenAddr>,
}

/// Reads the `proxy` block at `path`.
pub fn read_proxy(
    c: &mut Checker,
    path: &str,
    value: &Value,
    cx: ProxyContext<'_>,
) -> Option<ProxyPolicy> {
    let t = c.table(path, value)?;
    c.only_keys(&t, PROXY_KEYS);
    let mut ok = true;
    let trusted = match c.optional_list(&t, "trusted") {
        Some(items) => {
            let mut nets = Vec::new();
            for (p, v) in items {
                let Some(text) = c.string(&p, v) else {
                    ok = false;
                    continue;
                };
                match text.trim().parse::<Cidr>() {
                    Ok(net) => nets.push(net),
                    Err(e) => {
                        c.problem(&p, e.to_string());
                        ok = false;
                    }
                }
            }
            nets
        }
        None => {
            ok &= t.get("trusted").is_none();
            Vec::new()
        }
    };
    let protocol = match c.optional_string(&t, "protocol").as_deref() {
        None => None,
        Some("v1") => Some(ProxyVersions::V1),
        Some("v2") => Some(ProxyVersions::V2),
        Some("any") => Some(ProxyVersions::Any),
        Some(other) => {
            c.problem(
                &t.child("protocol"),
                format!("\"{other}\" is not a PROXY protocol version; expected v1, v2 or any"),
            );
            ok = false;
            None
        }
    };
    let forwarded_headers = c.optional_bool(&t, "forwarded_headers");
    ok &= forwarded_headers.is_some() || t.get("forwarded_headers").is_none();
    let forwarded_headers = forwarded_headers.unwrap_or(false);
    if !ok {
        return None;
    }
    let unix = matches!(cx.listen, Some(ListenAddr::Unix(_)));
    let mut problems = Vec::new();
    if protocol.is_none() && !forwarded_headers {
        problems.push((
            t.path().to_owned(),
            "enables nothing; give protocol (v1, v2 or any), forwarded_headers: true, or both"
                .to_owned(),
        ));
    }
    for (key, on) in [
        ("protocol", protocol.is_some()),
        ("forwarded_headers", forwarded_headers),
    ] {
        if !on {
            continue;
        }
        if trusted.is_empty() {
            problems.push((
                t.child(key),
                "needs proxy.trusted: the proxies' addresses or networks, such as [10.0.0.0/8]"
                    .to_owned(),
            ));
        }
        if unix {
            problems.push((
                t.child(key),
                "a Unix socket endpoint has no client addresses to take from a proxy".to_owned(),
            ));
        }
    }
    if forwarded_headers && cx.transport == Some(TransportKind::RawSocket) {
        problems.push((
            t.child("forwarded_headers"),
            "a rawsocket endpoint has no HTTP headers; use protocol, or transport: websocket or universal"
                .to_owned(),
        ));
    }
    if !problems.is_empty() {
        for (key, message) in problems {
            c.problem(&key, message);
        }
        return None;
    }
    Some(ProxyPolicy {
        trusted,
        protocol,
        forwarded_headers,
    })
}
