//! TLS endpoints of a whole node: two mutual-TLS endpoints with different CAs beside a plain
//! one, each admitting only its own clients; failed handshakes counted; certificates reloaded
//! without a restart while open connections keep working.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;
#[path = "../crates/transport/tests/pki/mod.rs"]
mod pki;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{TestNode, endpoint, node_config, run, wait_for, within};
use crossway_client::{Client, ClientError, ConnectOptions};
use crossway_node::config::TlsSpec;
use crossway_node::counters::Counters;
use crossway_transport::Serializer;
use crossway_transport::tls::{TlsClientSettings, TlsSettings};
use pki::{Ca, Dir};

/// A CA with a server certificate and one client certificate, written to `dir` with `prefix`.
struct Pki {
    ca: PathBuf,
    server_cert: PathBuf,
    server_key: PathBuf,
    client_cert: PathBuf,
    client_key: PathBuf,
}

fn pki(dir: &Dir, prefix: &str) -> Pki {
    let ca = Ca::root(&format!("{prefix} CA"));
    let server = ca.server();
    let client = ca.client(&format!("{prefix}-device"));
    Pki {
        ca: dir.write(&format!("{prefix}-ca.pem"), &ca.pem),
        server_cert: dir.write(&format!("{prefix}-server.pem"), &server.chain_pem),
        server_key: dir.write(&format!("{prefix}-server.key"), &server.key_pem),
        client_cert: dir.write(&format!("{prefix}-client.pem"), &client.chain_pem),
        client_key: dir.write(&format!("{prefix}-client.key"), &client.key_pem),
    }
}

fn mtls_endpoint(name: &str, p: &Pki) -> crossway_node::config::EndpointSpec {
    let mut ep = endpoint(name);
    let mut settings = TlsSettings::new(&p.server_cert, &p.server_key);
    settings.ca_certificates = vec![p.ca.clone()];
    ep.tls = Some(TlsSpec {
        settings,
        create_if_missing: false,
    });
    ep
}

fn client_tls(trust: &Pki, cert: Option<&Pki>) -> ConnectOptions {
    let mut tls = TlsClientSettings::new(vec![trust.ca.clone()]);
    tls.client_certificate = cert.map(|c| (c.client_cert.clone(), c.client_key.clone()));
    ConnectOptions::with_tls(tls)
}

fn wss(addr: SocketAddr) -> String {
    format!("wss://{addr}/ws")
}

async fn start(endpoints: Vec<crossway_node::config::EndpointSpec>) -> TestNode {
    TestNode::start_with(node_config(endpoints)).await
}

#[test]
fn each_endpoint_admits_only_clients_of_its_own_ca() {
    run(async {
        let dir = Dir::new();
        let devices = pki(&dir, "devices");
        let partners = pki(&dir, "partners");
        let node = start(vec![
            endpoint("browsers"),
            mtls_endpoint("devices", &devices),
            mtls_endpoint("partners", &partners),
        ])
        .await;
        let plain = node.addrs[0].1;
        let dev_addr = node.addrs[1].1;
        let partner_addr = node.addrs[2].1;

        let browser = Client::connect(&format!("ws://{plain}/ws"), "realm1", Serializer::Json)
            .await
            .unwrap();
        let mut events = browser.subscribe("com.example.telemetry").await.unwrap();

        let device = Client::connect_with(
            &wss(dev_addr),
            "realm1",
            Serializer::Cbor,
            client_tls(&devices, Some(&devices)),
        )
        .await
        .expect("a device certificate is admitted on the devices endpoint");
        device
            .publish_acknowledged("com.example.telemetry", Some(vec![21.5f64.into()]), None)
            .await
            .unwrap();
        let ev = within("event from the device", events.next())
            .await
            .unwrap();
        assert_eq!(ev.args, Some(vec![21.5f64.into()]));

        let partner = Client::connect_with(
            &wss(partner_addr),
            "realm1",
            Serializer::MsgPack,
            client_tls(&partners, Some(&partners)),
        )
        .await;
        assert!(
            partner.is_ok(),
            "a partner certificate on the partners endpoint"
        );

        let before = node.counters.sum(Counters::tls_handshake_failures);
        // A device certificate on the partners endpoint, and the reverse: refused.
        for (addr, trust, cert) in [
            (partner_addr, &partners, &devices),
            (dev_addr, &devices, &partners),
        ] {
            let refused = Client::connect_with(
                &wss(addr),
                "realm1",
                Serializer::Json,
                client_tls(trust, Some(cert)),
            )
            .await;
            assert!(
                matches!(refused, Err(ClientError::Handshake(_))),
                "a certificate of another CA must be refused: {:?}",
                refused.map(|_| ())
            );
        }
        // No certificate at all: refused (under TLS 1.3 only at the first read; the whole
        // exchange is what counts).
        let none = Client::connect_with(
            &wss(dev_addr),
            "realm1",
            Serializer::Json,
            client_tls(&devices, None),
        )
        .await;
        assert!(
            matches!(none, Err(ClientError::Handshake(_))),
            "{:?}",
            none.map(|_| ())
        );
        let failures =
            wait_for(|| node.counters.sum(Counters::tls_handshake_failures) >= before + 3).await;
        assert!(failures, "three refused handshakes are counted");
        node.stop().await;
    });
}

#[test]
fn new_certificates_are_served_after_a_reload_request() {
    new_certificates_are_served_without_a_restart(true);
}

#[test]
fn changed_certificate_files_are_picked_up_by_themselves() {
    new_certificates_are_served_without_a_restart(false);
}

/// Swaps the endpoint's files for a new CA's, with or without a reload request (SIGHUP does the
/// same), and checks new and old connections.
fn new_certificates_are_served_without_a_restart(request_reload: bool) {
    run(async {
        let dir = Dir::new();
        let old = pki(&dir, "old");
        let new = pki(&dir, "new");
        // The endpoint reads fixed file names; the test swaps their contents.
        let live = Pki {
            ca: dir.write("live-ca.pem", &std::fs::read_to_string(&old.ca).unwrap()),
            server_cert: dir.write(
                "live-server.pem",
                &std::fs::read_to_string(&old.server_cert).unwrap(),
            ),
            server_key: dir.write(
                "live-server.key",
                &std::fs::read_to_string(&old.server_key).unwrap(),
            ),
            client_cert: old.client_cert.clone(),
            client_key: old.client_key.clone(),
        };
        let node = start(vec![mtls_endpoint("devices", &live)]).await;
        let addr = node.addrs[0].1;
        let kept = Client::connect_with(
            &wss(addr),
            "realm1",
            Serializer::Json,
            client_tls(&old, Some(&old)),
        )
        .await
        .unwrap();
        let mut kept_events = kept.subscribe("com.example.reload").await.unwrap();

        // Swap in the new CA, server certificate and key (key first, so that a watcher that
        // looks in between sees a mismatch and keeps the old acceptor).
        std::fs::copy(&new.server_key, &live.server_key).unwrap();
        std::fs::copy(&new.server_cert, &live.server_cert).unwrap();
        std::fs::copy(&new.ca, &live.ca).unwrap();
        if request_reload {
            node.reload.reload();
        }

        // A client that trusts only the new CA and shows a new certificate gets in once the
        // node has reloaded (the watcher or the reload request, whichever comes first).
        let deadline = Instant::now() + Duration::from_secs(10);
        let fresh = loop {
            match Client::connect_with(
                &wss(addr),
                "realm1",
                Serializer::Json,
                client_tls(&new, Some(&new)),
            )
            .await
            {
                Ok(c) => break c,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    async_std::task::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("the new certificate was not served within 10 s: {e}"),
            }
        };
        // The old client certificate is no longer admitted on new connections.
        let stale = Client::connect_with(
            &wss(addr),
            "realm1",
            Serializer::Json,
            client_tls(&new, Some(&old)),
        )
        .await;
        assert!(
            stale.is_err(),
            "a client of the old CA must be refused after the reload"
        );

        // The connection opened before the reload still works both ways.
        fresh
            .publish_acknowledged("com.example.reload", Some(vec!["after".into()]), None)
            .await
            .unwrap();
        let ev = within("event on the old connection", kept_events.next())
            .await
            .unwrap();
        assert_eq!(ev.args, Some(vec!["after".into()]));
        node.stop().await;
    });
}

#[test]
fn a_broken_new_file_keeps_the_old_certificates() {
    run(async {
        let dir = Dir::new();
        let p = pki(&dir, "devices");
        let live_cert = dir.write(
            "live-server.pem",
            &std::fs::read_to_string(&p.server_cert).unwrap(),
        );
        let live = Pki {
            ca: p.ca.clone(),
            server_cert: live_cert.clone(),
            server_key: p.server_key.clone(),
            client_cert: p.client_cert.clone(),
            client_key: p.client_key.clone(),
        };
        let node = start(vec![mtls_endpoint("devices", &live)]).await;
        let addr = node.addrs[0].1;
        std::fs::write(&live_cert, "not a certificate").unwrap();
        node.reload.reload();
        let refused =
            wait_for(|| node.counters.sum(|c| Counters::get(&c.tls_reload_failures)) >= 1).await;
        assert!(refused, "the broken file is noticed and refused");
        let c = Client::connect_with(
            &wss(addr),
            "realm1",
            Serializer::Json,
            client_tls(&p, Some(&p)),
        )
        .await
        .expect("the old certificates are still served");
        c.leave().await.unwrap();
        node.stop().await;
    });
}
