//! A session's writer: the only user of the connection's send half. Takes every ready frame from
//! the outbox and writes them with one flush; pings the peer when the reader asks; on a killed
//! outbox, says GOODBYE with the reason and closes.

use std::pin::pin;

use bytes::Bytes;
use crossway_protocol::Codec;
use crossway_routing::{CloseReason as SessionClose, OutboxReceiver};
use crossway_transport::{CloseReason, FrameWriter, TransportError, rt};
use futures_util::future::{Either, select};
use tracing::{debug, warn};

use crate::counters::Counters;
use crate::limits::{FLUSH_TIMEOUT, KILL_LINGER, WRITE_BATCH};

/// What the writer works with, besides the frames.
pub struct WriterParts<'a> {
    /// The outbox's receiving side.
    pub rx: OutboxReceiver,
    /// The session's serializer.
    pub codec: Codec,
    /// How the reader wants the framing closed, if it says so.
    pub close: async_channel::Receiver<CloseReason>,
    /// The reader's requests to ping the peer.
    pub ping: async_channel::Receiver<()>,
    /// The node's counters.
    pub counters: &'a Counters,
}

/// Writes until the outbox ends, then closes the framing.
pub async fn write_loop(mut writer: FrameWriter, parts: WriterParts<'_>) {
    let mut pings: u64 = 0;
    loop {
        let next = {
            let frame = pin!(parts.rx.recv());
            let ping = pin!(parts.ping.recv());
            match select(frame, ping).await {
                Either::Left((frame, _)) => Either::Left(frame),
                Either::Right((ping, _)) => Either::Right(ping),
            }
        };
        let result = match next {
            Either::Left(Some(frame)) => {
                // A peer that stops reading blocks the write; the outbox's kill (slow consumer,
                // shutdown of the session) must end it anyway.
                let batch = pin!(write_batch(&mut writer, &parts.rx, frame));
                let killed = pin!(parts.rx.killed());
                match select(batch, killed).await {
                    Either::Left((result, _)) => result,
                    Either::Right(_) => break,
                }
            }
            Either::Left(None) => break,
            Either::Right(Ok(())) => {
                pings += 1;
                writer
                    .ping(Bytes::copy_from_slice(&pings.to_be_bytes()))
                    .await
            }
            // The reader is gone: only the outbox's end matters now.
            Either::Right(Err(_)) => match parts.rx.recv().await {
                Some(frame) => write_batch(&mut writer, &parts.rx, frame).await,
                None => break,
            },
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
    let reason = parts.close.try_recv().unwrap_or(CloseReason::Normal);
    let _ = rt::timeout(linger, writer.close_with(reason)).await;
}

/// Feeds `first` and every frame ready after it (up to [`WRITE_BATCH`]), then flushes once.
async fn write_batch(
    writer: &mut FrameWriter,
    rx: &OutboxReceiver,
    first: Bytes,
) -> Result<(), TransportError> {
    writer.feed(first).await?;
    for _ in 1..WRITE_BATCH {
        match rx.try_recv() {
            Some(frame) => writer.feed(frame).await?,
            None => break,
        }
    }
    writer.flush().await
}
