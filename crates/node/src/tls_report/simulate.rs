//! The handshake simulation: which common client would connect to a TLS endpoint, and with
//! what, decided as rustls decides (the highest common version, then the server's or the
//! client's order of the common suites).

use crossway_transport::tls::{CipherOffer, OfferedSuite};

use super::profiles::Profile;

/// What one client would get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It connects with this version and suite.
    Connects {
        /// `TLS 1.3` or `TLS 1.2`.
        version: &'static str,
        /// The suite, by its OpenSSL name.
        suite: &'static str,
    },
    /// It cannot connect, because of this.
    Fails(String),
}

/// What `client` gets from an endpoint offering `offer` (whose TLS 1.2 suites already suit the
/// endpoint's key).
pub fn simulate(offer: &CipherOffer, client: &Profile) -> Outcome {
    if let Some(s) = pick(&offer.tls13, client.tls13, offer.server_order) {
        return Outcome::Connects {
            version: "TLS 1.3",
            suite: s.openssl,
        };
    }
    if client.tls12
        && let Some(s) = pick(&offer.tls12, client.tls12_suites, offer.server_order)
    {
        return Outcome::Connects {
            version: "TLS 1.2",
            suite: s.openssl,
        };
    }
    let speaks_12 = client.tls12 && !offer.tls12.is_empty();
    let speaks_13 = !client.tls13.is_empty() && !offer.tls13.is_empty();
    let why = if !speaks_12 && !speaks_13 {
        if client.note.is_empty() {
            "no protocol version in common".to_owned()
        } else {
            format!("no protocol version in common ({})", client.note)
        }
    } else if client.note.is_empty() {
        "no cipher suite in common".to_owned()
    } else {
        format!("no cipher suite in common ({})", client.note)
    };
    Outcome::Fails(why)
}

/// The suite chosen from `server` and `client`'s lists: the first of the server's that the
/// client offers when the server's order decides, else the client's first that the server has.
fn pick<'a>(
    server: &'a [OfferedSuite],
    client: &[u16],
    server_order: bool,
) -> Option<&'a OfferedSuite> {
    if server_order {
        server.iter().find(|s| client.contains(&s.id))
    } else {
        client
            .iter()
            .find_map(|id| server.iter().find(|s| s.id == *id))
    }
}
