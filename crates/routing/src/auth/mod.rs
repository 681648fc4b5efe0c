//! Authentication: who a session is, decided from its HELLO (and, for most methods, its answer to
//! a CHALLENGE) by the methods its endpoint enables.
//!
//! - [`policy`]: [`AuthPolicy`], the methods, principals and roles of one endpoint (plain data).
//! - [`Authenticator`]: one endpoint's policy made ready to answer HELLOs (secrets kept as tags,
//!   keys indexed), shared by every connection of the endpoint.
//! - `hello`: what HELLO asks for; `ticket`, `wampcra`, `cryptosign`, `tls`: one method each;
//!   `dynamic`: asking a dynamic authenticator (a procedure) about a principal;
//!   `secret`: [`Secret`] and constant-time checks; `hex`: hexadecimal text.
//!
//! The router never tells a failed guess apart from an unknown authid: both end with the same
//! ABORT, after a CHALLENGE made the same way.

mod cryptosign;
mod dynamic;
mod hello;
pub mod hex;
pub mod policy;
mod secret;
mod ticket;
mod timestamp;
mod tls;
mod wampcra;

use std::borrow::Cow;
use std::fmt;

use crossway_protocol::{Message, SessionId};
use ring::rand::{SecureRandom, SystemRandom};

use crate::certificate::ClientCertificate;
use crate::identity::Identity;

use dynamic::Principal;
pub(crate) use dynamic::{Consult, Context, Next};
pub(crate) use hello::HelloAuth;
pub use policy::{
    Admission, AnonymousAuth, AuthMethod, AuthPolicy, CertField, CraSalt, CryptosignAuth,
    CryptosignPrincipal, DynamicAuth, MAX_ITERATIONS, PublicKey, TicketAuth, TicketPrincipal,
    TlsAuth, WampCraAuth, WampCraPrincipal,
};
pub use secret::Secret;

use secret::TagKey;

/// One endpoint's authentication, ready to use: the policy, with tickets kept as tags and
/// cryptosign keys indexed.
#[derive(Debug)]
pub struct Authenticator {
    policy: AuthPolicy,
    tags: TagKey,
    tickets: ticket::Tickets,
    cra: wampcra::Keys,
    keys: cryptosign::KeyIndex,
}

/// `authprovider` of principals from the configuration.
const STATIC: &str = "static";
/// `authprovider` of principals from a dynamic authenticator.
const DYNAMIC: &str = "dynamic";

/// The start of one authentication, at HELLO (or at an authenticator's answer).
#[derive(Debug)]
pub(crate) enum Start {
    /// Admitted at once (anonymous, tls).
    Admit(Identity),
    /// The client must answer this CHALLENGE; `Pending` checks the answer.
    Challenge(Box<Pending>, Message),
    /// An authenticator must be asked first.
    Consult(Box<Consult>),
    /// Refused.
    Refuse(Failure),
}

/// What a checked AUTHENTICATE came to.
#[derive(Debug)]
pub(crate) enum Finished {
    /// The session is admitted as this identity.
    Admitted(Identity),
    /// An authenticator must judge the answer (a ticket of an unlisted authid).
    Consult(Box<Consult>),
}

/// An authentication waiting for the client's AUTHENTICATE.
#[derive(Debug)]
pub(crate) enum Pending {
    /// A ticket.
    Ticket(ticket::Pending),
    /// A WAMP-CRA signature.
    WampCra(wampcra::Pending),
    /// A cryptosign signature.
    Cryptosign(cryptosign::Pending),
}

/// Why authentication failed. The client is told only the URI and a generic message; the
/// details are for the router's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// No method offered in HELLO is enabled on the endpoint: `wamp.error.no_auth_method`.
    NoMethod,
    /// The credentials were refused: `wamp.error.authentication_failed`.
    Refused {
        /// The method tried.
        method: AuthMethod,
        /// The authid tried, if any.
        authid: Option<String>,
        /// Why, for the log only.
        why: Cow<'static, str>,
    },
    /// The answer broke the protocol (a signature of the wrong form).
    Violation(String),
}

/// What one authentication came to, for the node to throttle, log and count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The method used.
    pub method: AuthMethod,
    /// The authid tried (or given, on success).
    pub authid: Option<String>,
    /// `None` on success; otherwise why it failed (for the log; never sent to the client).
    pub failure: Option<Cow<'static, str>>,
}

/// The randomness the operating system gave no answer for (the router then refuses to
/// authenticate rather than use weak challenges).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the system's random number generator failed")]
pub struct RandomFailed;

impl Authenticator {
    /// Makes `policy` ready to authenticate.
    pub fn new(policy: AuthPolicy) -> Result<Authenticator, RandomFailed> {
        let tags = TagKey::random()?;
        let tickets = ticket::Tickets::new(&tags, policy.ticket.as_ref());
        let cra = wampcra::Keys::new(policy.wampcra.as_ref())?;
        let keys = cryptosign::KeyIndex::new(policy.cryptosign.as_ref());
        Ok(Authenticator {
            policy,
            tags,
            tickets,
            cra,
            keys,
        })
    }

    /// The anonymous-only authenticator of an endpoint without an `auth` block.
    pub fn open() -> Result<Authenticator, RandomFailed> {
        Authenticator::new(AuthPolicy::open())
    }

    /// The policy.
    pub fn policy(&self) -> &AuthPolicy {
        &self.policy
    }

    /// Starts authenticating a HELLO that asked for `hello` in `ctx.realm`, on a connection with
    /// `cert`.
    pub(crate) fn start(
        &self,
        hello: &HelloAuth,
        ctx: Context<'_>,
        cert: Option<&ClientCertificate>,
    ) -> Start {
        let realm = ctx.realm;
        let Some(method) = hello.choose(&self.policy) else {
            return Start::Refuse(Failure::NoMethod);
        };
        match method {
            AuthMethod::Anonymous => match &self.policy.anonymous {
                Some(anonymous) => Start::Admit(Identity::anonymous_as(&anonymous.role)),
                None => Start::Refuse(Failure::NoMethod),
            },
            AuthMethod::Ticket => match &self.policy.ticket {
                Some(tickets) => ticket::start(&self.tickets, tickets, hello, ctx),
                None => Start::Refuse(Failure::NoMethod),
            },
            AuthMethod::WampCra => match &self.policy.wampcra {
                Some(cra) => wampcra::start(cra, &self.cra, hello, ctx),
                None => Start::Refuse(Failure::NoMethod),
            },
            AuthMethod::Cryptosign => match &self.policy.cryptosign {
                Some(cs) => cryptosign::start(cs, &self.keys, hello, ctx),
                None => Start::Refuse(Failure::NoMethod),
            },
            AuthMethod::Tls => match &self.policy.tls {
                Some(tls) => tls::admit(tls, hello, realm, cert),
                None => Start::Refuse(Failure::NoMethod),
            },
        }
    }

    /// Checks the client's AUTHENTICATE for `pending`.
    pub(crate) fn finish(&self, pending: Pending, signature: &str) -> Result<Finished, Failure> {
        match pending {
            Pending::Ticket(p) => p.verify(&self.tags, signature),
            Pending::WampCra(p) => p.verify(signature).map(Finished::Admitted),
            Pending::Cryptosign(p) => p.verify(signature).map(Finished::Admitted),
        }
    }

    /// Goes on with an authentication after the authenticator's `answer` to the call that
    /// `next` was waiting for; `session` is the id the session will have.
    pub(crate) fn answered(
        &self,
        next: Next,
        answer: Message,
        realm: &str,
        session: SessionId,
    ) -> Start {
        let (method, authid) = next.attempt();
        let principal = match Principal::from_answer(answer, method, realm) {
            Ok(principal) => principal,
            Err(why) => return Start::Refuse(Failure::refused(method, authid, why)),
        };
        match next {
            Next::Ticket { authid } => ticket::answered(principal, &authid),
            Next::WampCra { authid } => wampcra::answered(principal, authid, &self.cra, session),
            Next::Cryptosign { authid, key } => cryptosign::answered(principal, authid, key),
        }
    }
}

impl Pending {
    /// The method being authenticated.
    pub(crate) fn method(&self) -> AuthMethod {
        match self {
            Pending::Ticket(_) => AuthMethod::Ticket,
            Pending::WampCra(_) => AuthMethod::WampCra,
            Pending::Cryptosign(_) => AuthMethod::Cryptosign,
        }
    }
}

impl Failure {
    /// The failure of `method` for `authid`, with `why` for the log.
    pub(crate) fn refused(
        method: AuthMethod,
        authid: Option<&str>,
        why: impl Into<Cow<'static, str>>,
    ) -> Failure {
        Failure::Refused {
            method,
            authid: authid.map(str::to_owned),
            why: why.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::NoMethod => f.write_str("no offered authentication method is enabled"),
            Failure::Refused { method, why, .. } => write!(f, "{method}: {why}"),
            Failure::Violation(why) => f.write_str(why),
        }
    }
}

/// `N` random bytes from the operating system.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], RandomFailed> {
    let mut out = [0u8; N];
    SystemRandom::new()
        .fill(&mut out)
        .map_err(|_| RandomFailed)?;
    Ok(out)
}

/// Whether `admission` lets its principal into `realm`.
fn admits(admission: &Admission, realm: &str) -> bool {
    admission.realm.as_deref().is_none_or(|r| r == realm)
}

/// The identity of a principal admitted by `method`.
fn identity(
    authid: &str,
    admission: &Admission,
    method: AuthMethod,
    provider: &'static str,
) -> Identity {
    Identity {
        authid: authid.to_owned(),
        authrole: admission.role.clone(),
        authmethod: method.name().to_owned(),
        authprovider: provider.to_owned(),
    }
}

#[cfg(test)]
mod dynamic_tests;
#[cfg(test)]
mod tests;
