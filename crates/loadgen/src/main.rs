//! The `crossway-loadgen` command: runs the load, prints one summary line per run (and the
//! medians), writes JSON with `--json`.

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use crossway_loadgen::idle::run_idle;
use crossway_loadgen::{LoadError, Options, Results, run_all};
use crossway_transport::rt;
use serde::Serialize;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let opts = Options::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Some(count) = opts.idle {
        return idle(&opts, count);
    }
    match rt::block_on(run_all(&opts, |report| println!("{report}"))) {
        Ok(results) => finish(&opts, &results),
        Err(e) => {
            eprintln!("crossway-loadgen: {}", chain(&e));
            ExitCode::FAILURE
        }
    }
}

/// Prints the medians, writes the JSON, and decides the exit status.
fn finish(opts: &Options, results: &Results) -> ExitCode {
    if results.runs.len() > 1 {
        println!("{}", results.median);
    }
    if let Some(path) = &opts.json
        && let Err(e) = write_json(path, results)
    {
        eprintln!("crossway-loadgen: {}", chain(&e));
        return ExitCode::FAILURE;
    }
    let complete = results.runs.iter().all(|r| r.delivered > 0 && r.lost == 0);
    if opts.check && !complete {
        eprintln!("crossway-loadgen: --check: a run lost deliveries or delivered nothing");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// The idle-sessions mode: prints and writes its report.
fn idle(opts: &Options, count: usize) -> ExitCode {
    let report = match rt::block_on(run_idle(opts, count)) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("crossway-loadgen: {}", chain(&e));
            return ExitCode::FAILURE;
        }
    };
    println!("{report}");
    if let Some(path) = &opts.json
        && let Err(e) = write_json(path, &report)
    {
        eprintln!("crossway-loadgen: {}", chain(&e));
        return ExitCode::FAILURE;
    }
    if opts.check && report.held < report.wanted {
        eprintln!("crossway-loadgen: --check: not every idle session joined");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Writes `value` as pretty JSON to `path`.
fn write_json(path: &Path, value: &impl Serialize) -> Result<(), LoadError> {
    serde_json::to_vec_pretty(value)
        .map_err(std::io::Error::other)
        .and_then(|json| std::fs::write(path, json))
        .map_err(|source| LoadError::Write {
            path: path.display().to_string(),
            source,
        })
}

/// An error and its sources, `: `-separated.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
