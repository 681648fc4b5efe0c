//! The words of an OpenSSL cipher string: the aliases OpenSSL 3 knows (`HIGH`, `ECDHE`,
//! `AESGCM`, `aRSA`, ...) and the patterns of suites they select.
//!
//! Facts from OpenSSL's `ciphers(1)` manual ("CIPHER STRINGS"), checked against
//! `openssl ciphers` on OpenSSL 3.0: each alias selects suites by key exchange,
//! authentication, encryption, MAC, oldest protocol version or strength class; words joined by
//! `+` select the suites all of them select.

use super::catalogue::{
    A_ANON, A_DSS, A_ECDSA, A_PSK, A_RSA, A_SRP, E_3DES, E_AES128, E_AES128CCM, E_AES128CCM8,
    E_AES128GCM, E_AES256, E_AES256CCM, E_AES256CCM8, E_AES256GCM, E_ARIA128GCM, E_ARIA256GCM,
    E_CAMELLIA128, E_CAMELLIA256, E_CHACHA20, E_NULL, E_RC4, E_UNBUILT, K_DHE, K_DHEPSK, K_ECDHE,
    K_ECDHEPSK, K_PSK, K_RSA, K_RSAPSK, K_SRP, M_MD5, M_SHA1, M_SHA256, M_SHA384, M_UNBUILT,
    MinVersion, S_FIPS, S_HIGH, S_LOW, S_MASK, S_MEDIUM, S_NOT_DEFAULT, Suite,
};

/// Which suites a word, or words joined by `+`, select. A zero mask selects any value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Pattern {
    /// Key exchanges (`K_` bits).
    pub kx: u32,
    /// Authentications (`A_` bits).
    pub auth: u32,
    /// Encryptions (`E_` bits).
    pub enc: u32,
    /// MACs (`M_` bits).
    pub mac: u32,
    /// The oldest protocol version, exactly.
    pub min: Option<MinVersion>,
    /// Strength classes and the FIPS bit (`S_` bits within `S_MASK`).
    pub strength: u32,
    /// `S_NOT_DEFAULT`: only suites left out of `DEFAULT`.
    pub not_default: u32,
    /// One suite by its IANA number (a suite's name was among the words).
    pub id: Option<u16>,
}

impl Pattern {
    /// The pattern of one suite named in a cipher string: its own attributes and its number
    /// (its version does not count, as in OpenSSL).
    pub fn of_suite(s: &Suite) -> Pattern {
        Pattern {
            kx: s.kx,
            auth: s.auth,
            enc: s.enc,
            mac: s.mac,
            min: None,
            strength: s.strength(),
            not_default: s.not_default(),
            id: Some(s.id),
        }
    }

    /// The pattern of `self+other`; `None` when no suite could match both.
    pub fn and(self, other: Pattern) -> Option<Pattern> {
        Some(Pattern {
            kx: both(self.kx, other.kx)?,
            auth: both(self.auth, other.auth)?,
            enc: both(self.enc, other.enc)?,
            mac: both(self.mac, other.mac)?,
            min: match (self.min, other.min) {
                (Some(a), Some(b)) if a != b => return None,
                (a, b) => a.or(b),
            },
            strength: both(self.strength, other.strength)?,
            not_default: both(self.not_default, other.not_default)?,
            id: match (self.id, other.id) {
                (Some(a), Some(b)) if a != b => return None,
                (a, b) => b.or(a),
            },
        })
    }

    /// Whether `s` is selected.
    pub fn matches(&self, s: &Suite) -> bool {
        let any = |mask: u32, bit: u32| mask == 0 || mask & bit != 0;
        self.id.is_none_or(|id| id == s.id)
            && any(self.kx, s.kx)
            && any(self.auth, s.auth)
            && any(self.enc, s.enc)
            && any(self.mac, s.mac)
            && self.min.is_none_or(|m| m == s.min)
            && any(self.strength & S_MASK, s.strength())
            && any(self.not_default, s.not_default())
    }
}

/// The pattern of OpenSSL alias `word` (case matters, as in OpenSSL).
pub(crate) fn alias(word: &str) -> Option<Pattern> {
    ALIASES
        .iter()
        .find(|(name, _)| *name == word)
        .map(|(_, p)| *p)
}

/// Whether `word` is an alias in any case (for a hint when its case is wrong).
pub(crate) fn alias_ignoring_case(word: &str) -> Option<&'static str> {
    ALIASES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word))
        .map(|(name, _)| *name)
}

/// Two masks of one attribute combined: an empty one takes the other; two give their common
/// bits, `None` if they have none.
fn both(a: u32, b: u32) -> Option<u32> {
    match (a, b) {
        (0, x) | (x, 0) => Some(x),
        (a, b) if a & b != 0 => Some(a & b),
        _ => None,
    }
}

const fn kx(kx: u32) -> Pattern {
    Pattern {
        kx,
        auth: 0,
        enc: 0,
        mac: 0,
        min: None,
        strength: 0,
        not_default: 0,
        id: None,
    }
}

const fn kx_auth(k: u32, auth: u32) -> Pattern {
    Pattern { auth, ..kx(k) }
}

const fn auth(auth: u32) -> Pattern {
    Pattern { auth, ..kx(0) }
}

const fn enc(enc: u32) -> Pattern {
    Pattern { enc, ..kx(0) }
}

const fn mac(mac: u32) -> Pattern {
    Pattern { mac, ..kx(0) }
}

const fn min(v: MinVersion) -> Pattern {
    Pattern {
        min: Some(v),
        ..kx(0)
    }
}

const fn strength(strength: u32) -> Pattern {
    Pattern { strength, ..kx(0) }
}

const AES128_ALL: u32 = E_AES128 | E_AES128GCM | E_AES128CCM | E_AES128CCM8;
const AES256_ALL: u32 = E_AES256 | E_AES256GCM | E_AES256CCM | E_AES256CCM8;
const ALL_BUT_NULL: u32 = !E_NULL;
const PSK_ALL: u32 = K_PSK | K_RSAPSK | K_ECDHEPSK | K_DHEPSK;
/// OpenSSL's CBC-mode ciphers (with single DES, IDEA, SEED, RC2 and GOST, which have no row).
const CBC: u32 = E_3DES | E_AES128 | E_AES256 | E_CAMELLIA128 | E_CAMELLIA256 | E_UNBUILT;
/// The pattern of words that select nothing: aliases of algorithms OpenSSL 3 does not build
/// by default, and those OpenSSL 1.1.0 removed with their suites (export, fixed DH, Kerberos).
const NOTHING: Pattern = enc(E_UNBUILT);

/// Every alias, with its pattern.
const ALIASES: &[(&str, Pattern)] = &[
    ("ALL", enc(ALL_BUT_NULL)),
    ("COMPLEMENTOFALL", enc(E_NULL)),
    (
        "COMPLEMENTOFDEFAULT",
        Pattern {
            not_default: S_NOT_DEFAULT,
            ..kx(0)
        },
    ),
    // Key exchange.
    ("kRSA", kx(K_RSA)),
    ("kEDH", kx(K_DHE)),
    ("kDHE", kx(K_DHE)),
    ("DH", kx(K_DHE)),
    ("kEECDH", kx(K_ECDHE)),
    ("kECDHE", kx(K_ECDHE)),
    ("ECDH", kx(K_ECDHE)),
    ("kPSK", kx(K_PSK)),
    ("kRSAPSK", kx(K_RSAPSK)),
    ("kECDHEPSK", kx(K_ECDHEPSK)),
    ("kDHEPSK", kx(K_DHEPSK)),
    ("kSRP", kx(K_SRP)),
    // Authentication.
    ("aRSA", auth(A_RSA)),
    ("aDSS", auth(A_DSS)),
    ("DSS", auth(A_DSS)),
    ("aNULL", auth(A_ANON)),
    ("aECDSA", auth(A_ECDSA)),
    ("ECDSA", auth(A_ECDSA)),
    ("aPSK", auth(A_PSK)),
    ("aSRP", auth(A_SRP)),
    // Key exchange and authentication together.
    ("EDH", kx_auth(K_DHE, !A_ANON)),
    ("DHE", kx_auth(K_DHE, !A_ANON)),
    ("EECDH", kx_auth(K_ECDHE, !A_ANON)),
    ("ECDHE", kx_auth(K_ECDHE, !A_ANON)),
    ("NULL", enc(E_NULL)),
    ("RSA", kx_auth(K_RSA, A_RSA)),
    ("ADH", kx_auth(K_DHE, A_ANON)),
    ("AECDH", kx_auth(K_ECDHE, A_ANON)),
    ("PSK", kx(PSK_ALL)),
    ("SRP", kx(K_SRP)),
    // Encryption.
    ("3DES", enc(E_3DES)),
    ("RC4", enc(E_RC4)),
    ("eNULL", enc(E_NULL)),
    ("AES128", enc(AES128_ALL)),
    ("AES256", enc(AES256_ALL)),
    ("AES", enc(AES128_ALL | AES256_ALL)),
    ("AESGCM", enc(E_AES128GCM | E_AES256GCM)),
    (
        "AESCCM",
        enc(E_AES128CCM | E_AES256CCM | E_AES128CCM8 | E_AES256CCM8),
    ),
    ("AESCCM8", enc(E_AES128CCM8 | E_AES256CCM8)),
    ("CAMELLIA128", enc(E_CAMELLIA128)),
    ("CAMELLIA256", enc(E_CAMELLIA256)),
    ("CAMELLIA", enc(E_CAMELLIA128 | E_CAMELLIA256)),
    ("CHACHA20", enc(E_CHACHA20)),
    ("ARIA", enc(E_ARIA128GCM | E_ARIA256GCM)),
    ("ARIAGCM", enc(E_ARIA128GCM | E_ARIA256GCM)),
    ("ARIA128", enc(E_ARIA128GCM)),
    ("ARIA256", enc(E_ARIA256GCM)),
    ("CBC", enc(CBC)),
    // MAC.
    ("MD5", mac(M_MD5)),
    ("SHA1", mac(M_SHA1)),
    ("SHA", mac(M_SHA1)),
    ("SHA256", mac(M_SHA256)),
    ("SHA384", mac(M_SHA384)),
    // Oldest protocol version.
    ("SSLv3", min(MinVersion::Ssl3)),
    ("TLSv1", min(MinVersion::Tls1)),
    ("TLSv1.0", min(MinVersion::Tls1)),
    ("TLSv1.2", min(MinVersion::Tls12)),
    // Strength.
    ("LOW", strength(S_LOW)),
    ("MEDIUM", strength(S_MEDIUM)),
    ("HIGH", strength(S_HIGH)),
    (
        "FIPS",
        Pattern {
            enc: ALL_BUT_NULL,
            strength: S_FIPS,
            ..kx(0)
        },
    ),
    // Known, and selecting no suite OpenSSL 3 builds by default.
    ("DES", NOTHING),
    ("IDEA", NOTHING),
    ("SEED", NOTHING),
    ("RC2", NOTHING),
    ("GOST89", NOTHING),
    ("GOST2012", NOTHING),
    ("kGOST", NOTHING),
    ("kGOST18", NOTHING),
    ("aGOST", NOTHING),
    ("aGOST01", NOTHING),
    ("aGOST12", NOTHING),
    ("GOST94", mac(M_UNBUILT)),
    ("GOST89MAC", mac(M_UNBUILT)),
    ("GOST12", mac(M_UNBUILT)),
    // Removed from OpenSSL 1.1.0 with their suites; old strings still name them (`!EXPORT`).
    ("EXP", NOTHING),
    ("EXPORT", NOTHING),
    ("EXPORT40", NOTHING),
    ("EXPORT56", NOTHING),
    ("kECDH", NOTHING),
    ("kECDHr", NOTHING),
    ("kECDHe", NOTHING),
    ("aECDH", NOTHING),
    ("kDH", NOTHING),
    ("kDHr", NOTHING),
    ("kDHd", NOTHING),
    ("aDH", NOTHING),
    ("KRB5", NOTHING),
    ("kKRB5", NOTHING),
    ("aKRB5", NOTHING),
    ("SSLv2", NOTHING),
];

#[cfg(test)]
mod tests {
    use super::super::catalogue::{SUITES, by_openssl_name};
    use super::*;

    fn selected(p: Pattern) -> Vec<&'static str> {
        SUITES
            .iter()
            .filter(|s| p.matches(s))
            .map(|s| s.name)
            .collect()
    }

    #[test]
    fn combinations_select_what_every_word_selects() {
        let p = alias("ECDH")
            .unwrap()
            .and(alias("AESGCM").unwrap())
            .unwrap();
        assert_eq!(
            selected(p),
            [
                "ECDHE-ECDSA-AES256-GCM-SHA384",
                "ECDHE-RSA-AES256-GCM-SHA384",
                "ECDHE-ECDSA-AES128-GCM-SHA256",
                "ECDHE-RSA-AES128-GCM-SHA256",
            ]
        );
        // Nothing is both RSA key exchange and ECDHE.
        assert!(
            alias("kRSA")
                .unwrap()
                .and(alias("ECDHE").unwrap())
                .is_none()
        );
        // A strength class and FIPS have no bit in common, as in OpenSSL.
        assert!(alias("HIGH").unwrap().and(alias("FIPS").unwrap()).is_none());
    }

    #[test]
    fn a_named_suite_selects_itself() {
        let s = by_openssl_name("AES128-SHA").unwrap();
        assert_eq!(selected(Pattern::of_suite(s)), ["AES128-SHA"]);
        let p = Pattern::of_suite(s).and(alias("ECDHE").unwrap());
        assert!(p.is_none());
    }

    #[test]
    fn aliases_are_case_sensitive() {
        assert!(alias("aes").is_none());
        assert_eq!(alias_ignoring_case("aes"), Some("AES"));
        assert!(selected(alias("EXPORT").unwrap()).is_empty());
    }
}
