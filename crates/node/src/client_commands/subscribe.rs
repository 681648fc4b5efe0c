//! `crossway sub URL TOPIC...`: print each event as one JSON line until `--count` events, a
//! stop signal, or the end of the session.

use std::io::Write;

use clap::{Args, ValueEnum};
use crossway_client::{Client, Event, Subscription};
use crossway_protocol::{Dict, Value};
use futures_util::FutureExt;

use super::connect::ConnectArgs;
use super::json;
use super::outcome::Outcome;
use crate::signals;

/// Events waiting between the subscriptions' readers and the printer. When full, a reader
/// waits, its subscription's queue fills, and the client stops reading from the router (which
/// then closes the session as a slow consumer if this goes on): events are never dropped here.
const PRINT_QUEUE: usize = 1024;

/// How a `crossway sub` topic matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatchPolicy {
    /// The topic exactly (the default).
    Exact,
    /// Every topic that starts with it.
    Prefix,
    /// Every topic whose components equal its non-empty ones (`com..update`).
    Wildcard,
}

/// The arguments of `crossway sub`.
#[derive(Debug, Clone, Args)]
pub struct SubscribeArgs {
    /// The router: ws://, wss://, rs://, rss:// or unix:/path.
    pub url: String,
    /// The topics (or patterns) to subscribe to.
    #[arg(required = true)]
    pub topics: Vec<String>,
    /// How the topics match.
    #[arg(long = "match", value_enum, default_value_t = MatchPolicy::Exact)]
    pub policy: MatchPolicy,
    /// Exit (0) after this many events.
    #[arg(long)]
    pub count: Option<u64>,
    /// Where and how to connect.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

impl SubscribeArgs {
    /// Subscribes to every topic, says so on stderr (`crossway sub: subscribed to ...`: a script
    /// may wait for that line before publishing), then prints events: `{"topic":..,"publication":..,"args":[..],
    /// "kwargs":{..},"details":{..}}`, one a line, flushed at once.
    pub async fn run(self) -> Outcome {
        let stop = match signals::shutdown_signal() {
            Ok(stop) => stop,
            Err(e) => {
                eprintln!("crossway sub: cannot install signal handlers: {e}");
                return Outcome::Unreachable;
            }
        };
        let client = match self.connect.join("sub", &self.url).await {
            Ok(client) => client,
            Err(outcome) => return outcome,
        };
        let (tx, rx) = async_channel::bounded(PRINT_QUEUE);
        for topic in &self.topics {
            match subscribe(&client, topic, self.policy).await {
                Ok(sub) => {
                    crossway_transport::rt::spawn(forward(sub, topic.clone(), tx.clone()));
                }
                Err(e) => {
                    let outcome = Outcome::report("sub", &e);
                    let _ = client.leave().await;
                    return outcome;
                }
            }
        }
        drop(tx);
        eprintln!(
            "crossway sub: subscribed to {} as {} ({}); one JSON line per event follows",
            self.topics.join(", "),
            client.authid().unwrap_or("?"),
            client.authrole().unwrap_or("?"),
        );
        let printed = self.print(&rx).fuse();
        let stop = stop.fuse();
        futures_util::pin_mut!(printed, stop);
        let outcome = futures_util::select! {
            outcome = printed => outcome,
            () = stop => Outcome::Done,
        };
        if !client.is_closed() {
            let _ = client.leave().await;
        }
        outcome
    }

    /// Prints events from `rx` until `--count` is reached (`Done`), the session ends
    /// (`Unreachable`) or stdout is closed (`Done`: `crossway sub ... | head -1`).
    async fn print(&self, rx: &async_channel::Receiver<(String, Event)>) -> Outcome {
        let mut printed = 0u64;
        if self.count == Some(0) {
            return Outcome::Done;
        }
        while let Ok((topic, event)) = rx.recv().await {
            let line = match event_line(&topic, &event) {
                Ok(line) => line,
                Err(e) => {
                    eprintln!("crossway sub: event {}: {e}", event.publication);
                    continue;
                }
            };
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
                return Outcome::Done;
            }
            printed += 1;
            if Some(printed) == self.count {
                return Outcome::Done;
            }
        }
        eprintln!("crossway sub: the session ended");
        Outcome::Unreachable
    }
}

/// Subscribes to `topic` with `policy`.
async fn subscribe(
    client: &Client,
    topic: &str,
    policy: MatchPolicy,
) -> Result<Subscription, crossway_client::ClientError> {
    let mut options = Dict::new();
    match policy {
        MatchPolicy::Exact => {}
        MatchPolicy::Prefix => {
            options.insert("match".to_owned(), Value::from("prefix"));
        }
        MatchPolicy::Wildcard => {
            options.insert("match".to_owned(), Value::from("wildcard"));
        }
    }
    client.subscribe_with(topic, options).await
}

/// Passes a subscription's events on, with the topic subscribed to, until it ends or nobody
/// prints any more.
async fn forward(mut sub: Subscription, topic: String, tx: async_channel::Sender<(String, Event)>) {
    while let Some(event) = sub.next().await {
        if tx.send((topic.clone(), event)).await.is_err() {
            return;
        }
    }
}

/// One event as a JSON line; its topic is the one the router names (pattern subscriptions) or
/// the one subscribed to.
fn event_line(subscribed: &str, event: &Event) -> Result<String, String> {
    let topic = event.topic().unwrap_or(subscribed);
    let (args, kwargs) = json::elements(event.raw.as_ref())?;
    let details = json::dict(&event.details)?;
    Ok(format!(
        r#"{{"topic":{},"publication":{},"args":{args},"kwargs":{kwargs},"details":{details}}}"#,
        serde_json::Value::from(topic),
        event.publication
    ))
}
