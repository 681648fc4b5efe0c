//! Common clients' TLS capabilities, for the handshake simulation: the protocol versions each
//! enables by default and, of the suites it offers, the ones rustls can also speak (TLS 1.3,
//! and ECDHE with AES-GCM or ChaCha20-Poly1305 for TLS 1.2), in the client's order. Taken from
//! the vendors' documented defaults for each release; what else a client offers (CBC, DHE,
//! static RSA) can never be chosen, so it is left out.

/// TLS_AES_128_GCM_SHA256.
const AES128: u16 = 0x1301;
/// TLS_AES_256_GCM_SHA384.
const AES256: u16 = 0x1302;
/// TLS_CHACHA20_POLY1305_SHA256.
const CHACHA: u16 = 0x1303;
/// ECDHE-ECDSA-AES128-GCM-SHA256.
const EC_AES128: u16 = 0xC02B;
/// ECDHE-ECDSA-AES256-GCM-SHA384.
const EC_AES256: u16 = 0xC02C;
/// ECDHE-RSA-AES128-GCM-SHA256.
const RSA_AES128: u16 = 0xC02F;
/// ECDHE-RSA-AES256-GCM-SHA384.
const RSA_AES256: u16 = 0xC030;
/// ECDHE-RSA-CHACHA20-POLY1305.
const RSA_CHACHA: u16 = 0xCCA8;
/// ECDHE-ECDSA-CHACHA20-POLY1305.
const EC_CHACHA: u16 = 0xCCA9;

/// One client's capabilities.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// Its name (`Android 4.4.2`).
    pub name: &'static str,
    /// The TLS 1.3 suites it offers, in its order; empty: no TLS 1.3.
    pub tls13: &'static [u16],
    /// Whether it speaks TLS 1.2.
    pub tls12: bool,
    /// The TLS 1.2 suites it offers that rustls has, in its order.
    pub tls12_suites: &'static [u16],
    /// What it speaks that Crossway does not, when that is all it has (`TLS 1.0 only`).
    pub note: &'static str,
}

/// The clients the report simulates, oldest first.
pub const PROFILES: &[Profile] = &[
    Profile {
        name: "IE 8 / Windows XP",
        tls13: &[],
        tls12: false,
        tls12_suites: &[],
        note: "TLS 1.0 only",
    },
    Profile {
        name: "Android 4.4.2",
        tls13: &[],
        tls12: true,
        tls12_suites: &[EC_AES128, RSA_AES128, EC_AES256, RSA_AES256],
        note: "",
    },
    Profile {
        name: "IE 11 / Windows 7",
        tls13: &[],
        tls12: true,
        tls12_suites: &[EC_AES256, EC_AES128],
        note: "ECDHE-RSA only with CBC",
    },
    Profile {
        name: "Java 8u161",
        tls13: &[],
        tls12: true,
        tls12_suites: &[EC_AES256, EC_AES128, RSA_AES256, RSA_AES128],
        note: "",
    },
    Profile {
        name: "OpenSSL 1.0.2",
        tls13: &[],
        tls12: true,
        tls12_suites: &[RSA_AES256, EC_AES256, RSA_AES128, EC_AES128],
        note: "",
    },
    Profile {
        name: "Android 7.0",
        tls13: &[],
        tls12: true,
        tls12_suites: &[
            EC_AES128, EC_AES256, EC_CHACHA, RSA_AES128, RSA_AES256, RSA_CHACHA,
        ],
        note: "",
    },
    Profile {
        name: "Safari 12.1 / iOS 12.2",
        tls13: &[AES128, AES256, CHACHA],
        tls12: true,
        tls12_suites: &[
            EC_AES256, EC_AES128, EC_CHACHA, RSA_AES256, RSA_AES128, RSA_CHACHA,
        ],
        note: "",
    },
    Profile {
        name: "Chrome 120 / Windows 10",
        tls13: &[AES128, AES256, CHACHA],
        tls12: true,
        tls12_suites: &[
            EC_AES128, RSA_AES128, EC_AES256, RSA_AES256, EC_CHACHA, RSA_CHACHA,
        ],
        note: "",
    },
    Profile {
        name: "Firefox 120 / Windows 10",
        tls13: &[AES128, CHACHA, AES256],
        tls12: true,
        tls12_suites: &[
            EC_AES128, RSA_AES128, EC_CHACHA, RSA_CHACHA, EC_AES256, RSA_AES256,
        ],
        note: "",
    },
];
