//! A caller: joins `realm1` on a running node, calls the procedures of the callee example and
//! prints what comes back: `com.example.add2` (a result, and an error), `com.example.countdown`
//! with progressive results, a countdown that runs out of time, and one canceled halfway; then
//! leaves.
//!
//! Run the node (`cargo run --release`) and the callee (`cargo run --example callee`) first,
//! then:
//!
//! ```sh
//! cargo run --example caller                           # ws://127.0.0.1:8080/ws, JSON
//! cargo run --example caller -- ws://host:port/ws msgpack
//! ```
//!
//! Authentication and TLS options are the other examples' (`--help` lists them).

mod common;

use std::time::Duration;

use crossway_client::{CallOptions, CancelMode, Client, ClientError};
use crossway_protocol::Value;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = common::parse();
    async_std::task::block_on(async {
        let client = Client::connect_with(&args.url, "realm1", args.serializer, args.opts).await?;
        common::joined(&client);

        let two_three = Some(vec![Value::Int(2), Value::Int(3)]);
        let sum = client.call("com.example.add2", two_three, None).await?;
        println!("add2(2, 3) = {:?}", sum.args);
        match client
            .call("com.example.add2", Some(vec!["two".into()]), None)
            .await
        {
            Err(ClientError::Wamp { error, args, .. }) => {
                println!("add2(\"two\") failed: {error} {args:?}")
            }
            other => println!("add2(\"two\"): {other:?}"),
        }

        // Progressive results: each number as it comes, then the final result.
        let three = Some(vec![Value::Int(3)]);
        let opts = CallOptions::default().with_progress();
        let mut call = client
            .call_with("com.example.countdown", three, None, opts)
            .await?;
        while let Some(answer) = call.next().await {
            let result = answer?;
            let kind = if result.is_progress() {
                "progress"
            } else {
                "final"
            };
            println!("countdown(3): {kind} {:?}", result.args);
        }

        // A time limit: counting down from 5 takes 2.5 s, the call may take 1 s.
        let five = Some(vec![Value::Int(5)]);
        let opts = CallOptions::default().with_timeout(Some(Duration::from_secs(1)));
        let call = client
            .call_with("com.example.countdown", five, None, opts)
            .await?;
        match call.result().await {
            Err(ClientError::Wamp { error, details, .. }) => {
                let reason = details.get("reason").and_then(Value::as_str);
                println!("countdown(5) within 1 s: {error} (reason: {reason:?})")
            }
            other => println!("countdown(5) within 1 s: {other:?}"),
        }

        // Cancel after two numbers. With mode "kill" the callee is interrupted and its answer
        // comes back; "killnowait" and "skip" would answer wamp.error.canceled at once.
        let ten = Some(vec![Value::Int(10)]);
        let opts = CallOptions::default().with_progress();
        let mut call = client
            .call_with("com.example.countdown", ten, None, opts)
            .await?;
        let mut seen = 0;
        while let Some(answer) = call.next().await {
            match answer {
                Ok(result) if result.is_progress() => {
                    println!("countdown(10): progress {:?}", result.args);
                    seen += 1;
                    if seen == 2 {
                        println!("countdown(10): canceling (kill)");
                        call.cancel(CancelMode::Kill).await?;
                    }
                }
                Ok(result) => println!("countdown(10): final {:?}", result.args),
                Err(ClientError::Wamp { error, args, .. }) => {
                    println!("countdown(10) ended: {error} {args:?}")
                }
                Err(e) => return Err(e.into()),
            }
        }

        client.leave().await?;
        println!("left");
        Ok(())
    })
}
