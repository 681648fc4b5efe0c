//! The `config` target: the input as a configuration file, loaded with
//! [`crossway_node::config::load`]. Errors are fine; a panic is not. A configuration that
//! loads has at least one realm and one endpoint, each endpoint's message size in range; a
//! failed one renders its problems (as `crossway check` prints them) without panicking.
//!
//! Kept away from the real environment:
//! - the file lives in a temporary folder of its own under `$TMPDIR`, made and removed for
//!   each input (relative TLS paths in the input resolve there, and find nothing);
//! - every `CROSSWAY_*` variable is removed from the process's environment before the first
//!   load, so no override from the shell running the fuzzer changes what is tested;
//! - inputs naming `dev`, `proc` or `sys` are skipped: a TLS file such as `/dev/zero` or
//!   `/dev/stdin` would be read without end (the loader reads TLS files whole; operators
//!   choose those paths, so this is not a bug of the loader, only a hang for the fuzzer).

use std::sync::Once;

use crossway_node::config::{MAX_MAX_MESSAGE_SIZE, MIN_MAX_MESSAGE_SIZE, load};

/// Words whose presence skips an input (see the module's docs).
const SKIP: [&[u8]; 3] = [b"dev", b"proc", b"sys"];

/// The `config` target.
pub fn check(data: &[u8]) {
    if SKIP
        .iter()
        .any(|word| data.windows(word.len()).any(|w| w == *word))
    {
        return;
    }
    static CLEAN_ENV: Once = Once::new();
    CLEAN_ENV.call_once(clear_crossway_env);
    let Ok(dir) = tempfile::Builder::new()
        .prefix("crossway-fuzz-config")
        .tempdir()
    else {
        return;
    };
    let path = dir.path().join("config.yaml");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    match load(&path) {
        Ok(config) => {
            assert!(!config.realms.is_empty(), "a loaded config has a realm");
            assert!(
                !config.endpoints.is_empty(),
                "a loaded config has an endpoint"
            );
            for e in &config.endpoints {
                assert!(
                    (MIN_MAX_MESSAGE_SIZE..=MAX_MAX_MESSAGE_SIZE).contains(&e.max_message_size),
                    "max_message_size in range"
                );
            }
        }
        Err(errors) => {
            assert!(
                !errors.problems.is_empty(),
                "a refused config names a problem"
            );
            let _ = errors.to_string();
        }
    }
}

/// Removes every `CROSSWAY_*` variable from the environment.
fn clear_crossway_env() {
    let names: Vec<_> = std::env::vars_os()
        .map(|(k, _)| k)
        .filter(|k| k.to_string_lossy().starts_with("CROSSWAY_"))
        .collect();
    for name in names {
        // SAFETY: called once, from the fuzzer's only thread that reads the environment, before
        // any configuration is loaded; no other thread of this process calls getenv/setenv.
        unsafe { std::env::remove_var(name) };
    }
}
