//! Registrations and the queue of invocations each receives.

use async_channel::Receiver;
use crossway_protocol::{Message, RegistrationId};

use crate::link::Link;
use crate::rpc::invocation::Invocation;

/// How many invocations wait in one registration's queue for the application to take them.
/// When it is full, the client answers a further INVOCATION at once with ERROR
/// `crossway.error.too_many_calls` (the URI the router gives a call when a callee has too many
/// in flight) and goes on reading: the caller learns at once that the callee is busy, and the
/// client still reads INTERRUPTs and the answers to its own requests. No invocation waits
/// unseen: the router bounds a callee's invocations in flight as well (1,024 by default).
pub const INVOCATION_QUEUE: usize = 1024;

/// One procedure registered by this client, from [`Client::register`](crate::Client::register).
///
/// Invocations arrive in order. Dropping it stops their delivery and unregisters at the router
/// (UNREGISTER queued if the writer's queue has room, its answer not awaited); invocations it
/// has handed out can still be answered. [`Client::unregister`](crate::Client::unregister)
/// waits for the router's answer.
#[derive(Debug)]
pub struct Registration {
    /// The router's id for it (shared by every callee of a shared registration).
    pub id: RegistrationId,
    invocations: Receiver<Invocation>,
    link: Link,
    /// Whether dropping it should unregister (not after [`Client::unregister`](crate::Client::unregister)).
    registered: bool,
}

impl Registration {
    /// A registration receiving from `invocations`.
    pub(crate) fn new(id: RegistrationId, invocations: Receiver<Invocation>, link: Link) -> Self {
        Registration {
            id,
            invocations,
            link,
            registered: true,
        }
    }

    /// The next invocation; `None` once the registration or the session has ended.
    pub async fn next(&mut self) -> Option<Invocation> {
        self.invocations.recv().await.ok()
    }

    /// The next invocation if one is already queued.
    pub fn try_next(&mut self) -> Option<Invocation> {
        self.invocations.try_recv().ok()
    }

    /// How many invocations are queued.
    pub fn queued(&self) -> usize {
        self.invocations.len()
    }

    /// Stops delivery at once; gives the id to unregister (for
    /// [`Client::unregister`](crate::Client::unregister), which waits for the router).
    pub(crate) fn close(mut self) -> RegistrationId {
        self.registered = false;
        self.link.shared.rpc.remove_registration(self.id);
        self.id
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if self.registered && self.link.shared.rpc.remove_registration(self.id) {
            let request = self.link.shared.next_request_id();
            self.link.try_send(&Message::Unregister {
                request,
                registration: self.id,
            });
        }
    }
}
