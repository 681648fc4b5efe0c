//! Ticket authentication: the client sends a shared ticket (a password) in AUTHENTICATE.
//!
//! Every HELLO naming an authid gets the same empty CHALLENGE, whether the principal exists or
//! not; the ticket is checked against a tag (a decoy tag for an unknown authid), so a check takes
//! the same time whatever is guessed.

use std::collections::HashMap;

use crossway_protocol::{Dict, Message};

use super::policy::{Admission, AuthMethod, TicketAuth};
use super::secret::{SecretTag, TagKey};
use super::{Failure, HelloAuth, Start, admits, identity};
use crate::identity::Identity;

/// The tickets of an endpoint, kept as tags.
#[derive(Debug, Default)]
pub(crate) struct Tickets {
    by_authid: HashMap<String, (SecretTag, Admission)>,
    /// Checked for unknown authids, so that they cost what known ones do.
    decoy: Option<SecretTag>,
}

/// A ticket authentication waiting for AUTHENTICATE.
#[derive(Debug)]
pub(crate) struct Pending {
    authid: String,
    /// The principal, if it exists and may join the realm asked for.
    principal: Option<(SecretTag, Admission)>,
    decoy: Option<SecretTag>,
}

impl Tickets {
    /// Tags every ticket of `auth` with `tags`.
    pub(crate) fn new(tags: &TagKey, auth: Option<&TicketAuth>) -> Tickets {
        let Some(auth) = auth else {
            return Tickets::default();
        };
        let by_authid = auth
            .principals
            .iter()
            .map(|(authid, p)| {
                (
                    authid.clone(),
                    (tags.tag(p.ticket.expose()), p.admission.clone()),
                )
            })
            .collect();
        Tickets {
            by_authid,
            decoy: Some(tags.tag(b"\0no principal has this ticket\0")),
        }
    }
}

/// HELLO asked for ticket authentication as `hello.authid` in `realm`.
pub(crate) fn start(tickets: &Tickets, hello: &HelloAuth, realm: &str) -> Start {
    let Some(authid) = hello.authid.clone() else {
        return Start::Refuse(Failure::refused(
            AuthMethod::Ticket,
            None,
            "HELLO named no authid",
        ));
    };
    let principal = tickets
        .by_authid
        .get(&authid)
        .filter(|(_, admission)| admits(admission, realm))
        .cloned();
    let challenge = Message::Challenge {
        auth_method: AuthMethod::Ticket.name().to_owned(),
        extra: Dict::new(),
    };
    let pending = Pending {
        authid,
        principal,
        decoy: tickets.decoy.clone(),
    };
    Start::Challenge(Box::new(super::Pending::Ticket(pending)), challenge)
}

impl Pending {
    /// Checks the ticket the client sent.
    pub(crate) fn verify(self, tags: &TagKey, ticket: &str) -> Result<Identity, Failure> {
        let refused = |why| Failure::refused(AuthMethod::Ticket, Some(&self.authid), why);
        match &self.principal {
            Some((tag, admission)) => {
                if tags.matches(tag, ticket.as_bytes()) {
                    Ok(identity(&self.authid, admission, AuthMethod::Ticket))
                } else {
                    Err(refused("wrong ticket"))
                }
            }
            None => {
                if let Some(decoy) = &self.decoy {
                    // The same work as for a known principal; the answer is no either way.
                    let _ = tags.matches(decoy, ticket.as_bytes());
                }
                Err(refused("unknown authid, or not for this realm"))
            }
        }
    }
}
