//! `crossway call URL PROCEDURE [ARGS...]`: call once, print the result as a JSON line.

use std::time::Duration;

use clap::Args;
use crossway_client::{CallOptions, CallResult};

use super::connect::ConnectArgs;
use super::json::{self, PayloadArgs};
use super::outcome::Outcome;

/// The arguments of `crossway call`.
#[derive(Debug, Clone, Args)]
pub struct CallArgs {
    /// The router: ws://, wss://, rs://, rss:// or unix:/path.
    pub url: String,
    /// The procedure to call.
    pub procedure: String,
    /// The payload.
    #[command(flatten)]
    pub payload: PayloadArgs,
    /// The call's time limit in seconds (default 60), enforced by the router (`timeout`, the
    /// call ends with `wamp.error.canceled`); the client waits a little longer for the answer.
    #[arg(long)]
    pub timeout: Option<f64>,
    /// Ask for progressive results and print each as it comes (`"progress":true`).
    #[arg(long)]
    pub progress: bool,
    /// Where and how to connect.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

impl CallArgs {
    /// Calls, prints `{"args":[..],"kwargs":{..}}` for the result, and leaves.
    pub async fn run(self) -> Outcome {
        let Ok(payload) = self.payload.payload("call") else {
            return Outcome::Usage;
        };
        let mut options = CallOptions::default();
        if let Some(secs) = self.timeout {
            match Duration::try_from_secs_f64(secs) {
                Ok(limit) if !limit.is_zero() => options = options.with_timeout(Some(limit)),
                _ => {
                    eprintln!("crossway call: --timeout must be a positive number of seconds");
                    return Outcome::Usage;
                }
            }
        }
        if self.progress {
            options = options.with_progress();
        }
        let client = match self.connect.join("call", &self.url).await {
            Ok(client) => client,
            Err(outcome) => return outcome,
        };
        let outcome = match client.call_payload(&self.procedure, payload, options).await {
            Ok(mut call) => {
                let mut outcome = Outcome::Unreachable;
                while let Some(answer) = call.next().await {
                    outcome = match answer {
                        Ok(result) => print(&result),
                        Err(e) => Outcome::report("call", &e),
                    };
                }
                outcome
            }
            Err(e) => Outcome::report("call", &e),
        };
        if !client.is_closed() {
            let _ = client.leave().await;
        }
        outcome
    }
}

/// Prints one result as a JSON line.
fn print(result: &CallResult) -> Outcome {
    match json::elements(result.raw.as_ref()) {
        Ok((args, kwargs)) => {
            let progress = if result.is_progress() {
                r#","progress":true"#
            } else {
                ""
            };
            println!(r#"{{"args":{args},"kwargs":{kwargs}{progress}}}"#);
            Outcome::Done
        }
        Err(e) => {
            eprintln!("crossway call: {e}");
            Outcome::Unreachable
        }
    }
}
