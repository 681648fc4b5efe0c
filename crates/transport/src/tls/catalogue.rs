//! OpenSSL's catalogue of TLS 1.2 cipher suites (and the older ones a TLS 1.2 server may be
//! asked for), with the attributes its cipher strings select by.
//!
//! Facts, from OpenSSL 3.0's own description of its suites (`openssl ciphers -V -stdname -v
//! 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'`, `openssl ciphers COMPLEMENTOFDEFAULT` and
//! `openssl ciphers FIPS`), plus the 3DES and RC4 suites that OpenSSL defines but builds only
//! with `enable-weak-ssl-ciphers` (IANA numbers from the TLS Cipher Suites registry). The rows
//! are in OpenSSL's default order of preference: the order in which an alias such as `ALL`
//! adds suites. For the suites this machine's OpenSSL builds, that order is what
//! `openssl ciphers` prints, with the suites without encryption where OpenSSL's ordering rules
//! put them (ECDHE before the rest, TLS 1.2 suites before older ones within a strength, then
//! by strength); the 3DES and RC4 rows stand where the same rules put them (RC4 last among
//! the 128-bit suites of its group, 3DES at 112 bits after them). The comparison with
//! `openssl ciphers` in this module's tests checks the order.
//!
//! Columns: IANA number, OpenSSL name, IANA name, key exchange, authentication, encryption,
//! MAC, the oldest protocol version, and flags (`ND`: left out of OpenSSL's `DEFAULT`;
//! `FIPS`: in OpenSSL's `FIPS` alias).

/// Key exchange: static RSA.
pub(crate) const K_RSA: u32 = 1;
/// Key exchange: finite-field Diffie-Hellman, ephemeral.
pub(crate) const K_DHE: u32 = 1 << 1;
/// Key exchange: elliptic-curve Diffie-Hellman, ephemeral.
pub(crate) const K_ECDHE: u32 = 1 << 2;
/// Key exchange: pre-shared key.
pub(crate) const K_PSK: u32 = 1 << 3;
/// Key exchange: RSA with a pre-shared key.
pub(crate) const K_RSAPSK: u32 = 1 << 4;
/// Key exchange: ECDHE with a pre-shared key.
pub(crate) const K_ECDHEPSK: u32 = 1 << 5;
/// Key exchange: DHE with a pre-shared key.
pub(crate) const K_DHEPSK: u32 = 1 << 6;
/// Key exchange: SRP (a password).
pub(crate) const K_SRP: u32 = 1 << 7;

/// Authentication: an RSA certificate.
pub(crate) const A_RSA: u32 = 1;
/// Authentication: a DSA certificate.
pub(crate) const A_DSS: u32 = 1 << 1;
/// Authentication: none (anonymous).
pub(crate) const A_ANON: u32 = 1 << 2;
/// Authentication: an ECDSA certificate.
pub(crate) const A_ECDSA: u32 = 1 << 3;
/// Authentication: a pre-shared key.
pub(crate) const A_PSK: u32 = 1 << 4;
/// Authentication: SRP.
pub(crate) const A_SRP: u32 = 1 << 5;

/// Encryption: 3DES (EDE, CBC).
pub(crate) const E_3DES: u32 = 1;
/// Encryption: RC4.
pub(crate) const E_RC4: u32 = 1 << 1;
/// Encryption: none.
pub(crate) const E_NULL: u32 = 1 << 2;
/// Encryption: AES-128 in CBC mode.
pub(crate) const E_AES128: u32 = 1 << 3;
/// Encryption: AES-256 in CBC mode.
pub(crate) const E_AES256: u32 = 1 << 4;
/// Encryption: AES-128-GCM.
pub(crate) const E_AES128GCM: u32 = 1 << 5;
/// Encryption: AES-256-GCM.
pub(crate) const E_AES256GCM: u32 = 1 << 6;
/// Encryption: AES-128-CCM.
pub(crate) const E_AES128CCM: u32 = 1 << 7;
/// Encryption: AES-256-CCM.
pub(crate) const E_AES256CCM: u32 = 1 << 8;
/// Encryption: AES-128-CCM with an 8-octet tag.
pub(crate) const E_AES128CCM8: u32 = 1 << 9;
/// Encryption: AES-256-CCM with an 8-octet tag.
pub(crate) const E_AES256CCM8: u32 = 1 << 10;
/// Encryption: Camellia-128 in CBC mode.
pub(crate) const E_CAMELLIA128: u32 = 1 << 11;
/// Encryption: Camellia-256 in CBC mode.
pub(crate) const E_CAMELLIA256: u32 = 1 << 12;
/// Encryption: ChaCha20-Poly1305.
pub(crate) const E_CHACHA20: u32 = 1 << 13;
/// Encryption: ARIA-128-GCM.
pub(crate) const E_ARIA128GCM: u32 = 1 << 14;
/// Encryption: ARIA-256-GCM.
pub(crate) const E_ARIA256GCM: u32 = 1 << 15;
/// Encryption algorithms OpenSSL 3 names but does not build by default (single DES, IDEA,
/// SEED, RC2, GOST): no row has them, so their aliases select nothing.
pub(crate) const E_UNBUILT: u32 = 1 << 16;

/// MAC: MD5.
pub(crate) const M_MD5: u32 = 1;
/// MAC: SHA-1.
pub(crate) const M_SHA1: u32 = 1 << 1;
/// MAC: SHA-256 (CBC suites; AEAD suites have [`M_AEAD`]).
pub(crate) const M_SHA256: u32 = 1 << 2;
/// MAC: SHA-384 (CBC suites).
pub(crate) const M_SHA384: u32 = 1 << 3;
/// MAC: the cipher's own (AEAD).
pub(crate) const M_AEAD: u32 = 1 << 4;
/// MACs OpenSSL 3 names but does not build by default (GOST): no row has them.
pub(crate) const M_UNBUILT: u32 = 1 << 5;

/// Strength class: no encryption.
pub(crate) const S_NONE: u32 = 1;
/// Strength class: `LOW` (single DES; no row since OpenSSL 1.1.0).
pub(crate) const S_LOW: u32 = 1 << 1;
/// Strength class: `MEDIUM` (3DES, RC4).
pub(crate) const S_MEDIUM: u32 = 1 << 2;
/// Strength class: `HIGH` (128 bits and more).
pub(crate) const S_HIGH: u32 = 1 << 3;
/// In OpenSSL's `FIPS` alias.
pub(crate) const S_FIPS: u32 = 1 << 4;
/// The bits above.
pub(crate) const S_MASK: u32 = 0x1F;
/// Left out of OpenSSL's `DEFAULT` (selected by `COMPLEMENTOFDEFAULT`).
pub(crate) const S_NOT_DEFAULT: u32 = 1 << 5;

/// The oldest protocol version of a suite, as OpenSSL's `SSLv3`, `TLSv1` and `TLSv1.2`
/// aliases select it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MinVersion {
    /// SSL 3.0 (and every TLS version).
    Ssl3,
    /// TLS 1.0.
    Tls1,
    /// TLS 1.2.
    Tls12,
}

/// One cipher suite of the catalogue.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Suite {
    /// The IANA number, as sent in a ClientHello.
    pub id: u16,
    /// OpenSSL's name (`ECDHE-RSA-AES128-GCM-SHA256`).
    pub name: &'static str,
    /// The IANA name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
    pub iana: &'static str,
    /// Key exchange: one `K_` bit.
    pub kx: u32,
    /// Authentication: one `A_` bit.
    pub auth: u32,
    /// Encryption: one `E_` bit.
    pub enc: u32,
    /// MAC: one `M_` bit.
    pub mac: u32,
    /// The oldest protocol version.
    pub min: MinVersion,
    /// `S_NOT_DEFAULT` and `S_FIPS`, as the catalogue lists them.
    flags: u32,
}

impl Suite {
    /// The security of its encryption in bits, as OpenSSL counts it for `@STRENGTH`.
    pub fn strength_bits(&self) -> u32 {
        match self.enc {
            E_NULL => 0,
            E_3DES => 112,
            E_AES256 | E_AES256GCM | E_AES256CCM | E_AES256CCM8 | E_CAMELLIA256 | E_CHACHA20
            | E_ARIA256GCM => 256,
            _ => 128,
        }
    }

    /// The strength class with the FIPS bit (`S_` bits within [`S_MASK`]).
    pub fn strength(&self) -> u32 {
        let class = match self.enc {
            E_NULL => S_NONE,
            E_3DES | E_RC4 => S_MEDIUM,
            _ => S_HIGH,
        };
        class | (self.flags & S_FIPS)
    }

    /// `S_NOT_DEFAULT` if OpenSSL's `DEFAULT` leaves the suite out, else 0.
    pub fn not_default(&self) -> u32 {
        self.flags & S_NOT_DEFAULT
    }
}

/// Another spelling OpenSSL accepts for a suite: (the other name, the catalogue's name).
pub(crate) const OTHER_NAMES: &[(&str, &str)] = &[
    ("EDH-RSA-DES-CBC3-SHA", "DHE-RSA-DES-CBC3-SHA"),
    ("EDH-DSS-DES-CBC3-SHA", "DHE-DSS-DES-CBC3-SHA"),
];

/// The suite with OpenSSL name `name` (exactly as written, as OpenSSL reads it).
pub(crate) fn by_openssl_name(name: &str) -> Option<&'static Suite> {
    let name = OTHER_NAMES
        .iter()
        .find(|(other, _)| *other == name)
        .map_or(name, |(_, n)| *n);
    SUITES.iter().find(|s| s.name == name)
}

/// The suite called `name` by its OpenSSL or IANA name, in any case.
pub(crate) fn by_any_name(name: &str) -> Option<&'static Suite> {
    let name = OTHER_NAMES
        .iter()
        .find(|(other, _)| other.eq_ignore_ascii_case(name))
        .map_or(name, |(_, n)| *n);
    SUITES
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(name) || s.iana.eq_ignore_ascii_case(name))
}

/// The suite with IANA number `id`.
pub(crate) fn by_id(id: u16) -> Option<&'static Suite> {
    SUITES.iter().find(|s| s.id == id)
}

// Short names for the table's columns.
const RSA: u32 = K_RSA;
const DHE: u32 = K_DHE;
const ECDHE: u32 = K_ECDHE;
const PSK: u32 = K_PSK;
const RSAPSK: u32 = K_RSAPSK;
const ECDHEPSK: u32 = K_ECDHEPSK;
const DHEPSK: u32 = K_DHEPSK;
const SRP: u32 = K_SRP;
const ARSA: u32 = A_RSA;
const DSS: u32 = A_DSS;
const ANON: u32 = A_ANON;
const ECDSA: u32 = A_ECDSA;
const APSK: u32 = A_PSK;
const ASRP: u32 = A_SRP;
const TDES: u32 = E_3DES;
const RC4: u32 = E_RC4;
const NULL: u32 = E_NULL;
const AES128: u32 = E_AES128;
const AES256: u32 = E_AES256;
const AES128GCM: u32 = E_AES128GCM;
const AES256GCM: u32 = E_AES256GCM;
const AES128CCM: u32 = E_AES128CCM;
const AES256CCM: u32 = E_AES256CCM;
const AES128CCM8: u32 = E_AES128CCM8;
const AES256CCM8: u32 = E_AES256CCM8;
const CAMELLIA128: u32 = E_CAMELLIA128;
const CAMELLIA256: u32 = E_CAMELLIA256;
const CHACHA20: u32 = E_CHACHA20;
const ARIA128GCM: u32 = E_ARIA128GCM;
const ARIA256GCM: u32 = E_ARIA256GCM;
const MD5: u32 = M_MD5;
const SHA1: u32 = M_SHA1;
const SHA256: u32 = M_SHA256;
const SHA384: u32 = M_SHA384;
const AEAD: u32 = M_AEAD;
const SSL3: MinVersion = MinVersion::Ssl3;
const V10: MinVersion = MinVersion::Tls1;
const V12: MinVersion = MinVersion::Tls12;
const ND: u32 = S_NOT_DEFAULT;
const FIPS: u32 = S_FIPS;

/// Builds the table from rows of `id name iana kx auth enc mac min flags;`.
macro_rules! catalogue {
    ($($id:literal $name:literal $iana:literal $kx:ident $auth:ident $enc:ident $mac:ident $min:ident $flags:expr;)*) => {
        &[$(Suite { id: $id, name: $name, iana: $iana, kx: $kx, auth: $auth, enc: $enc, mac: $mac, min: $min, flags: $flags }),*]
    };
}

/// Every suite, in OpenSSL's default order of preference.
#[rustfmt::skip]
pub(crate) const SUITES: &[Suite] = catalogue! {
    0xC02C "ECDHE-ECDSA-AES256-GCM-SHA384"   "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"       ECDHE    ECDSA AES256GCM   AEAD   V12  FIPS;
    0xC030 "ECDHE-RSA-AES256-GCM-SHA384"     "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"         ECDHE    ARSA    AES256GCM   AEAD   V12  FIPS;
    0x00A3 "DHE-DSS-AES256-GCM-SHA384"       "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"           DHE      DSS     AES256GCM   AEAD   V12  ND | FIPS;
    0x009F "DHE-RSA-AES256-GCM-SHA384"       "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"           DHE      ARSA    AES256GCM   AEAD   V12  FIPS;
    0xCCA9 "ECDHE-ECDSA-CHACHA20-POLY1305"   "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" ECDHE    ECDSA CHACHA20    AEAD   V12  0;
    0xCCA8 "ECDHE-RSA-CHACHA20-POLY1305"     "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"   ECDHE    ARSA    CHACHA20    AEAD   V12  0;
    0xCCAA "DHE-RSA-CHACHA20-POLY1305"       "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"     DHE      ARSA    CHACHA20    AEAD   V12  0;
    0xC0AF "ECDHE-ECDSA-AES256-CCM8"         "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8"            ECDHE    ECDSA AES256CCM8  AEAD   V12  ND;
    0xC0AD "ECDHE-ECDSA-AES256-CCM"          "TLS_ECDHE_ECDSA_WITH_AES_256_CCM"              ECDHE    ECDSA AES256CCM   AEAD   V12  ND;
    0xC0A3 "DHE-RSA-AES256-CCM8"             "TLS_DHE_RSA_WITH_AES_256_CCM_8"                DHE      ARSA    AES256CCM8  AEAD   V12  ND;
    0xC09F "DHE-RSA-AES256-CCM"              "TLS_DHE_RSA_WITH_AES_256_CCM"                  DHE      ARSA    AES256CCM   AEAD   V12  ND;
    0xC05D "ECDHE-ECDSA-ARIA256-GCM-SHA384"  "TLS_ECDHE_ECDSA_WITH_ARIA_256_GCM_SHA384"      ECDHE    ECDSA ARIA256GCM  AEAD   V12  ND;
    0xC061 "ECDHE-ARIA256-GCM-SHA384"        "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384"        ECDHE    ARSA    ARIA256GCM  AEAD   V12  ND;
    0xC057 "DHE-DSS-ARIA256-GCM-SHA384"      "TLS_DHE_DSS_WITH_ARIA_256_GCM_SHA384"          DHE      DSS     ARIA256GCM  AEAD   V12  ND;
    0xC053 "DHE-RSA-ARIA256-GCM-SHA384"      "TLS_DHE_RSA_WITH_ARIA_256_GCM_SHA384"          DHE      ARSA    ARIA256GCM  AEAD   V12  ND;
    0x00A7 "ADH-AES256-GCM-SHA384"           "TLS_DH_anon_WITH_AES_256_GCM_SHA384"           DHE      ANON   AES256GCM   AEAD   V12  ND | FIPS;
    0xC02B "ECDHE-ECDSA-AES128-GCM-SHA256"   "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"       ECDHE    ECDSA AES128GCM   AEAD   V12  FIPS;
    0xC02F "ECDHE-RSA-AES128-GCM-SHA256"     "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"         ECDHE    ARSA    AES128GCM   AEAD   V12  FIPS;
    0x00A2 "DHE-DSS-AES128-GCM-SHA256"       "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"           DHE      DSS     AES128GCM   AEAD   V12  ND | FIPS;
    0x009E "DHE-RSA-AES128-GCM-SHA256"       "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"           DHE      ARSA    AES128GCM   AEAD   V12  FIPS;
    0xC0AE "ECDHE-ECDSA-AES128-CCM8"         "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8"            ECDHE    ECDSA AES128CCM8  AEAD   V12  ND;
    0xC0AC "ECDHE-ECDSA-AES128-CCM"          "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"              ECDHE    ECDSA AES128CCM   AEAD   V12  ND;
    0xC0A2 "DHE-RSA-AES128-CCM8"             "TLS_DHE_RSA_WITH_AES_128_CCM_8"                DHE      ARSA    AES128CCM8  AEAD   V12  ND;
    0xC09E "DHE-RSA-AES128-CCM"              "TLS_DHE_RSA_WITH_AES_128_CCM"                  DHE      ARSA    AES128CCM   AEAD   V12  ND;
    0xC05C "ECDHE-ECDSA-ARIA128-GCM-SHA256"  "TLS_ECDHE_ECDSA_WITH_ARIA_128_GCM_SHA256"      ECDHE    ECDSA ARIA128GCM  AEAD   V12  ND;
    0xC060 "ECDHE-ARIA128-GCM-SHA256"        "TLS_ECDHE_RSA_WITH_ARIA_128_GCM_SHA256"        ECDHE    ARSA    ARIA128GCM  AEAD   V12  ND;
    0xC056 "DHE-DSS-ARIA128-GCM-SHA256"      "TLS_DHE_DSS_WITH_ARIA_128_GCM_SHA256"          DHE      DSS     ARIA128GCM  AEAD   V12  ND;
    0xC052 "DHE-RSA-ARIA128-GCM-SHA256"      "TLS_DHE_RSA_WITH_ARIA_128_GCM_SHA256"          DHE      ARSA    ARIA128GCM  AEAD   V12  ND;
    0x00A6 "ADH-AES128-GCM-SHA256"           "TLS_DH_anon_WITH_AES_128_GCM_SHA256"           DHE      ANON   AES128GCM   AEAD   V12  ND | FIPS;
    0xC024 "ECDHE-ECDSA-AES256-SHA384"       "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"       ECDHE    ECDSA AES256      SHA384 V12  FIPS;
    0xC028 "ECDHE-RSA-AES256-SHA384"         "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"         ECDHE    ARSA    AES256      SHA384 V12  FIPS;
    0x006B "DHE-RSA-AES256-SHA256"           "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"           DHE      ARSA    AES256      SHA256 V12  FIPS;
    0x006A "DHE-DSS-AES256-SHA256"           "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256"           DHE      DSS     AES256      SHA256 V12  ND | FIPS;
    0xC073 "ECDHE-ECDSA-CAMELLIA256-SHA384"  "TLS_ECDHE_ECDSA_WITH_CAMELLIA_256_CBC_SHA384"  ECDHE    ECDSA CAMELLIA256 SHA384 V12  ND;
    0xC077 "ECDHE-RSA-CAMELLIA256-SHA384"    "TLS_ECDHE_RSA_WITH_CAMELLIA_256_CBC_SHA384"    ECDHE    ARSA    CAMELLIA256 SHA384 V12  ND;
    0x00C4 "DHE-RSA-CAMELLIA256-SHA256"      "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256"      DHE      ARSA    CAMELLIA256 SHA256 V12  ND;
    0x00C3 "DHE-DSS-CAMELLIA256-SHA256"      "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA256"      DHE      DSS     CAMELLIA256 SHA256 V12  ND;
    0x006D "ADH-AES256-SHA256"               "TLS_DH_anon_WITH_AES_256_CBC_SHA256"           DHE      ANON   AES256      SHA256 V12  ND | FIPS;
    0x00C5 "ADH-CAMELLIA256-SHA256"          "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256"      DHE      ANON   CAMELLIA256 SHA256 V12  ND;
    0xC023 "ECDHE-ECDSA-AES128-SHA256"       "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"       ECDHE    ECDSA AES128      SHA256 V12  FIPS;
    0xC027 "ECDHE-RSA-AES128-SHA256"         "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"         ECDHE    ARSA    AES128      SHA256 V12  FIPS;
    0x0067 "DHE-RSA-AES128-SHA256"           "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"           DHE      ARSA    AES128      SHA256 V12  FIPS;
    0x0040 "DHE-DSS-AES128-SHA256"           "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256"           DHE      DSS     AES128      SHA256 V12  ND | FIPS;
    0xC072 "ECDHE-ECDSA-CAMELLIA128-SHA256"  "TLS_ECDHE_ECDSA_WITH_CAMELLIA_128_CBC_SHA256"  ECDHE    ECDSA CAMELLIA128 SHA256 V12  ND;
    0xC076 "ECDHE-RSA-CAMELLIA128-SHA256"    "TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"    ECDHE    ARSA    CAMELLIA128 SHA256 V12  ND;
    0x00BE "DHE-RSA-CAMELLIA128-SHA256"      "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA256"      DHE      ARSA    CAMELLIA128 SHA256 V12  ND;
    0x00BD "DHE-DSS-CAMELLIA128-SHA256"      "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA256"      DHE      DSS     CAMELLIA128 SHA256 V12  ND;
    0x006C "ADH-AES128-SHA256"               "TLS_DH_anon_WITH_AES_128_CBC_SHA256"           DHE      ANON   AES128      SHA256 V12  ND | FIPS;
    0x00BF "ADH-CAMELLIA128-SHA256"          "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256"      DHE      ANON   CAMELLIA128 SHA256 V12  ND;
    0xC00A "ECDHE-ECDSA-AES256-SHA"          "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"          ECDHE    ECDSA AES256      SHA1   V10  FIPS;
    0xC014 "ECDHE-RSA-AES256-SHA"            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"            ECDHE    ARSA    AES256      SHA1   V10  FIPS;
    0x0039 "DHE-RSA-AES256-SHA"              "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"              DHE      ARSA    AES256      SHA1   SSL3 FIPS;
    0x0038 "DHE-DSS-AES256-SHA"              "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"              DHE      DSS     AES256      SHA1   SSL3 ND | FIPS;
    0x0088 "DHE-RSA-CAMELLIA256-SHA"         "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"         DHE      ARSA    CAMELLIA256 SHA1   SSL3 ND;
    0x0087 "DHE-DSS-CAMELLIA256-SHA"         "TLS_DHE_DSS_WITH_CAMELLIA_256_CBC_SHA"         DHE      DSS     CAMELLIA256 SHA1   SSL3 ND;
    0xC019 "AECDH-AES256-SHA"                "TLS_ECDH_anon_WITH_AES_256_CBC_SHA"            ECDHE    ANON   AES256      SHA1   V10  ND | FIPS;
    0x003A "ADH-AES256-SHA"                  "TLS_DH_anon_WITH_AES_256_CBC_SHA"              DHE      ANON   AES256      SHA1   SSL3 ND | FIPS;
    0x0089 "ADH-CAMELLIA256-SHA"             "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA"         DHE      ANON   CAMELLIA256 SHA1   SSL3 ND;
    0xC009 "ECDHE-ECDSA-AES128-SHA"          "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"          ECDHE    ECDSA AES128      SHA1   V10  FIPS;
    0xC013 "ECDHE-RSA-AES128-SHA"            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"            ECDHE    ARSA    AES128      SHA1   V10  FIPS;
    0x0033 "DHE-RSA-AES128-SHA"              "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"              DHE      ARSA    AES128      SHA1   SSL3 FIPS;
    0x0032 "DHE-DSS-AES128-SHA"              "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"              DHE      DSS     AES128      SHA1   SSL3 ND | FIPS;
    0x0045 "DHE-RSA-CAMELLIA128-SHA"         "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"         DHE      ARSA    CAMELLIA128 SHA1   SSL3 ND;
    0x0044 "DHE-DSS-CAMELLIA128-SHA"         "TLS_DHE_DSS_WITH_CAMELLIA_128_CBC_SHA"         DHE      DSS     CAMELLIA128 SHA1   SSL3 ND;
    0xC018 "AECDH-AES128-SHA"                "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"            ECDHE    ANON   AES128      SHA1   V10  ND | FIPS;
    0x0034 "ADH-AES128-SHA"                  "TLS_DH_anon_WITH_AES_128_CBC_SHA"              DHE      ANON   AES128      SHA1   SSL3 ND | FIPS;
    0x0046 "ADH-CAMELLIA128-SHA"             "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA"         DHE      ANON   CAMELLIA128 SHA1   SSL3 ND;
    0xC007 "ECDHE-ECDSA-RC4-SHA"             "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"              ECDHE    ECDSA RC4         SHA1   V10  ND;
    0xC011 "ECDHE-RSA-RC4-SHA"               "TLS_ECDHE_RSA_WITH_RC4_128_SHA"                ECDHE    ARSA    RC4         SHA1   V10  ND;
    0xC016 "AECDH-RC4-SHA"                   "TLS_ECDH_anon_WITH_RC4_128_SHA"                ECDHE    ANON   RC4         SHA1   V10  ND;
    0x0018 "ADH-RC4-MD5"                     "TLS_DH_anon_WITH_RC4_128_MD5"                  DHE      ANON   RC4         MD5    SSL3 ND;
    0xC008 "ECDHE-ECDSA-DES-CBC3-SHA"        "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"         ECDHE    ECDSA TDES        SHA1   V10  ND | FIPS;
    0xC012 "ECDHE-RSA-DES-CBC3-SHA"          "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"           ECDHE    ARSA    TDES        SHA1   V10  ND | FIPS;
    0x0016 "DHE-RSA-DES-CBC3-SHA"            "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"             DHE      ARSA    TDES        SHA1   SSL3 ND | FIPS;
    0x0013 "DHE-DSS-DES-CBC3-SHA"            "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA"             DHE      DSS     TDES        SHA1   SSL3 ND | FIPS;
    0xC017 "AECDH-DES-CBC3-SHA"              "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA"           ECDHE    ANON   TDES        SHA1   V10  ND | FIPS;
    0x001B "ADH-DES-CBC3-SHA"                "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA"             DHE      ANON   TDES        SHA1   SSL3 ND | FIPS;
    0xC006 "ECDHE-ECDSA-NULL-SHA"            "TLS_ECDHE_ECDSA_WITH_NULL_SHA"                 ECDHE    ECDSA NULL        SHA1   V10  0;
    0xC010 "ECDHE-RSA-NULL-SHA"              "TLS_ECDHE_RSA_WITH_NULL_SHA"                   ECDHE    ARSA    NULL        SHA1   V10  0;
    0xC015 "AECDH-NULL-SHA"                  "TLS_ECDH_anon_WITH_NULL_SHA"                   ECDHE    ANON   NULL        SHA1   V10  0;
    0x00AD "RSA-PSK-AES256-GCM-SHA384"       "TLS_RSA_PSK_WITH_AES_256_GCM_SHA384"           RSAPSK   ARSA    AES256GCM   AEAD   V12  FIPS;
    0x00AB "DHE-PSK-AES256-GCM-SHA384"       "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384"           DHEPSK   APSK    AES256GCM   AEAD   V12  FIPS;
    0xCCAE "RSA-PSK-CHACHA20-POLY1305"       "TLS_RSA_PSK_WITH_CHACHA20_POLY1305_SHA256"     RSAPSK   ARSA    CHACHA20    AEAD   V12  0;
    0xCCAD "DHE-PSK-CHACHA20-POLY1305"       "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256"     DHEPSK   APSK    CHACHA20    AEAD   V12  0;
    0xCCAC "ECDHE-PSK-CHACHA20-POLY1305"     "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256"   ECDHEPSK APSK    CHACHA20    AEAD   V12  0;
    0xC0AB "DHE-PSK-AES256-CCM8"             "TLS_PSK_DHE_WITH_AES_256_CCM_8"                DHEPSK   APSK    AES256CCM8  AEAD   V12  ND;
    0xC0A7 "DHE-PSK-AES256-CCM"              "TLS_DHE_PSK_WITH_AES_256_CCM"                  DHEPSK   APSK    AES256CCM   AEAD   V12  ND;
    0xC06F "RSA-PSK-ARIA256-GCM-SHA384"      "TLS_RSA_PSK_WITH_ARIA_256_GCM_SHA384"          RSAPSK   ARSA    ARIA256GCM  AEAD   V12  ND;
    0xC06D "DHE-PSK-ARIA256-GCM-SHA384"      "TLS_DHE_PSK_WITH_ARIA_256_GCM_SHA384"          DHEPSK   APSK    ARIA256GCM  AEAD   V12  ND;
    0x009D "AES256-GCM-SHA384"               "TLS_RSA_WITH_AES_256_GCM_SHA384"               RSA      ARSA    AES256GCM   AEAD   V12  FIPS;
    0xC0A1 "AES256-CCM8"                     "TLS_RSA_WITH_AES_256_CCM_8"                    RSA      ARSA    AES256CCM8  AEAD   V12  ND;
    0xC09D "AES256-CCM"                      "TLS_RSA_WITH_AES_256_CCM"                      RSA      ARSA    AES256CCM   AEAD   V12  ND;
    0xC051 "ARIA256-GCM-SHA384"              "TLS_RSA_WITH_ARIA_256_GCM_SHA384"              RSA      ARSA    ARIA256GCM  AEAD   V12  ND;
    0x00A9 "PSK-AES256-GCM-SHA384"           "TLS_PSK_WITH_AES_256_GCM_SHA384"               PSK      APSK    AES256GCM   AEAD   V12  FIPS;
    0xCCAB "PSK-CHACHA20-POLY1305"           "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256"         PSK      APSK    CHACHA20    AEAD   V12  0;
    0xC0A9 "PSK-AES256-CCM8"                 "TLS_PSK_WITH_AES_256_CCM_8"                    PSK      APSK    AES256CCM8  AEAD   V12  ND;
    0xC0A5 "PSK-AES256-CCM"                  "TLS_PSK_WITH_AES_256_CCM"                      PSK      APSK    AES256CCM   AEAD   V12  ND;
    0xC06B "PSK-ARIA256-GCM-SHA384"          "TLS_PSK_WITH_ARIA_256_GCM_SHA384"              PSK      APSK    ARIA256GCM  AEAD   V12  ND;
    0x00AC "RSA-PSK-AES128-GCM-SHA256"       "TLS_RSA_PSK_WITH_AES_128_GCM_SHA256"           RSAPSK   ARSA    AES128GCM   AEAD   V12  FIPS;
    0x00AA "DHE-PSK-AES128-GCM-SHA256"       "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256"           DHEPSK   APSK    AES128GCM   AEAD   V12  FIPS;
    0xC0AA "DHE-PSK-AES128-CCM8"             "TLS_PSK_DHE_WITH_AES_128_CCM_8"                DHEPSK   APSK    AES128CCM8  AEAD   V12  ND;
    0xC0A6 "DHE-PSK-AES128-CCM"              "TLS_DHE_PSK_WITH_AES_128_CCM"                  DHEPSK   APSK    AES128CCM   AEAD   V12  ND;
    0xC06E "RSA-PSK-ARIA128-GCM-SHA256"      "TLS_RSA_PSK_WITH_ARIA_128_GCM_SHA256"          RSAPSK   ARSA    ARIA128GCM  AEAD   V12  ND;
    0xC06C "DHE-PSK-ARIA128-GCM-SHA256"      "TLS_DHE_PSK_WITH_ARIA_128_GCM_SHA256"          DHEPSK   APSK    ARIA128GCM  AEAD   V12  ND;
    0x009C "AES128-GCM-SHA256"               "TLS_RSA_WITH_AES_128_GCM_SHA256"               RSA      ARSA    AES128GCM   AEAD   V12  FIPS;
    0xC0A0 "AES128-CCM8"                     "TLS_RSA_WITH_AES_128_CCM_8"                    RSA      ARSA    AES128CCM8  AEAD   V12  ND;
    0xC09C "AES128-CCM"                      "TLS_RSA_WITH_AES_128_CCM"                      RSA      ARSA    AES128CCM   AEAD   V12  ND;
    0xC050 "ARIA128-GCM-SHA256"              "TLS_RSA_WITH_ARIA_128_GCM_SHA256"              RSA      ARSA    ARIA128GCM  AEAD   V12  ND;
    0x00A8 "PSK-AES128-GCM-SHA256"           "TLS_PSK_WITH_AES_128_GCM_SHA256"               PSK      APSK    AES128GCM   AEAD   V12  FIPS;
    0xC0A8 "PSK-AES128-CCM8"                 "TLS_PSK_WITH_AES_128_CCM_8"                    PSK      APSK    AES128CCM8  AEAD   V12  ND;
    0xC0A4 "PSK-AES128-CCM"                  "TLS_PSK_WITH_AES_128_CCM"                      PSK      APSK    AES128CCM   AEAD   V12  ND;
    0xC06A "PSK-ARIA128-GCM-SHA256"          "TLS_PSK_WITH_ARIA_128_GCM_SHA256"              PSK      APSK    ARIA128GCM  AEAD   V12  ND;
    0x003D "AES256-SHA256"                   "TLS_RSA_WITH_AES_256_CBC_SHA256"               RSA      ARSA    AES256      SHA256 V12  FIPS;
    0x00C0 "CAMELLIA256-SHA256"              "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA256"          RSA      ARSA    CAMELLIA256 SHA256 V12  ND;
    0x003C "AES128-SHA256"                   "TLS_RSA_WITH_AES_128_CBC_SHA256"               RSA      ARSA    AES128      SHA256 V12  FIPS;
    0x00BA "CAMELLIA128-SHA256"              "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA256"          RSA      ARSA    CAMELLIA128 SHA256 V12  ND;
    0x003B "NULL-SHA256"                     "TLS_RSA_WITH_NULL_SHA256"                      RSA      ARSA    NULL        SHA256 V12  0;
    0xC038 "ECDHE-PSK-AES256-CBC-SHA384"     "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA384"         ECDHEPSK APSK    AES256      SHA384 V10  FIPS;
    0xC036 "ECDHE-PSK-AES256-CBC-SHA"        "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA"            ECDHEPSK APSK    AES256      SHA1   V10  FIPS;
    0xC022 "SRP-DSS-AES-256-CBC-SHA"         "TLS_SRP_SHA_DSS_WITH_AES_256_CBC_SHA"          SRP      DSS     AES256      SHA1   SSL3 ND;
    0xC021 "SRP-RSA-AES-256-CBC-SHA"         "TLS_SRP_SHA_RSA_WITH_AES_256_CBC_SHA"          SRP      ARSA    AES256      SHA1   SSL3 0;
    0xC020 "SRP-AES-256-CBC-SHA"             "TLS_SRP_SHA_WITH_AES_256_CBC_SHA"              SRP      ASRP    AES256      SHA1   SSL3 0;
    0x00B7 "RSA-PSK-AES256-CBC-SHA384"       "TLS_RSA_PSK_WITH_AES_256_CBC_SHA384"           RSAPSK   ARSA    AES256      SHA384 V10  FIPS;
    0x00B3 "DHE-PSK-AES256-CBC-SHA384"       "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384"           DHEPSK   APSK    AES256      SHA384 V10  FIPS;
    0x0095 "RSA-PSK-AES256-CBC-SHA"          "TLS_RSA_PSK_WITH_AES_256_CBC_SHA"              RSAPSK   ARSA    AES256      SHA1   SSL3 FIPS;
    0x0091 "DHE-PSK-AES256-CBC-SHA"          "TLS_DHE_PSK_WITH_AES_256_CBC_SHA"              DHEPSK   APSK    AES256      SHA1   SSL3 FIPS;
    0xC09B "ECDHE-PSK-CAMELLIA256-SHA384"    "TLS_ECDHE_PSK_WITH_CAMELLIA_256_CBC_SHA384"    ECDHEPSK APSK    CAMELLIA256 SHA384 V10  ND;
    0xC099 "RSA-PSK-CAMELLIA256-SHA384"      "TLS_RSA_PSK_WITH_CAMELLIA_256_CBC_SHA384"      RSAPSK   ARSA    CAMELLIA256 SHA384 V10  ND;
    0xC097 "DHE-PSK-CAMELLIA256-SHA384"      "TLS_DHE_PSK_WITH_CAMELLIA_256_CBC_SHA384"      DHEPSK   APSK    CAMELLIA256 SHA384 V10  ND;
    0x0035 "AES256-SHA"                      "TLS_RSA_WITH_AES_256_CBC_SHA"                  RSA      ARSA    AES256      SHA1   SSL3 FIPS;
    0x0084 "CAMELLIA256-SHA"                 "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"             RSA      ARSA    CAMELLIA256 SHA1   SSL3 ND;
    0x00AF "PSK-AES256-CBC-SHA384"           "TLS_PSK_WITH_AES_256_CBC_SHA384"               PSK      APSK    AES256      SHA384 V10  FIPS;
    0x008D "PSK-AES256-CBC-SHA"              "TLS_PSK_WITH_AES_256_CBC_SHA"                  PSK      APSK    AES256      SHA1   SSL3 FIPS;
    0xC095 "PSK-CAMELLIA256-SHA384"          "TLS_PSK_WITH_CAMELLIA_256_CBC_SHA384"          PSK      APSK    CAMELLIA256 SHA384 V10  ND;
    0xC037 "ECDHE-PSK-AES128-CBC-SHA256"     "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256"         ECDHEPSK APSK    AES128      SHA256 V10  FIPS;
    0xC035 "ECDHE-PSK-AES128-CBC-SHA"        "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA"            ECDHEPSK APSK    AES128      SHA1   V10  FIPS;
    0xC01F "SRP-DSS-AES-128-CBC-SHA"         "TLS_SRP_SHA_DSS_WITH_AES_128_CBC_SHA"          SRP      DSS     AES128      SHA1   SSL3 ND;
    0xC01E "SRP-RSA-AES-128-CBC-SHA"         "TLS_SRP_SHA_RSA_WITH_AES_128_CBC_SHA"          SRP      ARSA    AES128      SHA1   SSL3 0;
    0xC01D "SRP-AES-128-CBC-SHA"             "TLS_SRP_SHA_WITH_AES_128_CBC_SHA"              SRP      ASRP    AES128      SHA1   SSL3 0;
    0x00B6 "RSA-PSK-AES128-CBC-SHA256"       "TLS_RSA_PSK_WITH_AES_128_CBC_SHA256"           RSAPSK   ARSA    AES128      SHA256 V10  FIPS;
    0x00B2 "DHE-PSK-AES128-CBC-SHA256"       "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256"           DHEPSK   APSK    AES128      SHA256 V10  FIPS;
    0x0094 "RSA-PSK-AES128-CBC-SHA"          "TLS_RSA_PSK_WITH_AES_128_CBC_SHA"              RSAPSK   ARSA    AES128      SHA1   SSL3 FIPS;
    0x0090 "DHE-PSK-AES128-CBC-SHA"          "TLS_DHE_PSK_WITH_AES_128_CBC_SHA"              DHEPSK   APSK    AES128      SHA1   SSL3 FIPS;
    0xC09A "ECDHE-PSK-CAMELLIA128-SHA256"    "TLS_ECDHE_PSK_WITH_CAMELLIA_128_CBC_SHA256"    ECDHEPSK APSK    CAMELLIA128 SHA256 V10  ND;
    0xC098 "RSA-PSK-CAMELLIA128-SHA256"      "TLS_RSA_PSK_WITH_CAMELLIA_128_CBC_SHA256"      RSAPSK   ARSA    CAMELLIA128 SHA256 V10  ND;
    0xC096 "DHE-PSK-CAMELLIA128-SHA256"      "TLS_DHE_PSK_WITH_CAMELLIA_128_CBC_SHA256"      DHEPSK   APSK    CAMELLIA128 SHA256 V10  ND;
    0x002F "AES128-SHA"                      "TLS_RSA_WITH_AES_128_CBC_SHA"                  RSA      ARSA    AES128      SHA1   SSL3 FIPS;
    0x0041 "CAMELLIA128-SHA"                 "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"             RSA      ARSA    CAMELLIA128 SHA1   SSL3 ND;
    0x00AE "PSK-AES128-CBC-SHA256"           "TLS_PSK_WITH_AES_128_CBC_SHA256"               PSK      APSK    AES128      SHA256 V10  FIPS;
    0x008C "PSK-AES128-CBC-SHA"              "TLS_PSK_WITH_AES_128_CBC_SHA"                  PSK      APSK    AES128      SHA1   SSL3 FIPS;
    0xC094 "PSK-CAMELLIA128-SHA256"          "TLS_PSK_WITH_CAMELLIA_128_CBC_SHA256"          PSK      APSK    CAMELLIA128 SHA256 V10  ND;
    0x0005 "RC4-SHA"                         "TLS_RSA_WITH_RC4_128_SHA"                      RSA      ARSA    RC4         SHA1   SSL3 ND;
    0x0004 "RC4-MD5"                         "TLS_RSA_WITH_RC4_128_MD5"                      RSA      ARSA    RC4         MD5    SSL3 ND;
    0x000A "DES-CBC3-SHA"                    "TLS_RSA_WITH_3DES_EDE_CBC_SHA"                 RSA      ARSA    TDES        SHA1   SSL3 ND | FIPS;
    0xC03B "ECDHE-PSK-NULL-SHA384"           "TLS_ECDHE_PSK_WITH_NULL_SHA384"                ECDHEPSK APSK    NULL        SHA384 V10  0;
    0xC03A "ECDHE-PSK-NULL-SHA256"           "TLS_ECDHE_PSK_WITH_NULL_SHA256"                ECDHEPSK APSK    NULL        SHA256 V10  0;
    0xC039 "ECDHE-PSK-NULL-SHA"              "TLS_ECDHE_PSK_WITH_NULL_SHA"                   ECDHEPSK APSK    NULL        SHA1   V10  0;
    0x00B9 "RSA-PSK-NULL-SHA384"             "TLS_RSA_PSK_WITH_NULL_SHA384"                  RSAPSK   ARSA    NULL        SHA384 V10  0;
    0x00B8 "RSA-PSK-NULL-SHA256"             "TLS_RSA_PSK_WITH_NULL_SHA256"                  RSAPSK   ARSA    NULL        SHA256 V10  0;
    0x00B5 "DHE-PSK-NULL-SHA384"             "TLS_DHE_PSK_WITH_NULL_SHA384"                  DHEPSK   APSK    NULL        SHA384 V10  0;
    0x00B4 "DHE-PSK-NULL-SHA256"             "TLS_DHE_PSK_WITH_NULL_SHA256"                  DHEPSK   APSK    NULL        SHA256 V10  0;
    0x002E "RSA-PSK-NULL-SHA"                "TLS_RSA_PSK_WITH_NULL_SHA"                     RSAPSK   ARSA    NULL        SHA1   SSL3 0;
    0x002D "DHE-PSK-NULL-SHA"                "TLS_DHE_PSK_WITH_NULL_SHA"                     DHEPSK   APSK    NULL        SHA1   SSL3 0;
    0x0002 "NULL-SHA"                        "TLS_RSA_WITH_NULL_SHA"                         RSA      ARSA    NULL        SHA1   SSL3 0;
    0x0001 "NULL-MD5"                        "TLS_RSA_WITH_NULL_MD5"                         RSA      ARSA    NULL        MD5    SSL3 0;
    0x00B1 "PSK-NULL-SHA384"                 "TLS_PSK_WITH_NULL_SHA384"                      PSK      APSK    NULL        SHA384 V10  0;
    0x00B0 "PSK-NULL-SHA256"                 "TLS_PSK_WITH_NULL_SHA256"                      PSK      APSK    NULL        SHA256 V10  0;
    0x002C "PSK-NULL-SHA"                    "TLS_PSK_WITH_NULL_SHA"                         PSK      APSK    NULL        SHA1   SSL3 0;
};
