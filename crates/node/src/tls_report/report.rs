//! The TLS report (`crossway tls-report`): per TLS endpoint what an SSL server test would say.

use std::fmt::Write as _;

use crossway_transport::tls::{
    CertSummary, ClientAuth, TlsSetting, certificate_summaries, load_server_config,
};

use super::grade::{chain_problem, grade};
use super::offers::not_created_yet;
use super::profiles::PROFILES;
use super::simulate::{Outcome, simulate};
use crate::config::{EndpointSpec, NodeConfig, TlsSpec};

/// The report for every TLS endpoint of `cfg`; a line saying there is none otherwise.
pub fn report(cfg: &NodeConfig) -> String {
    let mut text = String::new();
    for e in &cfg.endpoints {
        if let Some(tls) = &e.tls {
            endpoint(&mut text, e, tls);
        }
    }
    if text.is_empty() {
        text.push_str("no TLS endpoint\n");
    }
    text
}

fn endpoint(out: &mut String, e: &EndpointSpec, tls: &TlsSpec) {
    let s = &tls.settings;
    let _ = writeln!(out, "endpoint {:?} ({})", e.name, e.listen);
    if not_created_yet(tls) {
        let _ = writeln!(
            out,
            "  its certificate does not exist yet (create_if_missing: the node creates it at its first start, or run `crossway certs`); nothing more to report\n"
        );
        return;
    }
    let loaded = match load_server_config(s) {
        Ok(l) => l,
        Err(errors) => {
            let _ = writeln!(
                out,
                "  cannot be loaded ({} problem{}; `crossway check` lists them)\n",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            );
            return;
        }
    };
    let offer = &loaded.offer;
    let chain = certificate_summaries(&s.certificate, TlsSetting::Certificate).unwrap_or_default();
    let g = grade(offer, &chain);
    let _ = write!(out, "  grade: {}", g.letter);
    if g.reasons.is_empty() {
        let _ = writeln!(out);
    } else {
        let _ = writeln!(out, " ({})", g.reasons.join("; "));
    }
    let yes = |on: bool| if on { "yes" } else { "no" };
    let _ = writeln!(
        out,
        "  protocols: TLS 1.3 {}, TLS 1.2 {}, TLS 1.1 no, TLS 1.0 no, SSL 3 no, SSL 2 no",
        yes(!offer.tls13.is_empty()),
        yes(!offer.tls12.is_empty())
    );
    let _ = writeln!(
        out,
        "  cipher suites, in order (all with forward secrecy and AEAD):"
    );
    let _ = write!(out, "{}", indent(&offer.to_string()));
    if !offer.skipped.is_empty() {
        let mut reasons: Vec<&str> = Vec::new();
        for r in offer.skipped.iter().flat_map(|s| s.reasons.iter()) {
            if !reasons.contains(r) {
                reasons.push(r);
            }
        }
        let _ = writeln!(
            out,
            "    skipped: {} suite{} the setting chooses ({}; the warning names each)",
            offer.skipped.len(),
            if offer.skipped.len() == 1 { "" } else { "s" },
            reasons.join(", ")
        );
    }
    if let Some(key) = chain.first().and_then(|c| c.key.as_ref()) {
        let _ = writeln!(out, "  key: {key}");
    }
    chain_lines(out, &chain);
    match s.effective_client_auth() {
        None => {
            let _ = writeln!(out, "  client certificates: not requested");
        }
        Some(mode) => {
            let word = match mode {
                ClientAuth::Required => "required",
                ClientAuth::Optional => "optional",
            };
            let _ = writeln!(out, "  client certificates: {word}; accepted issuers:");
            for (i, file) in s.ca_certificates.iter().enumerate() {
                for ca in
                    certificate_summaries(file, TlsSetting::CaCertificates(i)).unwrap_or_default()
                {
                    let _ = writeln!(
                        out,
                        "    {} ({}, {})",
                        ca.subject,
                        file.display(),
                        expiry(&ca)
                    );
                }
            }
        }
    }
    let _ = writeln!(
        out,
        "  HSTS: not sent (the endpoint serves no HTTP resources)"
    );
    let _ = writeln!(out, "  handshake simulation:");
    for p in PROFILES {
        let what = match simulate(offer, p) {
            Outcome::Connects { version, suite } => format!("{version}  {suite}"),
            Outcome::Fails(why) => format!("fails: {why}"),
        };
        let _ = writeln!(out, "    {:<26}{what}", p.name);
    }
    let _ = writeln!(out);
}

fn chain_lines(out: &mut String, chain: &[CertSummary]) {
    let _ = writeln!(
        out,
        "  chain as sent: {} certificate{}",
        chain.len(),
        if chain.len() == 1 { "" } else { "s" }
    );
    for (i, c) in chain.iter().enumerate() {
        let _ = writeln!(out, "    {}. {} ({})", i + 1, c.subject, expiry(c));
        if !c.names.is_empty() {
            let _ = writeln!(out, "       names: {}", c.names.join(", "));
        }
        let _ = writeln!(out, "       issued by: {}", c.issuer);
    }
    let order = match chain_problem(chain) {
        Some(p) => p,
        None => "in order".to_owned(),
    };
    let _ = writeln!(out, "    order: {order}");
    if let Some(last) = chain.last() {
        let ends = if last.self_signed {
            "ends with a self-signed certificate (sending a root is not needed)".to_owned()
        } else {
            format!(
                "ends with a certificate issued by {}, which is not sent: clients must have it (a root they trust); if it is an intermediate, the chain is incomplete",
                last.issuer
            )
        };
        let _ = writeln!(out, "    {ends}");
    }
}

fn expiry(c: &CertSummary) -> String {
    if c.days_left < 0 {
        format!("expired on {}", c.not_after)
    } else {
        format!("expires {}, in {} days", c.not_after, c.days_left)
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}
