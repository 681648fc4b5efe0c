//! A TCP connection to a router, with TLS over it for `wss://` and `rss://`.

use crossway_transport::tls::TlsConnector;
use crossway_transport::{BoxedIo, connect_tcp};

use crate::error::ClientError;
use crate::options::ConnectOptions;

/// Connects to `host_port`; with `tls_host`, does the TLS handshake with the settings of `opts`,
/// checking the router's certificate against that name. The TLS settings are checked before
/// anything is connected.
pub(crate) async fn connect(
    host_port: &str,
    tls_host: Option<&str>,
    opts: &ConnectOptions,
) -> Result<BoxedIo, ClientError> {
    let tls = match tls_host {
        Some(host) => Some((tls_connector(opts)?, host)),
        None => None,
    };
    let io = connect_tcp(host_port)
        .await
        .map_err(|source| ClientError::Connect {
            addr: host_port.to_owned(),
            source,
        })?;
    Ok(match tls {
        Some((connector, host)) => connector.connect(io, host).await?.io,
        None => io,
    })
}

/// The TLS connector of a `wss://` or `rss://` connection, from `opts`.
fn tls_connector(opts: &ConnectOptions) -> Result<TlsConnector, ClientError> {
    let settings = opts.tls.as_ref().ok_or_else(|| {
        ClientError::TlsSettings(
            "a wss:// or rss:// URL needs TLS settings: use Client::connect_with with ConnectOptions::with_tls naming the router's root CA".to_owned(),
        )
    })?;
    TlsConnector::new(settings).map_err(|errors| {
        let list: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {e}", e.setting()))
            .collect();
        ClientError::TlsSettings(list.join("; "))
    })
}
