//! TLS below the framing: rustls (through futures-rustls) with the *ring* provider.
//!
//! An endpoint's `tls` block ([`TlsSettings`]) becomes a rustls server configuration through
//! [`load_server_config`], which reports every problem at once, each naming its file
//! ([`TlsConfigError`]). A [`TlsAcceptor`] runs the handshakes with it inside each connection's
//! task and can [`replace`](TlsAcceptor::replace) it on reload; a handshake gives the encrypted
//! stream and the client's [`PeerIdentity`], if it showed a certificate. Clients use
//! [`TlsClientSettings`] with [`TlsConnector`] or [`connect_tls`].
//!
//! Every configuration is built with `builder_with_provider(ring)`: with two crypto providers in
//! the dependency graph, rustls's `builder()` panics.
//!
//! - `settings`: [`TlsSettings`], [`TlsClientSettings`], [`ClientAuth`], [`TlsVersion`],
//!   [`watched_files`].
//! - `error`: [`TlsConfigError`] and [`TlsSetting`], the setting a problem belongs to.
//! - `pem`: reading certificate chains, bundles and keys (an encrypted key is refused).
//! - `certified`: a chain with its key, checked against each other.
//! - `anchors`: CA files as trust anchors.
//! - `validity`: warnings for expired or not yet valid certificates.
//! - `ciphers`: suites by IANA (or OpenSSL) name, [`cipher_suite_names`].
//! - `server`: [`load_server_config`] and [`LoadedTls`].
//! - `acceptor`: [`TlsAcceptor`] and [`TlsAccepted`].
//! - `client`: [`TlsConnector`], [`load_client_config`], [`connect_tls`].
//! - `identity`: [`PeerIdentity`], who a client certificate names.
//! - `session`: [`TlsSessionInfo`], what a handshake agreed on, and how failures read.

mod acceptor;
mod anchors;
mod certified;
mod ciphers;
mod client;
mod error;
mod identity;
mod pem;
mod server;
mod session;
mod settings;
mod validity;

pub use acceptor::{TlsAccepted, TlsAcceptor};
pub use ciphers::cipher_suite_names;
pub use client::{TlsConnected, TlsConnector, connect_tls, load_client_config};
pub use error::{TlsConfigError, TlsSetting};
pub use identity::PeerIdentity;
pub use server::{LoadedTls, load_server_config};
pub use session::TlsSessionInfo;
pub(crate) use session::handshake_error;
pub use settings::{
    ClientAuth, ClientAuthError, TlsClientSettings, TlsSettings, TlsVersion, TlsVersionError,
    watched_files,
};
