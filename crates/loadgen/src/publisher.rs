//! The publishers' side of a run: unpaced (one task per publisher, as fast as the router takes
//! it) or paced (one thread sending every publisher's publications on schedule, in turn; with
//! `--lean` it writes to bare sessions itself).
//!
//! Either way each publisher ends with an acknowledged end marker: its PUBLISHED arrives only
//! after the router has handled every earlier publication of that session.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use crossway_client::{Client, ClientError};
use crossway_protocol::{List, Uri};
use crossway_transport::rt;

use crate::bare_publisher::BarePublisher;
use crate::error::LoadError;
use crate::flow::Flow;
use crate::options::Length;
use crate::pacing::{Clock, Schedule, wait_until};
use crate::payload::Payload;

/// An unpaced publisher yields to the other tasks of its thread this often (publications):
/// the client's queue is deep and publishing rarely waits on its own.
const YIELD_EVERY: u64 = 256;

/// What the publishers share in one run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The topic.
    pub topic: Arc<str>,
    /// The publications' padding.
    pub payload: Payload,
    /// The run's clock.
    pub clock: Clock,
    /// How long publishers publish.
    pub length: Length,
    /// When publishing starts, on the clock.
    pub start_ns: u64,
    /// The window unpaced publishers keep to.
    pub flow: Arc<Flow>,
}

impl Plan {
    /// Whether a publisher that has sent `sent` and whose next send would be at `now_ns` is done.
    fn finished(&self, sent: u64, now_ns: u64) -> bool {
        match self.length {
            Length::Count(n) => sent >= n,
            Length::Duration(d) => now_ns >= self.start_ns.saturating_add(nanos(d)),
        }
    }
}

/// Publishes as fast as the connection takes it, stamping each publication with its send time,
/// then the acknowledged end marker. Gives how many publications were sent before the marker.
pub async fn publish_unpaced(
    client: Arc<Client>,
    index: usize,
    plan: Plan,
) -> Result<u64, LoadError> {
    let fail = |source: ClientError| LoadError::Publish {
        index,
        source: Box::new(source),
    };
    let mut sent = 0;
    loop {
        let mut now = plan.clock.now_ns();
        if plan.finished(sent, now) {
            break;
        }
        if plan.flow.admit().await {
            now = plan.clock.now_ns();
        }
        client
            .publish(&plan.topic, Some(plan.payload.args(now)), None)
            .await
            .map_err(fail)?;
        sent += 1;
        if sent % YIELD_EVERY == 0 {
            YieldNow(false).await;
        }
    }
    client
        .publish_acknowledged(&plan.topic, Some(Payload::end_marker(index, sent)), None)
        .await
        .map_err(fail)?;
    Ok(sent)
}

/// One paced publisher's session: a full client, or a lean one that the pacing thread writes to
/// itself.
pub enum PacedPublisher {
    /// A full client (its writer task sends what the pacing thread queues).
    Client(Arc<Client>),
    /// A bare session (`--lean`).
    Bare(Box<BarePublisher>),
}

impl PacedPublisher {
    /// Publishes `args` on `topic`, blocking this thread until it is written (bare) or queued
    /// (client); acknowledged if `ack`, then also until the router's PUBLISHED.
    fn publish(
        &mut self,
        index: usize,
        topic: &Uri,
        args: List,
        ack: bool,
    ) -> Result<(), LoadError> {
        match self {
            PacedPublisher::Client(client) => {
                let done = if ack {
                    rt::block_on(client.publish_acknowledged(topic.as_str(), Some(args), None))
                        .map(|_| ())
                } else {
                    rt::block_on(client.publish(topic.as_str(), Some(args), None))
                };
                done.map_err(|source| LoadError::Publish {
                    index,
                    source: Box::new(source),
                })
            }
            PacedPublisher::Bare(bare) => {
                let done = if ack {
                    rt::block_on(bare.publish_acknowledged(topic, args))
                } else {
                    rt::block_on(bare.publish(topic, args))
                };
                done.map_err(|reason| LoadError::LeanPublish { index, reason })
            }
        }
    }
}

/// On this thread: sends `rate` publications per second in total, publisher after publisher,
/// each stamped with the time it was due; then every publisher's acknowledged end marker, and
/// closes the lean ones. Gives what each publisher sent.
pub fn publish_paced(
    mut publishers: Vec<PacedPublisher>,
    plan: &Plan,
    rate: f64,
    spin: Duration,
) -> Result<Vec<u64>, LoadError> {
    let schedule = Schedule::new(plan.start_ns, rate);
    let topic = Uri::new(&plan.topic);
    let mut sent = vec![0u64; publishers.len()];
    let mut total = 0u64;
    'sending: loop {
        for (index, (publisher, count)) in publishers.iter_mut().zip(sent.iter_mut()).enumerate() {
            let due = schedule.due(total);
            if plan.finished(*count, due) {
                break 'sending;
            }
            wait_until(&plan.clock, due, spin);
            publisher.publish(index, &topic, plan.payload.args(due), false)?;
            *count += 1;
            total += 1;
        }
    }
    for (index, (publisher, count)) in publishers.iter_mut().zip(&sent).enumerate() {
        publisher.publish(index, &topic, Payload::end_marker(index, *count), true)?;
    }
    for publisher in publishers {
        if let PacedPublisher::Bare(bare) = publisher {
            rt::block_on((*bare).close());
        }
    }
    Ok(sent)
}

/// A duration in nanoseconds, saturating.
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Returns `Pending` once (after asking to be polled again), so that other tasks of the thread
/// run.
struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(length: Length) -> Plan {
        Plan {
            topic: Arc::from("t"),
            payload: Payload::new(1),
            clock: Clock::new(),
            length,
            start_ns: 1_000,
            flow: Arc::new(Flow::new(0, 1, 0)),
        }
    }

    #[test]
    fn a_count_or_a_deadline_ends_publishing() {
        let p = plan(Length::Count(3));
        assert!(!p.finished(2, u64::MAX));
        assert!(p.finished(3, 0));
        let p = plan(Length::Duration(Duration::from_micros(1)));
        assert!(!p.finished(1_000_000, 1_999));
        assert!(p.finished(0, 2_000));
    }

    #[test]
    fn yielding_returns_on_the_second_poll() {
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut y = YieldNow(false);
        assert_eq!(Pin::new(&mut y).poll(&mut cx), Poll::Pending);
        assert_eq!(Pin::new(&mut y).poll(&mut cx), Poll::Ready(()));
    }
}
