//! One registration: a procedure (or pattern), its options, and the callees that share it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::SystemTime;

use crossway_protocol::ids::random_id;
use crossway_protocol::{RegistrationId, SessionId, Uri};

use super::options::{InvokePolicy, RegisterOptions};
use crate::matcher::MatchPolicy;
use crate::member::Member;

/// A registration, shared by every callee of one procedure (or pattern) and match policy.
#[derive(Debug)]
pub(crate) struct Registration {
    id: RegistrationId,
    procedure: Uri,
    options: RegisterOptions,
    /// When it was made (the meta API's `created`).
    created: SystemTime,
    /// In the order they registered (`first` and `last` pick by it).
    callees: RwLock<Vec<Arc<Member>>>,
    /// The next callee for `roundrobin`.
    turn: AtomicUsize,
}

impl Registration {
    /// A registration without callees.
    pub(crate) fn new(id: RegistrationId, procedure: Uri, options: RegisterOptions) -> Self {
        Registration {
            id,
            procedure,
            options,
            created: SystemTime::now(),
            callees: RwLock::new(Vec::new()),
            turn: AtomicUsize::new(0),
        }
    }

    /// The registration id.
    pub(crate) fn id(&self) -> RegistrationId {
        self.id
    }

    /// The procedure or pattern.
    pub(crate) fn procedure(&self) -> &Uri {
        &self.procedure
    }

    /// How the procedure matches.
    pub(crate) fn policy(&self) -> MatchPolicy {
        self.options.policy
    }

    /// How a callee is picked.
    pub(crate) fn invoke(&self) -> InvokePolicy {
        self.options.invoke
    }

    /// Whether the callees handle call timeouts themselves.
    pub(crate) fn forwards_timeout(&self) -> bool {
        self.options.forward_timeout
    }

    /// When the registration was made.
    pub(crate) fn created(&self) -> SystemTime {
        self.created
    }

    /// The session ids of its callees, in the order they registered.
    pub(crate) fn callee_ids(&self) -> Vec<SessionId> {
        self.read().iter().map(|m| m.id()).collect()
    }

    /// Adds a callee; false if it is one already.
    pub(crate) fn add(&self, member: &Arc<Member>) -> bool {
        let mut callees = self.write();
        if callees.iter().any(|m| m.id() == member.id()) {
            return false;
        }
        callees.push(Arc::clone(member));
        true
    }

    /// Removes a callee; false if it was not one.
    pub(crate) fn remove(&self, session: SessionId) -> bool {
        let mut callees = self.write();
        let before = callees.len();
        callees.retain(|m| m.id() != session);
        callees.len() != before
    }

    /// Whether no callee is left.
    pub(crate) fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    /// The callee of the next call, by the invocation policy.
    pub(crate) fn pick(&self) -> Option<Arc<Member>> {
        let callees = self.read();
        let n = callees.len();
        if n == 0 {
            return None;
        }
        let index = match self.options.invoke {
            InvokePolicy::Single | InvokePolicy::First => 0,
            InvokePolicy::Last => n - 1,
            InvokePolicy::RoundRobin => self.turn.fetch_add(1, Ordering::Relaxed) % n,
            InvokePolicy::Random => usize::try_from(random_id()).unwrap_or(0) % n,
        };
        callees.get(index).cloned()
    }

    fn read(&self) -> RwLockReadGuard<'_, Vec<Arc<Member>>> {
        self.callees.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Vec<Arc<Member>>> {
        self.callees.write().unwrap_or_else(PoisonError::into_inner)
    }
}
