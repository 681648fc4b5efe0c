//! The `crossway` binary: `check` reports every problem and its exit status, environment
//! overrides reach the configuration, and a failed bind stops start-up with a clear message.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::{Command, Output};

fn crossway(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crossway"));
    cmd.args(args).env_remove("RUST_LOG").env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run crossway")
}

fn config_file(dir: &tempfile::TempDir, text: &str) -> String {
    let path = dir.path().join("node.yaml");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

const VALID: &str = "realms:\n  - name: realm1\nendpoints:\n  - name: ws\n    transport: websocket\n    listen: 127.0.0.1:0\n";

#[test]
fn check_accepts_a_valid_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = crossway(&["check", "--config", &config_file(&dir, VALID)], &[]);
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("configuration is valid: 1 realm, 1 endpoint"),
        "{stdout}"
    );
}

#[test]
fn check_lists_every_problem_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = config_file(
        &dir,
        "realms:\n  - name: realm1\n    colour: red\nendpoints:\n  - name: ws\n    transport: websocket\n    listen: here\n",
    );
    let out = crossway(&["check", "--config", &file], &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2 configuration problems"), "{stderr}");
    assert!(
        stderr.contains(":3: realms[0].colour: unknown key"),
        "{stderr}"
    );
    assert!(stderr.contains(":7: endpoints[0].listen:"), "{stderr}");
}

#[test]
fn environment_overrides_are_checked_like_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = config_file(&dir, VALID);
    let out = crossway(
        &["check", "--config", &file],
        &[("CROSSWAY_LOG_LEVEL", "no such level=[")],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("log_level: not a log filter"), "{stderr}");

    let out = crossway(
        &["check", "--config", &file],
        &[("CROSSWAY_COLOUR", "blue")],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("colour: unknown key"), "{stderr}");

    let out = crossway(
        &["check", "--config", &file],
        &[("CROSSWAY_LOG_LEVEL", "debug")],
    );
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn a_missing_file_is_named() {
    let out = crossway(&["check", "--config", "/nonexistent/node.yaml"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("/nonexistent/node.yaml") && stderr.contains("cannot read"),
        "{stderr}"
    );
}

#[test]
fn a_port_in_use_stops_start_up_naming_the_endpoint() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let file = config_file(
        &dir,
        &format!(
            "realms: [{{name: realm1}}]\nendpoints:\n  - {{name: free, transport: websocket, listen: \"127.0.0.1:0\"}}\n  - {{name: taken, transport: websocket, listen: \"127.0.0.1:{port}\"}}\n"
        ),
    );
    let out = crossway(&["run", "--config", &file], &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("endpoint \"taken\""), "{stderr}");
}

#[test]
fn check_never_prints_a_secret_among_problems() {
    let dir = tempfile::tempdir().unwrap();
    let file = config_file(
        &dir,
        "\
realms: [{name: realm1}]
endpoints:
  - name: ws
    transport: websocket
    listen: \"${LISTEN}\"
    auth:
      ticket:
        principals:
          alice: { ticket: \"${ALICE_TICKET}\", role: \"\" }
          bob: { ticket: file-secret-2, role: user, realm: nowhere }
      wampcra:
        principals:
          carol: { secret: cra-secret-3, role: user, iterations: 5 }
          dave: { secret: [cra-secret-4], role: user }
  - name: rs
    transport: rawsocket
    listen: 127.0.0.1:0
    auth: { ticket: plain-secret-5 }
",
    );
    let out = crossway(
        &["check", "--config", &file],
        &[("ALICE_TICKET", "env-secret-1"), ("LISTEN", "env-secret-6")],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for problem in [
        ":5: endpoints[0].listen: \"${LISTEN}\" is not a listen address",
        ":9: endpoints[0].auth.ticket.principals.alice.role: must not be empty",
        ":10: endpoints[0].auth.ticket.principals.bob.realm: \"nowhere\" is not a realm",
        ":13: endpoints[0].auth.wampcra.principals.carol.iterations: applies only with salt",
        ":14: endpoints[0].auth.wampcra.principals.dave.secret: expected a string, found a list",
        ":18: endpoints[1].auth.ticket: expected a mapping, found a string",
    ] {
        assert!(stderr.contains(problem), "{problem}: {stderr}");
    }
    let all = format!("{stderr}{}", String::from_utf8_lossy(&out.stdout));
    assert!(!all.contains("secret-"), "{all}");
}

#[test]
fn check_of_a_valid_auth_config_prints_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let file = config_file(
        &dir,
        "\
realms:
  - name: realm1
    roles:
      - { name: user, permissions: [{ uri: com.example., match: prefix, allow: [publish, subscribe] }] }
endpoints:
  - name: ws
    transport: websocket
    listen: 127.0.0.1:0
    auth:
      anonymous: { role: guest }
      ticket:
        principals:
          alice: { ticket: \"${ALICE_TICKET}\", role: user }
      wampcra:
        principals:
          bob: { secret: file-secret-2, role: user, salt: salt-3 }
",
    );
    let out = crossway(
        &["check", "--config", &file],
        &[("ALICE_TICKET", "env-secret-1")],
    );
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("configuration is valid: 1 realm, 1 endpoint"),
        "{stdout}"
    );
    assert!(
        stderr.contains("warning: sessions of role \"guest\" from endpoint \"ws\" will be refused"),
        "{stderr}"
    );
    assert!(
        !format!("{stdout}{stderr}").contains("secret-"),
        "{stdout}{stderr}"
    );
}
