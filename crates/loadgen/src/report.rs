//! The results: one report per run, the medians over runs, the summary line and the JSON.

use std::fmt;

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::meter::Usage;
use crate::subscriber::new_histogram;

/// What one run measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunReport {
    /// The `--label`.
    pub label: String,
    /// The run's number, from 1.
    pub run: usize,
    /// `wamp`, `nats` or `mqtt`.
    pub protocol: String,
    /// `ws`, `wss`, `rs`, `rss` or `unix`; `tcp` for NATS and MQTT.
    pub transport: String,
    /// The router's URL.
    pub url: String,
    /// The serializer's name.
    pub serializer: String,
    /// Publishing sessions.
    pub publishers: usize,
    /// Subscribing sessions.
    pub subscribers: usize,
    /// Payload padding in bytes.
    pub payload: usize,
    /// The total rate asked for (publications/s); `None`: unpaced.
    pub rate: Option<f64>,
    /// From the first publication to the last delivery, in seconds.
    pub seconds: f64,
    /// Publications sent (acknowledged markers excluded).
    pub published: u64,
    /// Deliveries expected: publications times subscribers.
    pub expected: u64,
    /// Deliveries counted by the subscribers.
    pub delivered: u64,
    /// `expected - delivered` (negative if something arrived twice).
    pub lost: i64,
    /// Publications per second over `seconds`.
    pub publications_per_s: f64,
    /// Deliveries per second over `seconds`.
    pub deliveries_per_s: f64,
    /// Latency percentiles, in microseconds.
    pub latency_us: Option<Latency>,
    /// The router's CPU seconds during the run (with `--router-pid`).
    pub router_cpu_s: Option<f64>,
    /// The router's CPU microseconds per delivery (with `--router-pid`).
    pub router_cpu_us_per_delivery: Option<f64>,
    /// This process's CPU seconds during the run.
    pub loadgen_cpu_s: Option<f64>,
    /// CPU seconds that neither the router (with `--router-pid`) nor this process used during
    /// the run, on every core: other work on the machine, which skews the figures.
    pub other_cpu_s: Option<f64>,
}

/// Latency percentiles in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    /// Deliveries recorded.
    pub samples: u64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// The largest.
    pub max: f64,
}

/// Medians over the runs of one invocation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Medians {
    /// How many runs.
    pub runs: usize,
    /// Median deliveries per second.
    pub deliveries_per_s: f64,
    /// Median publications per second.
    pub publications_per_s: f64,
    /// Median router CPU microseconds per delivery.
    pub router_cpu_us_per_delivery: Option<f64>,
    /// Median of each latency percentile.
    pub latency_us: Option<Latency>,
    /// Deliveries lost, summed over the runs.
    pub lost: i64,
}

/// Everything one invocation writes with `--json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    /// Each run.
    pub runs: Vec<RunReport>,
    /// The medians.
    pub median: Medians,
}

impl Latency {
    /// Percentiles of a histogram of nanoseconds; `None` if it is empty.
    pub fn from_histogram(h: &Histogram<u64>) -> Option<Latency> {
        if h.is_empty() {
            return None;
        }
        let us = |ns: u64| ns as f64 / 1000.0;
        Some(Latency {
            samples: h.len(),
            p50: us(h.value_at_quantile(0.50)),
            p90: us(h.value_at_quantile(0.90)),
            p99: us(h.value_at_quantile(0.99)),
            p999: us(h.value_at_quantile(0.999)),
            max: us(h.max()),
        })
    }
}

impl Latency {
    /// The percentiles of several histograms merged; `None` if they are all empty.
    pub fn merged<'a>(histograms: impl Iterator<Item = &'a Histogram<u64>>) -> Option<Latency> {
        let mut all = new_histogram()?;
        for h in histograms {
            if let Err(e) = all.add(h) {
                tracing::warn!(error = %e, "cannot merge a latency histogram");
            }
        }
        Latency::from_histogram(&all)
    }

    /// The median of each percentile over runs (samples summed); `None` for no runs.
    pub fn median_of(runs: impl Iterator<Item = Latency>) -> Option<Latency> {
        let lat: Vec<Latency> = runs.collect();
        let lat_median = |f: fn(&Latency) -> f64| median(lat.iter().map(f).collect());
        (!lat.is_empty()).then(|| Latency {
            samples: lat.iter().map(|l| l.samples).sum(),
            p50: lat_median(|l| l.p50),
            p90: lat_median(|l| l.p90),
            p99: lat_median(|l| l.p99),
            p999: lat_median(|l| l.p999),
            max: lat_median(|l| l.max),
        })
    }
}

impl Medians {
    /// The medians of `runs` (at least one).
    pub fn of(runs: &[RunReport]) -> Medians {
        Medians {
            runs: runs.len(),
            deliveries_per_s: median(runs.iter().map(|r| r.deliveries_per_s).collect()),
            publications_per_s: median(runs.iter().map(|r| r.publications_per_s).collect()),
            router_cpu_us_per_delivery: median_of_known(
                runs.iter().map(|r| r.router_cpu_us_per_delivery),
            ),
            latency_us: Latency::median_of(runs.iter().filter_map(|r| r.latency_us)),
            lost: runs.iter().map(|r| r.lost).sum(),
        }
    }
}

impl fmt::Display for RunReport {
    /// The one summary line of a run.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.label.is_empty() {
            write!(f, "{} ", self.label)?;
        }
        let pace = match self.rate {
            Some(r) => format!("{} pub/s", group(r)),
            None => "unpaced".to_owned(),
        };
        if self.protocol == "wamp" {
            write!(f, "{}+{}", self.transport, self.serializer)?;
        } else {
            f.write_str(&self.protocol)?;
        }
        write!(
            f,
            " {}->{} {} B {} run {}: {} deliveries/s ({} pub/s) over {:.2} s; lost {} of {}",
            self.publishers,
            self.subscribers,
            self.payload,
            pace,
            self.run,
            group(self.deliveries_per_s),
            group(self.publications_per_s),
            self.seconds,
            self.lost,
            self.expected,
        )?;
        write_latency(f, self.latency_us.as_ref())?;
        let usage = Usage {
            router_cpu_s: self.router_cpu_s,
            loadgen_cpu_s: self.loadgen_cpu_s,
            other_cpu_s: self.other_cpu_s,
        };
        write_usage(
            f,
            &usage,
            self.router_cpu_us_per_delivery,
            "delivery",
            self.seconds,
        )
    }
}

/// `; router CPU .. µs/<unit> (..% of a core); loadgen CPU ..%; other CPU ..%`, as far as known.
pub(crate) fn write_usage(
    f: &mut fmt::Formatter<'_>,
    usage: &Usage,
    per_unit: Option<f64>,
    unit: &str,
    seconds: f64,
) -> fmt::Result {
    let share = |cpu: f64| 100.0 * cpu / seconds.max(1e-9);
    match (per_unit, usage.router_cpu_s) {
        (Some(per), Some(all)) => write!(
            f,
            "; router CPU {per:.3} µs/{unit} ({:.0}% of a core)",
            share(all)
        )?,
        (None, Some(all)) => write!(f, "; router CPU {:.0}% of a core", share(all))?,
        _ => {}
    }
    if let Some(cpu) = usage.loadgen_cpu_s {
        write!(f, "; loadgen CPU {:.0}%", share(cpu))?;
    }
    if let Some(other) = usage.other_cpu_s {
        write!(f, "; other CPU {:.0}%", share(other))?;
    }
    Ok(())
}

impl fmt::Display for Medians {
    /// The line of medians.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "median of {} runs: {} deliveries/s ({} pub/s); lost {} in all",
            self.runs,
            group(self.deliveries_per_s),
            group(self.publications_per_s),
            self.lost
        )?;
        write_latency(f, self.latency_us.as_ref())?;
        if let Some(cpu) = self.router_cpu_us_per_delivery {
            write!(f, "; router CPU {cpu:.3} µs/delivery")?;
        }
        Ok(())
    }
}

/// `; latency µs p50 .. max ..`, if there is any.
pub(crate) fn write_latency(f: &mut fmt::Formatter<'_>, l: Option<&Latency>) -> fmt::Result {
    match l {
        Some(l) => write!(
            f,
            "; latency µs p50 {:.1} p90 {:.1} p99 {:.1} p99.9 {:.1} max {:.1}",
            l.p50, l.p90, l.p99, l.p999, l.max
        ),
        None => Ok(()),
    }
}

/// The median (the mean of the middle two for an even count); 0 for none.
pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    match (v.get(n / 2), n % 2) {
        (None, _) => 0.0,
        (Some(m), 1) => *m,
        (Some(hi), _) => (v.get(n / 2 - 1).copied().unwrap_or(*hi) + hi) / 2.0,
    }
}

/// The median of the values that are known; `None` if none is.
pub(crate) fn median_of_known(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let known: Vec<f64> = values.flatten().collect();
    (!known.is_empty()).then(|| median(known))
}

/// A number rounded to an integer with thousands separators: `1,234,567`.
pub(crate) fn group(x: f64) -> String {
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(run: usize, rate: f64, p50: f64) -> RunReport {
        RunReport {
            label: "crossway".into(),
            run,
            protocol: "wamp".into(),
            transport: "rs".into(),
            url: "rs://127.0.0.1:1".into(),
            serializer: "json".into(),
            publishers: 1,
            subscribers: 10,
            payload: 64,
            rate: None,
            seconds: 2.0,
            published: 100,
            expected: 1000,
            delivered: 1000,
            lost: 0,
            publications_per_s: rate / 10.0,
            deliveries_per_s: rate,
            latency_us: Some(Latency {
                samples: 1000,
                p50,
                p90: p50 * 2.0,
                p99: p50 * 3.0,
                p999: p50 * 4.0,
                max: p50 * 5.0,
            }),
            router_cpu_s: Some(1.0),
            router_cpu_us_per_delivery: Some(rate / 1e6),
            loadgen_cpu_s: Some(1.0),
            other_cpu_s: Some(0.1),
        }
    }

    #[test]
    fn medians_take_the_middle_run_of_each_figure() {
        let runs = [
            report(1, 3e6, 10.0),
            report(2, 1e6, 30.0),
            report(3, 2e6, 20.0),
        ];
        let m = Medians::of(&runs);
        assert_eq!(m.runs, 3);
        assert_eq!(m.deliveries_per_s, 2e6);
        assert_eq!(m.router_cpu_us_per_delivery, Some(2.0));
        assert_eq!(m.latency_us.unwrap().p50, 20.0);
        assert_eq!(m.latency_us.unwrap().samples, 3000);
        assert_eq!(median(vec![1.0, 4.0]), 2.5);
        assert_eq!(median(vec![]), 0.0);
    }

    #[test]
    fn the_summary_line_has_every_figure() {
        let line = report(1, 1_234_567.0, 12.0).to_string();
        assert!(
            line.starts_with("crossway rs+json 1->10 64 B unpaced run 1: 1,234,567 deliveries/s"),
            "{line}"
        );
        assert!(line.contains("lost 0 of 1000"), "{line}");
        assert!(
            line.contains("p50 12.0 p90 24.0 p99 36.0 p99.9 48.0 max 60.0"),
            "{line}"
        );
        assert!(
            line.contains("router CPU 1.235 µs/delivery (50% of a core)"),
            "{line}"
        );
        assert!(line.contains("loadgen CPU 50%; other CPU 5%"), "{line}");
        let mut nats = report(2, 1000.0, 1.0);
        nats.protocol = "nats".into();
        let line = nats.to_string();
        assert!(
            line.starts_with("crossway nats 1->10 64 B unpaced run 2:"),
            "{line}"
        );
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(group(0.4), "0");
        assert_eq!(group(999.0), "999");
        assert_eq!(group(1000.0), "1,000");
        assert_eq!(group(12_345_678.0), "12,345,678");
    }

    #[test]
    fn percentiles_come_from_the_histogram() {
        let mut h = crate::subscriber::new_histogram().unwrap();
        for v in 1..=1000u64 {
            h.record(v * 1000).unwrap();
        }
        let l = Latency::from_histogram(&h).unwrap();
        assert_eq!(l.samples, 1000);
        assert!((l.p50 - 500.0).abs() < 1.0, "{l:?}");
        assert!((l.max - 1000.0).abs() < 1.0, "{l:?}");
        let empty = crate::subscriber::new_histogram().unwrap();
        assert_eq!(Latency::from_histogram(&empty), None);
    }
}
