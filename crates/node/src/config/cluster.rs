//! Reading the `cluster` block: this node's name in the cluster, the NATS servers and how to
//! reach them, the subjects' prefix and the failure detection's timing.

use std::path::Path;
use std::time::Duration;

use config::Value;
use crossway_cluster::{ClusterSettings, NatsAuth, NatsTls, check_server};

use super::check::Checker;
use super::tls::resolve;

const CLUSTER_KEYS: &[&str] = &[
    "node",
    "nats",
    "subject_prefix",
    "heartbeat_interval",
    "node_timeout",
    "queue",
];
const NATS_KEYS: &[&str] = &["servers", "credentials", "user", "password", "token", "tls"];
const NATS_TLS_KEYS: &[&str] = &["ca_certificates", "certificate", "key"];

/// Whether `name` is one subject token of the safe kind: letters, digits, `-`, `_`.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Reads the `cluster` block (files relative to `base`); `None` if it has a problem (each is
/// recorded).
pub fn read_cluster(c: &mut Checker, value: &Value, base: &Path) -> Option<ClusterSettings> {
    let t = c.table("cluster", value)?;
    c.only_keys(&t, CLUSTER_KEYS);
    let node = c.required_string(&t, "node");
    if let Some(node) = &node
        && !is_token(node)
    {
        c.problem(
            &t.child("node"),
            format!("\"{node}\" is not a node name: use letters, digits, '-' and '_'"),
        );
    }
    let nats = match t.get("nats") {
        Some(v) => read_nats(c, v, base),
        None => {
            c.problem(&t.child("nats"), "missing: the NATS servers the cluster meets on (nats: { servers: [nats://127.0.0.1:4222] })");
            None
        }
    };
    let mut settings = ClusterSettings::new(node.as_deref().unwrap_or(""), Vec::new());
    if let Some(prefix) = c.optional_string(&t, "subject_prefix") {
        if prefix.split('.').all(is_token) {
            settings.subject_prefix = prefix;
        } else {
            c.problem(
                &t.child("subject_prefix"),
                format!("\"{prefix}\" is not a subject prefix: tokens of letters, digits, '-' and '_', separated by '.'"),
            );
        }
    }
    if let Some(d) = c.optional_seconds(&t, "heartbeat_interval") {
        if d < Duration::from_millis(10) {
            c.problem(
                &t.child("heartbeat_interval"),
                "must be 0.01 seconds at least",
            );
        }
        settings.heartbeat_interval = d;
    }
    if let Some(d) = c.optional_seconds(&t, "node_timeout") {
        settings.node_timeout = d;
    }
    if settings.node_timeout < settings.heartbeat_interval * 2 {
        c.problem(
            &t.child("node_timeout"),
            format!(
                "{:?} is less than two heartbeat intervals ({:?}): nodes would be dropped while alive",
                settings.node_timeout, settings.heartbeat_interval
            ),
        );
    }
    if let Some(n) = c.optional_u64(&t, "queue") {
        match usize::try_from(n) {
            Ok(n) if n > 0 => settings.queue = n,
            _ => c.problem(&t.child("queue"), "must be 1 at least"),
        }
    }
    let (servers, auth, tls) = nats?;
    node?;
    settings.servers = servers;
    settings.auth = auth;
    settings.tls = tls;
    Some(settings)
}

/// The `nats` block: servers, authentication, TLS.
fn read_nats(
    c: &mut Checker,
    value: &Value,
    base: &Path,
) -> Option<(Vec<String>, NatsAuth, Option<NatsTls>)> {
    let t = c.table("cluster.nats", value)?;
    c.only_keys(&t, NATS_KEYS);
    let mut servers = Vec::new();
    match c.optional_list(&t, "servers") {
        Some(items) => {
            for (path, v) in items {
                if let Some(s) = c.string(&path, v) {
                    match check_server(&s) {
                        Ok(()) => servers.push(s),
                        Err(e) => c.problem(&path, format!("\"{s}\" is not a NATS server address ({e}); expected nats://host:port or tls://host:port")),
                    }
                }
            }
            if servers.is_empty() {
                c.problem(&t.child("servers"), "needs one NATS server at least");
            }
        }
        None => c.problem(
            &t.child("servers"),
            "missing: a list of NATS servers, such as [nats://127.0.0.1:4222]",
        ),
    }
    let credentials = c.optional_string(&t, "credentials");
    let user = c.optional_string(&t, "user");
    let password = c.optional_string(&t, "password");
    let token = c.optional_string(&t, "token");
    let auth = match (credentials, user, password, token) {
        (None, None, None, None) => NatsAuth::None,
        (Some(file), None, None, None) => NatsAuth::Credentials(resolve(base, &file)),
        (None, Some(user), Some(password), None) => NatsAuth::UserPassword(user, password),
        (None, None, None, Some(token)) => NatsAuth::Token(token),
        (None, Some(_), None, None) | (None, None, Some(_), None) => {
            c.problem(t.path(), "user and password go together");
            NatsAuth::None
        }
        _ => {
            c.problem(
                t.path(),
                "give one of credentials, user and password, or token",
            );
            NatsAuth::None
        }
    };
    let tls = match t.get("tls") {
        None => None,
        Some(v) => Some(read_nats_tls(c, v, base)?),
    };
    if servers.is_empty() {
        return None;
    }
    Some((servers, auth, tls))
}

fn read_nats_tls(c: &mut Checker, value: &Value, base: &Path) -> Option<NatsTls> {
    let t = c.table("cluster.nats.tls", value)?;
    c.only_keys(&t, NATS_TLS_KEYS);
    let mut tls = NatsTls::default();
    if let Some(items) = c.optional_list(&t, "ca_certificates") {
        for (path, v) in items {
            if let Some(file) = c.string(&path, v) {
                tls.ca_certificates.push(resolve(base, &file));
            }
        }
    }
    match (
        c.optional_string(&t, "certificate"),
        c.optional_string(&t, "key"),
    ) {
        (Some(cert), Some(key)) => tls.client = Some((resolve(base, &cert), resolve(base, &key))),
        (None, None) => {}
        _ => c.problem(t.path(), "certificate and key go together"),
    }
    Some(tls)
}
