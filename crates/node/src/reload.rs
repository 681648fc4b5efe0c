//! Picking up new TLS certificates without a restart: on SIGHUP, and when a watched file
//! changes (checked every [`POLL_INTERVAL`]). A broken new file keeps the old acceptor and says
//! why; open connections are never touched.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crossway_transport::rt;
use crossway_transport::tls::{TlsAcceptor, TlsSettings, load_server_config, watched_files};
use futures_util::future::{Either, select};
use tracing::{info, warn};

use crate::cert_expiry;
use crate::counters::Counters;
use crate::stop::StopSignal;

/// How often the certificate, key and CA files are checked for changes.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// One TLS endpoint whose acceptor can be rebuilt.
pub struct Reloadable {
    /// The endpoint's name, for logs.
    pub endpoint: String,
    /// Its TLS settings.
    pub settings: TlsSettings,
    /// The acceptor its connections use.
    pub acceptor: TlsAcceptor,
    /// The endpoint's counters (reloads, the certificate's expiry).
    pub counters: Arc<Counters>,
    stamp: Vec<Option<FileStamp>>,
}

/// What identifies a version of a file: its modification time and length.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    modified: SystemTime,
    len: u64,
}

impl Reloadable {
    /// An endpoint as it was loaded at start; notes when its certificate expires.
    pub fn new(
        endpoint: String,
        settings: TlsSettings,
        acceptor: TlsAcceptor,
        counters: Arc<Counters>,
    ) -> Self {
        let stamp = stamps(&watched_files(&settings));
        let reloadable = Reloadable {
            endpoint,
            settings,
            acceptor,
            counters,
            stamp,
        };
        reloadable.note_expiry();
        reloadable
    }

    /// Records when the certificate in use expires.
    fn note_expiry(&self) {
        let t = cert_expiry::not_after(&self.settings.certificate).unwrap_or(i64::MIN);
        self.counters
            .certificate_not_after
            .store(t, std::sync::atomic::Ordering::Relaxed);
    }

    /// Rebuilds the acceptor if `forced` or if a file changed since the last look. Returns
    /// whether a new configuration is in use.
    pub fn check(&mut self, forced: bool) -> bool {
        let counters = Arc::clone(&self.counters);
        let now = stamps(&watched_files(&self.settings));
        if !forced && now == self.stamp {
            return false;
        }
        self.stamp = now;
        match load_server_config(&self.settings) {
            Ok(loaded) => {
                for w in &loaded.warnings {
                    warn!(endpoint = %self.endpoint, "{w}");
                }
                self.acceptor.replace(loaded.config);
                self.note_expiry();
                Counters::bump(&counters.tls_reloads);
                info!(endpoint = %self.endpoint, "TLS certificates reloaded; new connections use them");
                true
            }
            Err(problems) => {
                Counters::bump(&counters.tls_reload_failures);
                for p in &problems {
                    warn!(endpoint = %self.endpoint, "TLS reload refused, keeping the previous certificates: {p}");
                }
                false
            }
        }
    }
}

/// Watches every endpoint until `stop` fires: a message on `hup` reloads all of them, a changed
/// file reloads its endpoint.
pub async fn watch(
    mut endpoints: Vec<Reloadable>,
    hup: async_channel::Receiver<()>,
    stop: StopSignal,
) {
    if endpoints.is_empty() {
        return;
    }
    loop {
        let tick = Box::pin(rt::sleep(POLL_INTERVAL));
        let sighup = Box::pin(async {
            match hup.recv().await {
                Ok(()) => (),
                // No SIGHUP can come any more: only the file checks remain.
                Err(_) => futures_util::future::pending().await,
            }
        });
        let event = select(Box::pin(stop.stopped()), select(tick, sighup)).await;
        let forced = match event {
            Either::Left(_) => return,
            Either::Right((Either::Left(_), _)) => false,
            Either::Right((Either::Right(_), _)) => {
                info!("SIGHUP: reloading TLS certificates");
                true
            }
        };
        for ep in &mut endpoints {
            ep.check(forced);
        }
    }
}

fn stamps(files: &[PathBuf]) -> Vec<Option<FileStamp>> {
    files
        .iter()
        .map(|f| {
            let meta = std::fs::metadata(f).ok()?;
            Some(FileStamp {
                modified: meta.modified().ok()?,
                len: meta.len(),
            })
        })
        .collect()
}
