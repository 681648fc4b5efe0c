//! One run: connect the subscribers and publishers, publish, wait for every delivery, measure.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossway_client::{Client, ConnectOptions};
use crossway_transport::rt;
use futures_util::StreamExt;
use futures_util::stream::{self, TryStreamExt};

use crate::bare_publisher::BarePublisher;
use crate::cpu;
use crate::error::LoadError;
use crate::flow::Flow;
use crate::lean::{LeanPlan, LeanSubscriber};
use crate::options::{Options, Pace};
use crate::pacing::Clock;
use crate::payload::Payload;
use crate::publisher::{PacedPublisher, Plan, publish_paced, publish_unpaced};
use crate::report::{Latency, Medians, Results, RunReport};
use crate::subscriber::{self, SubscriberStats, new_histogram};

/// How long subscribers may take to stop once their sessions are closed after a timeout.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// How long leaving every session may take after a run.
const LEAVE_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs `opts.runs` runs, calling `each` with every run's report as it finishes.
pub async fn run_all(
    opts: &Options,
    mut each: impl FnMut(&RunReport),
) -> Result<Results, LoadError> {
    opts.validate()?;
    let mut runs = Vec::with_capacity(opts.runs);
    for run in 1..=opts.runs {
        let report = run_once(opts, run).await?;
        each(&report);
        runs.push(report);
    }
    let median = Medians::of(&runs);
    Ok(Results { runs, median })
}

/// One run with fresh connections.
pub async fn run_once(opts: &Options, run: usize) -> Result<RunReport, LoadError> {
    let clock = Clock::new();
    let connect = opts.connect_options();
    let (results_tx, results) = async_channel::bounded(opts.subscribers.max(1));
    let window = match opts.pace() {
        Pace::Unpaced => opts.window,
        Pace::Rate(_) => 0,
    };
    let flow = Arc::new(Flow::new(window, opts.publishers, opts.subscribers));
    let subscribers = if opts.lean {
        start_lean(opts, clock, &flow, results_tx).await?
    } else {
        start_clients(opts, clock, &flow, &connect, results_tx).await?
    };
    let lean_publishers = match opts.pace() {
        Pace::Rate(_) if opts.lean => connect_bare_publishers(opts).await?,
        _ => Vec::new(),
    };
    let publishers: Vec<Arc<Client>> = if lean_publishers.is_empty() {
        connect_all(opts, "publisher", opts.publishers, &connect)
            .await?
            .into_iter()
            .map(Arc::new)
            .collect()
    } else {
        Vec::new()
    };

    let router_cpu0 = opts.router_pid.and_then(cpu::process_cpu);
    let own_cpu0 = cpu::own_cpu();
    let busy0 = cpu::machine_busy();
    let plan = Plan {
        topic: Arc::from(opts.topic.as_str()),
        payload: Payload::new(opts.payload),
        clock,
        length: opts.length(),
        start_ns: clock.now_ns(),
        flow,
    };
    let sent = publish(opts, &publishers, lean_publishers, &plan).await?;
    let published: u64 = sent.iter().sum();

    // Every publisher's marker is acknowledged: what is still missing is in flight to the
    // subscribers, or lost.
    let mut stats = Vec::with_capacity(opts.subscribers);
    let drain = Duration::from_secs_f64(opts.drain_timeout);
    let deadline = Instant::now() + drain;
    while stats.len() < opts.subscribers {
        let left = deadline.saturating_duration_since(Instant::now());
        match rt::timeout(left, results.recv()).await {
            Ok(Ok(s)) => stats.push(s),
            Ok(Err(_)) => break,
            Err(_) => {
                tracing::warn!(
                    waiting = opts.subscribers - stats.len(),
                    "subscribers still waiting after {drain:?}: counting what they have"
                );
                break;
            }
        }
    }
    let end_ns = clock.now_ns();
    let router_cpu1 = opts.router_pid.and_then(cpu::process_cpu);
    let own_cpu1 = cpu::own_cpu();
    let busy1 = cpu::machine_busy();
    let done = stats.len();
    // Closing the sessions ends the subscriptions of any subscriber still waiting.
    match subscribers {
        Subscribers::Clients(clients) => leave_all(clients).await,
        Subscribers::Lean(stop) => drop(stop),
    }
    leave_all(publishers.into_iter().filter_map(Arc::into_inner).collect()).await;
    if done < opts.subscribers {
        while let Ok(Ok(s)) = rt::timeout(STOP_TIMEOUT, results.recv()).await {
            stats.push(s);
        }
    }

    let delivered: u64 = stats.iter().map(|s| s.delivered).sum();
    let last_ns = stats
        .iter()
        .filter_map(|s| s.last_ns)
        .max()
        .unwrap_or(end_ns);
    let seconds = (last_ns.saturating_sub(plan.start_ns) as f64 / 1e9).max(1e-9);
    let expected = published * opts.subscribers as u64;
    let router_cpu_s = match (router_cpu0, router_cpu1) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a).as_secs_f64()),
        _ => None,
    };
    let loadgen_cpu_s = match (own_cpu0, own_cpu1) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a).as_secs_f64()),
        _ => None,
    };
    let foreign: u64 = stats.iter().map(|s| s.foreign).sum();
    if foreign > 0 {
        tracing::warn!(foreign, "events not from this run were received");
    }
    Ok(RunReport {
        label: opts.label.clone(),
        run,
        transport: opts.transport_name().to_owned(),
        url: opts.url.clone(),
        serializer: opts.serializer.name().to_owned(),
        publishers: opts.publishers,
        subscribers: opts.subscribers,
        payload: opts.payload,
        rate: opts.rate.filter(|r| *r > 0.0),
        seconds,
        published,
        expected,
        delivered,
        lost: i64::try_from(expected).unwrap_or(i64::MAX)
            - i64::try_from(delivered).unwrap_or(i64::MAX),
        publications_per_s: published as f64 / seconds,
        deliveries_per_s: delivered as f64 / seconds,
        latency_us: merged_latency(&stats),
        router_cpu_s,
        router_cpu_us_per_delivery: router_cpu_s
            .filter(|_| delivered > 0)
            .map(|s| s * 1e6 / delivered as f64),
        loadgen_cpu_s,
        other_cpu_s: match (busy0, busy1, loadgen_cpu_s) {
            (Some(a), Some(b), Some(own)) => Some(
                (b.saturating_sub(a).as_secs_f64() - own - router_cpu_s.unwrap_or(0.0)).max(0.0),
            ),
            _ => None,
        },
    })
}

/// The subscribers of a run, as the run must end them.
enum Subscribers {
    /// Full clients: leaving ends their subscriptions.
    Clients(Vec<Client>),
    /// Lean subscribers: closing this ends them.
    Lean(async_channel::Sender<()>),
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
    connect: &ConnectOptions,
    results: async_channel::Sender<SubscriberStats>,
) -> Result<Subscribers, LoadError> {
    let clients = connect_all(opts, "subscriber", opts.subscribers, connect).await?;
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
    let tls = opts.tls_connector()?;
    let tls = tls.as_ref();
    let subs: Vec<LeanSubscriber> = stream::iter(0..opts.subscribers)
        .map(|index| async move {
            LeanSubscriber::subscribe(&opts.url, &opts.realm, opts.serializer, tls, &opts.topic)
                .await
                .map_err(|reason| LoadError::Lean {
                    index,
                    url: opts.url.clone(),
                    reason,
                })
        })
        .buffered(opts.connect_concurrency)
        .try_collect()
        .await?;
    let (stop_tx, stop) = async_channel::bounded::<()>(1);
    for (index, sub) in subs.into_iter().enumerate() {
        let plan = LeanPlan {
            index,
            clock,
            publishers: opts.publishers,
            record: records(opts, index),
            sample: opts.sample,
            flow: Arc::clone(flow),
        };
        let tx = results.clone();
        let stop = stop.clone();
        rt::spawn(async move {
            let stats = sub.receive(plan, stop).await;
            let _ = tx.send(stats).await;
        });
    }
    Ok(Subscribers::Lean(stop_tx))
}

/// Publishes as the options say (paced: through `lean` if there are any, else through the
/// clients); gives what each publisher sent.
async fn publish(
    opts: &Options,
    publishers: &[Arc<Client>],
    lean: Vec<BarePublisher>,
    plan: &Plan,
) -> Result<Vec<u64>, LoadError> {
    match opts.pace() {
        Pace::Unpaced => {
            let tasks: Vec<_> = publishers
                .iter()
                .enumerate()
                .map(|(i, c)| rt::spawn(publish_unpaced(Arc::clone(c), i, plan.clone())))
                .collect();
            let mut sent = Vec::with_capacity(tasks.len());
            for task in tasks {
                sent.push(task.await?);
            }
            Ok(sent)
        }
        Pace::Rate(rate) => {
            let paced: Vec<PacedPublisher> = if lean.is_empty() {
                publishers
                    .iter()
                    .map(|c| PacedPublisher::Client(Arc::clone(c)))
                    .collect()
            } else {
                lean.into_iter()
                    .map(|p| PacedPublisher::Bare(Box::new(p)))
                    .collect()
            };
            let plan = plan.clone();
            let spin = Duration::from_micros(opts.spin_us);
            let pacer = std::thread::Builder::new()
                .name("pacer".to_owned())
                .spawn(move || publish_paced(paced, &plan, rate, spin))
                .map_err(|e| LoadError::Pacer(e.to_string()))?;
            // The thread blocks; wait for it without blocking this task's thread.
            let (tx, rx) = async_channel::bounded(1);
            std::thread::spawn(move || {
                let _ = tx.send_blocking(pacer.join());
            });
            match rx.recv().await {
                Ok(Ok(result)) => result,
                _ => Err(LoadError::Pacer("the pacing thread panicked".to_owned())),
            }
        }
    }
}

/// Connects `opts.publishers` lean publishers, `opts.connect_concurrency` at a time.
async fn connect_bare_publishers(opts: &Options) -> Result<Vec<BarePublisher>, LoadError> {
    let tls = opts.tls_connector()?;
    let tls = tls.as_ref();
    stream::iter(0..opts.publishers)
        .map(|index| async move {
            BarePublisher::connect(&opts.url, &opts.realm, opts.serializer, tls)
                .await
                .map_err(|reason| LoadError::LeanPublish { index, reason })
        })
        .buffered(opts.connect_concurrency)
        .try_collect()
        .await
}

/// Connects `n` sessions, `opts.connect_concurrency` at a time.
async fn connect_all(
    opts: &Options,
    role: &'static str,
    n: usize,
    connect: &ConnectOptions,
) -> Result<Vec<Client>, LoadError> {
    stream::iter(0..n)
        .map(|index| async move {
            Client::connect_with(&opts.url, &opts.realm, opts.serializer, connect.clone())
                .await
                .map_err(|source| LoadError::Connect {
                    role,
                    index,
                    url: opts.url.clone(),
                    source: Box::new(source),
                })
        })
        .buffered(opts.connect_concurrency)
        .try_collect()
        .await
}

/// Leaves every session at once, waiting a bounded time; failures do not matter any more.
async fn leave_all(clients: Vec<Client>) {
    let leaving = futures_util::future::join_all(clients.into_iter().map(Client::leave));
    if rt::timeout(LEAVE_TIMEOUT, leaving).await.is_err() {
        tracing::debug!("some sessions did not close in time");
    }
}

/// The latency of every recording subscriber, merged.
fn merged_latency(stats: &[SubscriberStats]) -> Option<Latency> {
    let mut all = new_histogram()?;
    for h in stats.iter().filter_map(|s| s.latency.as_ref()) {
        if let Err(e) = all.add(h) {
            tracing::warn!(error = %e, "cannot merge a latency histogram");
        }
    }
    Latency::from_histogram(&all)
}
