//! A secret from the configuration (a ticket, a WAMP-CRA key): never printed, compared only in
//! constant time.

use std::fmt;

use ring::hmac;

/// A secret string. Its `Debug` output is redacted, so that no log line or `crossway check`
/// report ever shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Secret {
        Secret(secret.into())
    }

    /// The secret's bytes, for the few places that sign or compare with it.
    pub(crate) fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A secret kept as a tag under a key of this process, so that checking a guess against it takes
/// the same time whatever the guess (its length included) and whether or not the principal
/// exists.
#[derive(Clone)]
pub(crate) struct SecretTag {
    tag: hmac::Tag,
}

/// The key that [`SecretTag`]s are made with: random per process.
pub(crate) struct TagKey(hmac::Key);

impl TagKey {
    /// A fresh random key.
    pub(crate) fn random() -> Result<TagKey, super::RandomFailed> {
        let key = super::random_bytes::<32>()?;
        Ok(TagKey(hmac::Key::new(hmac::HMAC_SHA256, &key)))
    }

    /// The tag of `secret`.
    pub(crate) fn tag(&self, secret: &[u8]) -> SecretTag {
        SecretTag {
            tag: hmac::sign(&self.0, secret),
        }
    }

    /// Whether `guess` is the secret `tag` was made of, in constant time.
    pub(crate) fn matches(&self, tag: &SecretTag, guess: &[u8]) -> bool {
        hmac::verify(&self.0, guess, tag.tag.as_ref()).is_ok()
    }
}

impl fmt::Debug for TagKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TagKey(<redacted>)")
    }
}

impl fmt::Debug for SecretTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretTag(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_never_printed() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
        let key = TagKey::random().unwrap();
        let tag = key.tag(b"hunter2");
        assert!(!format!("{tag:?} {key:?}").contains("hunter2"));
    }

    #[test]
    fn tags_match_only_their_secret() {
        let key = TagKey::random().unwrap();
        let tag = key.tag(b"hunter2");
        assert!(key.matches(&tag, b"hunter2"));
        assert!(!key.matches(&tag, b"hunter3"));
        assert!(!key.matches(&tag, b"hunter"));
        assert!(!key.matches(&tag, b""));
        assert!(!TagKey::random().unwrap().matches(&tag, b"hunter2"));
    }
}
