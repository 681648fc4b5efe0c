//! The suites each TLS endpoint offers, in order, for `crossway check`.

use std::fmt::Write as _;

use crossway_transport::tls::{load_server_config, planned_offer, watched_files};

use crate::config::{NodeConfig, TlsSpec};

/// For each TLS endpoint of `cfg`, the suites it offers in order (several lines each). A block
/// whose files cannot be read gives none: `check` has reported its problems already.
pub fn offers(cfg: &NodeConfig) -> String {
    let mut text = String::new();
    for e in &cfg.endpoints {
        let Some(tls) = &e.tls else { continue };
        let (offer, note) = if not_created_yet(tls) {
            (
                planned_offer(&tls.settings).ok(),
                " (its certificate does not exist yet: suites for a key of either type)",
            )
        } else {
            (load_server_config(&tls.settings).ok().map(|l| l.offer), "")
        };
        let Some(offer) = offer else { continue };
        let _ = writeln!(text, "endpoint {:?} ({}) offers{note}:", e.name, e.listen);
        let _ = write!(text, "{offer}");
    }
    text
}

/// Whether the block's files are yet to be created at the first start (`create_if_missing`,
/// and none of them exists).
pub(crate) fn not_created_yet(tls: &TlsSpec) -> bool {
    tls.create_if_missing && watched_files(&tls.settings).iter().all(|f| !f.exists())
}
