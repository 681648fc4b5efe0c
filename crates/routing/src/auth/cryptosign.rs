//! Cryptosign: the client names its Ed25519 public key in HELLO (`authextra.pubkey`) and signs 32
//! random bytes the router sends.
//!
//! The answer is the hex of the 64-byte signature, optionally followed by the 32 bytes signed
//! (autobahn sends both). TLS channel binding is not offered: a HELLO asking for it is refused.

use std::collections::HashMap;

use crossway_protocol::{Dict, Message, Value};
use ring::signature::{ED25519, UnparsedPublicKey};

use super::dynamic::{Consult, Context, Next, Principal};
use super::hex;
use super::policy::{Admission, AuthMethod, CryptosignAuth, PublicKey};
use super::{DYNAMIC, Failure, HelloAuth, STATIC, Start, admits, identity, random_bytes};
use crate::identity::Identity;

/// The length of a challenge, in bytes.
const CHALLENGE_LEN: usize = 32;
/// The length of an Ed25519 signature, in bytes.
const SIGNATURE_LEN: usize = 64;

/// Which principal each authorized key belongs to, for HELLOs that name a key but no authid.
#[derive(Debug, Default)]
pub(crate) struct KeyIndex {
    owners: HashMap<PublicKey, String>,
}

/// A cryptosign authentication waiting for AUTHENTICATE.
#[derive(Debug)]
pub(crate) struct Pending {
    /// The authid asked for, or the one the key belongs to.
    authid: Option<String>,
    key: PublicKey,
    challenge: [u8; CHALLENGE_LEN],
    /// The principal's admission, if the key may sign for it in this realm.
    admission: Option<Admission>,
    /// Who vouched for the principal: `static` or `dynamic`.
    provider: &'static str,
}

impl KeyIndex {
    /// Indexes every authorized key of `auth` (a key listed twice keeps its first principal; the
    /// configuration refuses that).
    pub(crate) fn new(auth: Option<&CryptosignAuth>) -> KeyIndex {
        let mut owners = HashMap::new();
        for (authid, principal) in auth.iter().flat_map(|a| a.principals.iter()) {
            for key in &principal.authorized_keys {
                owners.entry(*key).or_insert_with(|| authid.clone());
            }
        }
        KeyIndex { owners }
    }
}

/// HELLO asked for cryptosign in `ctx.realm`. A key the principals do not list is asked of the
/// authenticator, if there is one.
pub(crate) fn start(
    auth: &CryptosignAuth,
    index: &KeyIndex,
    hello: &HelloAuth,
    ctx: Context<'_>,
) -> Start {
    let refuse = |why| {
        Start::Refuse(Failure::refused(
            AuthMethod::Cryptosign,
            hello.authid.as_deref(),
            why,
        ))
    };
    let Some(key) = hello
        .authextra
        .get("pubkey")
        .and_then(Value::as_str)
        .and_then(PublicKey::from_hex)
    else {
        return refuse("HELLO authextra.pubkey is missing or not 64 hex characters");
    };
    if hello
        .authextra
        .get("channel_binding")
        .is_some_and(|v| *v != Value::Null)
    {
        return refuse("TLS channel binding is not supported");
    }
    let authid = hello
        .authid
        .clone()
        .or_else(|| index.owners.get(&key).cloned());
    let listed = authid
        .as_ref()
        .and_then(|a| auth.principals.get(a))
        .filter(|p| p.authorized_keys.contains(&key));
    if listed.is_none()
        && let Some(authenticator) = &auth.authenticator
    {
        let next = Next::Cryptosign {
            authid: hello.authid.clone(),
            key,
        };
        let consult = Consult::new(authenticator, AuthMethod::Cryptosign, hello, ctx, next);
        return Start::Consult(Box::new(consult));
    }
    let admission = listed
        .filter(|p| admits(&p.admission, ctx.realm))
        .map(|p| p.admission.clone());
    challenge(authid, key, admission, STATIC)
}

/// The authenticator answered with `principal` for the client that named `key` (asking as
/// `authid`).
pub(crate) fn answered(principal: Principal, authid: Option<String>, key: PublicKey) -> Start {
    let authid = principal.authid.or(authid);
    if principal.pubkey != Some(key) {
        return Start::Refuse(Failure::refused(
            AuthMethod::Cryptosign,
            authid.as_deref(),
            "the authenticator answered for another key",
        ));
    }
    let Some(authid) = authid else {
        return Start::Refuse(Failure::refused(
            AuthMethod::Cryptosign,
            None,
            "neither the client nor the authenticator named an authid",
        ));
    };
    let admission = Admission {
        role: principal.role,
        realm: None,
    };
    challenge(Some(authid), key, Some(admission), DYNAMIC)
}

/// The CHALLENGE for the holder of `key`: 32 random bytes.
fn challenge(
    authid: Option<String>,
    key: PublicKey,
    admission: Option<Admission>,
    provider: &'static str,
) -> Start {
    let Ok(challenge) = random_bytes::<CHALLENGE_LEN>() else {
        return Start::Refuse(Failure::refused(
            AuthMethod::Cryptosign,
            authid.as_deref(),
            "no randomness for the challenge",
        ));
    };
    let extra = Dict::from([
        ("challenge".to_owned(), Value::from(hex::encode(&challenge))),
        ("channel_binding".to_owned(), Value::Null),
    ]);
    let pending = Pending {
        authid,
        key,
        challenge,
        admission,
        provider,
    };
    Start::Challenge(
        Box::new(super::Pending::Cryptosign(pending)),
        Message::Challenge {
            auth_method: AuthMethod::Cryptosign.name().to_owned(),
            extra,
        },
    )
}

impl Pending {
    /// Checks the client's signature of the challenge.
    pub(crate) fn verify(self, signature: &str) -> Result<Identity, Failure> {
        let refused = |why| Failure::refused(AuthMethod::Cryptosign, self.authid.as_deref(), why);
        let Some(bytes) = hex::decode(signature) else {
            return Err(Failure::Violation(
                "the cryptosign signature is not hexadecimal".to_owned(),
            ));
        };
        let signed = match bytes.len() {
            SIGNATURE_LEN => None,
            n if n == SIGNATURE_LEN + CHALLENGE_LEN => bytes.get(SIGNATURE_LEN..),
            n => {
                return Err(Failure::Violation(format!(
                    "a cryptosign signature is {SIGNATURE_LEN} bytes (or {} with the challenge), got {n}",
                    SIGNATURE_LEN + CHALLENGE_LEN
                )));
            }
        };
        if signed.is_some_and(|s| s != self.challenge) {
            return Err(refused("the signed message is not the challenge"));
        }
        let sig = bytes.get(..SIGNATURE_LEN).unwrap_or_default();
        let valid = UnparsedPublicKey::new(&ED25519, &self.key.0)
            .verify(&self.challenge, sig)
            .is_ok();
        match (&self.admission, &self.authid) {
            (Some(admission), Some(authid)) if valid => Ok(identity(
                authid,
                admission,
                AuthMethod::Cryptosign,
                self.provider,
            )),
            (Some(_), Some(_)) => Err(refused("wrong signature")),
            _ => Err(refused("unknown key or authid, or not for this realm")),
        }
    }
}
