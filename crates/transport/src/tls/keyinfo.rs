//! A certificate's public key: its kind and size, and what OpenSSL's security levels ask of it.

use std::fmt;

use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

/// OID of Ed25519 keys (RFC 8410).
const OID_ED25519: &str = "1.3.101.112";

/// The kind and size of a public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// Its algorithm.
    pub kind: KeyKind,
    /// Its size in bits (the modulus for RSA, the curve's for EC).
    pub bits: u32,
}

/// A public key's algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA.
    Rsa,
    /// ECDSA on the named curve (`P-256`, `P-384`, `P-521`, or the curve's OID).
    Ec(String),
    /// Ed25519.
    Ed25519,
    /// Another algorithm, by OID.
    Other(String),
}

impl KeyInfo {
    /// The key of the DER certificate `der`, if it can be read.
    pub fn of_certificate(der: &[u8]) -> Option<KeyInfo> {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        let spki = cert.public_key();
        let oid = spki.algorithm.algorithm.to_id_string();
        if oid == OID_ED25519 {
            return Some(KeyInfo {
                kind: KeyKind::Ed25519,
                bits: 256,
            });
        }
        match spki.parsed().ok()? {
            PublicKey::RSA(rsa) => Some(KeyInfo {
                kind: KeyKind::Rsa,
                bits: significant_bits(rsa.modulus),
            }),
            PublicKey::EC(point) => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok())
                    .map(|o| o.to_id_string())
                    .unwrap_or_default();
                let (name, bits) = match curve.as_str() {
                    "1.2.840.10045.3.1.7" => ("P-256".to_owned(), 256),
                    "1.3.132.0.34" => ("P-384".to_owned(), 384),
                    "1.3.132.0.35" => ("P-521".to_owned(), 521),
                    other => (other.to_owned(), point.key_size() as u32),
                };
                Some(KeyInfo {
                    kind: KeyKind::Ec(name),
                    bits,
                })
            }
            _ => Some(KeyInfo {
                kind: KeyKind::Other(oid),
                bits: 0,
            }),
        }
    }

    /// What OpenSSL's `@SECLEVEL=level` would say of this key, if it would refuse it (the
    /// floors of `SSL_CTX_set_security_level(3)`: RSA 1024, 2048, 3072, 7680, 15360 bits and
    /// EC 160, 224, 256, 384, 512 bits for levels 1 to 5; Ed25519 counts as 256-bit EC).
    pub fn below_seclevel(&self, level: u8) -> Option<String> {
        let (rsa, ec) = match level {
            0 => return None,
            1 => (1024, 160),
            2 => (2048, 224),
            3 => (3072, 256),
            4 => (7680, 384),
            _ => (15360, 512),
        };
        let floor = match self.kind {
            KeyKind::Rsa => rsa,
            KeyKind::Ec(_) | KeyKind::Ed25519 => ec,
            KeyKind::Other(_) => return None,
        };
        (self.bits < floor).then(|| {
            format!(
                "@SECLEVEL={level} asks for keys of at least {rsa} bits (RSA) or {ec} bits (EC): OpenSSL would refuse this {self} key; Crossway uses it"
            )
        })
    }
}

impl fmt::Display for KeyInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            KeyKind::Rsa => write!(f, "RSA {}-bit", self.bits),
            KeyKind::Ec(curve) => write!(f, "ECDSA {curve} ({}-bit)", self.bits),
            KeyKind::Ed25519 => f.write_str("Ed25519"),
            KeyKind::Other(oid) => write!(f, "key of algorithm {oid}"),
        }
    }
}

/// The number of significant bits of a big-endian unsigned integer.
fn significant_bits(bytes: &[u8]) -> u32 {
    let mut rest = bytes.iter().skip_while(|b| **b == 0);
    match rest.next() {
        Some(first) => (8 - first.leading_zeros()) + 8 * rest.count() as u32,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_count_from_the_first_set_bit() {
        assert_eq!(significant_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(significant_bits(&[0x01, 0xFF]), 9);
        assert_eq!(significant_bits(&[0, 0]), 0);
    }

    #[test]
    fn security_levels_have_floors() {
        let rsa = KeyInfo {
            kind: KeyKind::Rsa,
            bits: 2048,
        };
        assert_eq!(rsa.below_seclevel(2), None);
        let w = rsa.below_seclevel(3).unwrap();
        assert!(
            w.contains("3072 bits (RSA)") && w.contains("RSA 2048-bit"),
            "{w}"
        );
        let ec = KeyInfo {
            kind: KeyKind::Ec("P-256".into()),
            bits: 256,
        };
        assert_eq!(ec.below_seclevel(3), None);
        assert!(ec.below_seclevel(4).is_some());
        assert_eq!(ec.to_string(), "ECDSA P-256 (256-bit)");
    }

    #[test]
    fn an_rcgen_key_is_read() {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let info = KeyInfo::of_certificate(cert.der()).unwrap();
        assert_eq!(info.kind, KeyKind::Ec("P-256".into()));
        assert_eq!(info.bits, 256);
    }
}
