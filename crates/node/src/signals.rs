//! SIGINT and SIGTERM: the first starts a graceful shutdown, a second one exits at once.
//! SIGHUP: reload the TLS certificates.

use futures_util::StreamExt;
use signal_hook_async_std::Signals;
use tracing::warn;

/// The signals that stop the node.
const STOP_SIGNALS: [i32; 2] = [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM];

/// Exit status after a second signal cut the shutdown short (128 + SIGINT, as shells do).
const FORCED_EXIT: i32 = 130;

/// Returns a future that completes on the first SIGINT or SIGTERM; after it, a second signal
/// ends the process at once.
pub fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    let mut signals = Signals::new(STOP_SIGNALS)?;
    Ok(async move {
        if let Some(sig) = signals.next().await {
            warn!(
                signal = sig,
                "stop signal received: shutting down (send it again to exit at once)"
            );
        }
        crossway_transport::rt::spawn(async move {
            if signals.next().await.is_some() {
                warn!("second stop signal: exiting now");
                std::process::exit(FORCED_EXIT);
            }
        });
    })
}

/// Forwards every SIGHUP to `handle` (TLS certificates are reloaded) for the life of the
/// process.
pub fn forward_reloads(handle: crate::node::ReloadHandle) -> std::io::Result<()> {
    let mut signals = Signals::new([signal_hook::consts::SIGHUP])?;
    crossway_transport::rt::spawn(async move {
        while signals.next().await.is_some() {
            handle.reload();
        }
    });
    Ok(())
}
