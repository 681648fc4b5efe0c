//! What a run cost in CPU: the router's (from `/proc` of `--router-pid`), this generator's, and
//! everything else's on the machine, between the run's start and end. Publish/subscribe and
//! RPC runs account the same way.

use std::time::Duration;

use crate::cpu;

/// CPU times read at a run's start.
#[derive(Debug, Clone, Copy)]
pub struct Meter {
    router_pid: Option<u32>,
    router: Option<Duration>,
    own: Option<Duration>,
    machine: Option<Duration>,
}

/// CPU seconds spent between [`Meter::start`] and [`Meter::stop`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Usage {
    /// The router's (with a router pid).
    pub router_cpu_s: Option<f64>,
    /// This process's.
    pub loadgen_cpu_s: Option<f64>,
    /// Everything else on the machine, on every core: other work, which skews the figures.
    pub other_cpu_s: Option<f64>,
}

impl Meter {
    /// Reads the CPU times now.
    pub fn start(router_pid: Option<u32>) -> Meter {
        Meter {
            router_pid,
            router: router_pid.and_then(cpu::process_cpu),
            own: cpu::own_cpu(),
            machine: cpu::machine_busy(),
        }
    }

    /// Reads them again: what was spent since the start.
    pub fn stop(&self) -> Usage {
        let end = Meter::start(self.router_pid);
        let spent = |a: Option<Duration>, b: Option<Duration>| match (a, b) {
            (Some(a), Some(b)) => Some(b.saturating_sub(a).as_secs_f64()),
            _ => None,
        };
        let router_cpu_s = spent(self.router, end.router);
        let loadgen_cpu_s = spent(self.own, end.own);
        let other_cpu_s = match (spent(self.machine, end.machine), loadgen_cpu_s) {
            (Some(all), Some(own)) => Some((all - own - router_cpu_s.unwrap_or(0.0)).max(0.0)),
            _ => None,
        };
        Usage {
            router_cpu_s,
            loadgen_cpu_s,
            other_cpu_s,
        }
    }
}

impl Usage {
    /// The router's CPU microseconds per unit of work (delivery, call), if both are known.
    pub fn router_us_per(&self, count: u64) -> Option<f64> {
        self.router_cpu_s
            .filter(|_| count > 0)
            .map(|s| s * 1e6 / count as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_measured_as_the_router_spends_what_it_burns() {
        let meter = Meter::start(Some(std::process::id()));
        let until = std::time::Instant::now() + Duration::from_millis(50);
        let mut spins = 0u64;
        while std::time::Instant::now() < until {
            spins = std::hint::black_box(spins + 1);
        }
        let usage = meter.stop();
        if cfg!(target_os = "linux") {
            assert!(usage.router_cpu_s.is_some() && usage.loadgen_cpu_s.is_some());
            assert!(usage.other_cpu_s.is_some());
            assert_eq!(usage.router_us_per(0), None);
        }
        assert_eq!(Meter::start(None).stop().router_cpu_s, None);
        let u = Usage {
            router_cpu_s: Some(2.0),
            loadgen_cpu_s: None,
            other_cpu_s: None,
        };
        assert_eq!(u.router_us_per(4_000_000), Some(0.5));
    }
}
