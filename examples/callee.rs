//! A callee: joins `realm1` on a running node and serves two procedures until interrupted:
//! `com.example.add2` (the sum of two integers) and `com.example.countdown` (counts down from n,
//! one number every half second, sent as progressive results when the caller asks for them, and
//! stops when the call is canceled or times out).
//!
//! Run the node first (`cargo run --release`), then:
//!
//! ```sh
//! cargo run --example callee                           # ws://127.0.0.1:8080/ws, JSON
//! cargo run --example callee -- rs://127.0.0.1:8081 cbor
//! ```
//!
//! and call them with `cargo run --example caller` in another terminal. Authentication and TLS
//! options are the other examples' (`--help` lists them; `publisher.rs` shows them in use).

mod common;

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use async_std::task;
use crossway_client::{Client, ClientError, Invocation, Registration};
use crossway_protocol::{Value, errors};
use futures_util::future::{Either, select};

/// The countdown's pace.
const TICK: Duration = Duration::from_millis(500);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = common::parse();
    task::block_on(async {
        let client = Client::connect_with(&args.url, "realm1", args.serializer, args.opts).await?;
        common::joined(&client);
        let add2 = client.register("com.example.add2").await?;
        let countdown = client.register("com.example.countdown").await?;
        println!("registered com.example.add2 and com.example.countdown (Ctrl-C to stop)");
        task::spawn(serve(add2, add2_answer));
        task::spawn(serve(countdown, countdown_answer));
        let closed = client.closed().await;
        println!("the router closed the session: {closed:?}");
        Ok(())
    })
}

/// Answers each invocation of `registration` in a task of its own, with `answer`.
async fn serve<F, Fut>(mut registration: Registration, answer: F)
where
    F: Fn(Invocation) -> Fut,
    Fut: Future<Output = Result<(), ClientError>> + Send + 'static,
{
    while let Some(invocation) = registration.next().await {
        let answering = answer(invocation);
        task::spawn(async move {
            if let Err(e) = answering.await {
                eprintln!("cannot answer: {e}");
            }
        });
    }
}

/// `com.example.add2(a, b)`: `a + b`.
async fn add2_answer(inv: Invocation) -> Result<(), ClientError> {
    let pair = match inv.args().map(Vec::as_slice) {
        Some([Value::Int(a), Value::Int(b)]) => Some((*a, *b)),
        _ => None,
    };
    let Some((a, b)) = pair else {
        let why = Some(vec!["add2 takes two integers".into()]);
        return inv.error(errors::INVALID_ARGUMENT, why, None).await;
    };
    println!("add2({a}, {b})");
    match a.checked_add(b) {
        Some(sum) => inv.result(Some(vec![Value::Int(sum)]), None).await,
        None => {
            let why = Some(vec!["the sum does not fit in 64 bits".into()]);
            inv.error(errors::INVALID_ARGUMENT, why, None).await
        }
    }
}

/// `com.example.countdown(n)`: n, n - 1, ... 1 as progressive results, then `"liftoff"`.
async fn countdown_answer(inv: Invocation) -> Result<(), ClientError> {
    let Some(n) = inv.args().and_then(|a| a.first()).and_then(Value::as_u64) else {
        let why = Some(vec!["countdown takes a non-negative integer".into()]);
        return inv.error(errors::INVALID_ARGUMENT, why, None).await;
    };
    println!("countdown({n}), progressive: {}", inv.receive_progress());
    for i in (1..=n).rev() {
        if inv.receive_progress() {
            inv.progress(Some(vec![Value::from(i)]), None).await?;
        }
        // Wait for the next tick, unless the call ends first.
        let stop = match select(pin!(task::sleep(TICK)), pin!(inv.interrupted())).await {
            Either::Left(_) => None,
            Either::Right((why, _)) => Some(why),
        };
        if let Some(why) = stop {
            println!("countdown({n}) stopped at {i}: {why:?}");
            // Read by the caller only when it canceled with mode "kill".
            let said = Some(vec![format!("stopped at {i}").into()]);
            return match inv.error(errors::CANCELED, said, None).await {
                Err(ClientError::CannotAnswer(_)) => Ok(()), // answered already (timeout)
                other => other,
            };
        }
    }
    inv.result(Some(vec!["liftoff".into()]), None).await
}
