//! Remote procedure calls: calling procedures, and registering procedures to serve.
//!
//! ```no_run
//! # async fn demo(client: crossway_client::Client) -> Result<(), crossway_client::ClientError> {
//! use crossway_client::CallOptions;
//!
//! // A callee: serve com.example.add2 until the registration ends.
//! let mut add2 = client.register("com.example.add2").await?;
//! crossway_transport::rt::spawn(async move {
//!     while let Some(inv) = add2.next().await {
//!         let sum = inv.args().into_iter().flatten().filter_map(|v| v.as_u64()).sum::<u64>();
//!         let _ = inv.result(Some(vec![sum.into()]), None).await;
//!     }
//! });
//!
//! // A caller: one result, then a call with progressive results.
//! let sum = client.call("com.example.add2", Some(vec![2i64.into(), 3i64.into()]), None).await?;
//! let opts = CallOptions::default().with_progress();
//! let mut call = client.call_with("com.example.countdown", Some(vec![3i64.into()]), None, opts).await?;
//! while let Some(answer) = call.next().await {
//!     let result = answer?;
//!     println!("{:?} (progressive: {})", result.args, result.is_progress());
//! }
//! # let _ = sum;
//! # Ok(())
//! # }
//! ```
//!
//! - `caller`: [`Client::call`](crate::Client::call), `call_with`, `call_payload`.
//! - `callee`: [`Client::register`](crate::Client::register), `register_with`, `unregister`.
//! - `options`: [`CallOptions`] and [`CancelMode`].
//! - `call`: [`Call`], a call in flight, and [`CallResult`].
//! - `registration`: [`Registration`] and its queue of invocations ([`INVOCATION_QUEUE`]).
//! - `invocation`: [`Invocation`], served and answered, and [`Interrupt`].
//! - `state` (crate): the registrations, calls and invocations the background task routes to.
//! - `reader` (crate): what the background task does with RESULT, INVOCATION, INTERRUPT and
//!   the ERROR of a CALL.
//!
//! Queues: a call's answers wait in a queue of [`CALL_QUEUE`] (full: the client stops reading
//! until there is room, as for events); a registration's invocations in one of
//! [`INVOCATION_QUEUE`] (full: further invocations are answered at once with ERROR
//! `crossway.error.too_many_calls`).

mod call;
mod callee;
mod caller;
mod invocation;
mod options;
pub(crate) mod reader;
mod registration;
pub(crate) mod state;

pub use call::{Call, CallResult};
pub use invocation::{Interrupt, Invocation};
pub use options::{CallOptions, CancelMode, DEFAULT_CALL_TIMEOUT, TIMEOUT_GRACE};
pub use registration::{INVOCATION_QUEUE, Registration};
pub use state::CALL_QUEUE;

#[cfg(test)]
mod tests {
    use super::*;

    fn send<T: Send>(_: &T) {}
    fn send_and_sync<T: Send + Sync>() {}

    /// Applications serve invocations and wait for calls in tasks of their own.
    #[test]
    fn handles_and_their_futures_can_move_between_threads() {
        send_and_sync::<Call>();
        send_and_sync::<Invocation>();
        send_and_sync::<Registration>();
        let check = |c: &mut Call, i: &Invocation, r: &mut Registration| {
            send(&c.next());
            send(&c.cancel(CancelMode::Kill));
            send(&i.interrupted());
            send(&i.progress(None, None));
            send(&r.next());
        };
        let _ = check;
    }
}
