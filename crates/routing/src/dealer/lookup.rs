//! The registrations of a realm as the meta API reads them: by id, all, by procedure and match
//! policy, and the one a call would go to.

use std::sync::Arc;

use crossway_protocol::{RegistrationId, Uri};

use super::{Dealer, Registration};
use crate::matcher::MatchPolicy;

impl Dealer {
    /// The registration with id `id`.
    pub(crate) fn get(&self, id: RegistrationId) -> Option<Arc<Registration>> {
        self.registry_read().by_id(id).cloned()
    }

    /// Every registration, copied out.
    pub(crate) fn all(&self) -> Vec<Arc<Registration>> {
        self.registry_read().all().cloned().collect()
    }

    /// The registration of `procedure` with `policy`, if any.
    pub(crate) fn lookup(&self, procedure: &Uri, policy: MatchPolicy) -> Option<Arc<Registration>> {
        self.registry_read().get(procedure, policy).cloned()
    }

    /// The registration a call of `procedure` would go to.
    pub(crate) fn best_match(&self, procedure: &Uri) -> Option<Arc<Registration>> {
        self.registry_read().lookup(procedure).cloned()
    }
}
