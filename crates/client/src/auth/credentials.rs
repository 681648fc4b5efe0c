//! What the client offers: the authentication methods of its HELLO, each with the credential
//! that answers the router's CHALLENGE.

use std::fmt;

use crossway_protocol::Dict;

use crate::auth::CryptosignKey;

/// One authentication method the client offers, with what it needs to answer the router.
///
/// [`Debug`](fmt::Debug) never shows a ticket, a secret or a private key.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// `anonymous`: no credential; the router admits the client without a CHALLENGE. Offered
    /// next to other methods, it lets the router fall back to an anonymous session.
    Anonymous,
    /// `ticket`: a ticket (a password or a token) that the client sends as it is. Send it over
    /// TLS only.
    Ticket(String),
    /// `wampcra`: the secret shared with the router, which never travels.
    WampCra(String),
    /// `cryptosign`: an Ed25519 key whose public key the router knows.
    Cryptosign(CryptosignKey),
    /// `tls`: the client certificate of the TLS connection
    /// ([`TlsClientSettings::client_certificate`](crossway_transport::tls::TlsClientSettings)
    /// in [`ConnectOptions::tls`](crate::ConnectOptions::tls)) is the identity; no CHALLENGE.
    Tls,
}

impl Credential {
    /// The method's name in HELLO's `authmethods` and in CHALLENGE.
    pub fn method(&self) -> &'static str {
        match self {
            Credential::Anonymous => "anonymous",
            Credential::Ticket(_) => "ticket",
            Credential::WampCra(_) => "wampcra",
            Credential::Cryptosign(_) => "cryptosign",
            Credential::Tls => "tls",
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Anonymous => f.write_str("Anonymous"),
            Credential::Ticket(_) => f.write_str("Ticket(<redacted>)"),
            Credential::WampCra(_) => f.write_str("WampCra(<redacted>)"),
            Credential::Cryptosign(key) => f.debug_tuple("Cryptosign").field(key).finish(),
            Credential::Tls => f.write_str("Tls"),
        }
    }
}

/// How the client authenticates when it joins: the HELLO's `authid`, `authmethods` and
/// `authextra`. The default offers no method: the router treats the client as anonymous.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Auth {
    /// `HELLO.Details.authid`: who the client says it is (`ticket` and `wampcra` need one;
    /// `cryptosign` and `tls` may leave it to the router).
    pub authid: Option<String>,
    /// The methods offered, in the client's order of preference, with their credentials; the
    /// router picks one. Empty: HELLO names no method.
    pub credentials: Vec<Credential>,
    /// Entries for `HELLO.Details.authextra`, for routers that look at them (`cryptosign`
    /// adds `pubkey` itself).
    pub authextra: Dict,
}

impl Auth {
    /// Offers `credential`'s method, after those already offered; a credential already held for
    /// the same method is replaced in place.
    pub fn offer(&mut self, credential: Credential) {
        match self
            .credentials
            .iter_mut()
            .find(|c| c.method() == credential.method())
        {
            Some(held) => *held = credential,
            None => self.credentials.push(credential),
        }
    }

    /// The names of the methods offered, in order.
    pub fn methods(&self) -> Vec<&'static str> {
        self.credentials.iter().map(Credential::method).collect()
    }

    /// The credential held for `method`, if it is offered.
    pub fn credential(&self, method: &str) -> Option<&Credential> {
        self.credentials.iter().find(|c| c.method() == method)
    }

    /// The cryptosign key, if `cryptosign` is offered.
    pub(crate) fn cryptosign_key(&self) -> Option<&CryptosignKey> {
        self.credentials.iter().find_map(|c| match c {
            Credential::Cryptosign(key) => Some(key),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_secrets() {
        let key = CryptosignKey::from_seed(&[7; 32]).unwrap();
        let mut auth = Auth {
            authid: Some("alice".into()),
            ..Auth::default()
        };
        auth.offer(Credential::Ticket("ticket-123".into()));
        auth.offer(Credential::WampCra("secret-456".into()));
        auth.offer(Credential::Cryptosign(key.clone()));
        auth.offer(Credential::Tls);
        let debug = format!("{auth:?} {:#?}", auth.credentials);
        assert!(!debug.contains("ticket-123"), "{debug}");
        assert!(!debug.contains("secret-456"), "{debug}");
        assert!(!debug.contains(&"07".repeat(32)), "{debug}");
        assert!(debug.contains("alice") && debug.contains(key.public_key_hex()));
    }

    #[test]
    fn offers_keep_their_order_and_replace_the_same_method() {
        let mut auth = Auth::default();
        assert!(auth.methods().is_empty());
        auth.offer(Credential::WampCra("a".into()));
        auth.offer(Credential::Ticket("b".into()));
        auth.offer(Credential::WampCra("c".into()));
        assert_eq!(auth.methods(), ["wampcra", "ticket"]);
        assert_eq!(
            auth.credential("wampcra"),
            Some(&Credential::WampCra("c".into()))
        );
        assert_eq!(auth.credential("cryptosign"), None);
        assert_eq!(auth.cryptosign_key(), None);
    }
}
