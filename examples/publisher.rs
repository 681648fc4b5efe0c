//! A publisher: joins `realm1` on a running node, publishes five acknowledged events on
//! `com.example.hello` (a counter and a greeting) and leaves with GOODBYE.
//!
//! Run the node first (`cargo run --release`) and a subscriber
//! (`cargo run --example subscriber`), then:
//!
//! ```sh
//! cargo run --example publisher                        # ws://127.0.0.1:8080/ws, JSON
//! cargo run --example publisher -- ws://host:port/ws msgpack
//! ```

use crossway_client::Client;
use crossway_protocol::{Dict, Value};
use crossway_transport::Serializer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "ws://127.0.0.1:8080/ws".to_owned());
    let serializer = match args.next() {
        Some(name) => Serializer::from_name(&name).ok_or(format!("unknown serializer {name}"))?,
        None => Serializer::Json,
    };
    async_std::task::block_on(async {
        let client = Client::connect(&url, "realm1", serializer).await?;
        println!("joined realm1 as session {}", client.session_id());
        for n in 1..=5i64 {
            let mut kwargs = Dict::new();
            kwargs.insert("from".into(), Value::from("publisher example"));
            let id = client
                .publish_acknowledged(
                    "com.example.hello",
                    Some(vec![Value::Int(n), "hello".into()]),
                    Some(kwargs),
                )
                .await?;
            println!("published {n} as publication {id}");
        }
        client.leave().await?;
        println!("left");
        Ok(())
    })
}
