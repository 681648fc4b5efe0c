//! A realm's registrations, by procedure and match policy, and the lookup of a called URI:
//! an exact registration wins, then the longest matching prefix, then the wildcard pattern with
//! the longest run of components before its first wildcard (then before its second, ...), the
//! earliest registered among equals: the specification's rules for pattern-based registrations.
//! URIs under `wamp.` are the router's: only registrations of patterns under `wamp.` match them.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crossway_protocol::{RegistrationId, Uri};

use super::options::{InvokePolicy, RegisterOptions};
use super::registration::Registration;
use crate::error::RequestError;
use crate::matcher::{MatchPolicy, wildcard_matches};
use crate::member::Member;
use crate::permissions::RESERVED_PREFIX;

/// How specific a wildcard pattern is: the number of components in each run between wildcards
/// (`a1.b2..d4.e5` is `[2, 2]`, `a1.b2.c33..e5` is `[3, 1]`); compared in order, the larger wins.
fn runs(pattern: &str) -> Vec<usize> {
    pattern
        .split('.')
        .collect::<Vec<_>>()
        .split(|c| c.is_empty())
        .map(<[&str]>::len)
        .collect()
}

/// Every registration of a realm.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    exact: HashMap<Uri, Arc<Registration>>,
    prefix: HashMap<Box<str>, Arc<Registration>>,
    /// Byte length of prefix patterns -> how many there are.
    prefix_lengths: BTreeMap<usize, usize>,
    /// Most specific first (see [`runs`]), then earliest registered.
    wildcard: Vec<Arc<Registration>>,
    /// Every registration by id (the meta API's lookups).
    by_id: HashMap<RegistrationId, Arc<Registration>>,
}

impl Registry {
    /// Registers `member` for `procedure` with `options`: a new registration (then `true`), or
    /// the callee joins the shared one. `id` makes the id of a new registration.
    pub(crate) fn register(
        &mut self,
        member: &Arc<Member>,
        procedure: &Uri,
        options: RegisterOptions,
        id: impl FnOnce() -> RegistrationId,
    ) -> Result<(Arc<Registration>, bool), RequestError> {
        if let Some(existing) = self.get(procedure, options.policy) {
            if existing.invoke() != options.invoke {
                return Err(RequestError::DifferentInvocationPolicy {
                    procedure: procedure.clone(),
                    existing: existing.invoke().name(),
                });
            }
            if options.invoke == InvokePolicy::Single || !existing.add(member) {
                return Err(RequestError::ProcedureAlreadyExists(procedure.clone()));
            }
            return Ok((Arc::clone(existing), false));
        }
        let registration = Arc::new(Registration::new(id(), procedure.clone(), options));
        registration.add(member);
        self.by_id
            .insert(registration.id(), Arc::clone(&registration));
        match options.policy {
            MatchPolicy::Exact => {
                self.exact
                    .insert(procedure.clone(), Arc::clone(&registration));
            }
            MatchPolicy::Prefix => {
                self.prefix
                    .insert(Box::from(procedure.as_str()), Arc::clone(&registration));
                *self
                    .prefix_lengths
                    .entry(procedure.as_str().len())
                    .or_insert(0) += 1;
            }
            MatchPolicy::Wildcard => {
                self.wildcard.push(Arc::clone(&registration));
                // Stable: among equally specific patterns, the earliest stays first.
                self.wildcard
                    .sort_by_key(|r| std::cmp::Reverse(runs(r.procedure().as_str())));
            }
        }
        Ok((registration, true))
    }

    /// Removes `registration` if it has no callee left (this very one, not a newer one for the
    /// same procedure).
    pub(crate) fn remove_if_empty(&mut self, registration: &Arc<Registration>) {
        if !registration.is_empty() {
            return;
        }
        let procedure = registration.procedure();
        let same = |r: &Arc<Registration>| Arc::ptr_eq(r, registration);
        if self.by_id.get(&registration.id()).is_some_and(same) {
            self.by_id.remove(&registration.id());
        }
        match registration.policy() {
            MatchPolicy::Exact => {
                if self.exact.get(procedure).is_some_and(same) {
                    self.exact.remove(procedure);
                }
            }
            MatchPolicy::Prefix => {
                if self.prefix.get(procedure.as_str()).is_some_and(same) {
                    self.prefix.remove(procedure.as_str());
                    let len = procedure.as_str().len();
                    if let Some(count) = self.prefix_lengths.get_mut(&len) {
                        *count = count.saturating_sub(1);
                        if *count == 0 {
                            self.prefix_lengths.remove(&len);
                        }
                    }
                }
            }
            MatchPolicy::Wildcard => self.wildcard.retain(|r| !same(r)),
        }
    }

    /// The registration a call of `uri` goes to.
    pub(crate) fn lookup(&self, procedure: &Uri) -> Option<&Arc<Registration>> {
        if let Some(r) = self.exact.get(procedure) {
            return Some(r);
        }
        let uri = procedure.as_str();
        let reserved = uri.starts_with(RESERVED_PREFIX);
        let applies = |pattern: &str| !reserved || pattern.starts_with(RESERVED_PREFIX);
        for &len in self
            .prefix_lengths
            .range(..=uri.len())
            .rev()
            .map(|(l, _)| l)
        {
            if let Some(r) = uri.get(..len).and_then(|p| self.prefix.get(p))
                && applies(r.procedure().as_str())
            {
                return Some(r);
            }
        }
        self.wildcard.iter().find(|r| {
            let pattern = r.procedure().as_str();
            applies(pattern) && wildcard_matches(pattern, uri)
        })
    }

    /// The number of registrations.
    pub(crate) fn len(&self) -> usize {
        self.exact.len() + self.prefix.len() + self.wildcard.len()
    }

    /// The registration with id `id`.
    pub(crate) fn by_id(&self, id: RegistrationId) -> Option<&Arc<Registration>> {
        self.by_id.get(&id)
    }

    /// Every registration.
    pub(crate) fn all(&self) -> impl Iterator<Item = &Arc<Registration>> {
        self.by_id.values()
    }

    /// The registration of `procedure` with `policy`, if there is one.
    pub(crate) fn get(&self, procedure: &Uri, policy: MatchPolicy) -> Option<&Arc<Registration>> {
        match policy {
            MatchPolicy::Exact => self.exact.get(procedure),
            MatchPolicy::Prefix => self.prefix.get(procedure.as_str()),
            MatchPolicy::Wildcard => self.wildcard.iter().find(|r| r.procedure() == procedure),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_specificity_follows_the_specification() {
        assert_eq!(runs("a1.b2..d4.e5"), vec![2, 2]);
        assert_eq!(runs("a1.b2.c33..e5"), vec![3, 1]);
        assert_eq!(runs("a1.b2..d4.e5..g7"), vec![2, 2, 1]);
        assert_eq!(runs("a1.b2..d4..f6.g7"), vec![2, 1, 2]);
        assert!(runs("a1.b2.c33..e5") > runs("a1.b2..d4.e5"));
        assert!(runs("a1.b2..d4.e5..g7") > runs("a1.b2..d4..f6.g7"));
        assert!(runs("B.a.b.") > runs("B.a..verylongcomponent"));
        assert_eq!(runs("..x"), vec![0, 0, 1]);
    }
}
