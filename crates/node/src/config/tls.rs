//! Reading an endpoint's `tls` block.

use std::path::{Path, PathBuf};

use config::{Value, ValueKind};

use super::check::{Checker, describe};
use crossway_transport::tls::{
    Ciphers, ClientAuth, TlsSettings, TlsVersion, load_server_config, watched_files,
};

use super::model::TlsSpec;

const TLS_KEYS: &[&str] = &[
    "certificate",
    "key",
    "ca_certificates",
    "client_auth",
    "min_version",
    "ciphers",
    "dhparam",
    "create_if_missing",
];

/// Reads the `tls` block at `path`; relative file names are taken from `base` (the config
/// file's folder). Warnings (an ignored `dhparam`) go to `warnings`.
pub fn read_tls(
    c: &mut Checker,
    path: &str,
    value: &Value,
    base: &Path,
    warnings: &mut Vec<String>,
) -> Option<TlsSpec> {
    let t = c.table(path, value)?;
    c.only_keys(&t, TLS_KEYS);
    let certificate = c
        .required_string(&t, "certificate")
        .map(|f| resolve(base, &f));
    let key = c.required_string(&t, "key").map(|f| resolve(base, &f));
    let ca_certificates = match c.optional_list(&t, "ca_certificates") {
        Some(items) => items
            .into_iter()
            .filter_map(|(p, v)| c.string(&p, v))
            .map(|f| resolve(base, &f))
            .collect(),
        None => Vec::new(),
    };
    let client_auth = c.optional_string(&t, "client_auth").and_then(|s| {
        s.parse::<ClientAuth>()
            .map_err(|e| c.problem(&t.child("client_auth"), e.to_string()))
            .ok()
    });
    let min_version = c
        .optional_string(&t, "min_version")
        .and_then(|s| {
            s.parse::<TlsVersion>()
                .map_err(|e| c.problem(&t.child("min_version"), e.to_string()))
                .ok()
        })
        .unwrap_or_default();
    let ciphers = t
        .get("ciphers")
        .and_then(|v| read_ciphers(c, &t.child("ciphers"), v));
    if t.get("dhparam").is_some() {
        warnings.push(format!(
            "{}: ignored: rustls uses only ECDHE key exchange, which always gives forward secrecy",
            t.child("dhparam")
        ));
    }
    let create_if_missing = c.optional_bool(&t, "create_if_missing").unwrap_or(false);
    let spec = TlsSpec {
        settings: TlsSettings {
            certificate: certificate?,
            key: key?,
            ca_certificates,
            client_auth,
            min_version,
            ciphers,
        },
        create_if_missing,
    };
    check_files(c, path, &spec, warnings);
    Some(spec)
}

/// The `ciphers` setting at `path`: an OpenSSL cipher string, or a list of suite names or
/// cipher strings.
fn read_ciphers(c: &mut Checker, path: &str, value: &Value) -> Option<Ciphers> {
    match &value.kind {
        ValueKind::String(text) if text.trim().is_empty() => {
            c.problem(
                path,
                "an empty cipher string allows no cipher suite; leave the key out for the defaults",
            );
            None
        }
        ValueKind::String(text) => Some(Ciphers::OpenSsl(text.clone())),
        ValueKind::Array(_) => {
            let items: Vec<String> = c
                .list(path, value)?
                .into_iter()
                .filter_map(|(p, v)| c.string(&p, v))
                .collect();
            if items.is_empty() {
                c.problem(
                    path,
                    "an empty list allows no cipher suite; leave the key out for the defaults",
                );
                return None;
            }
            Some(Ciphers::List(items))
        }
        _ => {
            c.problem(
                path,
                format!(
                    "expected an OpenSSL cipher string or a list of suite names, found {}",
                    describe(value)
                ),
            );
            None
        }
    }
}

/// Loads the block's files as start-up would, so that `crossway check` names every problem of
/// the certificate, key and CA files (each at its own key).
fn check_files(c: &mut Checker, path: &str, spec: &TlsSpec, warnings: &mut Vec<String>) {
    if spec.create_if_missing && watched_files(&spec.settings).iter().all(|f| !f.exists()) {
        warnings.push(format!(
            "{path}: none of the TLS files exists yet: development certificates will be created at start (create_if_missing)"
        ));
        return;
    }
    match load_server_config(&spec.settings) {
        Ok(loaded) => warnings.extend(loaded.warnings.into_iter().map(|w| format!("{path}: {w}"))),
        Err(problems) => {
            for p in problems {
                c.problem(&format!("{path}.{}", p.setting()), p.to_string());
            }
        }
    }
}

/// `file` taken relative to `base` unless it is absolute.
pub fn resolve(base: &Path, file: &str) -> PathBuf {
    let p = Path::new(file);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}
