//! The `crossway` binary.

use std::process::ExitCode;

use clap::Parser;
use crossway_node::cli::Cli;

fn main() -> ExitCode {
    Cli::parse().execute()
}
