//! One RPC run: register the lean callee, connect the lean callers, let each keep its window
//! of calls outstanding for the run's length, wait for the last answers, measure.

use std::time::{Duration, Instant};

use crossway_transport::rt;
use futures_util::StreamExt;
use futures_util::stream::{self, TryStreamExt};

use crate::bare_callee::BareCallee;
use crate::bare_caller::{BareCaller, CallPlan, CallerStats};
use crate::error::LoadError;
use crate::meter::Meter;
use crate::options::{Length, Options};
use crate::pacing::Clock;
use crate::payload::Payload;
use crate::report::Latency;
use crate::rpc_report::{CallMedians, CallReport, CallResults};
use crate::run::repeat;

/// Beyond its length and the drain time, how long a run may take before its callers are
/// stopped.
const RUN_SLACK: Duration = Duration::from_secs(10);
/// The length assumed for a run of `--count` calls, to bound it.
const COUNT_RUN_BOUND: Duration = Duration::from_secs(60);
/// How long the callee and stopped callers may take to end.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs `opts.runs` RPC runs, calling `each` with every run's report as it finishes.
pub async fn run_rpc_all(
    opts: &Options,
    mut each: impl FnMut(&CallReport),
) -> Result<CallResults, LoadError> {
    let runs = repeat(opts, |run| run_rpc_once(opts, run), &mut each).await?;
    let median = CallMedians::of(&runs);
    Ok(CallResults { runs, median })
}

/// One RPC run with fresh sessions.
pub async fn run_rpc_once(opts: &Options, run: usize) -> Result<CallReport, LoadError> {
    let connect = &opts.connect_options();
    let failed = |role: &'static str, index: usize| {
        move |reason: String| LoadError::Rpc {
            role,
            index,
            reason,
        }
    };
    let callee = BareCallee::register(
        opts.subscriber_url(),
        &opts.realm,
        opts.serializer,
        connect,
        &opts.procedure,
    )
    .await
    .map_err(failed("callee", 0))?;
    let (stop_callee, callee_stop) = async_channel::bounded::<()>(1);
    let callee = rt::spawn(callee.serve(callee_stop));
    let callers: Vec<BareCaller> = stream::iter(0..opts.callers)
        .map(|index| async move {
            BareCaller::connect(
                &opts.url,
                &opts.realm,
                opts.serializer,
                connect,
                &opts.procedure,
            )
            .await
            .map_err(failed("caller", index))
        })
        .buffered(opts.connect_concurrency)
        .try_collect()
        .await?;

    let clock = Clock::new();
    let plan = CallPlan {
        clock,
        length: opts.length(),
        start_ns: clock.now_ns(),
        in_flight: opts.in_flight,
        payload: Payload::new(opts.payload),
        drain: Duration::from_secs_f64(opts.drain_timeout),
        sample: opts.sample,
    };
    let meter = Meter::start(opts.router_pid);
    let (stop_callers, callers_stop) = async_channel::bounded::<()>(1);
    let (results_tx, results) = async_channel::bounded(opts.callers.max(1));
    for caller in callers {
        let (plan, stop, tx) = (plan.clone(), callers_stop.clone(), results_tx.clone());
        rt::spawn(async move {
            let _ = tx.send(caller.call(plan, stop).await).await;
        });
    }
    drop(results_tx);
    let stats = collect(opts, &plan, &results, stop_callers).await;
    let end_ns = clock.now_ns();
    let usage = meter.stop();
    drop(stop_callee);
    let invocations = rt::timeout(STOP_TIMEOUT, callee).await.unwrap_or(0);

    let sum = |f: fn(&CallerStats) -> u64| stats.iter().map(f).sum::<u64>();
    let answered = sum(|s| s.answered);
    let last_ns = stats
        .iter()
        .filter_map(|s| s.last_ns)
        .max()
        .unwrap_or(end_ns);
    let seconds = (last_ns.saturating_sub(plan.start_ns) as f64 / 1e9).max(1e-9);
    Ok(CallReport {
        label: opts.label.clone(),
        run,
        transport: opts.transport_name().to_owned(),
        url: opts.url.clone(),
        serializer: opts.serializer.name().to_owned(),
        callers: opts.callers,
        in_flight: opts.in_flight,
        payload: opts.payload,
        seconds,
        calls: sum(|s| s.sent),
        answered,
        errors: sum(|s| s.errors),
        duplicates: sum(|s| s.duplicates),
        lost: sum(|s| s.unanswered),
        mismatched: sum(|s| s.mismatched),
        invocations,
        calls_per_s: answered as f64 / seconds,
        latency_us: Latency::merged(stats.iter().filter_map(|s| s.latency.as_ref())),
        router_cpu_s: usage.router_cpu_s,
        router_cpu_us_per_call: usage.router_us_per(answered),
        loadgen_cpu_s: usage.loadgen_cpu_s,
        other_cpu_s: usage.other_cpu_s,
        failure: match opts.callers - stats.len() {
            0 => stats.iter().find_map(|s| s.failure.clone()),
            missing => Some(format!("{missing} callers did not report")),
        },
    })
}

/// Waits for every caller's stats, at most the run's length, the drain time and some slack;
/// then stops the callers still going and takes what they report.
async fn collect(
    opts: &Options,
    plan: &CallPlan,
    results: &async_channel::Receiver<CallerStats>,
    stop: async_channel::Sender<()>,
) -> Vec<CallerStats> {
    let length = match plan.length {
        Length::Duration(d) => d,
        Length::Count(_) => COUNT_RUN_BOUND,
    };
    let deadline = Instant::now() + length + plan.drain + RUN_SLACK;
    let mut stats = Vec::with_capacity(opts.callers);
    while stats.len() < opts.callers {
        let left = deadline.saturating_duration_since(Instant::now());
        match rt::timeout(left, results.recv()).await {
            Ok(Ok(s)) => stats.push(s),
            Ok(Err(_)) => break,
            Err(_) => {
                tracing::warn!(
                    waiting = opts.callers - stats.len(),
                    "callers still calling at the run's end: stopping them"
                );
                break;
            }
        }
    }
    drop(stop);
    while stats.len() < opts.callers {
        match rt::timeout(STOP_TIMEOUT, results.recv()).await {
            Ok(Ok(s)) => stats.push(s),
            _ => break,
        }
    }
    stats
}
