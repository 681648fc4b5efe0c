//! Why a suite a `ciphers` setting chose is not offered, and the one warning that says so for
//! a whole TLS block.
//!
//! rustls offers, for TLS 1.2, only ECDHE key exchange with AES-GCM or ChaCha20-Poly1305
//! (authenticated by an RSA or ECDSA certificate): no finite-field DHE, no static RSA key
//! exchange (no forward secrecy), no CBC mode (padding-oracle attacks: Lucky 13, POODLE), no
//! 3DES (64-bit blocks: Sweet32), no RC4, no anonymous suites, no PSK or SRP, no CCM, Camellia
//! or ARIA.

use futures_rustls::rustls::SignatureAlgorithm;

use super::catalogue::{
    A_ANON, A_DSS, A_ECDSA, A_RSA, E_3DES, E_AES128, E_AES128CCM, E_AES128CCM8, E_AES256,
    E_AES256CCM, E_AES256CCM8, E_ARIA128GCM, E_ARIA256GCM, E_CAMELLIA128, E_CAMELLIA256, E_NULL,
    E_RC4, K_DHE, K_DHEPSK, K_ECDHEPSK, K_PSK, K_RSA, K_RSAPSK, K_SRP, Suite,
};
use super::offer::SkippedSuite;

/// How many suites of one reason the warning names before it counts the rest.
const NAMED_PER_REASON: usize = 12;

/// Why rustls does not offer `s` at all (empty: it does, given a suitable key).
pub(crate) fn unsupported(s: &Suite) -> Vec<&'static str> {
    let mut reasons = Vec::new();
    match s.kx {
        K_DHE => reasons.push("DHE key exchange"),
        K_RSA => reasons.push("static RSA key exchange"),
        K_PSK | K_RSAPSK | K_ECDHEPSK | K_DHEPSK => reasons.push("PSK"),
        K_SRP => reasons.push("SRP"),
        _ => {}
    }
    match s.auth {
        A_ANON => reasons.push("anonymous (no server certificate)"),
        A_DSS => reasons.push("DSA certificate"),
        _ => {}
    }
    match s.enc {
        E_AES128 | E_AES256 => reasons.push("CBC mode"),
        E_CAMELLIA128 | E_CAMELLIA256 => reasons.extend(["Camellia", "CBC mode"]),
        E_3DES => reasons.push("3DES"),
        E_RC4 => reasons.push("RC4"),
        E_NULL => reasons.push("no encryption"),
        E_AES128CCM | E_AES256CCM | E_AES128CCM8 | E_AES256CCM8 => reasons.push("AES-CCM"),
        E_ARIA128GCM | E_ARIA256GCM => reasons.push("ARIA"),
        _ => {}
    }
    reasons
}

/// Why a suite rustls offers cannot be used with a key of algorithm `key`, if it cannot.
pub(crate) fn wrong_key(s: &Suite, key: SignatureAlgorithm) -> Option<&'static str> {
    match (s.auth, key) {
        (A_RSA, SignatureAlgorithm::RSA) | (A_ECDSA, SignatureAlgorithm::ECDSA) => None,
        (A_RSA, _) => Some("needs an RSA key"),
        (A_ECDSA, _) => Some("needs an ECDSA key"),
        _ => None,
    }
}

/// The one warning about `skipped` suites (of `chosen` the setting chose), or `None`.
pub(crate) fn warning(skipped: &[SkippedSuite], chosen: usize) -> Option<String> {
    if skipped.is_empty() {
        return None;
    }
    let mut groups: Vec<(&[&'static str], Vec<&'static str>)> = Vec::new();
    for s in skipped {
        match groups
            .iter_mut()
            .find(|(reasons, _)| *reasons == s.reasons.as_slice())
        {
            Some((_, names)) => names.push(s.name),
            None => groups.push((&s.reasons, vec![s.name])),
        }
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(reasons, names)| {
            let mut listed = names
                .iter()
                .take(NAMED_PER_REASON)
                .copied()
                .collect::<Vec<_>>()
                .join(", ");
            if names.len() > NAMED_PER_REASON {
                listed.push_str(&format!(" and {} more", names.len() - NAMED_PER_REASON));
            }
            format!("{listed} ({})", reasons.join(", "))
        })
        .collect();
    Some(format!(
        "ciphers: skipped {} of the {chosen} suites it chooses, which rustls does not offer: {}; rustls offers TLS 1.2 suites with ECDHE key exchange and AES-GCM or ChaCha20-Poly1305 only (`crossway tls-report` lists every suite)",
        skipped.len(),
        parts.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::super::catalogue::by_openssl_name;
    use super::*;

    fn reasons(name: &str) -> Vec<&'static str> {
        unsupported(by_openssl_name(name).unwrap())
    }

    #[test]
    fn each_reason_is_named() {
        assert_eq!(reasons("DHE-RSA-AES128-GCM-SHA256"), ["DHE key exchange"]);
        assert_eq!(
            reasons("AES128-SHA"),
            ["static RSA key exchange", "CBC mode"]
        );
        assert_eq!(reasons("ECDHE-RSA-AES128-SHA256"), ["CBC mode"]);
        assert_eq!(reasons("DES-CBC3-SHA"), ["static RSA key exchange", "3DES"]);
        assert_eq!(
            reasons("ADH-AES128-GCM-SHA256"),
            ["DHE key exchange", "anonymous (no server certificate)"]
        );
        assert!(reasons("ECDHE-RSA-AES128-GCM-SHA256").is_empty());
        assert!(reasons("ECDHE-ECDSA-CHACHA20-POLY1305").is_empty());
    }

    #[test]
    fn the_key_decides_between_rsa_and_ecdsa() {
        let rsa = by_openssl_name("ECDHE-RSA-AES128-GCM-SHA256").unwrap();
        assert_eq!(wrong_key(rsa, SignatureAlgorithm::RSA), None);
        assert_eq!(
            wrong_key(rsa, SignatureAlgorithm::ECDSA),
            Some("needs an RSA key")
        );
    }

    #[test]
    fn one_warning_groups_the_suites_by_reason() {
        let skipped: Vec<SkippedSuite> = [
            "DHE-RSA-AES128-GCM-SHA256",
            "AES128-SHA",
            "DHE-RSA-AES256-GCM-SHA384",
        ]
        .iter()
        .map(|n| SkippedSuite {
            name: by_openssl_name(n).unwrap().name,
            reasons: reasons(n),
        })
        .collect();
        let w = warning(&skipped, 4).unwrap();
        assert!(w.contains("skipped 3 of the 4 suites"), "{w}");
        assert!(
            w.contains("DHE-RSA-AES128-GCM-SHA256, DHE-RSA-AES256-GCM-SHA384 (DHE key exchange); AES128-SHA (static RSA key exchange, CBC mode)"),
            "{w}"
        );
        assert_eq!(warning(&[], 2), None);
    }
}
