//! The grade of a TLS endpoint, by the rules the README writes down ("TLS report").

use crossway_transport::tls::{CertSummary, CipherOffer, KeyKind};

/// A grade and why it is not better.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grade {
    /// `A`, `A-`, `B` or `F`.
    pub letter: &'static str,
    /// Each rule that lowered it.
    pub reasons: Vec<String>,
}

/// The grade of an endpoint with `offer` and the chain `chain` as sent.
pub fn grade(offer: &CipherOffer, chain: &[CertSummary]) -> Grade {
    let mut f = Vec::new();
    let mut b = Vec::new();
    let mut a_minus = Vec::new();
    if let Some(leaf) = chain.first() {
        if leaf.days_left < 0 {
            f.push("the certificate has expired".to_owned());
        }
        if leaf.not_yet_valid {
            f.push("the certificate is not valid yet".to_owned());
        }
        if let Some(key) = &leaf.key {
            match key.kind {
                KeyKind::Rsa if key.bits < 2048 => {
                    f.push(format!("an RSA key of {} bits (less than 2048)", key.bits))
                }
                KeyKind::Ec(_) if key.bits < 256 => {
                    f.push(format!("an EC key of {} bits (less than 256)", key.bits))
                }
                _ => {}
            }
        }
        if leaf.self_signed {
            b.push("the certificate is self-signed".to_owned());
        }
    }
    if let Some(problem) = chain_problem(chain) {
        b.push(problem);
    }
    if offer.tls13.is_empty() {
        a_minus.push("no TLS 1.3".to_owned());
    }
    let (letter, reasons) = if !f.is_empty() {
        ("F", f)
    } else if !b.is_empty() {
        ("B", b)
    } else if !a_minus.is_empty() {
        ("A-", a_minus)
    } else {
        ("A", Vec::new())
    };
    Grade { letter, reasons }
}

/// Whether the chain as sent is out of order (a certificate not issued by the next one sent).
pub fn chain_problem(chain: &[CertSummary]) -> Option<String> {
    chain.windows(2).enumerate().find_map(|(i, pair)| match pair {
        [a, b] if a.issuer != b.subject => Some(format!(
            "the chain is out of order or has a stray certificate: certificate {} ({}) is issued by {}, but certificate {} is {}",
            i + 1,
            a.subject,
            a.issuer,
            i + 2,
            b.subject
        )),
        _ => None,
    })
}
