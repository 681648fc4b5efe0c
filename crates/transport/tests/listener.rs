//! The listener over real sockets on 127.0.0.1.

mod common;

use common::*;
use crossway_transport::rt::{self, block_on};
use crossway_transport::{Serializer, accept_websocket, connect_tcp};

#[test]
fn the_accept_loop_survives_clients_that_leave_at_once() {
    block_on(async {
        let (listener, addr) = bind().await;
        let cfg = config(&Serializer::ALL);
        let accepting = rt::spawn(async move {
            let mut results = Vec::new();
            for _ in 0..6 {
                let (io, _peer) = listener.accept().await;
                results.push(accept_websocket(io, &cfg).await.map(|c| c.serializer));
            }
            results
        });
        for _ in 0..5 {
            drop(within(connect_tcp(&addr.to_string())).await.unwrap());
        }
        let c = within(client(addr, "/ws", &[Serializer::Cbor]))
            .await
            .unwrap();
        assert_eq!(c.serializer, Serializer::Cbor);
        let results = within(accepting).await;
        assert_eq!(results.len(), 6);
        assert!(results[..5].iter().all(Result::is_err));
        assert_eq!(results[5].as_ref().unwrap(), &Serializer::Cbor);
    });
}

#[test]
fn local_addr_has_the_chosen_port() {
    block_on(async {
        let (_listener, addr) = bind().await;
        assert_ne!(addr.port(), 0);
        assert!(addr.ip().is_loopback());
    });
}
