//! The load generator against a node running in this process: every publication is counted,
//! nothing is lost, paced runs keep their rate, idle sessions are held.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::future::Future;
use std::time::Duration;

use clap::Parser;
use crossway_loadgen::idle::run_idle;
use crossway_loadgen::rpc::run_rpc_all;
use crossway_loadgen::{Options, run_all};
use crossway_node::Node;
use crossway_transport::rt;

/// How long any one test may take.
const LIMIT: Duration = Duration::from_secs(60);

/// A node with a universal endpoint (RawSocket and WebSocket) on a free port; gives its URLs and a
/// sender whose drop stops it.
async fn node(dir: &tempfile::TempDir) -> (String, String, async_channel::Sender<()>) {
    let file = dir.path().join("node.yaml");
    std::fs::write(
        &file,
        "log_level: warn\nrealms:\n  - name: realm1\nendpoints:\n  \
         - name: both\n    transport: universal\n    listen: 127.0.0.1:0\n",
    )
    .unwrap();
    let config = crossway_node::config::load(&file).unwrap();
    let node = Node::bind(&config).await.unwrap();
    let addrs = node.local_addrs();
    let rs = format!("rs://{}", addrs[0].1);
    let ws = format!("ws://{}/ws", addrs[0].1);
    let (stop, stopped) = async_channel::bounded::<()>(1);
    rt::spawn(node.run(async move {
        let _ = stopped.recv().await;
    }));
    (rs, ws, stop)
}

fn options(args: &[&str]) -> Options {
    Options::try_parse_from(std::iter::once("crossway-loadgen").chain(args.iter().copied()))
        .unwrap()
}

fn run<F: Future>(f: F) -> F::Output {
    rt::block_on(async { rt::timeout(LIMIT, f).await.expect("the test took too long") })
}

#[test]
fn an_unpaced_run_counts_every_delivery() {
    run(async {
        let dir = tempfile::tempdir().unwrap();
        let (rs, ws, _stop) = node(&dir).await;
        for (url, serializer) in [(&rs, "json"), (&ws, "cbor"), (&rs, "msgpack")] {
            let opts = options(&[
                "--url",
                url,
                "--serializer",
                serializer,
                "-p",
                "2",
                "-s",
                "3",
                "--count",
                "500",
                "--window",
                "100",
                "--router-pid",
                &std::process::id().to_string(),
            ]);
            let mut lines = Vec::new();
            let results = run_all(&opts, |r| lines.push(r.to_string())).await.unwrap();
            let r = &results.runs[0];
            assert_eq!(r.published, 1000, "{url} {serializer}");
            assert_eq!(r.expected, 3000);
            assert_eq!(r.delivered, 3000);
            assert_eq!(r.lost, 0);
            assert!(r.deliveries_per_s > 0.0);
            assert_eq!(r.latency_us.unwrap().samples, 3000);
            assert!(r.router_cpu_s.is_some());
            assert_eq!(lines.len(), 1);
            assert!(lines[0].contains("lost 0 of 3000"), "{}", lines[0]);
        }
    });
}

#[test]
fn lean_subscribers_count_exactly() {
    run(async {
        let dir = tempfile::tempdir().unwrap();
        let (rs, ws, _stop) = node(&dir).await;
        for (url, serializer) in [(&rs, "json"), (&ws, "cbor"), (&rs, "msgpack")] {
            let opts = options(&[
                "--url",
                url,
                "--serializer",
                serializer,
                "-p",
                "3",
                "-s",
                "4",
                "--count",
                "700",
                "--window",
                "200",
                "--lean",
                "--sample",
                "7",
            ]);
            let results = run_all(&opts, |_| {}).await.unwrap();
            let r = &results.runs[0];
            assert_eq!(r.published, 2100, "{url} {serializer}");
            assert_eq!(r.delivered, 8400, "{url} {serializer}");
            assert_eq!(r.lost, 0);
            // One in seven decoded, on every subscriber (4 <= the default 100 that record).
            let samples = r.latency_us.unwrap().samples;
            assert_eq!(samples, 4 * 2100 / 7, "{url} {serializer}");
        }
    });
}

#[test]
fn a_paced_run_keeps_its_rate_and_several_runs_give_medians() {
    run(async {
        let dir = tempfile::tempdir().unwrap();
        let (rs, _ws, _stop) = node(&dir).await;
        let opts = options(&[
            "--url",
            &rs,
            "-p",
            "2",
            "-s",
            "2",
            "--rate",
            "2000",
            "--duration",
            "0.25",
            "--runs",
            "2",
        ]);
        let results = run_all(&opts, |_| {}).await.unwrap();
        assert_eq!(results.runs.len(), 2);
        for r in &results.runs {
            // 2,000/s for 0.25 s: 500 publications, whatever the split between publishers.
            assert!((495..=505).contains(&r.published), "{}", r.published);
            assert_eq!(r.lost, 0);
            assert_eq!(r.rate, Some(2000.0));
            assert!(r.seconds >= 0.24, "{}", r.seconds);
        }
        assert_eq!(results.median.runs, 2);
        assert_eq!(results.median.lost, 0);
        let json = serde_json::to_value(&results).unwrap();
        assert!(json["median"]["deliveries_per_s"].as_f64().unwrap() > 0.0);
    });
}

#[test]
fn a_lean_paced_run_publishes_from_the_pacing_thread_and_times_every_event() {
    run(async {
        let dir = tempfile::tempdir().unwrap();
        let (rs, ws, _stop) = node(&dir).await;
        for url in [&rs, &ws] {
            let opts = options(&[
                "--url", url, "-p", "2", "-s", "3", "--rate", "2000", "--count", "100", "--lean",
                "--sample", "1",
            ]);
            let results = run_all(&opts, |_| {}).await.unwrap();
            let r = &results.runs[0];
            // Two lean publishers, 100 publications each, every one acknowledged at the end.
            assert_eq!(r.published, 200, "{url}");
            assert_eq!((r.expected, r.delivered, r.lost), (600, 600, 0), "{url}");
            let latency = r.latency_us.as_ref().expect("every event is timed");
            assert_eq!(latency.samples, 600, "{url}");
            assert!(latency.p50 > 0.0 && latency.p50 <= latency.max, "{url}");
        }
    });
}

#[test]
fn idle_sessions_are_held_and_measured() {
    run(async {
        let dir = tempfile::tempdir().unwrap();
        let (rs, ws, _stop) = node(&dir).await;
        let urls = format!("{rs},{ws}");
        let pid = std::process::id().to_string();
        let opts = options(&["--url", &urls, "--router-pid", &pid]);
        let report = run_idle(&opts, 40).await.unwrap();
        assert_eq!(report.held, 40, "{report}");
        assert_eq!(report.first_error, None);
        assert!(report.router_bytes_per_session.is_some());

        let opts = options(&["--url", "wss://127.0.0.1:1/ws"]);
        let report = run_idle(&opts, 1).await.unwrap();
        assert_eq!(report.held, 0);
        assert!(report.first_error.unwrap().contains("needs TLS settings"));
    });
}

#[test]
fn a_router_that_is_not_there_is_an_error() {
    run(async {
        let opts = options(&["--url", "rs://127.0.0.1:1", "--count", "1"]);
        let err = run_all(&opts, |_| {}).await.unwrap_err();
        assert!(
            err.to_string().contains("cannot connect subscriber 0"),
            "{err}"
        );
    });
}

#[test]
fn rpc_runs_answer_every_call_exactly_once() {
    run(async {
        let dir = tempfile::tempdir().unwrap();
        let (rs, ws, _stop) = node(&dir).await;
        for (url, callers) in [(&rs, "1"), (&ws, "4")] {
            let opts = options(&[
                "--rpc",
                "--url",
                url,
                "-c",
                callers,
                "--in-flight",
                "8",
                "--count",
                "300",
                "--sample",
                "1",
                "--runs",
                "2",
            ]);
            let results = run_rpc_all(&opts, |_| {}).await.unwrap();
            assert_eq!(results.runs.len(), 2);
            for r in &results.runs {
                let callers: u64 = callers.parse().unwrap();
                assert_eq!(r.calls, 300 * callers, "{url}");
                assert!(r.exact(), "{url}: {r:?}");
                assert_eq!(r.invocations, r.calls);
            }
        }
    });
}

#[test]
fn subscribers_and_the_callee_connect_to_the_subscriber_url() {
    run(async {
        let dir = tempfile::tempdir().unwrap();
        let (rs, ws, _stop) = node(&dir).await;
        // Publishers on RawSocket, subscribers on WebSocket of the same node: every delivery.
        for lean in [false, true] {
            let mut args = vec![
                "--url",
                &rs,
                "--subscriber-url",
                &ws,
                "-s",
                "3",
                "--count",
                "200",
            ];
            if lean {
                args.push("--lean");
            }
            let results = run_all(&options(&args), |_| {}).await.unwrap();
            let r = &results.runs[0];
            assert_eq!(
                (r.published, r.delivered, r.lost),
                (200, 600, 0),
                "lean {lean}"
            );
        }
        // Where nothing listens, the subscribers (or the callee) fail, not the publisher.
        let dead = "rs://127.0.0.1:1";
        for lean in [false, true] {
            let mut args = vec!["--url", &rs, "--subscriber-url", dead, "--count", "1"];
            if lean {
                args.push("--lean");
            }
            let err = run_all(&options(&args), |_| {}).await.unwrap_err();
            assert!(
                err.to_string().contains("subscriber") && err.to_string().contains(dead),
                "{err}"
            );
        }
        let rpc = options(&[
            "--rpc",
            "--url",
            &rs,
            "--subscriber-url",
            dead,
            "--count",
            "1",
        ]);
        let err = run_rpc_all(&rpc, |_| {}).await.unwrap_err();
        assert!(err.to_string().contains("callee"), "{err}");
    });
}
