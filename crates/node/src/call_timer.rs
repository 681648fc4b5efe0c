//! The timer of call timeouts: the router keeps each call's deadline (it has no clock of its
//! own); this task wakes at the earliest one, and whenever an earlier one is set, and ends the
//! calls that are due.

use std::pin::pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossway_routing::Router;
use crossway_transport::rt;
use futures_util::future::{Either, select};

use crate::stop::StopSignal;

/// How long the timer sleeps when no call has a timeout (an earlier deadline wakes it anyway).
const IDLE: Duration = Duration::from_secs(3600);

/// Ends due calls until the node stops.
pub(crate) async fn run(router: Arc<Router>, stop: StopSignal) {
    loop {
        // Listening before reading the deadline: a deadline set in between wakes the listener.
        let earlier = router.listen_call_deadlines();
        let now = Instant::now();
        let expired = router.expire_calls(now);
        if expired > 0 {
            tracing::debug!(calls = expired, "calls timed out");
        }
        let wait = router
            .next_call_deadline()
            .map_or(IDLE, |d| d.saturating_duration_since(now));
        let sleep = pin!(rt::sleep(wait));
        let stopped = pin!(stop.stopped());
        match select(select(sleep, earlier), stopped).await {
            Either::Left(_) => {}
            Either::Right(_) => return,
        }
    }
}
