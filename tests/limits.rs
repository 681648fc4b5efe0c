//! Limits over a real socket: a message over the endpoint's size limit closes only that
//! connection.

mod common;

use common::{TestNode, run, within, ws_config};
use crossway_client::Client;
use crossway_protocol::Value;
use crossway_transport::Serializer;

#[test]
fn an_oversized_message_closes_only_its_connection() {
    run(async {
        let node = TestNode::start_with(ws_config(2048)).await;
        let big = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        let other = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        let mut sub = other.subscribe("com.example.size").await.unwrap();
        let blob = Value::Str("x".repeat(4096));
        let result = big
            .publish_acknowledged("com.example.size", Some(vec![blob]), None)
            .await;
        assert!(
            result.is_err(),
            "an oversized publish must fail: {result:?}"
        );
        within("oversized connection closed", big.closed()).await;
        assert!(big.is_closed());
        let small = Client::connect(&node.url, "realm1", Serializer::Cbor)
            .await
            .unwrap();
        small
            .publish_acknowledged("com.example.size", Some(vec!["fits".into()]), None)
            .await
            .unwrap();
        let ev = within("event", sub.next()).await.unwrap();
        assert_eq!(ev.args, Some(vec!["fits".into()]));
        node.stop().await;
    });
}
