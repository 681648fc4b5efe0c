//! TLS handshakes over real sockets on 127.0.0.1: versions, cipher suites, full chains,
//! reload, and how failures read.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod pki;
mod tls_harness;

use crossway_transport::HandshakeError;
use crossway_transport::connect_tcp;
use crossway_transport::rt::block_on;
use crossway_transport::tls::{TlsConnector, TlsVersion};
use pki::Ca;
use tls_harness::*;

#[test]
fn min_version_1_3_refuses_a_tls_1_2_client() {
    block_on(async {
        let ca = Ca::root("Test CA");
        let mut server = Server::new(&ca, &[]);
        server.settings.min_version = TlsVersion::V1_3;
        let (addr, rx) = serve(server.acceptor()).await;
        let old = ClientSide::new(&ca).ciphers(&["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]);
        assert_refused(addr, &rx, &old, "incompatible").await;
        let session = exchange(addr, &ClientSide::new(&ca)).await.unwrap();
        assert_eq!(session.version, TlsVersion::V1_3);
        seen(&rx).await.unwrap();
    });
}

#[test]
fn the_configured_cipher_suites_are_honoured() {
    block_on(async {
        let ca = Ca::root("Test CA");
        let mut server = Server::new(&ca, &[]);
        server.settings.ciphers = Some(
            vec![
                "TLS13_CHACHA20_POLY1305_SHA256".to_owned(),
                "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384".to_owned(),
            ]
            .into(),
        );
        let (addr, rx) = serve(server.acceptor()).await;

        let session = exchange(addr, &ClientSide::new(&ca)).await.unwrap();
        assert_eq!(session.cipher_suite, "TLS13_CHACHA20_POLY1305_SHA256");
        assert_eq!(seen(&rx).await.unwrap().1, session);

        let tls12 = ClientSide::new(&ca).ciphers(&[
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        ]);
        let session = exchange(addr, &tls12).await.unwrap();
        assert_eq!(session.version, TlsVersion::V1_2);
        assert_eq!(
            session.cipher_suite,
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
        );
        seen(&rx).await.unwrap();

        for offered in [
            "TLS13_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        ] {
            let client = ClientSide::new(&ca).ciphers(&[offered]);
            assert_refused(addr, &rx, &client, "incompatible").await;
        }
    });
}

#[test]
fn the_full_chain_is_sent() {
    block_on(async {
        let root = Ca::root("Root CA");
        let intermediate = root.intermediate("Server CA");
        let (addr, rx) = serve(Server::new(&intermediate, &[]).acceptor()).await;
        // The client trusts only the root: it needs the intermediate from the server.
        exchange(addr, &ClientSide::new(&root)).await.unwrap();
        seen(&rx).await.unwrap();

        // A certificate file with the leaf alone: the same client cannot verify the server.
        let server = Server::new(&intermediate, &[]);
        let leaf_only = intermediate.server();
        std::fs::write(&server.settings.certificate, &leaf_only.pem).unwrap();
        std::fs::write(&server.settings.key, &leaf_only.key_pem).unwrap();
        let (addr, rx) = serve(server.acceptor()).await;
        let client = exchange(addr, &ClientSide::new(&root)).await.unwrap_err();
        assert!(client.contains("UnknownIssuer"), "{client}");
        assert!(seen(&rx).await.unwrap_err().contains("alert"));
    });
}

#[test]
fn every_ca_of_a_bundle_is_a_trust_anchor() {
    block_on(async {
        let ca = Ca::root("Test CA");
        let (a, b, c) = (Ca::root("CA A"), Ca::root("CA B"), Ca::root("CA C"));
        let server = Server::new(&ca, &[]);
        let bundle = server
            .dir
            .write("bundle.pem", &format!("{}{}", a.pem, b.pem));
        let mut server = server;
        server.settings.ca_certificates = vec![bundle];
        let (addr, rx) = serve(server.acceptor()).await;
        for (issuer, name) in [(&a, "from-a"), (&b, "from-b")] {
            exchange(addr, &ClientSide::new(&ca).with_cert(&issuer.client(name)))
                .await
                .unwrap();
            let (peer, _) = seen(&rx).await.unwrap();
            assert_eq!(peer.unwrap().common_name.as_deref(), Some(name));
        }
        let client = ClientSide::new(&ca).with_cert(&c.client("from-c"));
        assert_refused(addr, &rx, &client, "UnknownIssuer").await;
    });
}

#[test]
fn replace_serves_new_connections_while_open_ones_keep_working() {
    block_on(async {
        let (old_ca, new_ca) = (Ca::root("Old CA"), Ca::root("New CA"));
        let acceptor = Server::new(&old_ca, &[]).acceptor();
        let (addr, rx) = serve(acceptor.clone()).await;
        let mut open_before = open(addr, &ClientSide::new(&old_ca)).await.unwrap();
        ping(&mut open_before.io).await.unwrap();
        seen(&rx).await.unwrap();

        acceptor.replace(Server::new(&new_ca, &[]).acceptor().config());

        exchange(addr, &ClientSide::new(&new_ca)).await.unwrap();
        seen(&rx).await.unwrap();
        let old_client = exchange(addr, &ClientSide::new(&old_ca)).await.unwrap_err();
        assert!(old_client.contains("UnknownIssuer"), "{old_client}");
        seen(&rx).await.unwrap_err();
        // The stream opened before the replacement still works.
        ping(&mut open_before.io).await.unwrap();
    });
}

#[test]
fn handshake_errors_read_as_tls_errors() {
    block_on(async {
        let ca = Ca::root("Test CA");
        let (addr, _rx) = serve(Server::new(&ca, &[]).acceptor()).await;
        let other = Ca::root("Other CA");
        let connector = TlsConnector::new(&ClientSide::new(&other).settings).unwrap();
        let io = connect_tcp(&addr.to_string()).await.unwrap();
        let e = within(connector.connect(io, "localhost"))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, HandshakeError::Tls(reason) if reason.contains("UnknownIssuer")),
            "{e:?}"
        );
        // A name the certificate does not carry.
        let connector = TlsConnector::new(&ClientSide::new(&ca).settings).unwrap();
        let io = connect_tcp(&addr.to_string()).await.unwrap();
        let e = within(connector.connect(io, "example.com"))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, HandshakeError::Tls(reason) if reason.contains("not valid for name")),
            "{e:?}"
        );
        // An IP address the certificate carries.
        let io = connect_tcp(&addr.to_string()).await.unwrap();
        within(connector.connect(io, "127.0.0.1")).await.unwrap();
    });
}
