//! The callee's side of [`Client`]: REGISTER and UNREGISTER, and a [`Registration`] for the
//! invocations.

use crossway_protocol::{Dict, Message, Uri};

use crate::client::{Client, unexpected};
use crate::error::ClientError;
use crate::rpc::registration::{INVOCATION_QUEUE, Registration};
use crate::state::OnSuccess;

impl Client {
    /// Registers `procedure` (exact match, this client its only callee). A procedure that is
    /// registered already gives [`ClientError::Wamp`] `wamp.error.procedure_already_exists`.
    pub async fn register(&self, procedure: &str) -> Result<Registration, ClientError> {
        self.register_with(procedure, Dict::new()).await
    }

    /// Registers with REGISTER `options`: `match` (`prefix`, `wildcard`: then
    /// [`Invocation::procedure`](crate::Invocation::procedure) names the URI called), `invoke`
    /// (`roundrobin`, `random`, `first`, `last`: a registration other callees may share),
    /// `forward_timeout` (the caller's time limit comes with each invocation and the client
    /// keeps it; see [`Invocation`](crate::Invocation)).
    pub async fn register_with(
        &self,
        procedure: &str,
        options: Dict,
    ) -> Result<Registration, ClientError> {
        let (queue, invocations) = async_channel::bounded(INVOCATION_QUEUE);
        let link = self.link();
        let (request, reply, _guard) = link.shared.register(OnSuccess::Register(queue))?;
        self.send(&Message::Register {
            request,
            options,
            procedure: Uri::new(procedure),
        })
        .await?;
        match self.answer(&reply).await? {
            Message::Registered { registration, .. } => {
                Ok(Registration::new(registration, invocations, link))
            }
            other => Err(unexpected("REGISTERED", other)),
        }
    }

    /// Unregisters: no more invocations are delivered from now on (those that come meanwhile
    /// are answered ERROR `wamp.error.canceled`), and this waits for the router's UNREGISTERED.
    /// Invocations already handed out can still be answered.
    pub async fn unregister(&self, registration: Registration) -> Result<(), ClientError> {
        let id = registration.close();
        let (request, reply, _guard) = self.shared().register(OnSuccess::Nothing)?;
        self.send(&Message::Unregister {
            request,
            registration: id,
        })
        .await?;
        match self.answer(&reply).await? {
            Message::Unregistered { .. } => Ok(()),
            other => Err(unexpected("UNREGISTERED", other)),
        }
    }
}
