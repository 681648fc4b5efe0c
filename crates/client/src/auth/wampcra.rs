//! WAMP-CRA: the signature answering a `wampcra` CHALLENGE.
//!
//! The signature is base64(HMAC-SHA256(key, challenge)), where the key is the secret's UTF-8
//! bytes or, when the CHALLENGE names a `salt`, the base64 text of the PBKDF2-HMAC-SHA256 key
//! derived from the secret (`iterations` rounds, 1000 by default; `keylen` bytes, 32 by
//! default), as other WAMP clients compute it.

use std::num::NonZeroU32;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use crossway_protocol::{Dict, Value};
use ring::{hmac, pbkdf2};

use crate::error::ClientError;

/// PBKDF2 rounds when a salted CHALLENGE names none.
const DEFAULT_ITERATIONS: u64 = 1000;
/// Derived key length, in bytes, when a salted CHALLENGE names none.
const DEFAULT_KEYLEN: u64 = 32;
/// The most PBKDF2 rounds the client runs: more would stall the task for seconds on a router's
/// say-so.
const MAX_ITERATIONS: u64 = 1_000_000;
/// The longest derived key the client makes, in bytes.
const MAX_KEYLEN: u64 = 1024;

/// The AUTHENTICATE signature for a `wampcra` CHALLENGE's `extra`, signed with `secret`.
pub(crate) fn answer(secret: &str, extra: &Dict) -> Result<String, ClientError> {
    let challenge = extra
        .get("challenge")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("it has no challenge string"))?;
    let salt = match extra.get("salt") {
        None | Some(Value::Null) => None,
        Some(Value::Str(salt)) => Some(salt.as_str()),
        Some(_) => return Err(invalid("its salt is not a string")),
    };
    Ok(match salt {
        None => signature(secret.as_bytes(), challenge),
        Some(salt) => {
            let iterations = Some(parameter(extra, "iterations", DEFAULT_ITERATIONS)?)
                .filter(|n| (1..=MAX_ITERATIONS).contains(n))
                .and_then(|n| u32::try_from(n).ok())
                .and_then(NonZeroU32::new)
                .ok_or_else(|| {
                    invalid(&format!("iterations must be from 1 to {MAX_ITERATIONS}"))
                })?;
            let keylen = Some(parameter(extra, "keylen", DEFAULT_KEYLEN)?)
                .filter(|n| (1..=MAX_KEYLEN).contains(n))
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| invalid(&format!("keylen must be from 1 to {MAX_KEYLEN}")))?;
            let key = derive_key(secret, salt, iterations, keylen);
            signature(key.as_bytes(), challenge)
        }
    })
}

/// The salted key: base64 of PBKDF2-HMAC-SHA256(secret, salt), `keylen` bytes long.
fn derive_key(secret: &str, salt: &str, iterations: NonZeroU32, keylen: usize) -> String {
    let mut key = vec![0; keylen];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt.as_bytes(),
        secret.as_bytes(),
        &mut key,
    );
    STANDARD.encode(key)
}

/// base64(HMAC-SHA256(key, challenge)).
fn signature(key: &[u8], challenge: &str) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    STANDARD.encode(hmac::sign(&key, challenge.as_bytes()))
}

/// A non-negative integer of the CHALLENGE's `extra`, or `default` when absent or null.
fn parameter(extra: &Dict, name: &str, default: u64) -> Result<u64, ClientError> {
    match extra.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .ok_or_else(|| invalid(&format!("its {name} is not a non-negative integer"))),
    }
}

/// A `wampcra` CHALLENGE the client cannot use.
fn invalid(why: &str) -> ClientError {
    ClientError::Protocol(format!("invalid wampcra CHALLENGE: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // The expected values come from Python's standard library (hashlib.pbkdf2_hmac, hmac,
    // base64), computing what other WAMP clients compute:
    //   key = base64(pbkdf2_hmac("sha256", secret, salt, iterations, keylen))  # when salted
    //   signature = base64(hmac(key, challenge, sha256))

    /// A challenge as a router writes it: a JSON object, signed as its text.
    const CHALLENGE: &str = r#"{"authid": "peter", "authmethod": "wampcra", "authprovider": "userdb", "authrole": "user", "nonce": "LHRTC9zeOIrt_9U3", "session": 3251278072152162, "timestamp": "2014-06-22T16:36:25.448Z"}"#;

    fn extra(entries: &[(&str, Value)]) -> Dict {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn unsalted_signatures() {
        let e = extra(&[("challenge", CHALLENGE.into())]);
        assert_eq!(
            answer("secret1", &e).unwrap(),
            "rl7UNxQgNiIUi00l1VavUuGt9QputNPJwmY3Ot2QFG8="
        );
        // The secret and the challenge count as UTF-8.
        let e = extra(&[("challenge", "challenge é".into())]);
        assert_eq!(
            answer("sécrèt-☃", &e).unwrap(),
            "D6QUZoEtm3Tb9hft9h0Z/dLJ5zQUwe32G4w7czEHQ0o="
        );
        // A null salt is no salt.
        let e = extra(&[("challenge", CHALLENGE.into()), ("salt", Value::Null)]);
        assert_eq!(
            answer("secret1", &e).unwrap(),
            "rl7UNxQgNiIUi00l1VavUuGt9QputNPJwmY3Ot2QFG8="
        );
    }

    #[test]
    fn derived_keys() {
        let n = |n| NonZeroU32::new(n).unwrap();
        assert_eq!(
            derive_key("secret1", "salt123", n(100), 16),
            "prq7+YkJ1/KlW1X0YczMHw=="
        );
        assert_eq!(
            derive_key("secret1", "salt123", n(1000), 32),
            "64xfzBvZhGDT7PB0bQwDeI8/WR1M9x6Cw5dt0yP9koc="
        );
        assert_eq!(
            derive_key("secret1", "salt123", n(1000), 48),
            "64xfzBvZhGDT7PB0bQwDeI8/WR1M9x6Cw5dt0yP9kockMnHIVfUC98x58PGzYNUY"
        );
    }

    #[test]
    fn salted_signatures() {
        let e = extra(&[
            ("challenge", CHALLENGE.into()),
            ("salt", "salt123".into()),
            ("iterations", Value::Int(100)),
            ("keylen", Value::Int(16)),
        ]);
        assert_eq!(
            answer("secret1", &e).unwrap(),
            "wez/Qq+JpAbckHQkXKGZ0miUxPCEgFUsw0D7OPm9Wz0="
        );
        // Without iterations and keylen: 1000 and 32.
        let e = extra(&[("challenge", CHALLENGE.into()), ("salt", "salt123".into())]);
        assert_eq!(
            answer("secret1", &e).unwrap(),
            "LmOpo3miKOT8LpoBV/jdIEwXocmeQSLOSNQXcDYgfkY="
        );
    }

    #[test]
    fn unusable_challenges_are_protocol_errors() {
        let bad = |entries: &[(&str, Value)], needle: &str| match answer("secret1", &extra(entries))
        {
            Err(ClientError::Protocol(m)) => assert!(m.contains(needle), "{m}"),
            other => panic!("{other:?}"),
        };
        let c = ("challenge", Value::from(CHALLENGE));
        let salt = ("salt", Value::from("salt123"));
        bad(&[], "no challenge string");
        bad(&[("challenge", Value::Int(1))], "no challenge string");
        bad(
            &[c.clone(), ("salt", Value::Int(1))],
            "salt is not a string",
        );
        bad(
            &[c.clone(), salt.clone(), ("iterations", Value::Int(-1))],
            "iterations is not",
        );
        bad(
            &[c.clone(), salt.clone(), ("iterations", Value::Int(0))],
            "iterations must be",
        );
        bad(
            &[c.clone(), salt.clone(), ("iterations", Value::Int(1 << 40))],
            "iterations must be",
        );
        bad(
            &[c.clone(), salt.clone(), ("keylen", Value::Float(32.0))],
            "keylen is not",
        );
        bad(
            &[c.clone(), salt.clone(), ("keylen", Value::Int(0))],
            "keylen must be",
        );
        bad(&[c, salt, ("keylen", Value::Int(1025))], "keylen must be");
    }
}
