//! Tests of [`evaluate`](super::evaluate): the rules on their own, then the evaluation of many
//! strings against what `openssl ciphers` prints on this machine, when it is installed.

use std::collections::HashSet;
use std::process::Command;

use super::*;

fn names(text: &str) -> Vec<&'static str> {
    evaluate(text)
        .unwrap()
        .suites
        .iter()
        .map(|s| s.name)
        .collect()
}

#[test]
fn plus_combines_and_order_follows_the_items() {
    assert_eq!(
        names("ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256"),
        ["ECDHE-RSA-AES128-GCM-SHA256", "AES128-SHA"]
    );
    assert_eq!(
        names("kRSA+AESGCM"),
        ["AES256-GCM-SHA384", "AES128-GCM-SHA256"]
    );
}

#[test]
fn removal_kill_and_move() {
    // `-` then a plain item brings the suite back, at the end.
    assert_eq!(
        names("AES128-SHA:AES256-SHA:-AES128-SHA:AES128-SHA"),
        ["AES256-SHA", "AES128-SHA"]
    );
    // `!` removes it for good.
    assert_eq!(
        names("AES128-SHA:AES256-SHA:!AES128-SHA:AES128-SHA"),
        ["AES256-SHA"]
    );
    // `+` moves without adding.
    assert_eq!(
        names("AES128-SHA:AES256-SHA:+AES128-SHA:+DES-CBC3-SHA"),
        ["AES256-SHA", "AES128-SHA"]
    );
}

#[test]
fn strength_sorts_and_default_expands_only_at_the_start() {
    assert_eq!(
        names("AES128-SHA:DES-CBC3-SHA:AES256-SHA:@STRENGTH"),
        ["AES256-SHA", "AES128-SHA", "DES-CBC3-SHA"]
    );
    let e = evaluate("AES128-SHA:DEFAULT").unwrap();
    assert_eq!(e.suites.len(), 1);
    assert!(e.notes[0].contains("only at the start"), "{:?}", e.notes);
    assert!(evaluate("DEFAULT").unwrap().suites.len() > 50);
}

#[test]
fn unknown_words_drop_their_item_and_bad_characters_fail() {
    let e = evaluate("FOO:AES128-SHA:FOO+AES:A#B").unwrap();
    assert_eq!(
        e.suites.iter().map(|s| s.name).collect::<Vec<_>>(),
        ["AES128-SHA"]
    );
    assert_eq!(
        e.unknown,
        [
            ("FOO".to_owned(), None),
            ("FOO".to_owned(), None),
            ("A".to_owned(), None)
        ]
    );
    assert_eq!(
        evaluate("AES+").unwrap_err(),
        SyntaxError::BadCharacter { found: None, at: 4 }
    );
    assert_eq!(
        evaluate("!").unwrap_err(),
        SyntaxError::BadCharacter { found: None, at: 1 }
    );
    assert_eq!(
        evaluate("@STRENGTHX").unwrap_err(),
        SyntaxError::BadCommand("@STRENGTHX".to_owned())
    );
    assert_eq!(evaluate("HIGH:@SECLEVEL=3").unwrap().seclevel, Some(3));
}

#[test]
fn tls13_names_are_collected_apart() {
    let e = evaluate("TLS_AES_128_GCM_SHA256:tls13_aes_256_gcm_sha384:AES128-SHA").unwrap();
    assert_eq!(
        e.tls13,
        ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"]
    );
    assert_eq!(e.suites.len(), 1);
}

#[test]
fn iana_names_and_other_cases_name_suites() {
    assert_eq!(
        names(
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:ecdhe-rsa-aes256-gcm-sha384:EDH-RSA-DES-CBC3-SHA"
        ),
        [
            "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-RSA-AES256-GCM-SHA384",
            "DHE-RSA-DES-CBC3-SHA"
        ]
    );
}

/// Strings whose evaluation must match `openssl ciphers`: the guides', the common ones, and
/// each rule.
const COMPARED: &[&str] = &[
    "ECDH+AESGCM:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:ECDH+3DES:DH+3DES:RSA+AES:RSA+3DES:!ADH:!AECDH:!MD5:!DSS",
    "ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256:DHE-RSA-AES128-SHA256:ECDHE-RSA-AES128-SHA:DHE-RSA-AES128-SHA",
    "ALL:COMPLEMENTOFALL",
    "DEFAULT",
    "DEFAULT:!AES",
    "HIGH:!aNULL:!MD5",
    "HIGH:MEDIUM:!aNULL:!MD5:!RC4",
    "ECDHE:!COMPLEMENTOFDEFAULT",
    "EECDH+AESGCM:EDH+AESGCM",
    "kECDHE",
    "aRSA",
    "SHA1",
    "SHA256:SHA384",
    "eNULL",
    "COMPLEMENTOFDEFAULT",
    "FIPS",
    "CBC:!kRSA",
    "AESCCM:ARIA:CAMELLIA128",
    "CHACHA20:AES128:AES256",
    "TLSv1.2:!TLSv1.2+kRSA",
    "SSLv3:TLSv1",
    "PSK:SRP",
    "aECDSA:aDSS:aPSK",
    "kDHE:kEDH:DH:ADH",
    "AES:-kECDHE:-kRSA:AES",
    "ALL:+kRSA:+AESGCM",
    "AES:-ECDHE-RSA-AES128-SHA:-AES128-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA",
    "AES128-SHA:AES256-SHA:CAMELLIA128-SHA:@STRENGTH",
    "ALL:@STRENGTH",
    "CHACHA20 AES128,AES256;CAMELLIA",
    "FOO:AES:BAR+RSA",
    "AES128-SHA+SHA1:AES256-SHA+TLSv1.2",
    "ECDHE-RSA-AES128-GCM-SHA256:DEFAULT",
    "HIGH:@SECLEVEL=2",
];

/// The TLS 1.2 suites `openssl ciphers` prints for `text` (`None` when it refuses the
/// string, or cannot be run).
fn openssl_ciphers(text: &str) -> Option<Vec<String>> {
    // The security level 0 keeps OpenSSL from dropping suites by its own configuration. (A
    // string starting with `-` would be read as an option: none of them does.)
    let out = Command::new("openssl")
        .args(["ciphers", &format!("{text}:@SECLEVEL=0")])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    Some(
        text.trim()
            .split(':')
            .filter(|n| !n.starts_with("TLS_"))
            .map(str::to_owned)
            .collect(),
    )
}

#[test]
fn evaluation_matches_openssl_ciphers() {
    let all = openssl_ciphers("ALL:COMPLEMENTOFALL")
        .expect("`openssl ciphers` runs (the openssl package; .ci/run installs it)");
    // Suites this OpenSSL does not build (3DES, RC4) are left out of the comparison.
    let built: HashSet<String> = all.into_iter().collect();
    for text in COMPARED {
        let ours: Vec<String> = evaluate(text)
            .unwrap()
            .suites
            .iter()
            .map(|s| s.name.to_owned())
            .filter(|n| built.contains(n))
            .collect();
        let theirs = openssl_ciphers(text).unwrap_or_default();
        assert_eq!(ours, theirs, "cipher string {text:?}");
    }
    // Every suite this OpenSSL builds is in the catalogue.
    for name in &built {
        assert!(
            by_openssl_name(name).is_some(),
            "{name} is not in the catalogue"
        );
    }
}
