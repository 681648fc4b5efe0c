//! CPU time and resident memory of a process, from `/proc/PID/stat` and `/proc/PID/status`
//! (Linux).
//!
//! `utime` and `stime` (fields 14 and 15) count clock ticks of `USER_HZ`, which Linux fixes at
//! 100 per second for this interface on every architecture we run on, so the resolution is
//! 10 ms: runs of a few seconds measure a busy router to well under one per cent.

use std::path::Path;
use std::time::Duration;

/// Clock ticks per second in `/proc/PID/stat` (`USER_HZ`).
const TICKS_PER_SECOND: u64 = 100;

/// User plus system CPU time of process `pid` so far; `None` if it cannot be read (no such
/// process, not Linux).
pub fn process_cpu(pid: u32) -> Option<Duration> {
    read_cpu(&Path::new("/proc").join(pid.to_string()).join("stat"))
}

/// User plus system CPU time of this process so far.
pub fn own_cpu() -> Option<Duration> {
    read_cpu(Path::new("/proc/self/stat"))
}

/// CPU time every processor of the machine spent busy so far (user, nice, system, irq, softirq
/// and steal of `/proc/stat`): with the router's and this process's, it tells how much else ran
/// during a run.
pub fn machine_busy() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let ticks = parse_busy_ticks(&text)?;
    Some(Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND))
}

/// The busy ticks of the `cpu` line of `/proc/stat`.
fn parse_busy_ticks(stat: &str) -> Option<u64> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let v: Vec<u64> = line
        .split_ascii_whitespace()
        .skip(1)
        .map(|f| f.parse().ok())
        .collect::<Option<_>>()?;
    // user nice system idle iowait irq softirq steal ...
    let field = |i: usize| v.get(i).copied().unwrap_or(0);
    Some(field(0) + field(1) + field(2) + field(5) + field(6) + field(7))
}

/// The resident memory of process `pid` in KiB (`VmRSS` of `/proc/PID/status`).
pub fn process_rss_kib(pid: u32) -> Option<u64> {
    let path = Path::new("/proc").join(pid.to_string()).join("status");
    let text = std::fs::read_to_string(path).ok()?;
    parse_rss_kib(&text)
}

/// `VmRSS` from the text of a status file.
fn parse_rss_kib(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_ascii_whitespace().nth(1)?.parse().ok()
}

/// Reads and parses one stat file.
fn read_cpu(path: &Path) -> Option<Duration> {
    let text = std::fs::read_to_string(path).ok()?;
    let ticks = parse_ticks(&text)?;
    Some(Duration::from_millis(ticks * 1000 / TICKS_PER_SECOND))
}

/// `utime + stime` from the text of a stat file. The command name (field 2) is in parentheses
/// and may hold spaces and parentheses itself, so fields are counted after the last `)`.
fn parse_ticks(stat: &str) -> Option<u64> {
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_ascii_whitespace();
    // After the name: state (3), ppid (4), ... utime (14), stime (15).
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utime_and_stime_are_summed_after_the_name() {
        let stat = "4242 (a (weird) name) S 1 4242 4242 0 -1 4194560 500 0 0 0 1234 56 0 0 20 0 \
                    9 0 100 1000000 300 18446744073709551615";
        assert_eq!(parse_ticks(stat), Some(1290));
        assert_eq!(parse_ticks("garbage"), None);
        assert_eq!(parse_ticks("1 (x) S 1 2"), None);
    }

    #[test]
    fn machine_busy_time_leaves_out_idle_and_iowait() {
        let stat = "cpu  100 2 30 5000 7 1 4 3 0 0\ncpu0 50 1 15 2500 3 0 2 1 0 0\n";
        assert_eq!(parse_busy_ticks(stat), Some(140));
        assert_eq!(parse_busy_ticks("intr 1 2"), None);
        if cfg!(target_os = "linux") {
            assert!(machine_busy().is_some());
        }
    }

    #[test]
    fn resident_memory_is_read_in_kib() {
        assert_eq!(
            parse_rss_kib("Name:\tx\nVmRSS:\t  9320 kB\nThreads: 3\n"),
            Some(9320)
        );
        assert_eq!(parse_rss_kib("Name:\tx\n"), None);
        if cfg!(target_os = "linux") {
            assert!(process_rss_kib(std::process::id()).unwrap() > 0);
        }
    }

    #[test]
    fn this_process_can_be_measured() {
        if cfg!(target_os = "linux") {
            assert!(own_cpu().is_some());
            assert!(process_cpu(std::process::id()).is_some());
        }
        assert_eq!(process_cpu(u32::MAX), None);
    }
}
