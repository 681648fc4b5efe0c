//! Ticket authentication: the client sends a shared ticket (a password) in AUTHENTICATE.
//!
//! Every HELLO naming an authid gets the same empty CHALLENGE, whether the principal exists or
//! not; the ticket is checked against a tag (a decoy tag for an unknown authid), so a check takes
//! the same time whatever is guessed.

use std::collections::HashMap;

use crossway_protocol::{Dict, Message, Value};

use super::dynamic::{Consult, Context, Next, Principal};
use super::policy::{Admission, AuthMethod, TicketAuth};
use super::secret::{SecretTag, TagKey};
use super::{DYNAMIC, Failure, Finished, HelloAuth, STATIC, Start, admits, identity};

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
    /// The authenticator to ask, for an authid the principals do not list.
    consult: Option<Consult>,
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

/// HELLO asked for ticket authentication as `hello.authid` in `ctx.realm`. An authid the
/// principals do not list is asked of the authenticator, if there is one, once the ticket comes.
pub(crate) fn start(
    tickets: &Tickets,
    auth: &TicketAuth,
    hello: &HelloAuth,
    ctx: Context<'_>,
) -> Start {
    let Some(authid) = hello.authid.clone() else {
        return Start::Refuse(Failure::refused(
            AuthMethod::Ticket,
            None,
            "HELLO named no authid",
        ));
    };
    let listed = tickets.by_authid.get(&authid);
    let principal = listed
        .filter(|(_, admission)| admits(admission, ctx.realm))
        .cloned();
    let consult = match (listed, &auth.authenticator) {
        (None, Some(authenticator)) => Some(Consult::new(
            authenticator,
            AuthMethod::Ticket,
            hello,
            ctx,
            Next::Ticket {
                authid: authid.clone(),
            },
        )),
        _ => None,
    };
    let challenge = Message::Challenge {
        auth_method: AuthMethod::Ticket.name().to_owned(),
        extra: Dict::new(),
    };
    let pending = Pending {
        authid,
        principal,
        decoy: tickets.decoy.clone(),
        consult,
    };
    Start::Challenge(Box::new(super::Pending::Ticket(pending)), challenge)
}

/// The authenticator admitted `principal` for the ticket presented as `authid`.
pub(crate) fn answered(principal: Principal, authid: &str) -> Start {
    let authid = principal.authid.as_deref().unwrap_or(authid);
    let admission = Admission {
        role: principal.role,
        realm: None,
    };
    Start::Admit(identity(authid, &admission, AuthMethod::Ticket, DYNAMIC))
}

impl Pending {
    /// Checks the ticket the client sent, or hands it to the authenticator.
    pub(crate) fn verify(self, tags: &TagKey, ticket: &str) -> Result<Finished, Failure> {
        let refused = |why| Failure::refused(AuthMethod::Ticket, Some(&self.authid), why);
        match (&self.principal, self.consult) {
            (Some((tag, admission)), _) => {
                if tags.matches(tag, ticket.as_bytes()) {
                    Ok(Finished::Admitted(identity(
                        &self.authid,
                        admission,
                        AuthMethod::Ticket,
                        STATIC,
                    )))
                } else {
                    Err(refused("wrong ticket"))
                }
            }
            (None, Some(mut consult)) => {
                if let Some(details) = consult.details_mut() {
                    details.insert("ticket".to_owned(), Value::from(ticket));
                }
                Ok(Finished::Consult(Box::new(consult)))
            }
            (None, None) => {
                if let Some(decoy) = &self.decoy {
                    // The same work as for a known principal; the answer is no either way.
                    let _ = tags.matches(decoy, ticket.as_bytes());
                }
                Err(refused("unknown authid, or not for this realm"))
            }
        }
    }
}
