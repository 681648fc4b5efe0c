//! Cipher suites by name, and the choice of suites and protocol versions for one TLS block.
//!
//! Names are the IANA names as rustls spells them (`TLS13_AES_128_GCM_SHA256`,
//! `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`), matched without regard to case. For operators
//! coming from OpenSSL or Crossbar.io, the OpenSSL names of the same suites are accepted too
//! (`ECDHE-ECDSA-AES128-GCM-SHA256`, and the TLS 1.3 names without the `13`,
//! `TLS_AES_128_GCM_SHA256`), and an entry may hold an OpenSSL-style list separated by `:`.
//! Anything else is an error that lists the valid names: nothing is silently dropped.

use futures_rustls::rustls::crypto::ring;
use futures_rustls::rustls::{SignatureAlgorithm, SupportedCipherSuite, SupportedProtocolVersion};

use super::error::TlsConfigError;
use super::settings::TlsVersion;

/// OpenSSL names of the suites the provider has, with their rustls names.
const OPENSSL_NAMES: &[(&str, &str)] = &[
    ("TLS_AES_256_GCM_SHA384", "TLS13_AES_256_GCM_SHA384"),
    ("TLS_AES_128_GCM_SHA256", "TLS13_AES_128_GCM_SHA256"),
    (
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS13_CHACHA20_POLY1305_SHA256",
    ),
    (
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    ),
    (
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    ),
    (
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    ),
    (
        "ECDHE-RSA-AES256-GCM-SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    ),
    (
        "ECDHE-RSA-AES128-GCM-SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    ),
    (
        "ECDHE-RSA-CHACHA20-POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    ),
];

/// The suites and versions one TLS block ends up with.
#[derive(Debug)]
pub(crate) struct CipherChoice {
    /// The suites, in the configured order (the provider's when none is configured).
    pub suites: Vec<SupportedCipherSuite>,
    /// The protocol versions: from the minimum up, among those the suites allow.
    pub versions: Vec<&'static SupportedProtocolVersion>,
    /// Configured suites that can never be used, and why.
    pub warnings: Vec<String>,
}

/// The names of every cipher suite the crypto provider offers, for config error messages.
pub fn cipher_suite_names() -> Vec<&'static str> {
    ring::ALL_CIPHER_SUITES.iter().map(|s| name(*s)).collect()
}

/// The name of a suite, as rustls spells it.
pub(crate) fn name(suite: SupportedCipherSuite) -> &'static str {
    suite.suite().as_str().unwrap_or("unknown")
}

/// Chooses the suites and versions for `names` (`None`: all), `min` and, on a server, the
/// signature algorithm of the key (`None`: a client, or a key that did not load).
pub(crate) fn choose(
    names: Option<&[String]>,
    min: TlsVersion,
    key: Option<SignatureAlgorithm>,
) -> Result<CipherChoice, Vec<TlsConfigError>> {
    let Some(names) = names else {
        let suites = ring::DEFAULT_CIPHER_SUITES.to_vec();
        let versions = versions_for(&suites, min);
        return Ok(CipherChoice {
            suites,
            versions,
            warnings: Vec::new(),
        });
    };
    let mut suites = resolve(names)?;
    let mut warnings = Vec::new();

    let (too_old, kept): (Vec<_>, Vec<_>) = suites
        .into_iter()
        .partition(|s| min == TlsVersion::V1_3 && is_tls12(*s));
    suites = kept;
    if suites.is_empty() {
        return Err(vec![TlsConfigError::NoUsableCipher {
            reason: "min_version is \"1.3\" but every listed suite is a TLS 1.2 suite: add a TLS13_ suite".to_owned(),
        }]);
    }
    if !too_old.is_empty() {
        warnings.push(format!(
            "cipher suites {} are never used: min_version is \"1.3\"",
            list(&too_old)
        ));
    }

    if let Some(alg) = key {
        let (usable, unusable): (Vec<_>, Vec<_>) = suites
            .into_iter()
            .partition(|s| s.usable_for_signature_algorithm(alg));
        suites = usable;
        if suites.is_empty() {
            return Err(vec![TlsConfigError::NoUsableCipher {
                reason: format!(
                    "the key is an {alg:?} key, and none of the listed suites can be used with it: list a TLS13_ suite or a TLS_ECDHE_{}_ suite",
                    if alg == SignatureAlgorithm::RSA {
                        "RSA"
                    } else {
                        "ECDSA"
                    }
                ),
            }]);
        }
        if !unusable.is_empty() {
            warnings.push(format!(
                "cipher suites {} are never used: they need another key type than the key's ({alg:?})",
                list(&unusable)
            ));
        }
    }

    let versions = versions_for(&suites, min);
    Ok(CipherChoice {
        suites,
        versions,
        warnings,
    })
}

/// Looks up every configured name; reports every unknown one.
fn resolve(names: &[String]) -> Result<Vec<SupportedCipherSuite>, Vec<TlsConfigError>> {
    let mut suites = Vec::new();
    let mut errors = Vec::new();
    let words = names
        .iter()
        .flat_map(|n| n.split(':'))
        .map(str::trim)
        .filter(|w| !w.is_empty());
    for word in words {
        match lookup(word) {
            Some(s) if !suites.contains(&s) => suites.push(s),
            Some(_) => {}
            None => errors.push(TlsConfigError::UnknownCipher {
                name: word.to_owned(),
                valid: cipher_suite_names()
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if suites.is_empty() {
        return Err(vec![TlsConfigError::NoUsableCipher {
            reason: "the list is empty: remove the setting to allow every suite".to_owned(),
        }]);
    }
    Ok(suites)
}

/// The suite called `word`, by its rustls or OpenSSL name.
fn lookup(word: &str) -> Option<SupportedCipherSuite> {
    let rustls_name = OPENSSL_NAMES
        .iter()
        .find(|(openssl, _)| openssl.eq_ignore_ascii_case(word))
        .map_or(word, |(_, rustls)| *rustls);
    ring::ALL_CIPHER_SUITES
        .iter()
        .copied()
        .find(|s| name(*s).eq_ignore_ascii_case(rustls_name))
}

/// The versions from `min` up that at least one of `suites` serves.
fn versions_for(
    suites: &[SupportedCipherSuite],
    min: TlsVersion,
) -> Vec<&'static SupportedProtocolVersion> {
    let mut versions = Vec::new();
    if min == TlsVersion::V1_2 && suites.iter().any(|s| is_tls12(*s)) {
        versions.push(&futures_rustls::rustls::version::TLS12);
    }
    if suites.iter().any(|s| !is_tls12(*s)) {
        versions.push(&futures_rustls::rustls::version::TLS13);
    }
    versions
}

/// Whether `s` is a TLS 1.2 suite.
fn is_tls12(s: SupportedCipherSuite) -> bool {
    s.tls13().is_none()
}

/// Names, comma-separated.
fn list(suites: &[SupportedCipherSuite]) -> String {
    suites
        .iter()
        .map(|s| name(*s))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    fn chosen(c: &CipherChoice) -> Vec<&'static str> {
        c.suites.iter().map(|s| name(*s)).collect()
    }

    #[test]
    fn the_provider_names_its_suites() {
        let all = cipher_suite_names();
        assert!(all.contains(&"TLS13_AES_128_GCM_SHA256"));
        assert!(all.contains(&"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
        assert!(all.contains(&"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"));
    }

    #[test]
    fn openssl_names_case_and_colon_lists_are_accepted() {
        let c = choose(
            Some(&names(&[
                "ecdhe-ecdsa-aes128-gcm-sha256:TLS_AES_256_GCM_SHA384",
                "TLS13_AES_256_GCM_SHA384",
            ])),
            TlsVersion::V1_2,
            None,
        )
        .unwrap();
        assert_eq!(
            chosen(&c),
            [
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLS13_AES_256_GCM_SHA384"
            ]
        );
        assert_eq!(c.versions.len(), 2);
    }

    #[test]
    fn unknown_names_are_all_reported_with_the_valid_ones() {
        let errors = choose(
            Some(&names(&["RC4-MD5", "TLS13_AES_128_GCM_SHA256", "HIGH"])),
            TlsVersion::V1_2,
            None,
        )
        .unwrap_err();
        assert_eq!(errors.len(), 2);
        let text = errors[0].to_string();
        assert!(text.contains("\"RC4-MD5\""), "{text}");
        assert!(text.contains("TLS13_AES_128_GCM_SHA256"), "{text}");
        assert!(errors[1].to_string().contains("\"HIGH\""));
    }

    #[test]
    fn versions_follow_the_suites_and_the_minimum() {
        let only12 = names(&["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]);
        let c = choose(Some(&only12), TlsVersion::V1_2, None).unwrap();
        assert_eq!(c.versions, [&futures_rustls::rustls::version::TLS12]);
        let e = choose(Some(&only12), TlsVersion::V1_3, None).unwrap_err();
        assert!(e[0].to_string().contains("TLS 1.2"), "{}", e[0]);

        let c = choose(None, TlsVersion::V1_3, None).unwrap();
        assert_eq!(c.versions, [&futures_rustls::rustls::version::TLS13]);

        let mixed = names(&[
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS13_AES_128_GCM_SHA256",
        ]);
        let c = choose(Some(&mixed), TlsVersion::V1_3, None).unwrap();
        assert_eq!(chosen(&c), ["TLS13_AES_128_GCM_SHA256"]);
        assert!(c.warnings[0].contains("never used"), "{:?}", c.warnings);
    }

    #[test]
    fn suites_must_suit_the_key() {
        let rsa_only = names(&["ECDHE-RSA-AES128-GCM-SHA256"]);
        let e = choose(
            Some(&rsa_only),
            TlsVersion::V1_2,
            Some(SignatureAlgorithm::ECDSA),
        )
        .unwrap_err();
        assert!(e[0].to_string().contains("ECDSA"), "{}", e[0]);
        let c = choose(
            Some(&rsa_only),
            TlsVersion::V1_2,
            Some(SignatureAlgorithm::RSA),
        )
        .unwrap();
        assert_eq!(chosen(&c), ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]);

        let mixed = names(&[
            "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
        ]);
        let c = choose(
            Some(&mixed),
            TlsVersion::V1_2,
            Some(SignatureAlgorithm::ECDSA),
        )
        .unwrap();
        assert_eq!(chosen(&c), ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]);
        assert_eq!(c.warnings.len(), 1);
    }

    #[test]
    fn an_empty_list_is_an_error() {
        let e = choose(Some(&[]), TlsVersion::V1_2, None).unwrap_err();
        assert!(e[0].to_string().contains("empty"), "{}", e[0]);
    }
}
