//! WAMP-Cryptosign: an Ed25519 key, announced in HELLO by its public key, that signs the
//! router's `cryptosign` CHALLENGE.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crossway_protocol::{Dict, Value};
use ring::signature::{Ed25519KeyPair, KeyPair};

use crate::auth::hex;
use crate::error::ClientError;

/// The length of an Ed25519 seed (the private key), of a public key, and of a challenge.
const LEN: usize = 32;
/// The line of a key file written by other WAMP tools that holds the seed in hex.
const PRIVATE_KEY_LINE: &str = "private-key-ed25519:";

/// An Ed25519 key for `cryptosign` authentication, made from its 32-byte seed.
///
/// The client announces the public key in HELLO (`authextra.pubkey`) and answers the router's
/// challenge with the signature followed by the challenge, in hex. [`Debug`](fmt::Debug) shows
/// the public key only.
#[derive(Clone)]
pub struct CryptosignKey {
    pair: Arc<Ed25519KeyPair>,
    public_hex: String,
}

/// Why a cryptosign key cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key file cannot be read.
    #[error("cannot read the key file {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// The key file holds no seed in a known form.
    #[error(
        "the key file {0} holds no Ed25519 seed: expected 64 hex digits, a \
         `{PRIVATE_KEY_LINE} <64 hex digits>` line, or 32 raw bytes"
    )]
    FileFormat(PathBuf),
    /// The text is not a seed in hex.
    #[error("an Ed25519 seed is 64 hex digits (32 bytes)")]
    HexFormat,
    /// The seed was refused.
    #[error("the Ed25519 seed was refused: {0}")]
    Rejected(String),
}

impl CryptosignKey {
    /// The key of a 32-byte seed.
    pub fn from_seed(seed: &[u8; LEN]) -> Result<CryptosignKey, KeyError> {
        let pair = Ed25519KeyPair::from_seed_unchecked(seed)
            .map_err(|e| KeyError::Rejected(e.to_string()))?;
        let public_hex = hex::encode(pair.public_key().as_ref());
        Ok(CryptosignKey {
            pair: Arc::new(pair),
            public_hex,
        })
    }

    /// The key of a seed written as 64 hex digits (surrounding whitespace is ignored).
    pub fn from_hex(seed: &str) -> Result<CryptosignKey, KeyError> {
        let seed = hex::decode(seed.trim())
            .and_then(|bytes| <[u8; LEN]>::try_from(bytes).ok())
            .ok_or(KeyError::HexFormat)?;
        CryptosignKey::from_seed(&seed)
    }

    /// The key of a seed read from a file holding 64 hex digits (and perhaps whitespace), or a
    /// `private-key-ed25519: <64 hex digits>` line among others, or 32 raw bytes.
    pub fn from_file(path: impl AsRef<Path>) -> Result<CryptosignKey, KeyError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| KeyError::Read {
            path: path.to_owned(),
            source,
        })?;
        let text = std::str::from_utf8(&bytes).ok().map(|text| {
            text.lines()
                .find_map(|line| line.trim().strip_prefix(PRIVATE_KEY_LINE))
                .unwrap_or(text)
        });
        if let Some(key) = text.and_then(|t| CryptosignKey::from_hex(t).ok()) {
            return Ok(key);
        }
        match <[u8; LEN]>::try_from(bytes.as_slice()) {
            Ok(seed) => CryptosignKey::from_seed(&seed),
            Err(_) => Err(KeyError::FileFormat(path.to_owned())),
        }
    }

    /// The public key, 32 bytes.
    pub fn public_key(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    /// The public key in lowercase hex, as HELLO announces it.
    pub fn public_key_hex(&self) -> &str {
        &self.public_hex
    }

    /// The AUTHENTICATE signature for a `cryptosign` CHALLENGE's `extra`: the hex of the
    /// Ed25519 signature of the 32-byte challenge followed by the challenge.
    pub(crate) fn answer(&self, extra: &Dict) -> Result<String, ClientError> {
        let challenge = extra
            .get("challenge")
            .and_then(Value::as_str)
            .and_then(hex::decode)
            .filter(|c| c.len() == LEN)
            .ok_or_else(|| invalid("its challenge is not 32 bytes in hex"))?;
        match extra.get("channel_binding") {
            None | Some(Value::Null) => {}
            // The client asks for no channel binding, so the router must not use one.
            Some(_) => {
                return Err(invalid(
                    "it uses a channel binding the client did not ask for",
                ));
            }
        }
        let signature = self.pair.sign(&challenge);
        let mut signed = signature.as_ref().to_vec();
        signed.extend_from_slice(&challenge);
        Ok(hex::encode(&signed))
    }
}

impl PartialEq for CryptosignKey {
    fn eq(&self, other: &Self) -> bool {
        self.public_hex == other.public_hex
    }
}

impl Eq for CryptosignKey {}

impl fmt::Debug for CryptosignKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CryptosignKey")
            .field("public_key", &self.public_hex)
            .finish_non_exhaustive()
    }
}

/// A `cryptosign` CHALLENGE the client cannot use.
fn invalid(why: &str) -> ClientError {
    ClientError::Protocol(format!("invalid cryptosign CHALLENGE: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test vectors of the WAMP specification (without channel binding): seed, challenge,
    /// expected AUTHENTICATE signature.
    const VECTORS: [(&str, &str, &str); 3] = [
        (
            "4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510",
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "b32675b221f08593213737bef8240e7c15228b07028e19595294678c90d11c0cae80a357331bfc5cc9fb71081464e6e75013517c2cf067ad566a6b7b728e5d03ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        ),
        (
            "d511fe78e23934b3dadb52fcd022974b80bd92bccc7c5cf404e46cc0a8a2f5cd",
            "b26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d",
            "d4209ad10d5aff6bfbc009d7e924795de138a63515efc7afc6b01b7fe5201372190374886a70207b042294af5bd64ce725cd8dceb344e6d11c09d1aaaf4d660fb26c1f87c13fc1da14997f1b5a71995dff8fbe0a62fae8473c7bdbd05bfb607d",
        ),
        (
            "6e1fde9cf9e2359a87420b65a87dc0c66136e66945196ba2475990d8a0c3a25b",
            "b05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2",
            "7beb282184baadd08f166f16dd683b39cab53816ed81e6955def951cb2ddad1ec184e206746fd82bda075af03711d3d5658fc84a76196b0fa8d1ebc92ef9f30bb05e6b8ad4d69abf74aa3be3c0ee40ae07d66e1895b9ab09285a2f1192d562d2",
        ),
    ];

    fn challenge(extra: &[(&str, Value)]) -> Dict {
        extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn signs_the_specifications_vectors() {
        for (seed, c, expected) in VECTORS {
            let key = CryptosignKey::from_hex(seed).unwrap();
            let extra = challenge(&[("challenge", c.into()), ("channel_binding", Value::Null)]);
            assert_eq!(key.answer(&extra).unwrap(), expected);
            // Upper case challenges are read too; the answer is lower case.
            let extra = challenge(&[("challenge", c.to_uppercase().into())]);
            assert_eq!(key.answer(&extra).unwrap(), expected);
        }
    }

    #[test]
    fn the_public_key_is_derived_from_the_seed() {
        // RFC 8032, section 7.1, test 1.
        let key = CryptosignKey::from_hex(
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        )
        .unwrap();
        assert_eq!(
            key.public_key_hex(),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
        assert_eq!(hex::encode(key.public_key()), key.public_key_hex());
        let debug = format!("{key:?}");
        assert!(debug.contains("d75a9801"), "{debug}");
        assert!(!debug.contains("9d61b19d"), "{debug}");
    }

    #[test]
    fn seeds_in_hex_and_in_files() {
        let key = CryptosignKey::from_hex(VECTORS[0].0).unwrap();
        let seed = <[u8; 32]>::try_from(hex::decode(VECTORS[0].0).unwrap()).unwrap();
        assert_eq!(CryptosignKey::from_seed(&seed).unwrap(), key);
        assert_eq!(
            CryptosignKey::from_hex(&format!("  {}\n", VECTORS[0].0.to_uppercase())).unwrap(),
            key
        );
        for bad in ["", "00", &VECTORS[0].0[1..], &format!("{}00", VECTORS[0].0)] {
            assert!(matches!(
                CryptosignKey::from_hex(bad),
                Err(KeyError::HexFormat)
            ));
        }

        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, contents: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, contents).unwrap();
            path
        };
        let hex_file = file("hex", format!("{}\n", VECTORS[0].0).as_bytes());
        assert_eq!(CryptosignKey::from_file(&hex_file).unwrap(), key);
        let raw_file = file("raw", &seed);
        assert_eq!(CryptosignKey::from_file(&raw_file).unwrap(), key);
        let tagged = format!(
            "creator: test\npublic-key-ed25519: {}\nprivate-key-ed25519: {}\n",
            key.public_key_hex(),
            VECTORS[0].0
        );
        let tagged_file = file("tagged", tagged.as_bytes());
        assert_eq!(CryptosignKey::from_file(&tagged_file).unwrap(), key);

        let short = file("short", &seed[..31]);
        let e = CryptosignKey::from_file(&short).unwrap_err();
        assert!(
            matches!(&e, KeyError::FileFormat(p) if *p == short),
            "{e:?}"
        );
        let e = CryptosignKey::from_file(dir.path().join("missing")).unwrap_err();
        assert!(matches!(e, KeyError::Read { .. }), "{e:?}");
    }

    #[test]
    fn unusable_challenges_are_protocol_errors() {
        let key = CryptosignKey::from_hex(VECTORS[0].0).unwrap();
        let bad = |extra: &[(&str, Value)], needle: &str| match key.answer(&challenge(extra)) {
            Err(ClientError::Protocol(m)) => assert!(m.contains(needle), "{m}"),
            other => panic!("{other:?}"),
        };
        bad(&[], "not 32 bytes in hex");
        bad(&[("challenge", Value::Bytes(vec![0; 32]))], "not 32 bytes");
        bad(&[("challenge", "ff".into())], "not 32 bytes");
        bad(&[("challenge", "zz".repeat(32).into())], "not 32 bytes");
        bad(&[("challenge", "ff".repeat(33).into())], "not 32 bytes");
        bad(
            &[
                ("challenge", "ff".repeat(32).into()),
                ("channel_binding", "tls-unique".into()),
            ],
            "channel binding",
        );
    }
}
