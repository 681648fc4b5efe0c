//! The results of RPC runs: one report per run, the medians over runs, the summary line and the
//! JSON (the same accounting as publish/subscribe runs, per call instead of per delivery).

use std::fmt;

use serde::Serialize;

use crate::meter::Usage;
use crate::report::{Latency, group, median, median_of_known, write_latency, write_usage};

/// What one RPC run measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallReport {
    /// The `--label`.
    pub label: String,
    /// The run's number, from 1.
    pub run: usize,
    /// `ws`, `wss`, `rs`, `rss` or `unix`.
    pub transport: String,
    /// The router's URL.
    pub url: String,
    /// The serializer's name.
    pub serializer: String,
    /// Calling sessions.
    pub callers: usize,
    /// Calls each caller kept outstanding.
    pub in_flight: usize,
    /// Payload padding in bytes.
    pub payload: usize,
    /// From the first call to the last answer, in seconds.
    pub seconds: f64,
    /// Calls sent.
    pub calls: u64,
    /// Calls answered with a RESULT (each once).
    pub answered: u64,
    /// Calls answered with an ERROR.
    pub errors: u64,
    /// Answers to calls that were not waiting for one: answered twice, or never sent.
    pub duplicates: u64,
    /// Calls never answered.
    pub lost: u64,
    /// Sampled RESULTs whose arguments were not the call's own.
    pub mismatched: u64,
    /// Invocations the callee answered.
    pub invocations: u64,
    /// Answered calls per second over `seconds`.
    pub calls_per_s: f64,
    /// Round trips (CALL written to RESULT read), in microseconds.
    pub latency_us: Option<Latency>,
    /// The router's CPU seconds during the run (with `--router-pid`).
    pub router_cpu_s: Option<f64>,
    /// The router's CPU microseconds per answered call (with `--router-pid`).
    pub router_cpu_us_per_call: Option<f64>,
    /// This process's CPU seconds during the run.
    pub loadgen_cpu_s: Option<f64>,
    /// CPU seconds that neither the router nor this process used during the run.
    pub other_cpu_s: Option<f64>,
    /// Why a caller stopped early, if one did.
    pub failure: Option<String>,
}

/// Medians over the RPC runs of one invocation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallMedians {
    /// How many runs.
    pub runs: usize,
    /// Median answered calls per second.
    pub calls_per_s: f64,
    /// Median router CPU microseconds per call.
    pub router_cpu_us_per_call: Option<f64>,
    /// Median of each round-trip percentile.
    pub latency_us: Option<Latency>,
    /// Calls lost, summed over the runs.
    pub lost: u64,
    /// Duplicate answers, summed over the runs.
    pub duplicates: u64,
    /// Errors and mismatched echoes, summed over the runs.
    pub errors: u64,
}

/// Everything one RPC invocation writes with `--json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallResults {
    /// Each run.
    pub runs: Vec<CallReport>,
    /// The medians.
    pub median: CallMedians,
}

impl CallReport {
    /// Whether every call was answered exactly once, with its own arguments.
    pub fn exact(&self) -> bool {
        self.answered > 0
            && self.answered == self.calls
            && self.lost == 0
            && self.duplicates == 0
            && self.errors == 0
            && self.mismatched == 0
    }

    /// The usage figures, for the summary line.
    fn usage(&self) -> Usage {
        Usage {
            router_cpu_s: self.router_cpu_s,
            loadgen_cpu_s: self.loadgen_cpu_s,
            other_cpu_s: self.other_cpu_s,
        }
    }
}

impl CallMedians {
    /// The medians of `runs` (at least one).
    pub fn of(runs: &[CallReport]) -> CallMedians {
        CallMedians {
            runs: runs.len(),
            calls_per_s: median(runs.iter().map(|r| r.calls_per_s).collect()),
            router_cpu_us_per_call: median_of_known(runs.iter().map(|r| r.router_cpu_us_per_call)),
            latency_us: Latency::median_of(runs.iter().filter_map(|r| r.latency_us)),
            lost: runs.iter().map(|r| r.lost).sum(),
            duplicates: runs.iter().map(|r| r.duplicates).sum(),
            errors: runs.iter().map(|r| r.errors + r.mismatched).sum(),
        }
    }
}

impl fmt::Display for CallReport {
    /// The one summary line of a run.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.label.is_empty() {
            write!(f, "{} ", self.label)?;
        }
        write!(
            f,
            "{}+{} rpc {}->1 {} B {} in flight run {}: {} calls/s over {:.2} s; \
             answered {} of {}, lost {}, duplicates {}, errors {}, mismatched {}",
            self.transport,
            self.serializer,
            self.callers,
            self.payload,
            self.in_flight,
            self.run,
            group(self.calls_per_s),
            self.seconds,
            self.answered,
            self.calls,
            self.lost,
            self.duplicates,
            self.errors,
            self.mismatched,
        )?;
        write_latency(f, self.latency_us.as_ref())?;
        write_usage(
            f,
            &self.usage(),
            self.router_cpu_us_per_call,
            "call",
            self.seconds,
        )?;
        if let Some(why) = &self.failure {
            write!(f, "; a caller stopped: {why}")?;
        }
        Ok(())
    }
}

impl fmt::Display for CallMedians {
    /// The line of medians.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "median of {} runs: {} calls/s; lost {}, duplicates {}, errors {} in all",
            self.runs,
            group(self.calls_per_s),
            self.lost,
            self.duplicates,
            self.errors
        )?;
        write_latency(f, self.latency_us.as_ref())?;
        if let Some(cpu) = self.router_cpu_us_per_call {
            write!(f, "; router CPU {cpu:.3} µs/call")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(run: usize, calls_per_s: f64) -> CallReport {
        CallReport {
            label: "crossway".into(),
            run,
            transport: "rs".into(),
            url: "rs://127.0.0.1:1".into(),
            serializer: "json".into(),
            callers: 10,
            in_flight: 64,
            payload: 64,
            seconds: 2.0,
            calls: 1000,
            answered: 1000,
            errors: 0,
            duplicates: 0,
            lost: 0,
            mismatched: 0,
            invocations: 1000,
            calls_per_s,
            latency_us: None,
            router_cpu_s: Some(1.0),
            router_cpu_us_per_call: Some(calls_per_s / 1e5),
            loadgen_cpu_s: Some(0.5),
            other_cpu_s: None,
            failure: None,
        }
    }

    #[test]
    fn a_run_is_exact_only_if_every_call_is_answered_once() {
        let good = report(1, 1.0);
        assert!(good.exact());
        for spoil in [
            |r: &mut CallReport| r.lost = 1,
            |r: &mut CallReport| r.duplicates = 1,
            |r: &mut CallReport| r.errors = 1,
            |r: &mut CallReport| r.mismatched = 1,
            |r: &mut CallReport| r.answered = 999,
            |r: &mut CallReport| {
                r.answered = 0;
                r.calls = 0;
            },
        ] {
            let mut r = good.clone();
            spoil(&mut r);
            assert!(!r.exact(), "{r}");
        }
    }

    #[test]
    fn medians_and_the_summary_line() {
        let runs = [
            report(1, 300_000.0),
            report(2, 100_000.0),
            report(3, 200_000.0),
        ];
        let m = CallMedians::of(&runs);
        assert_eq!((m.runs, m.calls_per_s), (3, 200_000.0));
        assert_eq!(m.router_cpu_us_per_call, Some(2.0));
        let line = runs[0].to_string();
        assert!(
            line.starts_with("crossway rs+json rpc 10->1 64 B 64 in flight run 1: 300,000 calls/s"),
            "{line}"
        );
        assert!(line.contains("answered 1000 of 1000, lost 0"), "{line}");
        assert!(
            line.contains("router CPU 3.000 µs/call (50% of a core)"),
            "{line}"
        );
        assert!(m.to_string().contains("200,000 calls/s"), "{m}");
    }
}
