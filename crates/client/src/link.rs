//! A link to a session for what lives apart from the [`Client`](crate::Client): the background
//! task's reader, and the handles of registrations, invocations and calls, which send answers,
//! CANCEL and UNREGISTER of their own.
//!
//! The link holds the writer's queue weakly: only the client keeps the connection open, so
//! dropping the client still closes it while handles remain.

use std::sync::Arc;

use async_channel::{TrySendError, WeakSender};
use bytes::Bytes;
use crossway_protocol::{Codec, Message};

use crate::driver::Outgoing;
use crate::error::ClientError;
use crate::state::Shared;

/// Where a handle sends its messages, and the state it shares with the session.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    /// The state shared with the background task.
    pub shared: Arc<Shared>,
    /// The writer's queue.
    pub outbox: WeakSender<Outgoing>,
    /// The connection's serializer.
    pub codec: Codec,
}

impl Link {
    /// Encodes `msg` and queues it for the writer, waiting while the queue is full.
    pub async fn send(&self, msg: &Message) -> Result<(), ClientError> {
        let frame = self.frame(msg)?;
        let outbox = self.outbox.upgrade().ok_or(ClientError::Closed)?;
        outbox.send(frame).await.map_err(|_| ClientError::Closed)
    }

    /// Queues `msg` if the writer's queue has room now (for `Drop`, which cannot wait); says
    /// whether it did.
    pub fn try_send(&self, msg: &Message) -> bool {
        let Some(outbox) = self.outbox.upgrade() else {
            return false;
        };
        let frame = match self.frame(msg) {
            Ok(frame) => frame,
            Err(e) => {
                tracing::warn!(error = %e, "cannot encode {}", msg.name());
                return false;
            }
        };
        match outbox.try_send(frame) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                tracing::debug!(kind = msg.name(), "the writer's queue is full: not sent");
                false
            }
            Err(TrySendError::Closed(_)) => false,
        }
    }

    /// `msg` encoded for the writer.
    fn frame(&self, msg: &Message) -> Result<Outgoing, ClientError> {
        Ok(Outgoing::Frame(Bytes::from(self.codec.encode(msg)?)))
    }
}
