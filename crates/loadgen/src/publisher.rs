//! The publishers' side of a run: unpaced (one task per publisher, as fast as the router takes
//! it, within the run's window) or paced (one thread sending every publisher's publications on
//! schedule, in turn; with lean publishers it writes to their connections itself).
//!
//! Either way each publisher ends with an acknowledged end marker: its PUBLISHED (or the NATS
//! PONG, or the MQTT PINGRESP that follows it) arrives only after the router has handled every
//! earlier publication of that session.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use crossway_client::{Client, ClientError};
use crossway_transport::rt;

use crate::error::LoadError;
use crate::flow::Flow;
use crate::lean::LeanPublisher;
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
        self.length.reached(self.start_ns, sent, now_ns)
    }
}

/// Publishes as fast as the connection takes it, stamping each publication with its send time,
/// then the acknowledged end marker. Gives how many publications were sent before the marker.
pub async fn publish_unpaced(
    client: Arc<Client>,
    index: usize,
    plan: Plan,
) -> Result<u64, LoadError> {
    let fail = |source: ClientError| client_failed(index, source);
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

/// Publishes through a lean publisher as fast as the window lets it, gathering publications
/// and writing them in batches (and always before it waits for the window), stamping each with
/// the time it was queued; then the acknowledged end marker, and closes. Gives how many
/// publications were sent before the marker.
pub async fn publish_lean(
    mut publisher: LeanPublisher,
    index: usize,
    plan: Plan,
) -> Result<u64, LoadError> {
    let fail = |reason: String| LoadError::LeanPublish { index, reason };
    let mut sent = 0;
    loop {
        let mut now = plan.clock.now_ns();
        if plan.finished(sent, now) {
            break;
        }
        if !plan.flow.try_admit() {
            // What is gathered is counted in the window: it must be on its way before waiting.
            publisher.flush().await.map_err(fail)?;
            plan.flow.admit().await;
            now = plan.clock.now_ns();
        }
        publisher.queue(&plan.payload, now).await.map_err(fail)?;
        sent += 1;
        if sent % YIELD_EVERY == 0 {
            YieldNow(false).await;
        }
    }
    publisher.finish(index, sent).await.map_err(fail)?;
    publisher.close().await;
    Ok(sent)
}

/// One paced publisher's session: a full client, or a lean one that the pacing thread writes to
/// itself.
#[derive(Debug)]
pub enum PacedPublisher {
    /// A full client (its writer task sends what the pacing thread queues).
    Client(Arc<Client>),
    /// A lean publisher (`--lean`, and always for NATS and MQTT).
    Lean(Box<LeanPublisher>),
}

impl PacedPublisher {
    /// Publishes one publication stamped `due_ns`, blocking this thread until it is written
    /// (lean) or queued (client).
    fn send(
        &mut self,
        index: usize,
        payload: &Payload,
        topic: &str,
        due_ns: u64,
    ) -> Result<(), LoadError> {
        match self {
            PacedPublisher::Client(client) => {
                rt::block_on(client.publish(topic, Some(payload.args(due_ns)), None))
                    .map_err(|source| client_failed(index, source))
            }
            PacedPublisher::Lean(lean) => rt::block_on(lean.publish_now(payload, due_ns))
                .map_err(|reason| LoadError::LeanPublish { index, reason }),
        }
    }

    /// Publishes the end marker after `sent` publications and blocks this thread until the
    /// router has handled it.
    fn finish(&mut self, index: usize, topic: &str, sent: u64) -> Result<(), LoadError> {
        match self {
            PacedPublisher::Client(client) => rt::block_on(client.publish_acknowledged(
                topic,
                Some(Payload::end_marker(index, sent)),
                None,
            ))
            .map(|_| ())
            .map_err(|source| client_failed(index, source)),
            PacedPublisher::Lean(lean) => rt::block_on(lean.finish(index, sent))
                .map_err(|reason| LoadError::LeanPublish { index, reason }),
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
    let mut sent = vec![0u64; publishers.len()];
    let mut total = 0u64;
    'sending: loop {
        for (index, (publisher, count)) in publishers.iter_mut().zip(sent.iter_mut()).enumerate() {
            let due = schedule.due(total);
            if plan.finished(*count, due) {
                break 'sending;
            }
            wait_until(&plan.clock, due, spin);
            publisher.send(index, &plan.payload, &plan.topic, due)?;
            *count += 1;
            total += 1;
        }
    }
    for (index, (publisher, count)) in publishers.iter_mut().zip(&sent).enumerate() {
        publisher.finish(index, &plan.topic, *count)?;
    }
    for publisher in publishers {
        if let PacedPublisher::Lean(lean) = publisher {
            rt::block_on((*lean).close());
        }
    }
    Ok(sent)
}

/// A full client's failure.
fn client_failed(index: usize, source: ClientError) -> LoadError {
    LoadError::Publish {
        index,
        source: Box::new(source),
    }
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
