//! WAMP-CRA: the router sends a challenge string, the client answers with its base64
//! HMAC-SHA256 under the shared secret (a key derived with PBKDF2 when the principal is salted;
//! derived once, when the endpoint's keys are made).
//!
//! An unknown authid gets a challenge made the same way: the most common role of the endpoint's
//! principals, and, where most principals are salted, a salt derived from the authid under a key
//! of this process (the same salt on every attempt, as a real one would be) with the most common
//! parameters. The answer is then checked against a key nobody holds.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use crossway_protocol::{Dict, Message, SessionId, Value};

use ring::{hmac, pbkdf2};

use super::dynamic::{Consult, Context, Next, Principal};
use super::policy::{Admission, AuthMethod, CraSalt, WampCraAuth};
use super::{
    DYNAMIC, Failure, HelloAuth, RandomFailed, STATIC, Start, admits, identity, random_bytes,
};
use crate::identity::Identity;
use crate::timestamp::utc_timestamp;

/// The role a challenge names for an unknown authid when the endpoint has no principal at all.
const DECOY_ROLE: &str = "user";

/// The signing key of every principal, and how challenges for unknown authids are made.
#[derive(Debug)]
pub(crate) struct Keys {
    keys: HashMap<String, hmac::Key>,
    role: String,
    /// Iterations and key length, when most principals are salted.
    salted: Option<(u32, u32)>,
    /// Derives decoy salts from authids, and signs nothing anyone can match: made from the
    /// principals' secrets, so that a decoy salt stays the same across restarts as a real one
    /// does, yet cannot be computed without the secrets.
    key: hmac::Key,
}

/// A WAMP-CRA authentication waiting for AUTHENTICATE.
#[derive(Debug)]
pub(crate) struct Pending {
    authid: String,
    challenge: String,
    key: hmac::Key,
    /// The principal's admission, if it exists and may join the realm asked for.
    admission: Option<Admission>,
    /// Who vouched for the principal: `static` or `dynamic`.
    provider: &'static str,
}

impl Keys {
    /// The keys of the principals of `auth` (derived for salted ones), and decoys that look like
    /// them.
    pub(crate) fn new(auth: Option<&WampCraAuth>) -> Result<Keys, RandomFailed> {
        let keys = auth
            .iter()
            .flat_map(|a| a.principals.iter())
            .map(|(authid, p)| {
                (
                    authid.clone(),
                    signing_key(p.secret.expose(), p.salt.as_ref()),
                )
            })
            .collect();
        let principals: Vec<_> = auth
            .map(|a| a.principals.values().collect())
            .unwrap_or_default();
        let role = most_common(principals.iter().map(|p| p.admission.role.clone()))
            .unwrap_or_else(|| DECOY_ROLE.to_owned());
        let salted_count = principals.iter().filter(|p| p.salt.is_some()).count();
        let salted = if salted_count * 2 > principals.len() {
            most_common(
                principals
                    .iter()
                    .filter_map(|p| p.salt.as_ref().map(|s| (s.iterations, s.keylen))),
            )
        } else {
            None
        };
        let mut seed = ring::digest::Context::new(&ring::digest::SHA256);
        seed.update(b"crossway wampcra decoys\0");
        for (authid, principal) in auth.iter().flat_map(|a| a.principals.iter()) {
            seed.update(authid.as_bytes());
            seed.update(b"\0");
            seed.update(principal.secret.expose());
            seed.update(b"\0");
        }
        if principals.is_empty() {
            seed.update(&random_bytes::<32>()?);
        }
        let key = hmac::Key::new(hmac::HMAC_SHA256, seed.finish().as_ref());
        Ok(Keys {
            keys,
            role,
            salted,
            key,
        })
    }

    /// The salt an unknown `authid` is challenged with.
    fn salt(&self, authid: &str) -> Option<CraSalt> {
        let (iterations, keylen) = self.salted?;
        let digest = hmac::sign(&self.key, authid.as_bytes());
        let salt = STANDARD_NO_PAD.encode(digest.as_ref().get(..12).unwrap_or_default());
        Some(CraSalt {
            salt,
            iterations,
            keylen,
        })
    }
}

/// A principal's challenge data: its role, its salting, its signing key, its admission.
struct Known {
    salt: Option<CraSalt>,
    key: hmac::Key,
    admission: Admission,
}

/// HELLO asked for WAMP-CRA as `hello.authid` in `ctx.realm`. An authid the principals do not
/// list is asked of the authenticator, if there is one; otherwise it gets a decoy challenge.
pub(crate) fn start(auth: &WampCraAuth, keys: &Keys, hello: &HelloAuth, ctx: Context<'_>) -> Start {
    let Some(authid) = hello.authid.clone() else {
        return Start::Refuse(Failure::refused(
            AuthMethod::WampCra,
            None,
            "HELLO named no authid",
        ));
    };
    let listed = auth.principals.get(&authid);
    if listed.is_none()
        && let Some(authenticator) = &auth.authenticator
    {
        let next = Next::WampCra {
            authid: authid.clone(),
        };
        let consult = Consult::new(authenticator, AuthMethod::WampCra, hello, ctx, next);
        return Start::Consult(Box::new(consult));
    }
    let known = listed
        .filter(|p| admits(&p.admission, ctx.realm))
        .and_then(|p| {
            Some(Known {
                salt: p.salt.clone(),
                key: keys.keys.get(&authid)?.clone(),
                admission: p.admission.clone(),
            })
        });
    challenge(authid, known, keys, ctx.session, STATIC)
}

/// The authenticator answered with `principal` for the client asking as `authid`.
pub(crate) fn answered(
    principal: Principal,
    authid: String,
    keys: &Keys,
    session: SessionId,
) -> Start {
    let Some(secret) = principal.secret else {
        return Start::Refuse(Failure::refused(
            AuthMethod::WampCra,
            Some(&authid),
            "the authenticator gave no secret",
        ));
    };
    let authid = principal.authid.unwrap_or(authid);
    let known = Known {
        key: signing_key(secret.as_bytes(), principal.salt.as_ref()),
        salt: principal.salt,
        admission: Admission {
            role: principal.role,
            realm: None,
        },
    };
    challenge(authid, Some(known), keys, session, DYNAMIC)
}

/// The CHALLENGE for `authid`: the principal's if `known`, a decoy otherwise.
fn challenge(
    authid: String,
    known: Option<Known>,
    keys: &Keys,
    session: SessionId,
    provider: &'static str,
) -> Start {
    let nonce = match random_bytes::<32>() {
        Ok(bytes) => STANDARD.encode(bytes),
        Err(_) => {
            return Start::Refuse(Failure::refused(
                AuthMethod::WampCra,
                Some(&authid),
                "no randomness for the challenge",
            ));
        }
    };
    let (role, salt, key) = match &known {
        Some(k) => (k.admission.role.as_str(), k.salt.clone(), k.key.clone()),
        None => (keys.role.as_str(), keys.salt(&authid), keys.key.clone()),
    };
    let challenge = serde_json::json!({
        "authid": authid,
        "authrole": role,
        "authmethod": AuthMethod::WampCra.name(),
        "authprovider": provider,
        "nonce": nonce,
        "timestamp": utc_timestamp(SystemTime::now()),
        "session": session.0,
    })
    .to_string();
    let mut extra = Dict::from([("challenge".to_owned(), Value::from(challenge.as_str()))]);
    if let Some(salt) = salt {
        extra.insert("salt".to_owned(), salt.salt.into());
        extra.insert("iterations".to_owned(), u64::from(salt.iterations).into());
        extra.insert("keylen".to_owned(), u64::from(salt.keylen).into());
    }
    let pending = Pending {
        authid,
        challenge,
        key,
        admission: known.map(|k| k.admission),
        provider,
    };
    Start::Challenge(
        Box::new(super::Pending::WampCra(pending)),
        Message::Challenge {
            auth_method: AuthMethod::WampCra.name().to_owned(),
            extra,
        },
    )
}

impl Pending {
    /// Checks the client's signature: base64 of HMAC-SHA256(key, challenge).
    pub(crate) fn verify(self, signature: &str) -> Result<Identity, Failure> {
        let refused = |why| Failure::refused(AuthMethod::WampCra, Some(&self.authid), why);
        let Ok(mac) = STANDARD.decode(signature.trim()) else {
            return Err(refused("the signature is not base64"));
        };
        let valid = hmac::verify(&self.key, self.challenge.as_bytes(), &mac).is_ok();
        match &self.admission {
            Some(admission) if valid => Ok(identity(
                &self.authid,
                admission,
                AuthMethod::WampCra,
                self.provider,
            )),
            Some(_) => Err(refused("wrong signature")),
            None => Err(refused("unknown authid, or not for this realm")),
        }
    }
}

/// The key challenges are signed with: the secret, or the key derived from it with `salt`.
fn signing_key(secret: &[u8], salt: Option<&CraSalt>) -> hmac::Key {
    match salt {
        None => hmac::Key::new(hmac::HMAC_SHA256, secret),
        Some(salt) => {
            let derived = derive_key(secret, salt);
            hmac::Key::new(hmac::HMAC_SHA256, derived.as_bytes())
        }
    }
}

/// autobahn's `derive_key`: the base64 text of PBKDF2-HMAC-SHA256(secret, salt).
fn derive_key(secret: &[u8], salt: &CraSalt) -> String {
    let mut key = vec![0u8; usize::try_from(salt.keylen).unwrap_or(32)];
    let iterations = NonZeroU32::new(salt.iterations).unwrap_or(NonZeroU32::MIN);
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt.salt.as_bytes(),
        secret,
        &mut key,
    );
    STANDARD.encode(key)
}

/// The value that occurs most often (the smallest among equals, so the choice is stable).
fn most_common<T: Ord + Clone + std::hash::Hash>(items: impl Iterator<Item = T>) -> Option<T> {
    let mut counts: HashMap<T, usize> = HashMap::new();
    for item in items {
        *counts.entry(item).or_insert(0) += 1;
    }
    counts
        .into_iter()
        .max_by(|(a, na), (b, nb)| na.cmp(nb).then_with(|| b.cmp(a)))
        .map(|(item, _)| item)
}
