//! One call of a registered procedure, as the callee serves it: [`Invocation`], its answers,
//! and how it can be interrupted ([`Interrupt`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossway_protocol::message::code;
use crossway_protocol::{
    Dict, List, Message, Payload, RawPayload, RegistrationId, RequestId, SessionId, Uri, Value,
    errors,
};
use crossway_transport::rt;

use crate::error::ClientError;
use crate::link::Link;
use crate::rpc::options::CancelMode;
use crate::rpc::state::Flight;

/// One INVOCATION of a procedure this client registered: what the caller sent, and the means to
/// answer it.
///
/// Answer once, with [`Invocation::result`] or [`Invocation::error`] (or their `_payload`
/// forms); before that, [`Invocation::progress`] may send progressive results when the caller
/// asked for them. Dropping an invocation without answering it answers ERROR
/// `wamp.error.canceled` (queued if the writer's queue has room), so that its caller does not
/// wait in vain.
///
/// When the registration forwards timeouts (`forward_timeout`) and the caller set one
/// ([`Invocation::timeout`]), the client keeps the deadline: when it passes without an answer
/// (measured again from each progressive result), the client answers ERROR `wamp.error.timeout`
/// itself and [`Invocation::interrupted`] gives [`Interrupt::Timeout`].
#[derive(Debug)]
pub struct Invocation {
    request: RequestId,
    registration: RegistrationId,
    details: Dict,
    args: Option<List>,
    kwargs: Option<Dict>,
    raw: Option<RawPayload>,
    flight: Arc<Flight>,
    link: Link,
}

/// Why an invocation should stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    /// The router sent INTERRUPT with this mode: the caller canceled, the router's deadline for
    /// the call passed, or the caller left. With [`CancelMode::Kill`] the router passes the
    /// answer on to the caller (answer ERROR `wamp.error.canceled`, or the result if it is
    /// ready); with [`CancelMode::KillNoWait`] it drops any answer.
    Router(CancelMode),
    /// The forwarded deadline passed: the client has answered ERROR `wamp.error.timeout`.
    Timeout,
    /// The session ended: no answer can reach the router.
    SessionEnded,
}

impl Invocation {
    /// An invocation being served under `flight`.
    pub(crate) fn new(
        request: RequestId,
        registration: RegistrationId,
        details: Dict,
        (args, kwargs): (Option<List>, Option<Dict>),
        raw: Option<RawPayload>,
        flight: Arc<Flight>,
        link: Link,
    ) -> Invocation {
        Invocation {
            request,
            registration,
            details,
            args,
            kwargs,
            raw,
            flight,
            link,
        }
    }

    /// The INVOCATION's request id (the router's).
    pub fn request(&self) -> RequestId {
        self.request
    }

    /// The registration invoked.
    pub fn registration(&self) -> RegistrationId {
        self.registration
    }

    /// INVOCATION `Details|dict`: `procedure`, `receive_progress`, `timeout`, `caller`, ...
    pub fn details(&self) -> &Dict {
        &self.details
    }

    /// The positional arguments, as the caller sent them.
    pub fn args(&self) -> Option<&List> {
        self.args.as_ref()
    }

    /// The keyword arguments, as the caller sent them.
    pub fn kwargs(&self) -> Option<&Dict> {
        self.kwargs.as_ref()
    }

    /// The arguments as the router sent them, encoded with this client's serializer (`None`
    /// when neither element came): byte for byte the caller's when it used the same serializer.
    pub fn raw(&self) -> Option<&RawPayload> {
        self.raw.as_ref()
    }

    /// The URI called, when the router says (`details.procedure`: registrations with `match`
    /// `prefix` or `wildcard`).
    pub fn procedure(&self) -> Option<&str> {
        self.details.get("procedure").and_then(Value::as_str)
    }

    /// The caller's session, when the router discloses it (`details.caller`).
    pub fn caller(&self) -> Option<SessionId> {
        self.details
            .get("caller")
            .and_then(Value::as_u64)
            .map(SessionId)
    }

    /// Whether the caller takes progressive results (`details.receive_progress`).
    pub fn receive_progress(&self) -> bool {
        self.details
            .get("receive_progress")
            .and_then(Value::as_bool)
            == Some(true)
    }

    /// The caller's time limit, when the router forwards it (`details.timeout`).
    pub fn timeout(&self) -> Option<Duration> {
        forwarded_timeout(&self.details)
    }

    /// Answers with a result (YIELD).
    pub async fn result(self, args: Option<List>, kwargs: Option<Dict>) -> Result<(), ClientError> {
        self.result_payload(Payload::new(args, kwargs)).await
    }

    /// Answers with a result whose payload is given as a [`Payload`]: values, or elements
    /// already encoded, sent as they are when they are of this client's serializer and
    /// converted otherwise.
    pub async fn result_payload(self, payload: Payload) -> Result<(), ClientError> {
        self.claim()?;
        self.link
            .send(&Message::Yield {
                request: self.request,
                options: Dict::new(),
                payload,
            })
            .await
    }

    /// Sends a progressive result (YIELD `progress`); allowed only when the caller asked
    /// ([`Invocation::receive_progress`]), else [`ClientError::CannotAnswer`]. Restarts a
    /// forwarded deadline.
    pub async fn progress(
        &self,
        args: Option<List>,
        kwargs: Option<Dict>,
    ) -> Result<(), ClientError> {
        self.progress_payload(Payload::new(args, kwargs)).await
    }

    /// [`Invocation::progress`] with a [`Payload`].
    pub async fn progress_payload(&self, payload: Payload) -> Result<(), ClientError> {
        if !self.receive_progress() {
            return Err(ClientError::CannotAnswer(
                "the caller did not ask for progressive results",
            ));
        }
        if self.flight.is_answered() {
            return Err(ClientError::CannotAnswer(
                "the invocation has been answered",
            ));
        }
        self.flight.extend();
        let options = Dict::from([("progress".to_owned(), Value::Bool(true))]);
        self.link
            .send(&Message::Yield {
                request: self.request,
                options,
                payload,
            })
            .await
    }

    /// Answers with an error (ERROR with URI `error`, e.g. `com.example.error.invalid_input`).
    pub async fn error(
        self,
        error: &str,
        args: Option<List>,
        kwargs: Option<Dict>,
    ) -> Result<(), ClientError> {
        self.error_payload(error, Payload::new(args, kwargs)).await
    }

    /// [`Invocation::error`] with a [`Payload`].
    pub async fn error_payload(self, error: &str, payload: Payload) -> Result<(), ClientError> {
        self.claim()?;
        self.link
            .send(&error_message(self.request, error, payload))
            .await
    }

    /// Waits until the invocation should stop, and says why: an INTERRUPT, the forwarded
    /// deadline, or the end of the session. Never returns while none of these happens (race
    /// it against the work).
    pub async fn interrupted(&self) -> Interrupt {
        self.flight.ended().await;
        // Only an answer ends a flight without a reason, and answering consumes the invocation.
        self.flight.interrupt().unwrap_or(Interrupt::SessionEnded)
    }

    /// Why the invocation should stop, if it should already.
    pub fn interrupt(&self) -> Option<Interrupt> {
        self.flight.interrupt()
    }

    /// Drops an invocation the client refused before the application saw it, without the
    /// answer of [`Drop`] (the client answers it otherwise).
    pub(crate) fn refuse(self) {
        // A new invocation: the claim is always this one's.
        let _ = self.claim();
    }

    /// Takes the right to give the final answer, and forgets the invocation.
    fn claim(&self) -> Result<(), ClientError> {
        if !self.flight.claim() {
            return Err(ClientError::CannotAnswer(
                "the invocation timed out and was answered with wamp.error.timeout",
            ));
        }
        self.flight.signal(None);
        self.link.shared.rpc.end_invocation(self.request);
        Ok(())
    }
}

impl Drop for Invocation {
    fn drop(&mut self) {
        if self.flight.claim() {
            self.flight.signal(None);
            self.link.shared.rpc.end_invocation(self.request);
            let why = "the callee dropped the invocation without answering";
            let payload = Payload::new(Some(vec![Value::from(why)]), None);
            self.link
                .try_send(&error_message(self.request, errors::CANCELED, payload));
        }
    }
}

/// The callee's ERROR for invocation `request`.
pub(crate) fn error_message(request: RequestId, error: &str, payload: Payload) -> Message {
    Message::Error {
        request_type: code::INVOCATION,
        request,
        details: Dict::new(),
        error: Uri::new(error),
        payload,
    }
}

/// The time limit the router forwarded in INVOCATION `details.timeout` (milliseconds; 0 is none).
pub(crate) fn forwarded_timeout(details: &Dict) -> Option<Duration> {
    let ms = details.get("timeout").and_then(Value::as_u64)?;
    (ms > 0).then(|| Duration::from_millis(ms))
}

/// Keeps the forwarded deadline of invocation `request`: when it passes unanswered, answers
/// ERROR `wamp.error.timeout` and interrupts it. Ends with the invocation.
pub(crate) fn watch_deadline(request: RequestId, flight: Arc<Flight>, link: Link) {
    rt::spawn(async move {
        while let Some(deadline) = flight.deadline() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            if rt::timeout(left, flight.ended()).await.is_ok() {
                return;
            }
        }
        if !flight.claim() {
            return;
        }
        flight.signal(Some(Interrupt::Timeout));
        link.shared.rpc.end_invocation(request);
        let why = "the call timed out at the callee";
        let payload = Payload::new(Some(vec![Value::from(why)]), None);
        if let Err(e) = link
            .send(&error_message(request, errors::TIMEOUT, payload))
            .await
        {
            tracing::debug!(error = %e, %request, "cannot answer wamp.error.timeout");
        }
    });
}
