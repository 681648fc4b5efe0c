//! One publish/subscribe run: connect the subscribers and publishers, publish, wait for every
//! delivery, measure.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossway_client::Client;
use crossway_transport::rt;

use crate::error::LoadError;
use crate::flow::Flow;
use crate::meter::Meter;
use crate::options::{Options, Pace};
use crate::pacing::Clock;
use crate::payload::Payload;
use crate::publisher::{PacedPublisher, Plan, publish_lean, publish_paced, publish_unpaced};
use crate::report::{Latency, Medians, Results, RunReport};
use crate::setup::{self, Publishers};

/// How long subscribers may take to stop once their sessions are closed after a timeout.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs `opts.runs` runs, calling `each` with every run's report as it finishes.
pub async fn run_all(
    opts: &Options,
    mut each: impl FnMut(&RunReport),
) -> Result<Results, LoadError> {
    let runs = repeat(opts, |run| run_once(opts, run), &mut each).await?;
    let median = Medians::of(&runs);
    Ok(Results { runs, median })
}

/// Validates `opts`, then runs `once` for runs 1 to `opts.runs`, in turn, calling `each` with
/// every report as it comes: the loop of publish/subscribe and RPC runs alike.
pub async fn repeat<R, F: Future<Output = Result<R, LoadError>>>(
    opts: &Options,
    mut once: impl FnMut(usize) -> F,
    mut each: impl FnMut(&R),
) -> Result<Vec<R>, LoadError> {
    opts.validate()?;
    let mut runs = Vec::with_capacity(opts.runs);
    for run in 1..=opts.runs {
        let report = once(run).await?;
        each(&report);
        runs.push(report);
    }
    Ok(runs)
}

/// One run with fresh connections.
pub async fn run_once(opts: &Options, run: usize) -> Result<RunReport, LoadError> {
    let clock = Clock::new();
    let (results_tx, results) = async_channel::bounded(opts.subscribers.max(1));
    let flow = Arc::new(Flow::new(
        setup::window(opts),
        opts.publishers,
        opts.subscribers,
    ));
    let subscribers = setup::start_subscribers(opts, clock, &flow, results_tx).await?;
    let publishers = setup::connect_publishers(opts).await?;

    let meter = Meter::start(opts.router_pid);
    let plan = Plan {
        topic: Arc::from(opts.topic.as_str()),
        payload: Payload::new(opts.payload),
        clock,
        length: opts.length(),
        start_ns: clock.now_ns(),
        flow,
    };
    let (sent, clients) = publish(opts, publishers, &plan).await?;
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
    let usage = meter.stop();
    let done = stats.len();
    // Closing the sessions ends the subscriptions of any subscriber still waiting.
    subscribers.end().await;
    setup::leave_all(clients).await;
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
    let foreign: u64 = stats.iter().map(|s| s.foreign).sum();
    if foreign > 0 {
        tracing::warn!(foreign, "events not from this run were received");
    }
    Ok(RunReport {
        label: opts.label.clone(),
        run,
        protocol: opts.protocol().name().to_owned(),
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
        latency_us: Latency::merged(stats.iter().filter_map(|s| s.latency.as_ref())),
        router_cpu_s: usage.router_cpu_s,
        router_cpu_us_per_delivery: usage.router_us_per(delivered),
        loadgen_cpu_s: usage.loadgen_cpu_s,
        other_cpu_s: usage.other_cpu_s,
    })
}

/// Publishes as the options say: unpaced, one task per publisher; paced, from the pacing
/// thread. Gives what each publisher sent, and the full clients to leave once the run is
/// measured.
async fn publish(
    opts: &Options,
    publishers: Publishers,
    plan: &Plan,
) -> Result<(Vec<u64>, Vec<Client>), LoadError> {
    let Pace::Rate(rate) = opts.pace() else {
        return publish_unpaced_all(publishers, plan).await;
    };
    let (paced, clients): (Vec<PacedPublisher>, Vec<Arc<Client>>) = match publishers {
        Publishers::Clients(clients) => (
            clients
                .iter()
                .cloned()
                .map(PacedPublisher::Client)
                .collect(),
            clients,
        ),
        Publishers::Lean(lean) => (
            lean.into_iter()
                .map(|p| PacedPublisher::Lean(Box::new(p)))
                .collect(),
            Vec::new(),
        ),
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
    let sent = match rx.recv().await {
        Ok(Ok(result)) => result?,
        _ => return Err(LoadError::Pacer("the pacing thread panicked".to_owned())),
    };
    Ok((
        sent,
        clients.into_iter().filter_map(Arc::into_inner).collect(),
    ))
}

/// Unpaced: one task per publisher.
async fn publish_unpaced_all(
    publishers: Publishers,
    plan: &Plan,
) -> Result<(Vec<u64>, Vec<Client>), LoadError> {
    let (tasks, clients): (Vec<_>, _) = match publishers {
        Publishers::Clients(clients) => (
            clients
                .iter()
                .enumerate()
                .map(|(i, c)| rt::spawn(publish_unpaced(Arc::clone(c), i, plan.clone())))
                .collect(),
            clients,
        ),
        Publishers::Lean(lean) => (
            lean.into_iter()
                .enumerate()
                .map(|(i, p)| rt::spawn(publish_lean(p, i, plan.clone())))
                .collect(),
            Vec::new(),
        ),
    };
    let mut sent = Vec::with_capacity(tasks.len());
    for task in tasks {
        sent.push(task.await?);
    }
    Ok((
        sent,
        clients.into_iter().filter_map(Arc::into_inner).collect(),
    ))
}
