//! The bridge's signing key: the body's HMAC-SHA256, hex in `X-Signature`, checked in constant
//! time. The key is never printed.

use std::fmt;

use crossway_routing::auth::hex;
use ring::hmac;

/// The `http_publish.secret`: an HMAC-SHA256 key. Its `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct BridgeSecret(String);

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is not 64 hexadecimal digits.
    #[error("X-Signature is not a hex HMAC-SHA256 (64 hex digits)")]
    Malformed,
    /// The signature does not match the body.
    #[error("X-Signature does not match the body")]
    Wrong,
}

impl BridgeSecret {
    /// Wraps a key.
    pub fn new(secret: impl Into<String>) -> Self {
        BridgeSecret(secret.into())
    }

    /// Checks `signature` (hex, either case) against the HMAC-SHA256 of `body`.
    pub fn verify(&self, body: &[u8], signature: &str) -> Result<(), SignatureError> {
        let tag = hex::decode(signature.trim()).ok_or(SignatureError::Malformed)?;
        if tag.len() != 32 {
            return Err(SignatureError::Malformed);
        }
        let key = hmac::Key::new(hmac::HMAC_SHA256, self.0.as_bytes());
        hmac::verify(&key, body, &tag).map_err(|_| SignatureError::Wrong)
    }

    /// The hex HMAC-SHA256 of `body` under this key (for tests and clients written in Rust).
    pub fn sign(&self, body: &[u8]) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, self.0.as_bytes());
        hex::encode(hmac::sign(&key, body).as_ref())
    }
}

impl fmt::Debug for BridgeSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BridgeSecret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_wrong_and_malformed_signatures() {
        let s = BridgeSecret::new("k");
        let body = br#"{"realm":"realm1","topic":"a.b"}"#;
        let good = s.sign(body);
        assert_eq!(good.len(), 64);
        assert_eq!(s.verify(body, &good), Ok(()));
        assert_eq!(s.verify(body, &good.to_uppercase()), Ok(()));
        assert_eq!(s.verify(b"other", &good), Err(SignatureError::Wrong));
        assert_eq!(
            BridgeSecret::new("other").verify(body, &good),
            Err(SignatureError::Wrong)
        );
        assert_eq!(s.verify(body, "zz"), Err(SignatureError::Malformed));
        assert_eq!(s.verify(body, "abc"), Err(SignatureError::Malformed));
        assert_eq!(s.verify(body, "abcd"), Err(SignatureError::Malformed));
        assert_eq!(format!("{s:?}"), "BridgeSecret(<redacted>)");
    }

    #[test]
    fn a_known_vector() {
        // RFC 4231, test case 2.
        let s = BridgeSecret::new("Jefe");
        assert_eq!(
            s.sign(b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
