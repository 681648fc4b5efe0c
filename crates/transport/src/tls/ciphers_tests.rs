//! Tests of [`choose`](super::choose): lists and cipher strings, what is kept and skipped.

use super::*;

/// The cipher string of Crossbar.io's "Secure WebSocket and HTTPS" guide.
const GUIDE_STRING: &str = "ECDH+AESGCM:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:ECDH+3DES:DH+3DES:RSA+AES:RSA+3DES:!ADH:!AECDH:!MD5:!DSS";
/// The guide's default cipher list.
const GUIDE_DEFAULT: &str = "ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256:DHE-RSA-AES128-SHA256:ECDHE-RSA-AES128-SHA:DHE-RSA-AES128-SHA";

fn list(v: &[&str]) -> Ciphers {
    Ciphers::List(v.iter().map(|s| (*s).to_owned()).collect())
}

fn chosen(c: &CipherChoice) -> Vec<&'static str> {
    c.suites.iter().map(|s| name(*s)).collect()
}

const TLS13_ALL: [&str; 3] = [
    "TLS13_AES_256_GCM_SHA384",
    "TLS13_AES_128_GCM_SHA256",
    "TLS13_CHACHA20_POLY1305_SHA256",
];

#[test]
fn the_provider_names_its_suites() {
    let all = cipher_suite_names();
    assert!(all.contains(&"TLS13_AES_128_GCM_SHA256"));
    assert!(all.contains(&"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"));
    assert!(all.contains(&"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"));
}

#[test]
fn no_setting_offers_everything_in_the_clients_order() {
    let c = choose(None, TlsVersion::V1_2, Some(SignatureAlgorithm::ECDSA)).unwrap();
    assert_eq!(c.suites.len(), 6);
    assert_eq!(c.offer.tls12.len(), 3);
    assert!(
        c.offer
            .tls12
            .iter()
            .all(|s| s.openssl.starts_with("ECDHE-ECDSA-"))
    );
    assert!(!c.offer.server_order);
    assert_eq!(c.offer.tls13_from, Tls13Source::Default);
    assert!(c.warnings.is_empty());
}

#[test]
fn openssl_names_case_and_colon_lists_are_accepted() {
    let c = choose(
        Some(&list(&[
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
            "TLS13_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
        ]
    );
    assert_eq!(c.versions.len(), 2);
    assert!(c.offer.server_order);
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}

#[test]
fn unknown_single_words_in_a_list_are_errors() {
    let errors = choose(
        Some(&list(&["RC4-MD6", "TLS13_AES_128_GCM_SHA256", "HGIH"])),
        TlsVersion::V1_2,
        None,
    )
    .unwrap_err();
    assert_eq!(errors.len(), 2);
    let text = errors[0].to_string();
    assert!(text.contains("\"RC4-MD6\""), "{text}");
    assert!(text.contains("TLS13_AES_128_GCM_SHA256"), "{text}");
    assert!(errors[1].to_string().contains("\"HGIH\""));
}

#[test]
fn versions_follow_the_suites_and_the_minimum() {
    let only12 = list(&["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]);
    let c = choose(Some(&only12), TlsVersion::V1_2, None).unwrap();
    assert_eq!(c.versions, [&futures_rustls::rustls::version::TLS12]);
    assert_eq!(c.offer.tls13_from, Tls13Source::NoneNamed);
    let e = choose(Some(&only12), TlsVersion::V1_3, None).unwrap_err();
    assert!(e[0].to_string().contains("TLS 1.3"), "{}", e[0]);

    let c = choose(None, TlsVersion::V1_3, None).unwrap();
    assert_eq!(c.versions, [&futures_rustls::rustls::version::TLS13]);

    let mixed = list(&[
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS13_AES_128_GCM_SHA256",
    ]);
    let c = choose(Some(&mixed), TlsVersion::V1_3, None).unwrap();
    assert_eq!(chosen(&c), ["TLS13_AES_128_GCM_SHA256"]);
    assert!(c.warnings[0].contains("never used"), "{:?}", c.warnings);
}

#[test]
fn suites_must_suit_the_key() {
    let rsa_only = list(&["ECDHE-RSA-AES128-GCM-SHA256"]);
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

    let mixed = list(&[
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
    assert!(
        c.warnings[0].contains("needs an RSA key"),
        "{}",
        c.warnings[0]
    );
}

#[test]
fn an_empty_list_is_an_error() {
    let e = choose(Some(&list(&[])), TlsVersion::V1_2, None).unwrap_err();
    assert!(e[0].to_string().contains("empty"), "{}", e[0]);
}

#[test]
fn the_guides_cipher_string_keeps_the_ecdhe_gcm_suites() {
    let s = Ciphers::from(GUIDE_STRING);
    let c = choose(Some(&s), TlsVersion::V1_2, Some(SignatureAlgorithm::RSA)).unwrap();
    let mut want = TLS13_ALL.to_vec();
    want.extend([
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    ]);
    assert_eq!(chosen(&c), want);
    assert_eq!(c.offer.tls13_from, Tls13Source::NotChosenByString);
    assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    let w = &c.warnings[0];
    assert!(w.contains("DHE-RSA-AES256-GCM-SHA384"), "{w}");
    assert!(w.contains("(DHE key exchange)"), "{w}");
    assert!(w.contains("ECDHE-ECDSA-AES256-GCM-SHA384"), "{w}");
    assert!(w.contains("(needs an ECDSA key)"), "{w}");
    assert!(w.contains("AES128-SHA"), "{w}");
    assert!(w.contains("(static RSA key exchange, CBC mode)"), "{w}");
    assert!(!w.contains("ADH"), "{w}");

    let c = choose(Some(&s), TlsVersion::V1_2, Some(SignatureAlgorithm::ECDSA)).unwrap();
    assert_eq!(
        c.offer.tls12.iter().map(|s| s.openssl).collect::<Vec<_>>(),
        [
            "ECDHE-ECDSA-AES256-GCM-SHA384",
            "ECDHE-ECDSA-AES128-GCM-SHA256"
        ]
    );
}

#[test]
fn the_guides_default_list_skips_what_rustls_lacks() {
    let as_string = Ciphers::from(GUIDE_DEFAULT);
    let c = choose(
        Some(&as_string),
        TlsVersion::V1_2,
        Some(SignatureAlgorithm::RSA),
    )
    .unwrap();
    assert_eq!(
        c.offer.tls12.iter().map(|s| s.openssl).collect::<Vec<_>>(),
        ["ECDHE-RSA-AES128-GCM-SHA256"]
    );
    assert_eq!(c.offer.tls13.len(), 3);
    assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
    let w = &c.warnings[0];
    assert!(w.contains("skipped 5 of the 6 suites"), "{w}");
    assert!(
        w.contains("DHE-RSA-AES128-GCM-SHA256 (DHE key exchange)"),
        "{w}"
    );
    assert!(
        w.contains("DHE-RSA-AES128-SHA256, DHE-RSA-AES128-SHA (DHE key exchange, CBC mode)"),
        "{w}"
    );

    // Written as a list, the names are the same suites; a list names its TLS 1.3 suites.
    let names: Vec<&str> = GUIDE_DEFAULT.split(':').collect();
    let c = choose(
        Some(&list(&names)),
        TlsVersion::V1_2,
        Some(SignatureAlgorithm::RSA),
    )
    .unwrap();
    assert_eq!(chosen(&c), ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]);
    assert_eq!(c.warnings.len(), 1);
    let e = choose(
        Some(&list(&names)),
        TlsVersion::V1_2,
        Some(SignatureAlgorithm::ECDSA),
    )
    .unwrap_err();
    assert!(e[0].to_string().contains("with an ECDSA key"), "{}", e[0]);
}

#[test]
fn unknown_words_in_a_string_are_ignored_with_a_warning() {
    let s = Ciphers::from("FOO:ECDHE+AESGCM:aes:FOO+AES");
    let c = choose(Some(&s), TlsVersion::V1_2, None).unwrap();
    assert_eq!(c.offer.tls12.len(), 4);
    let w = c.warnings.join("\n");
    assert!(
        w.contains("FOO, aes (did you mean AES? names are case-sensitive), FOO are not"),
        "{w}"
    );
}

#[test]
fn syntax_errors_refuse_the_string() {
    for (text, says) in [
        ("ECDHE+", "ends where a name"),
        ("ECDHE:#", "'#' at character 7"),
        ("HIGH:@SECLEVEL=9", "@SECLEVEL=9 is not a command"),
        ("@FOO", "@FOO"),
    ] {
        let e = choose(Some(&Ciphers::from(text)), TlsVersion::V1_2, None).unwrap_err();
        assert!(e[0].to_string().contains(says), "{text}: {}", e[0]);
        assert_eq!(e[0].setting(), super::super::error::TlsSetting::Ciphers);
    }
}

#[test]
fn a_string_may_name_tls13_suites() {
    let s = Ciphers::from("TLS_AES_128_GCM_SHA256:ECDHE+AESGCM:!TLS_AES_256_GCM_SHA384");
    let c = choose(Some(&s), TlsVersion::V1_2, Some(SignatureAlgorithm::ECDSA)).unwrap();
    assert_eq!(
        c.offer.tls13.iter().map(|s| s.name).collect::<Vec<_>>(),
        ["TLS13_AES_128_GCM_SHA256"]
    );
    assert_eq!(c.offer.tls13_from, Tls13Source::Named);
    assert!(
        c.warnings
            .iter()
            .any(|w| w.contains("can be named, not combined")),
        "{:?}",
        c.warnings
    );

    // A TLS 1.3 suite rustls lacks is skipped like any other.
    let s = Ciphers::from("TLS_AES_128_CCM_SHA256:HIGH");
    let c = choose(Some(&s), TlsVersion::V1_2, Some(SignatureAlgorithm::ECDSA)).unwrap();
    assert!(c.offer.tls13.is_empty());
    assert!(
        c.warnings[0].contains("offer: TLS_AES_128_CCM_SHA256, ECDHE-ECDSA-AES256-CCM8"),
        "{}",
        c.warnings[0]
    );
}

#[test]
fn min_version_13_leaves_the_string_nothing_to_choose() {
    let s = Ciphers::from(GUIDE_STRING);
    let c = choose(Some(&s), TlsVersion::V1_3, Some(SignatureAlgorithm::RSA)).unwrap();
    assert_eq!(chosen(&c), TLS13_ALL);
    assert!(
        c.warnings.iter().any(|w| w.contains("never used")),
        "{:?}",
        c.warnings
    );
}

#[test]
fn a_string_that_leaves_tls12_nothing_is_an_error() {
    for (text, says) in [
        (
            "DHE-RSA-AES128-SHA:AES128-SHA",
            "none of the 2 TLS 1.2 suites",
        ),
        ("FOO", "chooses no TLS 1.2 suite"),
        ("!ALL", "chooses no TLS 1.2 suite"),
    ] {
        let e = choose(
            Some(&Ciphers::from(text)),
            TlsVersion::V1_2,
            Some(SignatureAlgorithm::RSA),
        )
        .unwrap_err();
        assert!(e[0].to_string().contains(says), "{text}: {}", e[0]);
    }
    // With TLS 1.2 off, the string chooses nothing that matters.
    let c = choose(Some(&Ciphers::from("FOO")), TlsVersion::V1_3, None).unwrap();
    assert_eq!(chosen(&c), TLS13_ALL);
}
