//! The callees of other nodes, as this node's dealer holds them: one proxy member per remote
//! callee, registered like a local one, whose messages go through the cluster link; and the
//! callers of other nodes, each node known by a local pseudo session id that keys its calls.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crossway_protocol::ids::random_id;
use crossway_protocol::{Message, SessionId, Uri};

use super::{ClusterLink, Route};
use crate::dealer::Registration;
use crate::matcher::MatchPolicy;
use crate::member::Member;

/// Where a proxy member's messages go: its session on another node.
pub(crate) struct RemoteTarget {
    /// The callee's node.
    pub(crate) node: Arc<str>,
    /// The realm.
    pub(crate) realm: Uri,
    /// The link to that node.
    pub(crate) link: Arc<dyn ClusterLink>,
}

impl fmt::Debug for RemoteTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteTarget")
            .field("node", &self.node)
            .field("realm", &self.realm)
            .finish_non_exhaustive()
    }
}

impl RemoteTarget {
    /// Sends `msg` to session `callee` on the target's node; `registration` for the INVOCATION
    /// that starts a call.
    pub(crate) fn send(
        &self,
        callee: SessionId,
        registration: Option<(Uri, MatchPolicy)>,
        msg: &Message,
    ) -> bool {
        let route = Route {
            node: Arc::clone(&self.node),
            realm: self.realm.clone(),
            callee,
            registration,
        };
        self.link.send(route, msg.clone())
    }
}

/// One remote callee: its proxy member and the registrations it holds here.
#[derive(Debug)]
struct Proxy {
    node: Arc<str>,
    member: Arc<Member>,
    registrations: Vec<Arc<Registration>>,
}

/// The remote callees and the remote callers' nodes of one realm.
#[derive(Debug, Default)]
pub(crate) struct Proxies {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    callees: HashMap<SessionId, Proxy>,
    /// Each node that called here, by the pseudo session id its calls are keyed by.
    origins: HashMap<Arc<str>, SessionId>,
}

impl Proxies {
    /// The proxy of session `id` of `node`, made with `make` if it has none.
    pub(crate) fn callee(
        &self,
        node: &str,
        id: SessionId,
        make: impl FnOnce() -> Arc<Member>,
    ) -> Arc<Member> {
        let mut inner = self.lock();
        match inner.callees.entry(id) {
            Entry::Occupied(e) => Arc::clone(&e.get().member),
            Entry::Vacant(slot) => {
                let member = make();
                slot.insert(Proxy {
                    node: Arc::from(node),
                    member: Arc::clone(&member),
                    registrations: Vec::new(),
                });
                member
            }
        }
    }

    /// Notes that proxy `id` holds `registration`.
    pub(crate) fn hold(&self, id: SessionId, registration: Arc<Registration>) {
        if let Some(p) = self.lock().callees.get_mut(&id) {
            p.registrations.push(registration);
        }
    }

    /// Takes proxy `id`'s registration of `procedure` with `policy` off its list.
    pub(crate) fn release(
        &self,
        id: SessionId,
        procedure: &Uri,
        policy: MatchPolicy,
    ) -> Option<Arc<Registration>> {
        let mut inner = self.lock();
        let proxy = inner.callees.get_mut(&id)?;
        let at = proxy
            .registrations
            .iter()
            .position(|r| r.procedure() == procedure && r.policy() == policy)?;
        Some(proxy.registrations.swap_remove(at))
    }

    /// Removes proxy `id`: its member and the registrations it held.
    pub(crate) fn remove(&self, id: SessionId) -> Option<(Arc<Member>, Vec<Arc<Registration>>)> {
        self.lock()
            .callees
            .remove(&id)
            .map(|p| (p.member, p.registrations))
    }

    /// Removes every proxy of `node`.
    pub(crate) fn remove_node(&self, node: &str) -> Vec<(Arc<Member>, Vec<Arc<Registration>>)> {
        let mut inner = self.lock();
        let ids: Vec<SessionId> = inner
            .callees
            .iter()
            .filter(|(_, p)| &*p.node == node)
            .map(|(id, _)| *id)
            .collect();
        ids.into_iter()
            .filter_map(|id| inner.callees.remove(&id))
            .map(|p| (p.member, p.registrations))
            .collect()
    }

    /// The pseudo session id that keys the calls made from `node`; its name, shared.
    pub(crate) fn origin(&self, node: &str) -> (SessionId, Arc<str>) {
        let mut inner = self.lock();
        if let Some((name, id)) = inner.origins.get_key_value(node) {
            return (*id, Arc::clone(name));
        }
        let name: Arc<str> = Arc::from(node);
        let id = SessionId(random_id());
        inner.origins.insert(Arc::clone(&name), id);
        (id, name)
    }

    /// Forgets `node` as an origin of calls; its pseudo id, if it had one.
    pub(crate) fn forget_origin(&self, node: &str) -> Option<SessionId> {
        self.lock().origins.remove(node)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
