//! A call in flight ([`Call`]) and what it gives ([`CallResult`]).

use std::time::Duration;

use async_channel::Receiver;
use crossway_protocol::{Dict, List, Message, RawPayload, RequestId, Value};
use crossway_transport::rt;

use crate::error::ClientError;
use crate::link::Link;
use crate::rpc::options::{CancelMode, TIMEOUT_GRACE};
use crate::rpc::state::Answer;

/// One call made by this client, from [`Client::call_with`](crate::Client::call_with): its
/// progressive results (if it asked for them), then its final result or error.
///
/// Dropping it before the final answer forgets the call and cancels it at the router (CANCEL
/// `killnowait`, queued if the writer's queue has room).
#[derive(Debug)]
pub struct Call {
    request: RequestId,
    answers: Receiver<Answer>,
    /// How long one wait for an answer may take: the call's limit plus [`TIMEOUT_GRACE`].
    wait: Option<Duration>,
    link: Link,
    /// The final answer has been given (or the client gave up).
    ended: bool,
}

/// A result of a call: the final one, or a progressive one.
#[derive(Debug, Clone, PartialEq)]
pub struct CallResult {
    /// RESULT `Details|dict`: `progress: true` for a progressive result.
    pub details: Dict,
    /// The positional payload, as the callee sent it.
    pub args: Option<List>,
    /// The keyword payload, as the callee sent it.
    pub kwargs: Option<Dict>,
    /// The payload as the router sent it, encoded with this client's serializer (`None` when
    /// the result has neither element): byte for byte what the callee sent when it used the
    /// same serializer.
    pub raw: Option<RawPayload>,
}

impl Call {
    /// A call whose answers arrive on `answers`; `timeout` is its time limit, if any.
    pub(crate) fn new(
        request: RequestId,
        answers: Receiver<Answer>,
        timeout: Option<Duration>,
        link: Link,
    ) -> Call {
        Call {
            request,
            answers,
            wait: timeout.map(|t| t.saturating_add(TIMEOUT_GRACE)),
            link,
            ended: false,
        }
    }

    /// The CALL's request id.
    pub fn request(&self) -> RequestId {
        self.request
    }

    /// Whether the final answer has been given (or the call ended otherwise).
    pub fn is_finished(&self) -> bool {
        self.ended
    }

    /// The next answer: a progressive result ([`CallResult::is_progress`]), the final result,
    /// or the error that ends the call ([`ClientError::Wamp`] for the callee's or the router's
    /// ERROR, [`ClientError::Closed`] if the session ended first, [`ClientError::Timeout`] if
    /// the router did not answer within the call's time limit and [`TIMEOUT_GRACE`]: the client
    /// then cancels the call itself). `None` once the call has ended.
    pub async fn next(&mut self) -> Option<Result<CallResult, ClientError>> {
        if self.ended {
            return None;
        }
        let got = match self.wait {
            Some(wait) => match rt::timeout(wait, self.answers.recv()).await {
                Ok(got) => got,
                Err(_) => {
                    self.give_up();
                    return Some(Err(ClientError::Timeout(wait)));
                }
            },
            None => self.answers.recv().await,
        };
        match got {
            Ok(answer) => {
                self.ended = answer.last;
                Some(answer.result)
            }
            Err(_) => {
                self.ended = true;
                Some(Err(ClientError::Closed))
            }
        }
    }

    /// The final result, skipping progressive ones; an ERROR is [`ClientError::Wamp`].
    pub async fn result(mut self) -> Result<CallResult, ClientError> {
        while let Some(answer) = self.next().await {
            match answer {
                Ok(result) if result.is_progress() => continue,
                other => return other,
            }
        }
        // Only a handle whose call had ended already gets here.
        Err(ClientError::Closed)
    }

    /// Asks the router to cancel the call (CANCEL with `mode`). The answer still comes from
    /// [`Call::next`]: ERROR `wamp.error.canceled` at once with [`CancelMode::Skip`] and
    /// [`CancelMode::KillNoWait`]; with [`CancelMode::Kill`] whatever the callee answers to its
    /// INTERRUPT (a result, if it finished first). Nothing is sent if the call has ended.
    pub async fn cancel(&self, mode: CancelMode) -> Result<(), ClientError> {
        if self.ended {
            return Ok(());
        }
        self.link
            .send(&Message::Cancel {
                request: self.request,
                options: mode.to_dict(),
            })
            .await
    }

    /// Stops waiting: forgets the call and cancels it at the router if it was in flight.
    fn give_up(&mut self) {
        self.ended = true;
        if self.link.shared.rpc.forget_call(self.request) {
            self.link.try_send(&Message::Cancel {
                request: self.request,
                options: CancelMode::KillNoWait.to_dict(),
            });
        }
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        if !self.ended {
            self.give_up();
        }
    }
}

impl CallResult {
    /// Whether this is a progressive result (RESULT `details.progress`), more to come.
    pub fn is_progress(&self) -> bool {
        self.details.get("progress").and_then(Value::as_bool) == Some(true)
    }
}
