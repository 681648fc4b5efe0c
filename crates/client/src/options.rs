//! How [`Client::connect_with`](crate::Client::connect_with) connects, beyond the URL.

use crossway_transport::tls::TlsClientSettings;

/// Options for [`Client::connect_with`](crate::Client::connect_with); the default is what
/// [`Client::connect`](crate::Client::connect) uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// TLS for `wss://` URLs: the root CA files that verify the router, and an optional client
    /// certificate. Required by `wss://`; ignored by `ws://`.
    pub tls: Option<TlsClientSettings>,
}

impl ConnectOptions {
    /// Options with these TLS settings.
    pub fn with_tls(tls: TlsClientSettings) -> Self {
        ConnectOptions { tls: Some(tls) }
    }
}
