//! The caller's side of [`Client`]: CALL, and a [`Call`] for its answers.

use crossway_protocol::{Dict, List, Message, Payload, Uri};

use crate::client::Client;
use crate::error::ClientError;
use crate::rpc::call::{Call, CallResult};
use crate::rpc::options::CallOptions;

impl Client {
    /// Calls `procedure` and waits for its result, within [`DEFAULT_CALL_TIMEOUT`]: an ERROR
    /// (the callee's, or the router's: `wamp.error.no_such_procedure`, `wamp.error.canceled`
    /// when the time is up or the callee left, ...) is [`ClientError::Wamp`].
    ///
    /// [`DEFAULT_CALL_TIMEOUT`]: crate::DEFAULT_CALL_TIMEOUT
    pub async fn call(
        &self,
        procedure: &str,
        args: Option<List>,
        kwargs: Option<Dict>,
    ) -> Result<CallResult, ClientError> {
        let call = self
            .call_with(procedure, args, kwargs, CallOptions::default())
            .await?;
        call.result().await
    }

    /// Calls `procedure` with `options` (time limit, progressive results, disclosure); returns
    /// once the CALL is queued, with the [`Call`] that gives its answers and can cancel it.
    pub async fn call_with(
        &self,
        procedure: &str,
        args: Option<List>,
        kwargs: Option<Dict>,
        options: CallOptions,
    ) -> Result<Call, ClientError> {
        self.call_payload(procedure, Payload::new(args, kwargs), options)
            .await
    }

    /// [`Client::call_with`] with a [`Payload`]: values, or elements already encoded
    /// ([`RawPayload`](crossway_protocol::RawPayload)), which are sent as they are when they are
    /// of this client's serializer, and converted to it otherwise.
    pub async fn call_payload(
        &self,
        procedure: &str,
        payload: Payload,
        options: CallOptions,
    ) -> Result<Call, ClientError> {
        if self.is_closed() {
            return Err(ClientError::Closed);
        }
        let link = self.link();
        let request = link.shared.next_request_id();
        let answers = link.shared.rpc.start_call(request)?;
        // In place before the CALL leaves: its answer may come at once. Dropped on failure, it
        // forgets the call.
        let call = Call::new(request, answers, options.timeout, link);
        self.send(&Message::Call {
            request,
            options: options.to_dict(),
            procedure: Uri::new(procedure),
            payload,
        })
        .await?;
        Ok(call)
    }
}
