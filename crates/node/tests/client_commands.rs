//! `crossway pub`, `sub` and `call` as processes against a running node: every transport
//! (ws, wss, rs, rss, unix), TLS with `--ca`, ticket and TLS-certificate authentication, each
//! exit status, and `sub --count N`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crossway_client::Client;
use crossway_node::Node;
use crossway_protocol::Value;
use crossway_transport::Serializer;

/// The longest any one command may take here.
const DEADLINE: Duration = Duration::from_secs(20);

fn config(dir: &Path) -> String {
    let d = dir.display();
    format!(
        "\
limits: {{ auth_delay: 0 }}
realms:
  - name: realm1
    roles:
      - name: anonymous
        permissions:
          - {{ uri: com.example., match: prefix, allow: [publish, subscribe, call, register] }}
      - name: user
        permissions:
          - {{ uri: com.example., match: prefix, allow: [publish, subscribe, call, register] }}
          - {{ uri: org.private., match: prefix, allow: [publish, subscribe, call] }}
endpoints:
  - name: ws
    transport: websocket
    listen: 127.0.0.1:0
  - name: rs
    transport: rawsocket
    listen: 127.0.0.1:0
  - name: unix
    transport: rawsocket
    listen: unix:{d}/crossway.sock
  - name: wss
    transport: websocket
    listen: 127.0.0.1:0
    tls: {{ certificate: {d}/certs/server.pem, key: {d}/certs/server.key }}
    auth:
      ticket:
        principals:
          alice: {{ ticket: \"${{ALICE_TICKET}}\", role: user }}
  - name: rss
    transport: rawsocket
    listen: 127.0.0.1:0
    tls:
      certificate: {d}/certs/server.pem
      key: {d}/certs/server.key
      ca_certificates: [{d}/certs/ca.pem]
    auth:
      tls: {{ authid: common_name, role: user }}
"
    )
}

/// A running `crossway` client command.
struct Running {
    child: Child,
    started: Instant,
}

/// What a finished command said.
struct Finished {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Running {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Running {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_crossway"));
        cmd.args(args)
            .env_remove("RUST_LOG")
            .env_remove("WAMP_TICKET")
            .env_remove("WAMP_SECRET")
            .env_remove("WAMP_PRIVATE_KEY")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        Running {
            child: cmd.spawn().expect("start crossway"),
            started: Instant::now(),
        }
    }

    /// Waits for the process to end (killing it after [`DEADLINE`], which fails the test).
    fn finish(mut self) -> Finished {
        let code = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status.code();
            }
            if self.started.elapsed() > DEADLINE {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("crossway did not exit within {DEADLINE:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let mut stdout = String::new();
        let mut stderr = String::new();
        if let Some(mut out) = self.child.stdout.take() {
            out.read_to_string(&mut stdout).unwrap();
        }
        if let Some(mut err) = self.child.stderr.take() {
            err.read_to_string(&mut stderr).unwrap();
        }
        Finished {
            code,
            stdout,
            stderr,
        }
    }
}

/// Runs a command to its end.
fn crossway(args: &[&str], env: &[(&str, &str)]) -> Finished {
    Running::start(args, env).finish()
}

/// A `crossway sub` that has said it subscribed, its output read line by line.
struct Subscriber {
    running: Running,
    stdout: mpsc::Receiver<String>,
}

impl Subscriber {
    /// Starts `crossway sub` and waits until it says it has subscribed.
    fn start(args: &[&str]) -> Subscriber {
        let mut running = Running::start(args, &[]);
        let stdout = lines(running.child.stdout.take().unwrap());
        let stderr = lines(running.child.stderr.take().unwrap());
        loop {
            match stderr.recv_timeout(DEADLINE) {
                Ok(line) if line.starts_with("crossway sub: subscribed to") => break,
                Ok(_) => {}
                Err(e) => panic!("crossway sub did not subscribe: {e}"),
            }
        }
        Subscriber { running, stdout }
    }

    /// The next line it prints.
    fn line(&self) -> serde_json::Value {
        let line = self.stdout.recv_timeout(DEADLINE).expect("an event line");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line:?}: {e}"))
    }

    /// Waits for its end: the exit status and the lines not yet read.
    fn finish(self) -> (Option<i32>, Vec<serde_json::Value>) {
        let code = self.running.finish().code;
        // The reader's channel closes at the end of the output, which has come by now.
        let rest: Vec<String> =
            std::iter::from_fn(|| self.stdout.recv_timeout(DEADLINE).ok()).collect();
        (code, json_lines(&rest.join("\n")))
    }
}

/// The lines read from `from`, on a thread of their own.
fn lines(from: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// The JSON lines of a command's stdout.
fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect()
}

#[test]
fn pub_sub_and_call_over_every_transport_with_tls_and_auth() {
    let dir = tempfile::tempdir().unwrap();
    common::dev_certificates(&dir);
    let cfg = common::loads(&config(dir.path()), &[("ALICE_TICKET", "open sesame")]);
    async_std::task::block_on(async {
        let node = Node::bind(&cfg).await.unwrap();
        let addrs: std::collections::HashMap<_, _> = node.local_addrs().into_iter().collect();
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let task = async_std::task::spawn(node.run(async move {
            let _ = stopped.recv().await;
        }));
        let ws = format!("ws://{}/ws", addrs["ws"]);
        let rs = format!("rs://{}", addrs["rs"]);
        let unix = format!("unix:{}/crossway.sock", dir.path().display());
        let wss = format!("wss://localhost:{}/ws", addrs["wss"].port());
        let rss = format!("rss://localhost:{}", addrs["rss"].port());
        let certs = dir.path().join("certs");
        let ca = certs.join("ca.pem").display().to_string();
        let cert = certs.join("client.pem").display().to_string();
        let key = certs.join("client.key").display().to_string();

        // A callee in the test: add2 adds, fail answers an application error.
        let callee = Client::connect(&ws, "realm1", Serializer::Cbor)
            .await
            .unwrap();
        let mut add2 = callee.register("com.example.add2").await.unwrap();
        let mut fail = callee.register("com.example.fail").await.unwrap();
        async_std::task::spawn(async move {
            while let Some(inv) = add2.next().await {
                let args = inv.args().cloned().unwrap_or_default();
                let sum: i64 = args
                    .iter()
                    .filter_map(|v| match v {
                        Value::Int(n) => Some(*n),
                        _ => None,
                    })
                    .sum();
                let _ = inv.result(Some(vec![Value::Int(sum)]), None).await;
            }
        });
        async_std::task::spawn(async move {
            while let Some(inv) = fail.next().await {
                let _ = inv
                    .error("com.example.oops", Some(vec!["no".into()]), None)
                    .await;
            }
        });

        let (ws2, rs2, unix2, wss2, rss2) = (
            ws.clone(),
            rs.clone(),
            unix.clone(),
            wss.clone(),
            rss.clone(),
        );
        let (ca2, cert2, key2) = (ca.clone(), cert.clone(), key.clone());
        async_std::task::spawn_blocking(move || {
            // sub on ws (prefix match) takes three events from three transports, then exits 0.
            let sub = Subscriber::start(&[
                "sub",
                &ws2,
                "com.example.",
                "--match",
                "prefix",
                "--count",
                "3",
            ]);
            let kwargs = r#"{"k":[true]}"#;
            let p = crossway(
                &[
                    "pub",
                    &rs2,
                    "com.example.a",
                    "1",
                    "hello",
                    "--kwargs",
                    kwargs,
                ],
                &[],
            );
            assert_eq!(p.code, Some(0), "{}", p.stderr);
            let p = crossway(
                &[
                    "pub",
                    &unix2,
                    "com.example.b",
                    "--serializer",
                    "msgpack",
                    r#""2""#,
                ],
                &[],
            );
            assert_eq!(p.code, Some(0), "{}", p.stderr);
            // wss with --ca and a ticket from the environment.
            let p = crossway(
                &[
                    "pub",
                    &wss2,
                    "com.example.c",
                    "--ca",
                    &ca2,
                    "--authid",
                    "alice",
                    "--print-id",
                ],
                &[("WAMP_TICKET", "open sesame")],
            );
            assert_eq!(p.code, Some(0), "{}", p.stderr);
            assert!(p.stdout.trim().parse::<u64>().is_ok(), "{:?}", p.stdout);
            let (code, events) = sub.finish();
            assert_eq!(code, Some(0));
            assert_eq!(events.len(), 3, "{events:?}");
            assert_eq!(events[0]["topic"], "com.example.a");
            assert_eq!(events[0]["args"], serde_json::json!([1, "hello"]));
            assert_eq!(events[0]["kwargs"], serde_json::json!({"k": [true]}));
            assert_eq!(events[1]["topic"], "com.example.b");
            assert_eq!(events[1]["args"], serde_json::json!(["2"]));
            assert_eq!(events[2]["topic"], "com.example.c");
            assert_eq!(events[2]["args"], serde_json::json!([]));
            assert!(events[2]["publication"].as_u64().is_some());

            // call on every transport; rss with a client certificate and tls authentication.
            let ticket = ["--ca", &ca2, "--authid", "alice", "--ticket", "open sesame"];
            let tls = ["--ca", &ca2, "--cert", &cert2, "--key", &key2, "--tls-auth"];
            let cases: [(&str, &[&str]); 5] = [
                (&ws2, &[]),
                (&rs2, &[]),
                (&unix2, &["--serializer", "cbor"]),
                (&wss2, &ticket),
                (&rss2, &tls),
            ];
            for (url, extra) in cases {
                let mut args = vec!["call", url, "com.example.add2", "2", "3"];
                args.extend(extra);
                let c = crossway(&args, &[]);
                assert_eq!(c.code, Some(0), "{url}: {}", c.stderr);
                let result = json_lines(&c.stdout);
                assert_eq!(
                    result,
                    [serde_json::json!({"args": [5], "kwargs": {}})],
                    "{url}"
                );
            }
        })
        .await;

        let (ws2, wss2, rss2, ca2) = (ws.clone(), wss.clone(), rss.clone(), ca.clone());
        async_std::task::spawn_blocking(move || {
            // Negative numbers are arguments, not options.
            let c = crossway(&["call", &ws2, "com.example.add2", "-4", "10"], &[]);
            assert_eq!(c.code, Some(0), "{}", c.stderr);
            assert_eq!(json_lines(&c.stdout)[0]["args"], serde_json::json!([6]));
            // 1: the callee's error, a procedure nobody offers, what the role may not do.
            let c = crossway(&["call", &ws2, "com.example.fail"], &[]);
            assert_eq!(c.code, Some(1), "{}", c.stderr);
            assert_eq!(
                c.stderr.trim(),
                r#"crossway call: the router answered com.example.oops ["no"]"#
            );
            assert!(c.stdout.is_empty());
            let c = crossway(&["call", &ws2, "com.example.nobody"], &[]);
            assert_eq!(c.code, Some(1), "{}", c.stderr);
            assert!(
                c.stderr.contains("wamp.error.no_such_procedure"),
                "{}",
                c.stderr
            );
            let p = crossway(&["pub", &ws2, "org.private.x"], &[]);
            assert_eq!(p.code, Some(1), "{}", p.stderr);
            assert!(
                p.stderr.contains("wamp.error.not_authorized"),
                "{}",
                p.stderr
            );
            let s = crossway(&["sub", &ws2, "org.private.x"], &[]);
            assert_eq!(s.code, Some(1), "{}", s.stderr);
            // 2: what cannot be used.
            let p = crossway(&["pub", &ws2, "com.example.a", "--kwargs", "[1]"], &[]);
            assert_eq!(p.code, Some(2), "{}", p.stderr);
            let p = crossway(&["pub", &ws2], &[]);
            assert_eq!(p.code, Some(2), "{}", p.stderr);
            let p = crossway(&["pub", &wss2, "com.example.a"], &[]);
            assert_eq!(p.code, Some(2), "wss without --ca: {}", p.stderr);
            // 3: nobody listening; a mutual-TLS endpoint without a client certificate.
            let p = crossway(&["pub", "ws://127.0.0.1:1/ws", "com.example.a"], &[]);
            assert_eq!(p.code, Some(3), "{}", p.stderr);
            let p = crossway(&["pub", &rss2, "com.example.a", "--ca", &ca2], &[]);
            assert_eq!(p.code, Some(3), "no client certificate: {}", p.stderr);
            // 4: the wrong ticket.
            let p = crossway(
                &[
                    "pub",
                    &wss2,
                    "com.example.a",
                    "--ca",
                    &ca2,
                    "--authid",
                    "alice",
                ],
                &[("WAMP_TICKET", "guess")],
            );
            assert_eq!(p.code, Some(4), "{}", p.stderr);
            assert!(
                p.stderr.contains("wamp.error.authentication_failed"),
                "{}",
                p.stderr
            );
        })
        .await;

        callee.leave().await.unwrap();
        stop.send(()).await.unwrap();
        task.await;
    });
}

#[test]
fn sub_ends_with_the_session_and_with_a_signal() {
    let cfg = common::loads(
        "realms:\n  - name: realm1\nendpoints:\n  - name: ws\n    transport: websocket\n    listen: 127.0.0.1:0\n",
        &[],
    );
    async_std::task::block_on(async {
        let node = Node::bind(&cfg).await.unwrap();
        let addr = node.local_addrs()[0].1;
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let task = async_std::task::spawn(node.run(async move {
            let _ = stopped.recv().await;
        }));
        let url = format!("ws://{addr}/ws");
        let (on_signal, at_shutdown) = async_std::task::spawn_blocking({
            let url = url.clone();
            move || {
                let a = Subscriber::start(&["sub", &url, "a.b"]);
                let b = Subscriber::start(&["sub", &url, "a.b", "--count", "5"]);
                (a, b)
            }
        })
        .await;
        let publisher = Client::connect(&url, "realm1", Serializer::Json)
            .await
            .unwrap();
        publisher
            .publish_acknowledged("a.b", Some(vec![Value::Int(1)]), None)
            .await
            .unwrap();
        publisher.leave().await.unwrap();
        let (on_signal, at_shutdown) = async_std::task::spawn_blocking(move || {
            // Each prints the event; then SIGTERM: the first leaves and exits 0.
            assert_eq!(on_signal.line()["args"], serde_json::json!([1]));
            assert_eq!(at_shutdown.line()["args"], serde_json::json!([1]));
            let pid = on_signal.running.child.id().to_string();
            let kill = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
            assert!(kill.success());
            (on_signal.finish(), at_shutdown)
        })
        .await;
        assert_eq!(on_signal, (Some(0), vec![]));

        // The node shuts down: the session ends before 5 events, status 3.
        stop.send(()).await.unwrap();
        task.await;
        let ended = async_std::task::spawn_blocking(move || at_shutdown.finish()).await;
        assert_eq!(ended, (Some(3), vec![]));
    });
}
