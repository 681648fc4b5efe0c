//! Shared helpers for the configuration tests: a config file in a temporary folder, loaded with
//! an environment given by the test, and a search among its problems.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use crossway_node::config::{self, ConfigErrors, NodeConfig};

/// Writes `text` as `config.yaml` in `dir`.
pub fn write(dir: &tempfile::TempDir, text: &str) -> PathBuf {
    let path = dir.path().join("config.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

/// An environment holding only `vars`.
pub fn env_of<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

/// Loads `text` (written in `dir`) with `vars` as the environment of `${VAR}` references.
pub fn load_in(
    dir: &tempfile::TempDir,
    text: &str,
    vars: &[(&str, &str)],
) -> Result<NodeConfig, ConfigErrors> {
    config::load_with_env(&write(dir, text), &env_of(vars))
}

/// Loads `text` with `vars`, which must succeed.
pub fn loads(text: &str, vars: &[(&str, &str)]) -> NodeConfig {
    let dir = tempfile::tempdir().unwrap();
    load_in(&dir, text, vars).unwrap_or_else(|e| panic!("the config should load: {e}"))
}

/// The problems of `text`, which must be refused.
pub fn errors(text: &str) -> ConfigErrors {
    errors_with(text, &[])
}

/// The problems of `text` loaded with `vars`, which must be refused.
pub fn errors_with(text: &str, vars: &[(&str, &str)]) -> ConfigErrors {
    let dir = tempfile::tempdir().unwrap();
    load_in(&dir, text, vars).expect_err("the config should be refused")
}

/// Whether a problem at `key` and `line` says `words`.
pub fn has(errors: &ConfigErrors, key: &str, line: Option<usize>, words: &str) -> bool {
    errors
        .problems
        .iter()
        .any(|p| p.key == key && p.line == line && p.message.contains(words))
}

/// Development certificates in `dir/certs` (`ca.pem`, `server.pem`, `server.key`, ...).
pub fn dev_certificates(dir: &tempfile::TempDir) {
    let paths = crossway_node::certs::CertPaths::in_dir(&dir.path().join("certs"));
    crossway_node::certs::write_dev_certificates(&paths, &["localhost".to_owned()]).unwrap();
}
