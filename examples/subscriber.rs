//! A subscriber: joins `realm1` on a running node and prints every event on `com.example.hello`
//! until interrupted.
//!
//! Run the node first (`cargo run --release`), then:
//!
//! ```sh
//! cargo run --example subscriber                       # ws://127.0.0.1:8080/ws, JSON
//! cargo run --example subscriber -- ws://host:port/ws cbor
//! ```
//!
//! and publish with `cargo run --example publisher` in another terminal.

use crossway_client::Client;
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
        let mut events = client.subscribe("com.example.hello").await?;
        println!("subscribed to com.example.hello; waiting for events (Ctrl-C to stop)");
        while let Some(event) = events.next().await {
            println!(
                "event {}: args={:?} kwargs={:?}",
                event.publication, event.args, event.kwargs
            );
        }
        println!("the router closed the session");
        Ok(())
    })
}
