//! Dynamic authenticators: a procedure the router calls to decide on a principal it does not
//! know, as Crossbar.io's dynamic authenticators work.
//!
//! The router calls `procedure(realm, authid, details)` through the dealer, with a time limit,
//! and takes the principal from the answer: a dictionary with `role` (for tickets a plain string
//! is the role), optionally `authid` and `realm` (which must be the realm asked for); for WAMP-CRA
//! `secret` (and `salt`, `iterations`, `keylen`); for cryptosign `pubkey`, which must be the key
//! the client named. Anything else (an ERROR, no answer in time, a malformed answer) refuses the
//! session with the same ABORT as a wrong secret.

use std::borrow::Cow;

use crossway_protocol::{Dict, List, Message, SessionId, Value};

use super::HelloAuth;
use super::policy::{AuthMethod, CraSalt, DynamicAuth, MAX_ITERATIONS, PublicKey};
use crate::peer::PeerAddress;

/// What the session being authenticated is, for the authenticator's `details`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    /// The realm asked for.
    pub(crate) realm: &'a str,
    /// The session id it will have.
    pub(crate) session: SessionId,
    /// The client's address.
    pub(crate) peer: PeerAddress,
    /// `websocket` or `rawsocket`.
    pub(crate) transport: &'a str,
}

/// A call to make to an authenticator, and what to do with its answer.
#[derive(Debug, Clone)]
pub(crate) struct Consult {
    /// The authenticator.
    pub(crate) authenticator: DynamicAuth,
    /// `[realm, authid, details]`.
    pub(crate) args: List,
    /// What the answer decides.
    pub(crate) next: Next,
}

/// What an authenticator's answer decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Next {
    /// Whether the ticket the client presented admits it (the ticket is in the call's details).
    Ticket {
        /// The authid the client asked for.
        authid: String,
    },
    /// The WAMP-CRA secret to challenge the client with.
    WampCra {
        /// The authid the client asked for.
        authid: String,
    },
    /// Whose is the key the client named, to challenge it with.
    Cryptosign {
        /// The authid the client asked for, if any.
        authid: Option<String>,
        /// The key it named.
        key: PublicKey,
    },
}

/// The principal an authenticator answered with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Principal {
    /// The authid to admit as, when the answer names one.
    pub(crate) authid: Option<String>,
    /// The role.
    pub(crate) role: String,
    /// WAMP-CRA: the secret.
    pub(crate) secret: Option<String>,
    /// WAMP-CRA: the salting of the secret.
    pub(crate) salt: Option<CraSalt>,
    /// Cryptosign: the key.
    pub(crate) pubkey: Option<PublicKey>,
}

impl Consult {
    /// The call that asks `authenticator` about the client of `hello` (asking as `authid`),
    /// authenticating by `method`; `ticket` is the ticket it presented.
    pub(crate) fn new(
        authenticator: &DynamicAuth,
        method: AuthMethod,
        hello: &HelloAuth,
        ctx: Context<'_>,
        next: Next,
    ) -> Consult {
        let authid = hello.authid.clone();
        let transport = Dict::from([
            ("peer".to_owned(), Value::from(ctx.peer.wamp_peer())),
            ("type".to_owned(), Value::from(ctx.transport)),
        ]);
        let details = Dict::from([
            ("authmethod".to_owned(), Value::from(method.name())),
            (
                "authid".to_owned(),
                authid.clone().map_or(Value::Null, Value::from),
            ),
            ("authextra".to_owned(), Value::Map(hello.authextra.clone())),
            ("session".to_owned(), Value::from(ctx.session.0)),
            ("transport".to_owned(), Value::Map(transport)),
        ]);
        Consult {
            authenticator: authenticator.clone(),
            args: vec![
                Value::from(ctx.realm),
                authid.map_or(Value::Null, Value::from),
                Value::Map(details),
            ],
            next,
        }
    }

    /// The call's details, which a ticket is added to.
    pub(crate) fn details_mut(&mut self) -> Option<&mut Dict> {
        match self.args.get_mut(2) {
            Some(Value::Map(details)) => Some(details),
            _ => None,
        }
    }
}

impl Next {
    /// The method and the authid the client tried, for the verdict.
    pub(crate) fn attempt(&self) -> (AuthMethod, Option<&str>) {
        match self {
            Next::Ticket { authid } => (AuthMethod::Ticket, Some(authid)),
            Next::WampCra { authid } => (AuthMethod::WampCra, Some(authid)),
            Next::Cryptosign { authid, .. } => (AuthMethod::Cryptosign, authid.as_deref()),
        }
    }
}

impl Principal {
    /// Reads the authenticator's `answer` for a client asking to join `realm` by `method`.
    pub(crate) fn from_answer(
        answer: Message,
        method: AuthMethod,
        realm: &str,
    ) -> Result<Principal, Cow<'static, str>> {
        let args = match answer {
            Message::Result { payload, .. } => payload
                .args()
                .map_err(|e| format!("the authenticator's answer does not decode: {e}"))?
                .unwrap_or_default(),
            Message::Error { error, .. } => {
                return Err(format!("the authenticator answered {error}").into());
            }
            other => {
                return Err(format!("the authenticator answered {}", other.name()).into());
            }
        };
        let first = args.into_iter().next();
        let map = match first {
            Some(Value::Str(role)) if method == AuthMethod::Ticket => {
                return Ok(Principal {
                    authid: None,
                    role,
                    secret: None,
                    salt: None,
                    pubkey: None,
                });
            }
            Some(Value::Map(map)) => map,
            _ => return Err("the authenticator's answer is not a dictionary".into()),
        };
        let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
        if let Some(r) = map.get("realm")
            && r.as_str() != Some(realm)
        {
            return Err("the authenticator admitted the principal to another realm".into());
        }
        let role = text("role").ok_or("the authenticator's answer names no role")?;
        let principal = Principal {
            authid: text("authid"),
            role,
            secret: text("secret"),
            salt: match text("salt") {
                None => None,
                Some(salt) => Some(CraSalt {
                    salt,
                    iterations: number(&map, "iterations", 1000, MAX_ITERATIONS)?,
                    keylen: number(&map, "keylen", 32, 1024)?,
                }),
            },
            pubkey: text("pubkey").as_deref().and_then(PublicKey::from_hex),
        };
        match method {
            AuthMethod::WampCra if principal.secret.is_none() => {
                Err("the authenticator's answer has no secret".into())
            }
            AuthMethod::Cryptosign if principal.pubkey.is_none() => {
                Err("the authenticator's answer has no valid pubkey".into())
            }
            _ => Ok(principal),
        }
    }
}

/// A positive integer field of an answer, at most `max`, `default` when absent.
fn number(map: &Dict, key: &str, default: u32, max: u32) -> Result<u32, Cow<'static, str>> {
    match map.get(key) {
        None => Ok(default),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| format!("the authenticator's {key} is not from 1 to {max}").into()),
    }
}
