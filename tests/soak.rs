//! Soak: rounds of 1,000 sessions that connect, subscribe, publish and leave (over WebSocket and
//! RawSocket, every serializer). Afterwards no session, subscription or connection is left. (The
//! node's memory across rounds is checked on the real binary, in crates/node/tests/soak.rs: in
//! this process the clients' allocations would blur it.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{TestNode, endpoint, node_config, run, wait_for, within};
use crossway_client::Client;
use crossway_node::config::TransportKind;
use crossway_transport::Serializer;
use futures_util::future::join_all;

const SESSIONS_PER_ROUND: usize = 1000;
const CONCURRENT: usize = 100;
const ROUNDS: usize = 3;

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
    within("own event", sub.next()).await.unwrap();
    c.leave().await.unwrap();
}

#[test]
fn sessions_come_and_go_without_leaving_anything_behind() {
    run(async {
        let mut rs = endpoint("rs");
        rs.transport = TransportKind::RawSocket;
        let node = TestNode::start_with(node_config(vec![endpoint("ws"), rs])).await;
        let urls = [
            format!("ws://{}/ws", node.addrs[0].1),
            format!("rs://{}", node.addrs[1].1),
        ];
        for round in 0..ROUNDS {
            for wave in 0..SESSIONS_PER_ROUND / CONCURRENT {
                let sessions = (0..CONCURRENT).map(|i| {
                    let n = wave * CONCURRENT + i;
                    let ser = Serializer::ALL[n % 3];
                    one_session(urls[n % 2].clone(), ser, n)
                });
                join_all(sessions).await;
            }
            assert!(
                wait_for(|| node.router.session_count() == 0 && node.open.open() == 0).await,
                "round {round}: sessions {} and connections {} left",
                node.router.session_count(),
                node.open.open()
            );
            assert_eq!(node.router.subscription_count(), 0, "round {round}");
        }
        node.stop().await;
    });
}
