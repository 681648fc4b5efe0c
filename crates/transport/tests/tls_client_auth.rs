//! Client certificates over real sockets on 127.0.0.1, with certificates made by rcgen in each
//! test: admitted with their identity, refused for each reason, optional, bundles.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod pki;
mod tls_harness;

use crossway_transport::rt::block_on;
use crossway_transport::tls::{ClientAuth, TlsVersion};
use pki::{Ca, LeafSpec, Validity};
use rcgen::ExtendedKeyUsagePurpose;
use tls_harness::*;

#[test]
fn a_valid_client_certificate_is_admitted_with_its_identity() {
    block_on(async {
        let ca = Ca::root("Test CA");
        let (addr, rx) = serve(Server::new(&ca, &[&ca]).acceptor()).await;
        let leaf = ca.client("device-1");
        let client = ClientSide::new(&ca).with_cert(&leaf);
        let session = exchange(addr, &client).await.unwrap();
        assert_eq!(session.version, TlsVersion::V1_3);
        let (peer, server_session) = seen(&rx).await.unwrap();
        assert_eq!(server_session, session);
        let peer = peer.expect("an identity");
        assert_eq!(peer.common_name.as_deref(), Some("device-1"));
        assert_eq!(peer.san_dns, ["device-1.devices.example"]);
        assert_eq!(peer.san_email, ["device-1@example.com"]);
        assert_eq!(peer.fingerprint_sha256, sha256_hex(&leaf.der));
        assert_eq!(peer.subject, "CN=device-1");
        assert!(
            peer.to_string().starts_with("CN=device-1 sha256="),
            "{peer}"
        );
    });
}

#[test]
fn a_client_without_a_certificate_is_refused() {
    block_on(async {
        let ca = Ca::root("Test CA");
        let (addr, rx) = serve(Server::new(&ca, &[&ca]).acceptor()).await;
        // TLS 1.3: the client's handshake completes; the refusal comes with the first read.
        let client = ClientSide::new(&ca);
        assert_refused(addr, &rx, &client, "peer sent no certificates").await;
        // TLS 1.2: the handshake itself fails.
        let client = ClientSide::new(&ca).ciphers(&["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]);
        assert!(open(addr, &client).await.is_err());
        assert!(
            seen(&rx)
                .await
                .unwrap_err()
                .contains("peer sent no certificates")
        );
    });
}

#[test]
fn a_certificate_from_an_unlisted_ca_is_refused() {
    block_on(async {
        let ca = Ca::root("Test CA");
        let other = Ca::root("Other CA");
        let (addr, rx) = serve(Server::new(&ca, &[&ca]).acceptor()).await;
        let client = ClientSide::new(&ca).with_cert(&other.client("intruder"));
        assert_refused(addr, &rx, &client, "UnknownIssuer").await;
    });
}

#[test]
fn expired_and_not_yet_valid_certificates_are_refused() {
    block_on(async {
        let ca = Ca::root("Test CA");
        let (addr, rx) = serve(Server::new(&ca, &[&ca]).acceptor()).await;
        for (validity, reason) in [
            (Validity::Expired, "certificate expired"),
            (Validity::NotYet, "certificate not valid"),
        ] {
            let leaf = ca.leaf(&LeafSpec {
                validity,
                ..LeafSpec::client("device-1")
            });
            let client = ClientSide::new(&ca).with_cert(&leaf);
            assert_refused(addr, &rx, &client, reason).await;
        }
    });
}

#[test]
fn a_certificate_issued_by_an_intermediate_is_admitted_with_only_the_root_listed() {
    block_on(async {
        let root = Ca::root("Root CA");
        let intermediate = root.intermediate("Device CA");
        let (addr, rx) = serve(Server::new(&root, &[&root]).acceptor()).await;
        let client = ClientSide::new(&root).with_cert(&intermediate.client("device-2"));
        exchange(addr, &client).await.unwrap();
        let (peer, _) = seen(&rx).await.unwrap();
        assert_eq!(peer.unwrap().common_name.as_deref(), Some("device-2"));

        // Without the intermediate in the client's chain, the server cannot build the path.
        let mut alone = intermediate.client("device-3");
        alone.chain_pem = alone.pem.clone();
        let client = ClientSide::new(&root).with_cert(&alone);
        assert_refused(addr, &rx, &client, "UnknownIssuer").await;
    });
}

#[test]
fn a_certificate_without_the_client_auth_usage_is_refused() {
    block_on(async {
        let ca = Ca::root("Test CA");
        let (addr, rx) = serve(Server::new(&ca, &[&ca]).acceptor()).await;
        let leaf = ca.leaf(&LeafSpec {
            eku: vec![ExtendedKeyUsagePurpose::ServerAuth],
            ..LeafSpec::client("server-cert-as-client")
        });
        let client = ClientSide::new(&ca).with_cert(&leaf);
        assert_refused(
            addr,
            &rx,
            &client,
            "extended key usage for client authentication",
        )
        .await;

        // Without any EKU extension, webpki accepts the certificate for any purpose.
        let leaf = ca.leaf(&LeafSpec {
            eku: vec![],
            ..LeafSpec::client("no-eku")
        });
        exchange(addr, &ClientSide::new(&ca).with_cert(&leaf))
            .await
            .unwrap();
        seen(&rx).await.unwrap();
    });
}

#[test]
fn optional_mode_admits_clients_with_and_without_certificates() {
    block_on(async {
        let ca = Ca::root("Test CA");
        let other = Ca::root("Other CA");
        let mut server = Server::new(&ca, &[&ca]);
        server.settings.client_auth = Some(ClientAuth::Optional);
        let (addr, rx) = serve(server.acceptor()).await;

        exchange(
            addr,
            &ClientSide::new(&ca).with_cert(&ca.client("device-1")),
        )
        .await
        .unwrap();
        let (peer, _) = seen(&rx).await.unwrap();
        assert_eq!(peer.unwrap().common_name.as_deref(), Some("device-1"));

        exchange(addr, &ClientSide::new(&ca)).await.unwrap();
        let (peer, _) = seen(&rx).await.unwrap();
        assert_eq!(peer, None);

        // A certificate that is shown must still be valid.
        let client = ClientSide::new(&ca).with_cert(&other.client("intruder"));
        assert_refused(addr, &rx, &client, "UnknownIssuer").await;
    });
}

#[test]
fn no_client_certificate_is_requested_without_cas() {
    block_on(async {
        let ca = Ca::root("Test CA");
        let (addr, rx) = serve(Server::new(&ca, &[]).acceptor()).await;
        // A client that has a certificate does not send it when none is requested.
        exchange(
            addr,
            &ClientSide::new(&ca).with_cert(&ca.client("device-1")),
        )
        .await
        .unwrap();
        assert_eq!(seen(&rx).await.unwrap().0, None);
    });
}
