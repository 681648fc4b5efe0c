//! Setting a run up and taking it down: connecting the subscribers (full clients or lean ones,
//! each counting in its own task) and the publishers, and closing them afterwards.

use std::sync::Arc;
use std::time::Duration;

use crossway_client::{Client, ConnectOptions};
use crossway_transport::rt;
use futures_util::StreamExt;
use futures_util::stream::{self, TryStreamExt};

use crate::error::LoadError;
use crate::flow::Flow;
use crate::lean::{LeanPublisher, LeanSubscriber};
use crate::options::{Options, Pace};
use crate::pacing::Clock;
use crate::subscriber::{self, SubscriberStats};
use crate::tally::{LeanPlan, Tally};

/// How long leaving every session may take after a run.
const LEAVE_TIMEOUT: Duration = Duration::from_secs(10);

/// The subscribers of a run, as the run must end them.
#[derive(Debug)]
pub enum Subscribers {
    /// Full clients: leaving ends their subscriptions.
    Clients(Vec<Client>),
    /// Lean subscribers: closing this ends them.
    Lean(async_channel::Sender<()>),
}

/// The publishers of a run.
#[derive(Debug)]
pub enum Publishers {
    /// Full clients.
    Clients(Vec<Arc<Client>>),
    /// Lean publishers.
    Lean(Vec<LeanPublisher>),
}

impl Subscribers {
    /// Ends every subscriber still receiving.
    pub async fn end(self) {
        match self {
            Subscribers::Clients(clients) => leave_all(clients).await,
            Subscribers::Lean(stop) => drop(stop),
        }
    }
}

/// Connects and subscribes the run's subscribers, each in a task that counts its deliveries
/// into `flow` and sends its stats to `results` when done.
pub async fn start_subscribers(
    opts: &Options,
    clock: Clock,
    flow: &Arc<Flow>,
    results: async_channel::Sender<SubscriberStats>,
) -> Result<Subscribers, LoadError> {
    if opts.lean() {
        start_lean(opts, clock, flow, results).await
    } else {
        start_clients(opts, clock, flow, results).await
    }
}

/// Connects the run's publishers: lean ones with `--lean` (and for NATS and MQTT), full
/// clients otherwise.
pub async fn connect_publishers(opts: &Options) -> Result<Publishers, LoadError> {
    if !opts.lean() {
        let connect = opts.connect_options();
        let clients = connect_all(opts, &opts.url, "publisher", opts.publishers, &connect).await?;
        return Ok(Publishers::Clients(
            clients.into_iter().map(Arc::new).collect(),
        ));
    }
    let connect = &opts.connect_options();
    stream::iter(0..opts.publishers)
        .map(|index| async move {
            LeanPublisher::connect(opts, connect)
                .await
                .map_err(|reason| LoadError::LeanPublish { index, reason })
        })
        .buffered(opts.connect_concurrency)
        .try_collect()
        .await
        .map(Publishers::Lean)
}

/// Leaves every session at once, waiting a bounded time; failures do not matter any more.
pub async fn leave_all(clients: Vec<Client>) {
    let leaving = futures_util::future::join_all(clients.into_iter().map(Client::leave));
    if rt::timeout(LEAVE_TIMEOUT, leaving).await.is_err() {
        tracing::debug!("some sessions did not close in time");
    }
}

/// The window of a run: `--window` unpaced, none when paced.
pub fn window(opts: &Options) -> u64 {
    match opts.pace() {
        Pace::Unpaced => opts.window,
        Pace::Rate(_) => 0,
    }
}

/// Every `every`-th subscriber records latency (at most `--latency-subscribers` of them).
fn records(opts: &Options, index: usize) -> bool {
    let every = opts
        .subscribers
        .div_ceil(opts.latency_subscribers.max(1))
        .max(1);
    opts.latency_subscribers > 0 && index.is_multiple_of(every)
}

/// Connects and subscribes full clients, each with a task counting its deliveries.
async fn start_clients(
    opts: &Options,
    clock: Clock,
    flow: &Arc<Flow>,
    results: async_channel::Sender<SubscriberStats>,
) -> Result<Subscribers, LoadError> {
    let connect = opts.connect_options();
    let url = opts.subscriber_url();
    let clients = connect_all(opts, url, "subscriber", opts.subscribers, &connect).await?;
    for (index, client) in clients.iter().enumerate() {
        let sub = client
            .subscribe(&opts.topic)
            .await
            .map_err(|source| LoadError::Subscribe {
                index,
                source: Box::new(source),
            })?;
        let record = records(opts, index);
        let tx = results.clone();
        let publishers = opts.publishers;
        let flow = Arc::clone(flow);
        rt::spawn(async move {
            let stats = subscriber::receive(sub, index, clock, publishers, record, flow).await;
            let _ = tx.send(stats).await;
        });
    }
    Ok(Subscribers::Clients(clients))
}

/// Connects and subscribes lean subscribers, each counting in its own task.
async fn start_lean(
    opts: &Options,
    clock: Clock,
    flow: &Arc<Flow>,
    results: async_channel::Sender<SubscriberStats>,
) -> Result<Subscribers, LoadError> {
    let connect = &opts.connect_options();
    let subs: Vec<LeanSubscriber> = stream::iter(0..opts.subscribers)
        .map(|index| async move {
            LeanSubscriber::subscribe(opts, connect)
                .await
                .map_err(|reason| LoadError::Lean {
                    index,
                    url: opts.subscriber_url().to_owned(),
                    reason,
                })
        })
        .buffered(opts.connect_concurrency)
        .try_collect()
        .await?;
    let (stop_tx, stop) = async_channel::bounded::<()>(1);
    for (index, sub) in subs.into_iter().enumerate() {
        let tally = Tally::new(LeanPlan {
            index,
            clock,
            publishers: opts.publishers,
            record: records(opts, index),
            sample: opts.sample,
            flow: Arc::clone(flow),
        });
        let tx = results.clone();
        let stop = stop.clone();
        rt::spawn(async move {
            let stats = sub.receive(tally, stop).await;
            let _ = tx.send(stats).await;
        });
    }
    Ok(Subscribers::Lean(stop_tx))
}

/// Connects `n` full clients to `url`, `opts.connect_concurrency` at a time.
async fn connect_all(
    opts: &Options,
    url: &str,
    role: &'static str,
    n: usize,
    connect: &ConnectOptions,
) -> Result<Vec<Client>, LoadError> {
    stream::iter(0..n)
        .map(|index| async move {
            Client::connect_with(url, &opts.realm, opts.serializer, connect.clone())
                .await
                .map_err(|source| LoadError::Connect {
                    role,
                    index,
                    url: url.to_owned(),
                    source: Box::new(source),
                })
        })
        .buffered(opts.connect_concurrency)
        .try_collect()
        .await
}
