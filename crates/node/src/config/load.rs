//! Reading a configuration file into a [`NodeConfig`], reporting every problem at once.

use std::collections::HashSet;
use std::path::Path;

use config::{Config, Environment, File, FileFormat, Value};
use crossway_protocol::{Uri, UriRules};
use crossway_routing::AuthPolicy;
use crossway_transport::{ListenAddr, Serializer};

use super::auth::{AuthContext, read_auth};
use super::check::{Checker, Table, describe};
use super::cluster::read_cluster;
use super::coverage::role_warnings;
use super::env::substitute;
use super::guard::check_yaml_shape;
use super::http_publish::{BridgeContext, read_http_publish};
use super::limits::{positive, read_limits};
use super::lines::LineIndex;
use super::metrics::read_metrics;
use super::model::{
    DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_WS_PATH, EndpointSpec, Limits, LogFormat,
    MAX_MAX_MESSAGE_SIZE, MIN_MAX_MESSAGE_SIZE, NodeConfig, RealmSpec, TransportKind,
};
use super::problem::ConfigErrors;
use super::proxy::{ProxyContext, read_proxy};
use super::realm_options::read_realm_options;
use super::roles::read_roles;
use super::tls::{read_tls, resolve};
use super::web::{read_hsts, read_paths};

/// The prefix of environment variables that override configuration keys
/// (`CROSSWAY_LOG_LEVEL=debug` sets `log_level`).
pub const ENV_PREFIX: &str = "CROSSWAY";

const TOP_KEYS: &[&str] = &[
    "log_level",
    "log_format",
    "realms",
    "endpoints",
    "limits",
    "metrics",
    "cluster",
];
const REALM_KEYS: &[&str] = &[
    "name",
    "uri_check",
    "roles",
    "meta_api",
    "retention",
    "history",
    "testaments",
];
const ENDPOINT_KEYS: &[&str] = &[
    "name",
    "transport",
    "listen",
    "path",
    "paths",
    "hsts",
    "serializers",
    "max_message_size",
    "tls",
    "unix_mode",
    "max_connections",
    "auth",
    "proxy",
    "http_publish",
];

/// Loads and checks the configuration in `file`, with environment overrides (`CROSSWAY_...`)
/// and `${VAR}` references taken from the process environment.
pub fn load(file: &Path) -> Result<NodeConfig, ConfigErrors> {
    load_with_env(file, &|name| std::env::var(name).ok())
}

/// [`load`], with `${VAR}` references taken from `env` instead of the process environment (a
/// variable that is not valid UTF-8 counts as missing). The `CROSSWAY_...` overrides still
/// come from the process environment.
pub fn load_with_env(
    file: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<NodeConfig, ConfigErrors> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| ConfigErrors::whole_file(file, format!("cannot read the file: {e}")))?;
    check_yaml_shape(&text).map_err(|e| ConfigErrors::whole_file(file, e))?;
    let tree = Config::builder()
        .add_source(File::from_str(&text, FileFormat::Yaml))
        .add_source(
            Environment::with_prefix(ENV_PREFIX)
                .prefix_separator("_")
                .separator("__"),
        )
        .build()
        .map_err(|e| ConfigErrors::whole_file(file, format!("not valid YAML: {e}")))?;
    let mut root: Value = tree
        .try_deserialize()
        .map_err(|e| ConfigErrors::whole_file(file, format!("not a YAML mapping: {e}")))?;
    let mut checker = Checker::new(LineIndex::new(&text));
    checker.report_rewritten_keys();
    substitute(&mut checker, "", &mut root, env);
    let config = read_node(&mut checker, file, &root);
    let problems = checker.into_problems();
    match config {
        Some(config) if problems.is_empty() => Ok(config),
        _ => Err(ConfigErrors {
            file: file.to_path_buf(),
            problems,
        }),
    }
}

fn read_node(c: &mut Checker, file: &Path, root: &Value) -> Option<NodeConfig> {
    let top = c.table("", root)?;
    c.only_keys(&top, TOP_KEYS);
    let log_level = c.optional_string(&top, "log_level");
    if let Some(level) = &log_level
        && let Err(e) = tracing_subscriber::EnvFilter::try_new(level)
    {
        c.problem(
            "log_level",
            format!("not a log filter ({e}); expected error, warn, info, debug or trace"),
        );
    }
    let log_format = match c.optional_string(&top, "log_format").as_deref() {
        None | Some("text") => LogFormat::Text,
        Some("json") => LogFormat::Json,
        Some(other) => {
            c.problem(
                "log_format",
                format!("\"{other}\" is not a log format; expected text or json"),
            );
            LogFormat::Text
        }
    };
    let metrics = top.get("metrics").and_then(|v| read_metrics(c, v));
    let limits = match top.get("limits") {
        Some(v) => read_limits(c, v),
        None => Limits::default(),
    };
    let base = file.parent().unwrap_or(Path::new("."));
    let cluster = top.get("cluster").and_then(|v| read_cluster(c, v, base));
    let mut warnings = Vec::new();
    let realms = read_list(c, &top, "realms", |c, path, v| {
        read_realm(c, path, v, &mut warnings)
    });
    let realm_names: Vec<String> = realms.iter().map(|(_, r)| r.name.clone()).collect();
    let endpoints = read_list(c, &top, "endpoints", |c, path, v| {
        read_endpoint(c, path, v, base, &realm_names, &mut warnings)
    });
    check_unique(
        c,
        realms
            .iter()
            .map(|(p, r)| (format!("{p}.name"), r.name.clone())),
        "realm name",
    );
    check_unique(
        c,
        endpoints
            .iter()
            .map(|(p, e)| (format!("{p}.name"), e.name.clone())),
        "endpoint name",
    );
    // Port 0 asks the system for a free port: every such endpoint gets its own.
    check_unique(
        c,
        endpoints
            .iter()
            .filter(|(_, e)| !matches!(&e.listen, ListenAddr::Tcp(a) if a.port() == 0))
            .map(|(p, e)| (format!("{p}.listen"), e.listen.to_string())),
        "listen address",
    );
    if let Some(m) = &metrics
        && let ListenAddr::Tcp(addr) = &m.listen
        && addr.port() != 0
        && let Some((path, _)) = endpoints.iter().find(|(_, e)| e.listen == m.listen)
    {
        c.problem(
            "metrics.listen",
            format!("{addr} is also where {path} listens; give the metrics server its own port"),
        );
    }
    let realms: Vec<RealmSpec> = realms.into_iter().map(|(_, r)| r).collect();
    let endpoints: Vec<EndpointSpec> = endpoints.into_iter().map(|(_, e)| e).collect();
    warnings.extend(role_warnings(&realms, &endpoints));
    Some(NodeConfig {
        file: file.to_path_buf(),
        log_level,
        log_format,
        metrics,
        cluster,
        realms,
        endpoints,
        limits,
        warnings,
    })
}

/// Reads the required, non-empty list `key` with `item`, keeping each item's path.
fn read_list<T>(
    c: &mut Checker,
    top: &Table<'_>,
    key: &str,
    mut item: impl FnMut(&mut Checker, &str, &Value) -> Option<T>,
) -> Vec<(String, T)> {
    let Some(items) = c.optional_list(top, key) else {
        if top.get(key).is_none() {
            c.problem(key, "required key is missing; give at least one entry");
        }
        return Vec::new();
    };
    if items.is_empty() {
        c.problem(key, "give at least one entry");
    }
    items
        .into_iter()
        .filter_map(|(path, v)| item(c, &path, v).map(|t| (path, t)))
        .collect()
}

fn read_realm(
    c: &mut Checker,
    path: &str,
    value: &Value,
    warnings: &mut Vec<String>,
) -> Option<RealmSpec> {
    let t = c.table(path, value)?;
    c.only_keys(&t, REALM_KEYS);
    let name = c.required_string(&t, "name");
    if let Some(n) = &name
        && !Uri::new(n).is_valid(UriRules::Loose)
    {
        c.problem(
            &t.child("name"),
            format!("\"{n}\" is not a valid realm URI (dot-separated, no spaces or '#')"),
        );
    }
    let uri_check = match c.optional_string(&t, "uri_check").as_deref() {
        None | Some("loose") => UriRules::Loose,
        Some("strict") => UriRules::Strict,
        Some(other) => {
            c.problem(
                &t.child("uri_check"),
                format!("\"{other}\" is not a URI rule; expected loose or strict"),
            );
            UriRules::Loose
        }
    };
    // A realm whose roles have problems is kept, so that principals naming it are not
    // reported too; the problems stop the load.
    let roles = t.get("roles").map(|v| {
        let realm = name.as_deref().unwrap_or_default();
        read_roles(c, &t.child("roles"), v, realm, uri_check, warnings).unwrap_or_default()
    });
    let options = read_realm_options(c, &t, uri_check);
    Some(RealmSpec {
        name: name?,
        uri_check,
        roles,
        options,
    })
}

fn read_endpoint(
    c: &mut Checker,
    path: &str,
    value: &Value,
    base: &Path,
    realms: &[String],
    warnings: &mut Vec<String>,
) -> Option<EndpointSpec> {
    let t = c.table(path, value)?;
    c.only_keys(&t, ENDPOINT_KEYS);
    let name = c.required_string(&t, "name");
    let transport = match c.required_string(&t, "transport").as_deref() {
        Some("websocket") => Some(TransportKind::WebSocket),
        Some("rawsocket") => Some(TransportKind::RawSocket),
        Some("universal") => Some(TransportKind::Universal),
        Some(other) => {
            c.problem(
                &t.child("transport"),
                format!(
                    "\"{other}\" is not a transport; expected websocket, rawsocket or universal"
                ),
            );
            None
        }
        None => None,
    };
    let listen = c.required_string(&t, "listen").and_then(|s| {
        s.parse::<ListenAddr>()
            .map_err(|e| {
                c.problem(
                    &t.child("listen"),
                    format!(
                        "\"{s}\" is not a listen address ({e}); expected host:port, [ipv6]:port or unix:/path/to.sock"
                    ),
                )
            })
            .ok()
            .map(|addr| match addr {
                ListenAddr::Unix(p) => ListenAddr::Unix(resolve(base, &p.to_string_lossy())),
                tcp => tcp,
            })
    });
    let unix_mode = c.optional_string(&t, "unix_mode").and_then(|m| {
        let parsed = u32::from_str_radix(m.trim_start_matches("0o"), 8)
            .ok()
            .filter(|n| *n <= 0o777);
        if parsed.is_none() {
            c.problem(
                &t.child("unix_mode"),
                format!("\"{m}\" is not a permission mode; expected octal such as \"0660\""),
            );
        }
        parsed
    });
    if unix_mode.is_some() && !matches!(listen, Some(ListenAddr::Unix(_)) | None) {
        c.problem(
            &t.child("unix_mode"),
            "unix_mode applies only to listen: unix:/path",
        );
    }
    let path_value = c.optional_string(&t, "path");
    if path_value.is_some() && transport == Some(TransportKind::RawSocket) {
        c.problem(
            &t.child("path"),
            "a rawsocket endpoint has no HTTP path; use transport: universal to serve WebSocket too",
        );
    }
    if let Some(p) = &path_value
        && !p.starts_with('/')
    {
        c.problem(&t.child("path"), format!("\"{p}\" must start with '/'"));
    }
    let serializers = read_serializers(c, &t);
    let max_message_size = match c.optional_u64(&t, "max_message_size") {
        None => DEFAULT_MAX_MESSAGE_SIZE,
        Some(n) => {
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            if !(MIN_MAX_MESSAGE_SIZE..=MAX_MAX_MESSAGE_SIZE).contains(&n) {
                c.problem(
                    &t.child("max_message_size"),
                    format!(
                        "{n} bytes is out of range; expected {MIN_MAX_MESSAGE_SIZE} to {MAX_MAX_MESSAGE_SIZE} (64 MiB)"
                    ),
                );
            }
            n
        }
    };
    // `Some(None)`: a `tls` block with problems.
    let tls = t
        .get("tls")
        .map(|v| read_tls(c, &t.child("tls"), v, base, warnings));
    let auth = match t.get("auth") {
        Some(v) => {
            let cx = AuthContext {
                realms,
                client_certificates: tls.as_ref().is_some_and(|spec| {
                    spec.as_ref()
                        .is_none_or(|s| !s.settings.ca_certificates.is_empty())
                }),
            };
            read_auth(c, &t.child("auth"), v, cx)
        }
        None => Some(AuthPolicy::open()),
    };
    let max_connections = c
        .optional_u64(&t, "max_connections")
        .and_then(|n| positive(c, &t.child("max_connections"), n));
    let proxy = t.get("proxy").map(|v| {
        let cx = ProxyContext {
            transport,
            listen: listen.as_ref(),
        };
        read_proxy(c, &t.child("proxy"), v, cx)
    });
    let anonymous = auth.as_ref().is_none_or(|a| a.anonymous.is_some());
    let http_publish = t.get("http_publish").map(|v| {
        let cx = BridgeContext {
            transport,
            ws_path: path_value.as_deref().unwrap_or(DEFAULT_WS_PATH),
            anonymous,
        };
        read_http_publish(c, &t.child("http_publish"), v, cx, None)
    });
    let paths = t.get("paths").map(|v| {
        let cx = BridgeContext {
            transport,
            ws_path: DEFAULT_WS_PATH,
            anonymous,
        };
        read_paths(c, &t.child("paths"), v, base, cx)
    });
    if let Some(paths) = &paths {
        if path_value.is_some() {
            c.problem(
                &t.child("path"),
                "with paths, give the WebSocket path as an entry of paths (type: websocket), not here",
            );
        }
        if paths.publish.is_some() && http_publish.is_some() {
            c.problem(
                &t.child("http_publish"),
                "the bridge is already a publish entry of paths; keep one",
            );
        }
    }
    let hsts = t.get("hsts").and_then(|v| {
        if transport == Some(TransportKind::RawSocket) {
            c.problem(
                &t.child("hsts"),
                "a rawsocket endpoint serves no HTTP; use transport: websocket or universal",
            );
            return None;
        }
        read_hsts(c, &t.child("hsts"), v, tls.is_some())
    });
    let (upgrade, ws_path, web, publish_path) = match paths {
        Some(p) => (p.websocket.is_some(), p.websocket, p.web, p.publish),
        None => (true, path_value, Vec::new(), None),
    };
    Some(EndpointSpec {
        http_publish: match http_publish {
            Some(spec) => Some(spec?),
            None => publish_path,
        },
        upgrade,
        web,
        hsts,
        proxy: match proxy {
            Some(policy) => Some(policy?),
            None => None,
        },
        tls: match tls {
            Some(spec) => Some(spec?),
            None => None,
        },
        auth: auth?,
        unix_mode,
        max_connections,
        name: name?,
        transport: transport?,
        listen: listen?,
        path: ws_path.unwrap_or_else(|| DEFAULT_WS_PATH.to_owned()),
        serializers: serializers?,
        max_message_size,
    })
}

fn read_serializers(c: &mut Checker, t: &Table<'_>) -> Option<Vec<Serializer>> {
    let Some(items) = c.optional_list(t, "serializers") else {
        return t
            .get("serializers")
            .is_none()
            .then(|| Serializer::ALL.to_vec());
    };
    let names: Vec<&str> = Serializer::ALL.iter().map(|s| s.name()).collect();
    if items.is_empty() {
        c.problem(
            &t.child("serializers"),
            format!("give at least one of: {}", names.join(", ")),
        );
        return None;
    }
    let mut out = Vec::new();
    for (path, v) in items {
        let Some(name) = c.string(&path, v) else {
            continue;
        };
        match Serializer::from_name(&name) {
            Some(s) if out.contains(&s) => c.problem(&path, format!("\"{name}\" is listed twice")),
            Some(s) => out.push(s),
            None => c.problem(
                &path,
                format!(
                    "{} is not a serializer; expected one of: {}",
                    describe(v),
                    names.join(", ")
                ),
            ),
        }
    }
    Some(out)
}

/// Reports every name that appears more than once.
fn check_unique(c: &mut Checker, named: impl Iterator<Item = (String, String)>, what: &str) {
    let mut seen = HashSet::new();
    for (path, name) in named {
        if !seen.insert(name.clone()) {
            c.problem(&path, format!("{what} \"{name}\" is used more than once"));
        }
    }
}
