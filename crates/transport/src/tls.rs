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
//! - `catalogue`: OpenSSL's TLS 1.2 suites and their attributes.
//! - `aliases`: the aliases of OpenSSL cipher strings and what they select.
//! - `cipher_string`: evaluating an OpenSSL cipher string as OpenSSL does.
//! - `skipped`: why a chosen suite is not offered, and the warning that says so.
//! - `offer`: [`CipherOffer`], what a TLS block offers.
//! - `ciphers`: the suites and versions of a block ([`Ciphers`]), [`cipher_suite_names`].
//! - `server`: [`load_server_config`], [`LoadedTls`] and [`planned_offer`].
//! - `acceptor`: [`TlsAcceptor`] and [`TlsAccepted`].
//! - `client`: [`TlsConnector`], [`load_client_config`], [`connect_tls`].
//! - `identity`: [`PeerIdentity`], who a client certificate names.
//! - `keyinfo`: [`KeyInfo`], a certificate's key kind and size.
//! - `chain_info`: [`CertSummary`], what a certificate file's certificates say (the TLS report).
//! - `session`: [`TlsSessionInfo`], what a handshake agreed on, and how failures read.

mod acceptor;
mod aliases;
mod anchors;
mod catalogue;
mod certified;
mod chain_info;
mod cipher_string;
mod ciphers;
mod client;
mod error;
mod identity;
mod keyinfo;
mod offer;
mod pem;
mod server;
mod session;
mod settings;
mod skipped;
mod validity;

pub use acceptor::{TlsAccepted, TlsAcceptor};
pub use chain_info::{CertSummary, certificate_summaries};
pub use ciphers::cipher_suite_names;
pub use client::{TlsConnected, TlsConnector, connect_tls, load_client_config};
pub use error::{TlsConfigError, TlsSetting};
pub use identity::PeerIdentity;
pub use keyinfo::{KeyInfo, KeyKind};
pub use offer::{CipherOffer, OfferedSuite, SkippedSuite, Tls13Source};
pub use server::{LoadedTls, load_server_config, planned_offer};
pub use session::TlsSessionInfo;
pub(crate) use session::handshake_error;
pub use settings::{
    Ciphers, ClientAuth, ClientAuthError, TlsClientSettings, TlsSettings, TlsVersion,
    TlsVersionError, watched_files,
};
