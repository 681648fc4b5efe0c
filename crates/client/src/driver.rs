//! The client's background task: a reader that routes what the router sends, and a writer that
//! sends what the client queues, running concurrently in one task.

use std::pin::pin;
use std::time::Duration;

use async_channel::{Receiver, Sender, WeakSender};
use bytes::Bytes;
use crossway_protocol::message::code;
use crossway_protocol::{Codec, Message, errors};
use crossway_transport::{Connection, FrameReader, FrameWriter, rt};
use futures_util::future::{Either, select};

use crate::link::Link;
use crate::rpc;
use crate::state::CloseInfo;
use crate::subscription::Event;

/// How many frames the writer sends before it flushes, at most.
const MAX_BATCH: usize = 1024;
/// How long the reader may take to see the end of the stream once the writer has closed it.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// What the client asks its writer to do.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// Send one encoded message.
    Frame(Bytes),
    /// Flush, close the connection, stop.
    Close,
}

/// Starts the background task of a session: it reads with `link` (which names the writer's
/// queue, `outbox`, weakly) and writes what `outbox` holds. `done` is dropped when the task ends.
pub(crate) fn spawn(conn: Connection, link: Link, outbox: Receiver<Outgoing>, done: Sender<()>) {
    let Connection { reader, writer, .. } = conn;
    rt::spawn(async move {
        {
            let reading = pin!(read_loop(reader, &link));
            let writing = pin!(write_loop(writer, outbox));
            if let Either::Right(((), reading)) = select(reading, writing).await {
                // The writer closed the connection: let the reader see the router's answer.
                if rt::timeout(CLOSE_TIMEOUT, reading).await.is_err() {
                    tracing::debug!("the router did not close the connection in time");
                }
            }
        }
        link.shared.finish();
        drop(done);
    });
}

/// Reads until the connection ends, routing answers, events, results, invocations and the
/// router's GOODBYE or ABORT.
async fn read_loop(mut reader: FrameReader, link: &Link) {
    let Link {
        shared,
        outbox: replies,
        codec,
    } = link;
    let codec = *codec;
    loop {
        let frame = match reader.recv().await {
            Ok(Some(frame)) => frame,
            Ok(None) => return,
            Err(e) => {
                tracing::debug!(error = %e, "connection failed");
                return;
            }
        };
        let msg = match codec.decode_bytes(frame) {
            Ok(msg) => msg,
            Err(e) => {
                tracing::warn!(error = %e, "undecodable message from the router; closing");
                send(replies, None).await;
                return;
            }
        };
        match msg {
            Message::Event {
                subscription,
                publication,
                details,
                payload,
            } => {
                let raw = payload.raw().cloned();
                let (args, kwargs) = match payload.into_values() {
                    Ok(values) => values,
                    Err(e) => {
                        tracing::warn!(error = %e, "an EVENT's payload does not decode; dropped");
                        continue;
                    }
                };
                let event = Event {
                    subscription,
                    publication,
                    details,
                    args,
                    kwargs,
                    raw,
                };
                shared.deliver(event).await;
            }
            Message::Unsubscribed {
                request,
                details: Some(details),
            } if request.0 == 0 => {
                // The router revoked a subscription.
                if let Some(id) = details.get("subscription").and_then(|v| v.as_u64()) {
                    shared.revoke(id.into());
                }
            }
            Message::Result { .. }
            | Message::Invocation { .. }
            | Message::Interrupt { .. }
            | Message::Error {
                request_type: code::CALL,
                ..
            } => rpc::reader::route(link, msg).await,
            Message::Unregistered {
                request,
                details: Some(_),
            } if request.0 == 0 => rpc::reader::route(link, msg).await,
            Message::Subscribed { request, .. }
            | Message::Unsubscribed { request, .. }
            | Message::Published { request, .. }
            | Message::Registered { request, .. }
            | Message::Unregistered { request, .. }
            | Message::Error { request, .. } => shared.answer(request, msg),
            Message::Goodbye { details, reason } => {
                shared.set_close_info(close_info(details, reason.as_str(), false));
                let answer = if shared.is_leaving() {
                    None
                } else {
                    encode(codec, &Message::goodbye(errors::GOODBYE_AND_OUT))
                };
                send(replies, answer).await;
            }
            Message::Abort {
                details, reason, ..
            } => {
                shared.set_close_info(close_info(details, reason.as_str(), true));
                send(replies, None).await;
            }
            other => tracing::debug!(kind = other.name(), "ignoring a message"),
        }
    }
}

/// Sends queued frames in batches (feed every ready frame, then flush once) until told to close
/// or until every sender is gone; then closes the connection.
async fn write_loop(mut writer: FrameWriter, outbox: Receiver<Outgoing>) {
    while let Ok(first) = outbox.recv().await {
        let mut next = Some(first);
        let mut fed = 0;
        let mut close = false;
        while let Some(item) = next.take() {
            match item {
                Outgoing::Frame(frame) => {
                    if let Err(e) = writer.feed(frame).await {
                        tracing::debug!(error = %e, "write failed");
                        return;
                    }
                }
                Outgoing::Close => {
                    close = true;
                    break;
                }
            }
            fed += 1;
            if fed < MAX_BATCH {
                next = outbox.try_recv().ok();
            }
        }
        if let Err(e) = writer.flush().await {
            tracing::debug!(error = %e, "flush failed");
            return;
        }
        if close {
            break;
        }
    }
    if let Err(e) = writer.close().await {
        tracing::debug!(error = %e, "close failed");
    }
}

/// From the reader: queues `frame` (if any), then asks the writer to close. Nothing happens if
/// the client is gone (its writer is closing already).
async fn send(replies: &WeakSender<Outgoing>, frame: Option<Bytes>) {
    let Some(tx) = replies.upgrade() else { return };
    if let Some(frame) = frame {
        let _ = tx.send(Outgoing::Frame(frame)).await;
    }
    let _ = tx.send(Outgoing::Close).await;
}

/// Encodes a message the reader answers with.
fn encode(codec: Codec, msg: &Message) -> Option<Bytes> {
    match codec.encode(msg) {
        Ok(v) => Some(Bytes::from(v)),
        Err(e) => {
            tracing::warn!(error = %e, "cannot encode {}", msg.name());
            None
        }
    }
}

/// The close information of a GOODBYE or an ABORT.
fn close_info(details: crossway_protocol::Dict, reason: &str, aborted: bool) -> CloseInfo {
    CloseInfo {
        reason: reason.to_owned(),
        message: details
            .get("message")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        details,
        aborted,
    }
}
