//! `crossway pub URL TOPIC [ARGS...]`: publish once, acknowledged, and leave.

use clap::Args;
use crossway_protocol::{Dict, Value};

use super::connect::ConnectArgs;
use super::json::PayloadArgs;
use super::outcome::Outcome;

/// The arguments of `crossway pub`.
#[derive(Debug, Clone, Args)]
pub struct PublishArgs {
    /// The router: ws://, wss://, rs://, rss:// or unix:/path.
    pub url: String,
    /// The topic to publish to.
    pub topic: String,
    /// The payload.
    #[command(flatten)]
    pub payload: PayloadArgs,
    /// Ask the router to keep the event for later subscribers (`retain`).
    #[arg(long)]
    pub retain: bool,
    /// Print the publication id the router gave.
    #[arg(long)]
    pub print_id: bool,
    /// Where and how to connect.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

impl PublishArgs {
    /// Publishes with `acknowledge`, so that a refusal is seen (and exits 1), then leaves.
    pub async fn run(self) -> Outcome {
        let Ok(payload) = self.payload.payload("pub") else {
            return Outcome::Usage;
        };
        let client = match self.connect.join("pub", &self.url).await {
            Ok(client) => client,
            Err(outcome) => return outcome,
        };
        let mut options = Dict::new();
        options.insert("acknowledge".to_owned(), Value::Bool(true));
        if self.retain {
            options.insert("retain".to_owned(), Value::Bool(true));
        }
        let outcome = match client.publish_payload(&self.topic, options, payload).await {
            Ok(id) => {
                if let (true, Some(id)) = (self.print_id, id) {
                    println!("{id}");
                }
                Outcome::Done
            }
            Err(e) => Outcome::report("pub", &e),
        };
        // The publication is acknowledged: a failure to leave politely changes nothing.
        let _ = client.leave().await;
        outcome
    }
}
