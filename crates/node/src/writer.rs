//! A session's writer: the only user of the connection's send half. Takes every ready frame from
//! the outbox at once and writes them with one flush; pings the peer when the reader asks; on a killed
//! outbox, says GOODBYE with the reason and closes.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;

use bytes::Bytes;
use crossway_protocol::Codec;
use crossway_routing::{CloseReason as SessionClose, OutboxReceiver};
use crossway_transport::{FrameWriter, rt};
use futures_util::future::{Either, select};
use tracing::{debug, warn};

use crate::control::Control;
use crate::counters::{Counters, Tally};
use crate::limits::{FLUSH_TIMEOUT, KILL_LINGER};

/// What the writer works with, besides the frames.
pub struct WriterParts<'a> {
    /// The outbox's receiving side.
    pub rx: OutboxReceiver,
    /// The session's serializer.
    pub codec: Codec,
    /// The reader's requests: ping the peer, how to close the framing.
    pub control: &'a Control,
    /// The node's counters.
    pub counters: &'a Counters,
}

/// Writes until the outbox ends, then closes the framing.
///
/// A plain function returning the loop, for the reason given at `read_loop`.
#[expect(
    clippy::manual_async_fn,
    reason = "an async fn would hold its arguments twice"
)]
pub fn write_loop<'a>(
    mut writer: FrameWriter,
    parts: WriterParts<'a>,
) -> impl Future<Output = ()> + 'a {
    async move {
        let mut pings: u64 = 0;
        // Frames taken from the outbox and not yet written; `recv_batch` swaps the whole queue in.
        let mut batch = VecDeque::new();
        loop {
            let next = {
                let frames = pin!(parts.rx.recv_batch(&mut batch));
                let ping = pin!(parts.control.ping_requested());
                match select(frames, ping).await {
                    Either::Left((more, _)) => Some(more),
                    Either::Right(((), _)) => None,
                }
            };
            let result = match next {
                Some(true) => {
                    count(&parts, &batch);
                    // A peer that stops reading blocks the write; the outbox's kill (slow consumer,
                    // shutdown of the session) must end it anyway.
                    let write = pin!(writer.send_batch(&mut batch));
                    let killed = pin!(parts.rx.killed());
                    match select(write, killed).await {
                        Either::Left((result, _)) => result,
                        Either::Right(_) => break,
                    }
                }
                Some(false) => break,
                None => {
                    pings += 1;
                    writer
                        .ping(Bytes::copy_from_slice(&pings.to_be_bytes()))
                        .await
                }
            };
            if let Err(e) = result {
                debug!(error = %e, "write failed");
                return;
            }
        }
        let mut linger = FLUSH_TIMEOUT;
        if let Some(reason) = parts.rx.close_reason() {
            if reason == SessionClose::SlowConsumer {
                Counters::bump(&parts.counters.slow_consumers);
            }
            warn!(reason = %reason, "closing the session");
            // A killed session's peer may not be reading at all: try the GOODBYE briefly.
            linger = KILL_LINGER;
            if let Ok(bytes) = parts.codec.encode(&reason.goodbye()) {
                let _ = rt::timeout(linger, async {
                    if writer.feed(Bytes::from(bytes)).await.is_ok() {
                        let _ = writer.flush().await;
                    }
                })
                .await;
            }
        }
        let reason = parts.control.close_reason();
        let _ = rt::timeout(linger, writer.close_with(reason)).await;
    }
}

/// Adds a batch's messages and octets to the endpoint's counts, once per batch.
fn count(parts: &WriterParts<'_>, batch: &VecDeque<Bytes>) {
    let mut tally = Tally::new();
    for frame in batch {
        tally.frame(parts.codec, frame);
    }
    parts.counters.sent(parts.codec, &tally);
}
