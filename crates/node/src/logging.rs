//! Logs to stderr through `tracing`: `RUST_LOG` wins, then the config's `log_level`, then `info`.
//!
//! As text (the default), colours only when stderr is a terminal and `NO_COLOR` is unset. As
//! JSON (`log_format: json`), one object per line: `timestamp`, `level`, `target`, the event's
//! fields (`message` among them) at the top level, and the connection's span fields under
//! `span` (`id`, the session; `peer`, `proxy`, `endpoint`, `realm`, `authid`, `cert`), so that a
//! log collector can index them.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber. Calling it twice is harmless (the second call does nothing).
pub fn init(config_level: Option<&str>) {
    init_with(config_level, LogFormat::Text);
}

/// [`init`], writing lines in `format`.
pub fn init_with(config_level: Option<&str>, format: LogFormat) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => EnvFilter::try_new(spec),
        _ => EnvFilter::try_new(config_level.unwrap_or("info")),
    }
    .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}
