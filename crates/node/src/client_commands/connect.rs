//! What `crossway pub`, `sub` and `call` share: where to connect and how (realm, serializer,
//! TLS files, authentication), and the session this makes.

use std::path::PathBuf;

use clap::Args;
use crossway_client::{Client, ClientError, ConnectOptions, CryptosignKey};
use crossway_transport::Serializer;
use crossway_transport::tls::TlsClientSettings;

use super::outcome::Outcome;

/// The connection options of the client commands. Secrets may come from the environment
/// (`WAMP_TICKET`, `WAMP_SECRET`, `WAMP_PRIVATE_KEY`), where other users of the machine cannot
/// read them as they can read a command line.
#[derive(Debug, Clone, Args)]
pub struct ConnectArgs {
    /// The realm to join.
    #[arg(long, default_value = "realm1")]
    pub realm: String,
    /// The serializer to speak: json, msgpack or cbor.
    #[arg(long, default_value = "json", value_parser = parse_serializer)]
    pub serializer: Serializer,
    /// CA certificate file(s) that verify a wss:// or rss:// router (repeat for more).
    #[arg(long = "ca")]
    pub ca: Vec<PathBuf>,
    /// A client certificate (PEM, leaf first), with --key.
    #[arg(long, requires = "key")]
    pub cert: Option<PathBuf>,
    /// The client certificate's private key (PEM), with --cert.
    #[arg(long, requires = "cert")]
    pub key: Option<PathBuf>,
    /// Offer `tls` authentication: the client certificate is the identity (needs --cert).
    #[arg(long, requires = "cert")]
    pub tls_auth: bool,
    /// Who to authenticate as (ticket and wampcra need it; cryptosign may name one).
    #[arg(long)]
    pub authid: Option<String>,
    /// Offer `ticket` authentication with this ticket (needs --authid).
    #[arg(long, env = "WAMP_TICKET", hide_env_values = true)]
    pub ticket: Option<String>,
    /// Offer `wampcra` authentication with this shared secret (needs --authid).
    #[arg(long, env = "WAMP_SECRET", hide_env_values = true)]
    pub secret: Option<String>,
    /// Offer `cryptosign` authentication with the Ed25519 seed in this file (64 hex digits or
    /// 32 raw bytes).
    #[arg(long)]
    pub key_file: Option<PathBuf>,
    /// Offer `cryptosign` with this seed (64 hex digits) when --key-file is not given.
    #[arg(long = "private-key", env = "WAMP_PRIVATE_KEY", hide_env_values = true)]
    pub private_key: Option<String>,
}

impl ConnectArgs {
    /// The client options these arguments ask for: TLS files, then the methods to offer in the
    /// order tls, cryptosign, wampcra, ticket (the router picks one; none: anonymous).
    pub fn options(&self) -> Result<ConnectOptions, String> {
        let mut opts = ConnectOptions::default();
        if !self.ca.is_empty() {
            let mut tls = TlsClientSettings::new(self.ca.clone());
            tls.client_certificate = self.cert.clone().zip(self.key.clone());
            opts = ConnectOptions::with_tls(tls);
        } else if self.cert.is_some() {
            return Err("--cert and --key need --ca (the router's CA)".to_owned());
        }
        if let Some(authid) = &self.authid {
            opts = opts.with_authid(authid.as_str());
        }
        if self.tls_auth {
            opts = opts.with_tls_auth();
        }
        let key = match (&self.key_file, &self.private_key) {
            (Some(file), _) => Some(
                CryptosignKey::from_file(file)
                    .map_err(|e| format!("--key-file {}: {e}", file.display()))?,
            ),
            (None, Some(hex)) => {
                Some(CryptosignKey::from_hex(hex).map_err(|e| format!("WAMP_PRIVATE_KEY: {e}"))?)
            }
            (None, None) => None,
        };
        if let Some(key) = key {
            opts = opts.with_cryptosign(key);
        }
        let authid = || {
            self.authid
                .clone()
                .ok_or_else(|| "ticket and wampcra authentication need --authid".to_owned())
        };
        if let Some(secret) = &self.secret {
            opts = opts.with_wampcra(authid()?, secret.as_str());
        }
        if let Some(ticket) = &self.ticket {
            opts = opts.with_ticket(authid()?, ticket.as_str());
        }
        Ok(opts)
    }

    /// Connects to `url` and joins the realm; on failure, says why on stderr and gives the
    /// outcome to exit with.
    pub async fn join(&self, command: &str, url: &str) -> Result<Client, Outcome> {
        let opts = self.options().map_err(|e| {
            eprintln!("crossway {command}: {e}");
            Outcome::Usage
        })?;
        Client::connect_with(url, &self.realm, self.serializer, opts)
            .await
            .map_err(|e: ClientError| Outcome::report(command, &e))
    }
}

/// A serializer by name, for clap.
fn parse_serializer(name: &str) -> Result<Serializer, String> {
    Serializer::from_name(name).ok_or_else(|| format!("{name:?} is not json, msgpack or cbor"))
}
