//! Warnings about roles that an endpoint's authentication gives and a realm with roles lacks:
//! such sessions are refused when they join that realm. Not an error, since the role may be
//! meant for another realm.

use std::collections::BTreeSet;

use crossway_routing::auth::{Admission, AuthPolicy};

use super::model::{EndpointSpec, RealmSpec};

/// One warning for each endpoint, realm with roles and role the endpoint can give for that realm
/// that the realm lacks, in the order of the file.
pub fn role_warnings(realms: &[RealmSpec], endpoints: &[EndpointSpec]) -> Vec<String> {
    let mut warnings = Vec::new();
    for ep in endpoints {
        let given = admissions(&ep.auth);
        for realm in realms {
            let Some(roles) = &realm.roles else {
                continue;
            };
            let missing: BTreeSet<&str> = given
                .iter()
                .filter(|(_, only)| only.is_none_or(|r| r == realm.name))
                .map(|(role, _)| *role)
                .filter(|role| !roles.iter().any(|r| r.name == *role))
                .collect();
            warnings.extend(missing.into_iter().map(|role| {
                format!(
                    "sessions of role \"{role}\" from endpoint \"{}\" will be refused in realm \"{}\", which has no such role",
                    ep.name, realm.name
                )
            }));
            if let Some(bridge) = &ep.http_publish
                && !roles.iter().any(|r| r.name == bridge.role)
            {
                warnings.push(format!(
                    "HTTP publications (role \"{}\") from endpoint \"{}\" will be refused in realm \"{}\", which has no such role",
                    bridge.role, ep.name, realm.name
                ));
            }
        }
    }
    warnings
}

/// Every role `policy` can give, each with the only realm it is given for (`None`: any).
fn admissions(policy: &AuthPolicy) -> Vec<(&str, Option<&str>)> {
    let mut out: Vec<(&str, Option<&str>)> = Vec::new();
    out.extend(policy.anonymous.iter().map(|a| (a.role.as_str(), None)));
    if let Some(t) = &policy.ticket {
        out.extend(t.principals.values().map(|p| admitted(&p.admission)));
    }
    if let Some(w) = &policy.wampcra {
        out.extend(w.principals.values().map(|p| admitted(&p.admission)));
    }
    if let Some(k) = &policy.cryptosign {
        out.extend(k.principals.values().map(|p| admitted(&p.admission)));
    }
    if let Some(t) = &policy.tls {
        out.extend(t.role.as_deref().map(|r| (r, None)));
        out.extend(t.principals.values().map(admitted));
    }
    out
}

/// An admission's role and realm.
fn admitted(a: &Admission) -> (&str, Option<&str>) {
    (a.role.as_str(), a.realm.as_deref())
}
