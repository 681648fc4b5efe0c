//! The `crossway-loadgen` command: runs the load (publish/subscribe, RPC with `--rpc`, or idle
//! sessions with `--idle`), prints one summary line per run (and the medians), writes JSON with
//! `--json`.

use std::fmt::Display;
use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use crossway_loadgen::idle::run_idle;
use crossway_loadgen::rpc::run_rpc_all;
use crossway_loadgen::rpc_report::CallReport;
use crossway_loadgen::{LoadError, Options, run_all};
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
    if opts.rpc {
        return match rt::block_on(run_rpc_all(&opts, |report| println!("{report}"))) {
            Ok(results) => {
                let exact = results.runs.iter().all(CallReport::exact);
                let why = "a run lost, repeated or failed calls, or answered none";
                finish(
                    &opts,
                    &results,
                    results.runs.len(),
                    &results.median,
                    exact,
                    why,
                )
            }
            Err(e) => failed(&e),
        };
    }
    match rt::block_on(run_all(&opts, |report| println!("{report}"))) {
        Ok(results) => {
            let complete = results.runs.iter().all(|r| r.delivered > 0 && r.lost == 0);
            let why = "a run lost deliveries or delivered nothing";
            finish(
                &opts,
                &results,
                results.runs.len(),
                &results.median,
                complete,
                why,
            )
        }
        Err(e) => failed(&e),
    }
}

/// Prints the medians (of more than one run), writes the JSON, and decides the exit status:
/// with `--check`, failure unless `complete` (else `why`).
fn finish(
    opts: &Options,
    results: &impl Serialize,
    runs: usize,
    median: &impl Display,
    complete: bool,
    why: &str,
) -> ExitCode {
    if runs > 1 {
        println!("{median}");
    }
    if let Some(path) = &opts.json
        && let Err(e) = write_json(path, results)
    {
        return failed(&e);
    }
    if opts.check && !complete {
        eprintln!("crossway-loadgen: --check: {why}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Reports an error that stops the generator.
fn failed(e: &LoadError) -> ExitCode {
    eprintln!("crossway-loadgen: {}", chain(e));
    ExitCode::FAILURE
}

/// The idle-sessions mode: prints and writes its report.
fn idle(opts: &Options, count: usize) -> ExitCode {
    let report = match rt::block_on(run_idle(opts, count)) {
        Ok(report) => report,
        Err(e) => return failed(&e),
    };
    println!("{report}");
    let complete = report.held == report.wanted;
    finish(
        opts,
        &report,
        1,
        &"",
        complete,
        "not every idle session joined",
    )
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
