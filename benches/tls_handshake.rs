//! Full TLS 1.3 handshakes per second that one core of the node can serve, with ECDSA P-256
//! certificates, without and with client certificates (mutual TLS).
//!
//! The server side is the node's own acceptor (`TlsAcceptor`, the configuration from
//! `load_server_config`) running on one thread, one handshake at a time; clients on other
//! threads keep it busy and never resume sessions. The figure is handshakes divided by the
//! server thread's CPU time (from `/proc/thread-self/stat`), i.e. what one fully used core
//! sustains, plus the wall-clock rate of the run.
//!
//! ```sh
//! cargo bench --bench tls_handshake              # 5 s per case, 5 runs, medians
//! cargo bench --bench tls_handshake -- --quick   # a short run, as CI does
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

#[path = "../crates/transport/tests/pki/mod.rs"]
mod pki;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossway_transport::tls::{
    TlsAcceptor, TlsClientSettings, TlsConnector, TlsSettings, TlsVersion, load_client_config,
    load_server_config,
};
use crossway_transport::{ListenAddr, Listener, connect_tcp, rt};
use futures_rustls::rustls::client::Resumption;
use pki::{Ca, Dir};

/// Concurrent client handshakes in flight: enough to keep the server thread busy.
const CLIENTS: usize = 16;

struct Case {
    name: &'static str,
    mutual: bool,
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (secs, runs) = if quick { (1, 1) } else { (5, 5) };
    let dir = Dir::new();
    let ca = Ca::root("bench CA");
    let server = ca.server();
    let client = ca.client("bench-client");
    let ca_file = dir.write("ca.pem", &ca.pem);
    let cert = dir.write("server.pem", &server.chain_pem);
    let key = dir.write("server.key", &server.key_pem);
    let ccert = dir.write("client.pem", &client.chain_pem);
    let ckey = dir.write("client.key", &client.key_pem);

    println!(
        "TLS 1.3 full handshakes, ECDSA P-256, server on one thread; {runs} run(s) of {secs} s"
    );
    for case in [
        Case {
            name: "server certificate only",
            mutual: false,
        },
        Case {
            name: "mutual TLS (client certificate verified)",
            mutual: true,
        },
    ] {
        let mut settings = TlsSettings::new(&cert, &key);
        settings.min_version = TlsVersion::V1_3;
        let mut client_settings = TlsClientSettings::new(vec![ca_file.clone()]);
        client_settings.min_version = TlsVersion::V1_3;
        if case.mutual {
            settings.ca_certificates = vec![ca_file.clone()];
            client_settings.client_certificate = Some((ccert.clone(), ckey.clone()));
        }
        let mut per_core = Vec::new();
        let mut wall = Vec::new();
        for _ in 0..runs {
            let (n, cpu, elapsed) =
                run_once(&settings, &client_settings, Duration::from_secs(secs));
            per_core.push(n as f64 / cpu.max(1e-9));
            wall.push(n as f64 / elapsed);
        }
        println!(
            "{:<44} {:>8.0} handshakes/s per server core (median; runs: {})   wall {:>6.0}/s",
            case.name,
            median(&mut per_core),
            per_core
                .iter()
                .map(|v| format!("{v:.0}"))
                .collect::<Vec<_>>()
                .join(", "),
            median(&mut wall)
        );
    }
}

/// One timed run: returns handshakes served, the server thread's CPU seconds, wall seconds.
fn run_once(server: &TlsSettings, client: &TlsClientSettings, length: Duration) -> (u64, f64, f64) {
    let config = load_server_config(server)
        .expect("server TLS config")
        .config;
    let acceptor = TlsAcceptor::new(config);
    let mut client_config = (*load_client_config(client).expect("client TLS config")).clone();
    client_config.resumption = Resumption::disabled();
    let connector = TlsConnector::from_config(Arc::new(client_config));

    let listener = rt::block_on(Listener::bind(&ListenAddr::Tcp(
        "127.0.0.1:0".parse().unwrap(),
    )))
    .unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));

    let server_thread = {
        let stop = stop.clone();
        let done = done.clone();
        std::thread::spawn(move || {
            let start_cpu = thread_cpu_seconds();
            let start = Instant::now();
            rt::block_on(async {
                while start.elapsed() < length {
                    let (io, _) = listener.accept().await;
                    if acceptor.accept(io).await.is_ok() {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
            stop.store(true, Ordering::Relaxed);
            (
                thread_cpu_seconds() - start_cpu,
                start.elapsed().as_secs_f64(),
            )
        })
    };
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let stop = stop.clone();
            let connector = connector.clone();
            let addr = addr.clone();
            rt::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let Ok(io) = connect_tcp(&addr).await else {
                        continue;
                    };
                    let _ = rt::timeout(Duration::from_secs(2), connector.connect(io, "localhost"))
                        .await;
                }
            })
        })
        .collect();
    let (cpu, wall) = server_thread.join().unwrap();
    // Unblock clients still waiting on the closed listener.
    rt::block_on(async {
        for c in clients {
            let _ = rt::timeout(Duration::from_secs(3), c).await;
        }
    });
    (done.load(Ordering::Relaxed), cpu, wall)
}

/// CPU time (user + system) of the calling thread, from `/proc/thread-self/stat`.
fn thread_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields[11].parse().unwrap();
    let stime: f64 = fields[12].parse().unwrap();
    (utime + stime) / clock_ticks_per_second()
}

/// The kernel's clock tick rate for /proc times (USER_HZ), 100 on Linux.
fn clock_ticks_per_second() -> f64 {
    100.0
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}
