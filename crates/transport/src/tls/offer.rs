//! What a TLS block offers clients: its suites in order, where the TLS 1.3 ones come from, and
//! the suites its setting chose that are skipped, with why. `crossway check` prints it and the
//! TLS report starts from it.

use std::fmt;

/// The suites one TLS block offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CipherOffer {
    /// The TLS 1.3 suites, in order of preference; empty when TLS 1.3 is not offered.
    pub tls13: Vec<OfferedSuite>,
    /// The TLS 1.2 suites, in order of preference; empty when TLS 1.2 is not offered.
    pub tls12: Vec<OfferedSuite>,
    /// Where the TLS 1.3 suites come from.
    pub tls13_from: Tls13Source,
    /// Whether the server's order decides (a `ciphers` setting) or the client's (no setting).
    pub server_order: bool,
    /// Suites the setting chose that are not offered, each with why, in the setting's order.
    pub skipped: Vec<SkippedSuite>,
    /// The `@SECLEVEL=n` of a cipher string, if any.
    pub seclevel: Option<u8>,
}

/// One suite offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferedSuite {
    /// The IANA number.
    pub id: u16,
    /// The name rustls gives it (`TLS13_AES_128_GCM_SHA256`,
    /// `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
    pub name: &'static str,
    /// OpenSSL's name (`TLS_AES_128_GCM_SHA256`, `ECDHE-RSA-AES128-GCM-SHA256`).
    pub openssl: &'static str,
}

/// Where a TLS block's TLS 1.3 suites come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls13Source {
    /// No `ciphers` setting: every TLS 1.3 suite.
    Default,
    /// A cipher string that names none: every TLS 1.3 suite, as OpenSSL keeps them.
    NotChosenByString,
    /// The setting names them.
    Named,
    /// A list that names none: TLS 1.3 is not offered.
    NoneNamed,
}

/// A suite the setting chose that is not offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedSuite {
    /// Its OpenSSL name.
    pub name: &'static str,
    /// Why, shortest first ("DHE key exchange", "CBC mode", ...).
    pub reasons: Vec<&'static str>,
}

impl CipherOffer {
    /// Every suite offered, TLS 1.3 first.
    pub fn all(&self) -> impl Iterator<Item = &OfferedSuite> {
        self.tls13.iter().chain(&self.tls12)
    }
}

impl fmt::Display for CipherOffer {
    /// Several lines, each indented by two spaces: the TLS 1.3 suites, then the TLS 1.2 ones.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let order = if self.server_order {
            "the server's order"
        } else {
            "the client's order (no ciphers setting)"
        };
        match (self.tls13.is_empty(), self.tls13_from) {
            (true, _) => writeln!(f, "  TLS 1.3: not offered")?,
            (false, from) => {
                let why = match from {
                    Tls13Source::NotChosenByString => {
                        " (a cipher string does not choose TLS 1.3 suites: OpenSSL keeps them apart; name TLS_AES_... suites in it to choose)"
                    }
                    _ => "",
                };
                writeln!(f, "  TLS 1.3{why}:")?;
                for s in &self.tls13 {
                    writeln!(f, "    {}", s.name)?;
                }
            }
        }
        if self.tls12.is_empty() {
            writeln!(f, "  TLS 1.2: not offered")?;
        } else {
            writeln!(f, "  TLS 1.2:")?;
            for s in &self.tls12 {
                writeln!(f, "    {} ({})", s.name, s.openssl)?;
            }
        }
        writeln!(f, "  preference: {order}")
    }
}
