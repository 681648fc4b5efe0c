//! `crossway import-crossbar`: a Crossbar.io `config.json` converted to a Crossway
//! `config.yaml`, with every part that could not be converted named by its JSON path.
//!
//! - `report`: [`Untranslated`] parts and dropped tuning options, and JSON path helpers.
//! - `realms`: realms, roles and permissions.
//! - `transports`: Crossbar.io transports (websocket, rawsocket, universal, web) as endpoints.
//! - `listen`: a transport's `endpoint` (tcp or unix) and its `tls` block.
//! - `auth`: a transport's `auth` methods (anonymous, ticket, wampcra, cryptosign, tls).

mod auth;
mod listen;
mod realms;
mod report;
mod transports;

use std::path::{Path, PathBuf};

use serde_json::Value;
use yaml_rust2::yaml::Hash;
use yaml_rust2::{Yaml, YamlEmitter};

pub use report::Untranslated;
use report::{Report, child, index};

/// A converted configuration.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The `config.yaml` text.
    pub yaml: String,
    /// The parts that could not be converted, in the order of the file: a node from the
    /// result behaves differently there, so the operator must look at each.
    pub untranslated: Vec<Untranslated>,
    /// Tuning options with no Crossway equivalent that change nothing a client can do; they are
    /// dropped, each named here.
    pub dropped: Vec<Untranslated>,
}

/// Why a file could not be converted at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The text is not JSON.
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The JSON is not a Crossbar.io node configuration.
    #[error("not a Crossbar.io configuration: {0}")]
    Shape(String),
    /// The YAML could not be written.
    #[error("cannot write YAML: {0}")]
    Emit(String),
}

/// Where relative file names of the input point, and where the output will be.
#[derive(Debug, Clone)]
pub struct Folders {
    /// The folder of `config.json` (Crossbar.io's node directory): Crossbar.io reads relative
    /// file names against it.
    pub input: PathBuf,
    /// The folder the `config.yaml` is written to: Crossway reads relative file names against it.
    pub output: PathBuf,
}

impl Folders {
    /// A file name of the input as the output must write it: unchanged when both files are in
    /// the same folder (or the name is absolute), else joined to the input's folder.
    pub(crate) fn file(&self, name: &str) -> String {
        let same = match (self.input.canonicalize(), self.output.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => self.input == self.output,
        };
        if same || Path::new(name).is_absolute() {
            name.to_owned()
        } else {
            self.input.join(name).display().to_string()
        }
    }
}

/// Converts the text of a Crossbar.io `config.json`.
pub fn import(json: &str, folders: &Folders) -> Result<Imported, ImportError> {
    let root: Value = serde_json::from_str(json)?;
    let Value::Object(top) = &root else {
        return Err(ImportError::Shape(
            "the file is not a JSON object".to_owned(),
        ));
    };
    let mut r = Report::default();
    r.keys(top, "", &["$schema", "version", "controller", "workers"]);
    if let Some(v) = top.get("version")
        && v.as_u64() != Some(2)
    {
        r.untranslated("version", "only version 2 of Crossbar.io's format is read");
    }
    if let Some(Value::Object(c)) = top.get("controller") {
        r.keys(c, "controller", &["id"]);
    }
    let Some(Value::Array(workers)) = top.get("workers") else {
        return Err(ImportError::Shape("it has no `workers` list".to_owned()));
    };
    let mut realms = Vec::new();
    let mut endpoints = Vec::new();
    let mut limits = transports::Keepalive::default();
    for (i, w) in workers.iter().enumerate() {
        let path = index("workers", i);
        let Value::Object(w) = w else {
            r.untranslated(&path, "not an object");
            continue;
        };
        match w.get("type").and_then(Value::as_str) {
            Some("router") => {}
            other => {
                r.untranslated(
                    &path,
                    format!(
                        "a worker of type {}: Crossway runs a router only (no containers, guests or proxies)",
                        other.unwrap_or("(none)")
                    ),
                );
                continue;
            }
        }
        r.keys(w, &path, &["type", "id", "realms", "transports", "options"]);
        if let Some(Value::Object(o)) = w.get("options") {
            r.dropped_keys(
                o,
                &child(&path, "options"),
                "worker process options (Crossway is one process)",
            );
        }
        if let Some(Value::Array(rs)) = w.get("realms") {
            realms.extend(realms::realms(rs, &child(&path, "realms"), &mut r));
        }
        if let Some(Value::Array(ts)) = w.get("transports") {
            endpoints.extend(transports::transports(
                ts,
                &child(&path, "transports"),
                folders,
                &mut limits,
                &mut r,
            ));
        }
    }
    realms::drop_duplicates(&mut realms, &mut r);
    transports::unique_names(&mut endpoints);
    let mut doc = Hash::new();
    doc.insert(
        s("realms"),
        Yaml::Array(realms.into_iter().map(|x| x.yaml).collect()),
    );
    if let Some(l) = limits.yaml() {
        doc.insert(s("limits"), l);
    }
    doc.insert(s("endpoints"), Yaml::Array(endpoints));
    let mut body = String::new();
    YamlEmitter::new(&mut body)
        .dump(&Yaml::Hash(doc))
        .map_err(|e| ImportError::Emit(e.to_string()))?;
    let (untranslated, dropped) = r.finish();
    let mut yaml =
        String::from("# Converted from a Crossbar.io config.json by `crossway import-crossbar`.\n");
    if untranslated.is_empty() {
        yaml.push_str("# Every part was converted.\n");
    } else {
        yaml.push_str("# Not converted (the node behaves differently there):\n");
        for u in &untranslated {
            yaml.push_str(&format!("#   {u}\n"));
        }
    }
    let body = body.strip_prefix("---\n").unwrap_or(&body);
    yaml.push_str(body);
    yaml.push('\n');
    Ok(Imported {
        yaml,
        untranslated,
        dropped,
    })
}

/// A YAML string.
pub(crate) fn s(text: &str) -> Yaml {
    Yaml::String(text.to_owned())
}

/// A string value of the input as a YAML string that Crossway reads back unchanged: a whole
/// `${VAR}` is an environment reference in both; any other `${` is escaped (`$${`), since
/// Crossway would read it as a reference.
pub(crate) fn literal(text: &str) -> Yaml {
    let whole_reference = text
        .strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        .is_some_and(|name| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    if whole_reference {
        s(text)
    } else {
        Yaml::String(text.replace("${", "$${"))
    }
}

/// A YAML map from its entries, in order.
pub(crate) fn map<const N: usize>(entries: [(&str, Yaml); N]) -> Yaml {
    let mut h = Hash::new();
    for (k, v) in entries {
        h.insert(s(k), v);
    }
    Yaml::Hash(h)
}

#[cfg(test)]
mod tests;
