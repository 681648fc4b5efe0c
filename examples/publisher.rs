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
//!
//! Authenticating (`--help` lists the options; the router must know the credentials):
//!
//! ```sh
//! WAMP_TICKET=t0k3n cargo run --example publisher -- --authid alice          # ticket
//! WAMP_SECRET=s3cr3t cargo run --example publisher -- --authid alice         # wampcra
//! openssl rand -hex 32 > client.seed                                          # a new key
//! cargo run --example publisher -- --key-file client.seed                     # cryptosign
//! cargo run --example publisher -- wss://localhost:8443/ws \
//!     --ca ca.pem --cert client.pem --key client.key --tls-auth               # tls
//! ```
//!
//! `--ticket`, `--secret` and `WAMP_PRIVATE_KEY` (a seed's 64 hex digits) work too; several
//! methods may be offered at once.

mod common;

use crossway_client::Client;
use crossway_protocol::{Dict, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = common::parse();
    async_std::task::block_on(async {
        let client = Client::connect_with(&args.url, "realm1", args.serializer, args.opts).await?;
        common::joined(&client);
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
