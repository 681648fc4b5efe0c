//! The choice of suites and protocol versions for one TLS block, from its `ciphers` setting
//! ([`Ciphers`]): a cipher string is evaluated as OpenSSL evaluates it
//! ([`cipher_string`](super::cipher_string)); what rustls cannot offer, or this key cannot
//! use, is skipped with one warning; an error only when nothing usable is left.

use futures_rustls::rustls::crypto::ring;
use futures_rustls::rustls::{SignatureAlgorithm, SupportedCipherSuite, SupportedProtocolVersion};

use super::aliases::alias;
use super::catalogue::{Suite, by_any_name, by_id};
use super::cipher_string::{Evaluated, SyntaxError, TLS13_NAMES, evaluate, tls13_name};
use super::error::TlsConfigError;
use super::offer::{CipherOffer, OfferedSuite, SkippedSuite, Tls13Source};
use super::settings::{Ciphers, TlsVersion};
use super::skipped::{unsupported, warning, wrong_key};

/// How many suite names the "never used" warning names before it counts the rest.
const NAMED_UNUSED: usize = 12;

/// The suites and versions one TLS block ends up with.
#[derive(Debug)]
pub(crate) struct CipherChoice {
    /// The suites, TLS 1.3 first, each version's in order of preference.
    pub suites: Vec<SupportedCipherSuite>,
    /// The protocol versions: from the minimum up, among those the suites allow.
    pub versions: Vec<&'static SupportedProtocolVersion>,
    /// What was skipped or ignored, each a sentence for the operator.
    pub warnings: Vec<String>,
    /// What is offered, for `crossway check` and the TLS report.
    pub offer: CipherOffer,
}

/// The names of every cipher suite the crypto provider offers, for config error messages.
pub fn cipher_suite_names() -> Vec<&'static str> {
    ring::ALL_CIPHER_SUITES.iter().map(|s| name(*s)).collect()
}

/// The name of a suite, as rustls spells it.
pub(crate) fn name(suite: SupportedCipherSuite) -> &'static str {
    suite.suite().as_str().unwrap_or("unknown")
}

/// The IANA number of a suite.
pub(crate) fn number(suite: SupportedCipherSuite) -> u16 {
    u16::from(suite.suite())
}

/// What a setting chose, before rustls and the key have their say.
struct Selection {
    /// The TLS 1.2 suites, in order.
    tls12: Vec<&'static Suite>,
    /// The TLS 1.3 suites named (OpenSSL names), in order.
    tls13: Vec<&'static str>,
    /// Whether the setting is a cipher string (TLS 1.3 then stays on unless it names some).
    string: bool,
    /// Unknown words, notes and the security level, from the evaluation.
    evaluated: Evaluated,
}

/// Chooses the suites and versions for `setting` (`None`: all), `min` and, on a server, the
/// signature algorithm of the key (`None`: a client, or a key that did not load).
pub(crate) fn choose(
    setting: Option<&Ciphers>,
    min: TlsVersion,
    key: Option<SignatureAlgorithm>,
) -> Result<CipherChoice, Vec<TlsConfigError>> {
    let Some(setting) = setting else {
        return Ok(default_choice(min, key));
    };
    let selection = select(setting)?;
    let mut warnings = Vec::new();
    let mut skipped = Vec::new();

    let (tls13, tls13_from) = if selection.tls13.is_empty() {
        if selection.string {
            (default_tls13(), Tls13Source::NotChosenByString)
        } else {
            (Vec::new(), Tls13Source::NoneNamed)
        }
    } else {
        let mut named = Vec::new();
        for openssl in &selection.tls13 {
            match provider_suite_named(openssl) {
                Some(s) => named.push(s),
                None => skipped.push(SkippedSuite {
                    name: openssl,
                    reasons: vec!["AES-CCM"],
                }),
            }
        }
        (named, Tls13Source::Named)
    };

    let mut tls12 = Vec::new();
    let mut unused = Vec::new();
    for s in &selection.tls12 {
        let provided = provider_suite(s.id);
        let reasons = match (provided, key) {
            (None, _) => unsupported(s),
            (Some(_), Some(alg)) => wrong_key(s, alg).into_iter().collect(),
            (Some(_), None) => Vec::new(),
        };
        match provided {
            Some(_) if reasons.is_empty() && min == TlsVersion::V1_3 => unused.push(s.name),
            Some(p) if reasons.is_empty() => tls12.push((p, *s)),
            _ => skipped.push(SkippedSuite {
                name: s.name,
                reasons,
            }),
        }
    }

    if min == TlsVersion::V1_2
        && tls12.is_empty()
        && (selection.string || !selection.tls12.is_empty())
    {
        return Err(vec![nothing_usable_for_tls12(&selection, key)]);
    }
    if tls12.is_empty() && tls13.is_empty() {
        return Err(vec![TlsConfigError::NoUsableCipher {
            reason: if min == TlsVersion::V1_3 {
                "min_version is \"1.3\" but the setting names no TLS 1.3 suite: add a TLS13_ suite"
                    .to_owned()
            } else {
                "the setting chooses no suite".to_owned()
            },
        }]);
    }

    let chosen = selection.tls12.len() + selection.tls13.len();
    warnings.extend(warning(&skipped, chosen));
    if !unused.is_empty() {
        warnings.push(format!(
            "ciphers: the TLS 1.2 suites {} are never used: min_version is \"1.3\"",
            named_list(&unused)
        ));
    }
    warnings.extend(evaluation_warnings(&selection.evaluated));

    let offer = CipherOffer {
        tls13: tls13.iter().map(|s| offered(*s)).collect(),
        tls12: tls12.iter().map(|(p, _)| offered(*p)).collect(),
        tls13_from,
        server_order: true,
        skipped,
        seclevel: selection.evaluated.seclevel,
    };
    let suites: Vec<SupportedCipherSuite> = tls13
        .into_iter()
        .chain(tls12.into_iter().map(|(p, _)| p))
        .collect();
    let versions = versions_for(&suites, min);
    Ok(CipherChoice {
        suites,
        versions,
        warnings,
        offer,
    })
}

/// Every suite the provider has that suits `min` and the key, the client's order deciding.
fn default_choice(min: TlsVersion, key: Option<SignatureAlgorithm>) -> CipherChoice {
    let suites: Vec<SupportedCipherSuite> = ring::DEFAULT_CIPHER_SUITES
        .iter()
        .copied()
        .filter(|s| !is_tls12(*s) || min == TlsVersion::V1_2)
        .filter(|s| key.is_none_or(|alg| s.usable_for_signature_algorithm(alg)))
        .collect();
    let versions = versions_for(&suites, min);
    CipherChoice {
        offer: CipherOffer {
            tls13: suites
                .iter()
                .filter(|s| !is_tls12(**s))
                .map(|s| offered(*s))
                .collect(),
            tls12: suites
                .iter()
                .filter(|s| is_tls12(**s))
                .map(|s| offered(*s))
                .collect(),
            tls13_from: Tls13Source::Default,
            server_order: false,
            skipped: Vec::new(),
            seclevel: None,
        },
        suites,
        versions,
        warnings: Vec::new(),
    }
}

/// Reads a setting into the suites it chooses. A list's single words must all be known.
fn select(setting: &Ciphers) -> Result<Selection, Vec<TlsConfigError>> {
    let (text, string) = match setting {
        Ciphers::OpenSsl(text) => (text.clone(), true),
        Ciphers::List(items) => {
            if items.iter().all(|i| i.trim().is_empty()) {
                return Err(vec![TlsConfigError::NoUsableCipher {
                    reason: "the list is empty: remove the setting to allow every suite".to_owned(),
                }]);
            }
            let unknown: Vec<TlsConfigError> = items
                .iter()
                .map(|i| i.trim())
                .filter(|i| is_single_word(i) && !is_known_word(i))
                .map(|i| TlsConfigError::UnknownCipher {
                    name: i.to_owned(),
                    valid: cipher_suite_names()
                        .into_iter()
                        .map(str::to_owned)
                        .collect(),
                })
                .collect();
            if !unknown.is_empty() {
                return Err(unknown);
            }
            (items.join(":"), false)
        }
    };
    let evaluated = evaluate(&text).map_err(|e| vec![syntax_error(&e)])?;
    Ok(Selection {
        tls12: evaluated.suites.clone(),
        tls13: evaluated.tls13.clone(),
        string,
        evaluated,
    })
}

/// Whether `item` is one word with no operator (`ECDHE-RSA-AES128-GCM-SHA256`, `HIGH`).
fn is_single_word(item: &str) -> bool {
    !item.is_empty()
        && !item.starts_with(['-', '+', '!', '@'])
        && item
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '='))
}

/// Whether OpenSSL (or rustls) knows `word`, as a suite name or an alias.
fn is_known_word(word: &str) -> bool {
    word == "DEFAULT"
        || by_any_name(word).is_some()
        || alias(word).is_some()
        || tls13_name(word).is_some()
}

/// The error for a setting that leaves no TLS 1.2 suite while TLS 1.2 is on.
fn nothing_usable_for_tls12(
    selection: &Selection,
    key: Option<SignatureAlgorithm>,
) -> TlsConfigError {
    let what = if selection.string {
        "the cipher string"
    } else {
        "the list"
    };
    let reason = if selection.tls12.is_empty() {
        format!("{what} chooses no TLS 1.2 suite (OpenSSL would refuse it: \"no cipher match\")")
    } else {
        let key_text = match key {
            Some(SignatureAlgorithm::RSA) => " with an RSA key",
            Some(SignatureAlgorithm::ECDSA) => " with an ECDSA key",
            _ => "",
        };
        let example = if key == Some(SignatureAlgorithm::RSA) {
            "ECDHE-RSA-AES128-GCM-SHA256"
        } else {
            "ECDHE-ECDSA-AES128-GCM-SHA256"
        };
        format!(
            "none of the {} TLS 1.2 suites {what} chooses can be used{key_text}: rustls offers ECDHE key exchange with AES-GCM or ChaCha20-Poly1305 only (such as {example}), so TLS 1.2 clients could not connect; add such a suite, or set min_version: \"1.3\" to offer TLS 1.3 alone",
            selection.tls12.len()
        )
    };
    TlsConfigError::NoUsableCipher { reason }
}

/// Warnings about words OpenSSL does not know, and items read differently.
fn evaluation_warnings(e: &Evaluated) -> Vec<String> {
    let mut warnings = Vec::new();
    if !e.unknown.is_empty() {
        let words: Vec<String> = e
            .unknown
            .iter()
            .map(|(w, hint)| match hint {
                Some(h) => format!("{w} (did you mean {h}? names are case-sensitive)"),
                None => w.clone(),
            })
            .collect();
        warnings.push(format!(
            "ciphers: {} not a suite name or alias OpenSSL knows: ignored with {} item, as OpenSSL ignores it",
            if words.len() == 1 { format!("{} is", words.join(", ")) } else { format!("{} are", words.join(", ")) },
            if words.len() == 1 { "its" } else { "each one's" }
        ));
    }
    warnings.extend(e.notes.iter().map(|n| format!("ciphers: {n}")));
    warnings
}

/// A cipher string the evaluation refuses, as a config error.
fn syntax_error(e: &SyntaxError) -> TlsConfigError {
    TlsConfigError::CipherString {
        reason: e.to_string(),
    }
}

/// The provider's TLS 1.3 suites, in its order.
fn default_tls13() -> Vec<SupportedCipherSuite> {
    ring::DEFAULT_CIPHER_SUITES
        .iter()
        .copied()
        .filter(|s| !is_tls12(*s))
        .collect()
}

/// The provider's suite numbered `id`.
fn provider_suite(id: u16) -> Option<SupportedCipherSuite> {
    ring::ALL_CIPHER_SUITES
        .iter()
        .copied()
        .find(|s| number(*s) == id)
}

/// The provider's TLS 1.3 suite OpenSSL calls `openssl`.
fn provider_suite_named(openssl: &str) -> Option<SupportedCipherSuite> {
    let rustls = TLS13_NAMES
        .iter()
        .find(|(o, _)| *o == openssl)
        .map(|(_, r)| *r)?;
    ring::ALL_CIPHER_SUITES
        .iter()
        .copied()
        .find(|s| name(*s) == rustls)
}

/// A provider suite as offered: with its OpenSSL name.
fn offered(s: SupportedCipherSuite) -> OfferedSuite {
    let rustls = name(s);
    let openssl = if is_tls12(s) {
        by_id(number(s)).map_or(rustls, |c| c.name)
    } else {
        TLS13_NAMES
            .iter()
            .find(|(_, r)| *r == rustls)
            .map_or(rustls, |(o, _)| *o)
    };
    OfferedSuite {
        id: number(s),
        name: rustls,
        openssl,
    }
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

/// Names, comma-separated, the first [`NAMED_UNUSED`] of them.
fn named_list(names: &[&str]) -> String {
    let mut text = names
        .iter()
        .take(NAMED_UNUSED)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > NAMED_UNUSED {
        text.push_str(&format!(" and {} more", names.len() - NAMED_UNUSED));
    }
    text
}

#[cfg(test)]
#[path = "ciphers_tests.rs"]
mod tests;
