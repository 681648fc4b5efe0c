//! Soak on the real binary: rounds of 1,000 sessions that connect, subscribe, publish and leave;
//! the node's resident memory after the last round is back near where it stood after the second
//! (the first warms the allocator), so no session leaves memory behind.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crossway_client::Client;
use crossway_transport::Serializer;
use futures_util::future::join_all;

const SESSIONS_PER_ROUND: usize = 1000;
const CONCURRENT: usize = 100;
const ROUNDS: usize = 5;
/// Growth allowed between the second round and the last: 2 KiB per session of the three rounds
/// in between would already exceed it.
const ALLOWED_GROWTH: usize = 6 << 20;

/// Resident memory of process `pid`, in bytes.
fn rss(pid: u32) -> usize {
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn one_session(url: String, ser: Serializer, n: usize) {
    let c = Client::connect(&url, "realm1", ser).await.unwrap();
    let topic = format!("com.example.soak.{}", n % 50);
    let mut sub = c.subscribe(&topic).await.unwrap();
    let mut opts = crossway_protocol::Dict::new();
    opts.insert("exclude_me".into(), false.into());
    opts.insert("acknowledge".into(), true.into());
    c.publish_with(&topic, opts, Some(vec![(n as i64).into()]), None)
        .await
        .unwrap();
    crossway_transport::rt::timeout(Duration::from_secs(5), sub.next())
        .await
        .expect("own event in time")
        .expect("own event");
    c.leave().await.unwrap();
}

#[test]
fn the_node_returns_to_its_memory_after_rounds_of_sessions() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("node.yaml");
    std::fs::write(
        &config,
        format!(
            "log_level: warn\nrealms: [{{name: realm1}}]\nendpoints:\n  - {{name: ws, transport: websocket, listen: \"127.0.0.1:{port}\"}}\n"
        ),
    )
    .unwrap();
    // Two malloc arenas: RSS then follows what the node holds, not how many arenas it touched.
    let child = Command::new(env!("CARGO_BIN_EXE_crossway"))
        .args(["run", "--config"])
        .arg(&config)
        .env("MALLOC_ARENA_MAX", "2")
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let node = Node(child);
    let pid = node.0.id();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the node did not listen in time");
        std::thread::sleep(Duration::from_millis(20));
    }
    let url = format!("ws://127.0.0.1:{port}/ws");
    let mut after_second = 0;
    let mut last = 0;
    crossway_transport::rt::block_on(async {
        for round in 0..ROUNDS {
            for wave in 0..SESSIONS_PER_ROUND / CONCURRENT {
                join_all((0..CONCURRENT).map(|i| {
                    let n = wave * CONCURRENT + i;
                    one_session(url.clone(), Serializer::ALL[n % 3], n)
                }))
                .await;
            }
            // Sessions end asynchronously after GOODBYE: give the node a moment to drop them.
            crossway_transport::rt::sleep(Duration::from_millis(200)).await;
            last = rss(pid);
            if round == 1 {
                after_second = last;
            }
        }
    });
    let growth = last.saturating_sub(after_second);
    assert!(
        growth < ALLOWED_GROWTH,
        "the node's memory grew by {} KiB over {} rounds of {SESSIONS_PER_ROUND} sessions \
         (from {} KiB)",
        growth / 1024,
        ROUNDS - 2,
        after_second / 1024
    );
}
