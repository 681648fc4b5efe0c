//! The command line the examples share: the router URL, the serializer, TLS files and how to
//! authenticate (`--help` lists the options). Secrets may come from the environment instead
//! (`WAMP_TICKET`, `WAMP_SECRET`, `WAMP_PRIVATE_KEY`), which other users cannot see.

use std::path::PathBuf;

use crossway_client::{Client, ConnectOptions, CryptosignKey};
use crossway_transport::Serializer;
use crossway_transport::tls::TlsClientSettings;

/// The usage text of [`parse`].
const USAGE: &str = "\
usage: [URL] [SERIALIZER] [OPTIONS]
  URL                     ws://, wss://, rs://, rss:// or unix: (default ws://127.0.0.1:8080/ws)
  SERIALIZER              json, msgpack or cbor (default json)
  --authid ID             who to authenticate as (ticket and wampcra need one)
  --ticket TICKET         offer ticket authentication (or set WAMP_TICKET)
  --secret SECRET         offer wampcra authentication (or set WAMP_SECRET)
  --key-file FILE         offer cryptosign with the Ed25519 seed in FILE (64 hex digits or
                          32 raw bytes); or set WAMP_PRIVATE_KEY to the seed's 64 hex digits
  --ca FILE               CA certificate(s) that verify a wss:// or rss:// router
  --cert FILE --key FILE  a client certificate and its key
  --tls-auth              offer tls authentication (needs --cert and --key)
Methods are offered in the order tls, cryptosign, wampcra, ticket; the router picks one.
With none, the client joins anonymously.";

/// Where to connect and how.
pub struct Args {
    /// The router's URL.
    pub url: String,
    /// The serializer to speak.
    pub serializer: Serializer,
    /// TLS settings and authentication.
    pub opts: ConnectOptions,
}

/// What the command line gave.
#[derive(Default)]
struct Given {
    positional: Vec<String>,
    authid: Option<String>,
    ticket: Option<String>,
    secret: Option<String>,
    key_file: Option<PathBuf>,
    key_hex: Option<String>,
    ca: Option<PathBuf>,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
    tls_auth: bool,
}

/// Reads the command line and the `WAMP_*` environment variables; `--help` prints the usage and
/// exits, as does an error (with status 2).
pub fn parse() -> Args {
    match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e} (--help lists the options)");
            std::process::exit(2);
        }
    }
}

/// [`parse`], giving errors back.
fn parse_args() -> Result<Args, String> {
    let mut given = Given::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "--authid" => given.authid = Some(value()?),
            "--ticket" => given.ticket = Some(value()?),
            "--secret" => given.secret = Some(value()?),
            "--key-file" => given.key_file = Some(value()?.into()),
            "--ca" => given.ca = Some(value()?.into()),
            "--cert" => given.cert = Some(value()?.into()),
            "--key" => given.key = Some(value()?.into()),
            "--tls-auth" => given.tls_auth = true,
            other if other.starts_with("--") => {
                return Err(format!("unknown option {other}"));
            }
            _ => given.positional.push(arg),
        }
    }
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    given.ticket = given.ticket.or_else(|| env("WAMP_TICKET"));
    given.secret = given.secret.or_else(|| env("WAMP_SECRET"));
    given.key_hex = env("WAMP_PRIVATE_KEY");
    build(given)
}

/// The arguments from what was given.
fn build(given: Given) -> Result<Args, String> {
    let mut positional = given.positional.into_iter();
    let url = positional
        .next()
        .unwrap_or_else(|| "ws://127.0.0.1:8080/ws".to_owned());
    let serializer = match positional.next() {
        Some(name) => Serializer::from_name(&name).ok_or(format!("unknown serializer {name}"))?,
        None => Serializer::Json,
    };
    if let Some(extra) = positional.next() {
        return Err(format!("unexpected argument {extra}"));
    }

    let mut opts = ConnectOptions::default();
    if let Some(ca) = given.ca {
        let mut tls = TlsClientSettings::new(vec![ca]);
        tls.client_certificate = match (given.cert, given.key) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => return Err("--cert and --key go together".to_owned()),
        };
        opts = ConnectOptions::with_tls(tls);
    } else if given.cert.is_some() || given.key.is_some() {
        return Err("--cert and --key need --ca".to_owned());
    }
    if let Some(authid) = &given.authid {
        opts = opts.with_authid(authid.as_str());
    }
    if given.tls_auth {
        opts = opts.with_tls_auth();
    }
    let key = match (given.key_file, given.key_hex) {
        (Some(file), _) => Some(CryptosignKey::from_file(file).map_err(|e| with_source(&e))?),
        (None, Some(hex)) => {
            let key = CryptosignKey::from_hex(&hex);
            Some(key.map_err(|e| format!("WAMP_PRIVATE_KEY: {e}"))?)
        }
        (None, None) => None,
    };
    if let Some(key) = key {
        println!("cryptosign public key: {}", key.public_key_hex());
        opts = opts.with_cryptosign(key);
    }
    let authid = || {
        given
            .authid
            .clone()
            .ok_or("ticket and wampcra authentication need --authid")
    };
    if let Some(secret) = given.secret {
        opts = opts.with_wampcra(authid()?, secret);
    }
    if let Some(ticket) = given.ticket {
        opts = opts.with_ticket(authid()?, ticket);
    }
    Ok(Args {
        url,
        serializer,
        opts,
    })
}

/// Prints who the session is.
pub fn joined(client: &Client) {
    let unknown = "-";
    println!(
        "joined realm1 as session {} (authid {}, authrole {}, authmethod {})",
        client.session_id(),
        client.authid().unwrap_or(unknown),
        client.authrole().unwrap_or(unknown),
        client.authmethod().unwrap_or(unknown),
    );
}

/// An error's message followed by those of its sources.
fn with_source(e: &dyn std::error::Error) -> String {
    match e.source() {
        Some(source) => format!("{e}: {}", with_source(source)),
        None => e.to_string(),
    }
}
