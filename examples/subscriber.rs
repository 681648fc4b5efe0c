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
//!
//! Authenticating (`--help` lists the options; the router must know the credentials):
//!
//! ```sh
//! WAMP_TICKET=t0k3n cargo run --example subscriber -- --authid bob           # ticket
//! WAMP_SECRET=s3cr3t cargo run --example subscriber -- --authid bob          # wampcra
//! WAMP_PRIVATE_KEY=$(cat client.seed) cargo run --example subscriber          # cryptosign
//! cargo run --example subscriber -- rss://localhost:8443 \
//!     --ca ca.pem --cert client.pem --key client.key --tls-auth               # tls
//! ```
//!
//! `--ticket`, `--secret` and `--key-file FILE` work too; several methods may be offered at
//! once, e.g. `--key-file client.seed --authid bob --secret s3cr3t`.

mod common;

use crossway_client::Client;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = common::parse();
    async_std::task::block_on(async {
        let client = Client::connect_with(&args.url, "realm1", args.serializer, args.opts).await?;
        common::joined(&client);
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
