//! How [`Client::connect_with`](crate::Client::connect_with) connects, beyond the URL: TLS
//! settings and authentication.

use crossway_protocol::Value;
use crossway_transport::tls::TlsClientSettings;

use crate::auth::{Auth, Credential, CryptosignKey};
use crate::error::ClientError;

/// The largest message the client accepts from the router.
pub const MAX_MESSAGE_SIZE: usize = 16 << 20;

/// Options for [`Client::connect_with`](crate::Client::connect_with); the default is what
/// [`Client::connect`](crate::Client::connect) uses: no TLS settings, no authentication.
///
/// ```
/// use crossway_client::ConnectOptions;
///
/// let opts = ConnectOptions::default()
///     .with_wampcra("alice", "shared secret")
///     .with_ticket("alice", "a ticket");
/// assert_eq!(opts.auth.methods(), ["wampcra", "ticket"]);
/// assert!(!format!("{opts:?}").contains("secret"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnectOptions {
    /// TLS for `wss://` URLs: the root CA files that verify the router, and an optional client
    /// certificate. Required by `wss://`; ignored by `ws://`.
    pub tls: Option<TlsClientSettings>,
    /// Authentication: the methods HELLO offers and their credentials. The default offers
    /// none (anonymous).
    pub auth: Auth,
}

impl ConnectOptions {
    /// Options with these TLS settings.
    pub fn with_tls(tls: TlsClientSettings) -> Self {
        ConnectOptions {
            tls: Some(tls),
            auth: Auth::default(),
        }
    }

    /// Sets the `authid` of HELLO: the identity the client asks for. The HELLO carries one
    /// authid: the last one given here or to another `with_` method wins.
    pub fn with_authid(mut self, authid: impl Into<String>) -> Self {
        self.auth.authid = Some(authid.into());
        self
    }

    /// Offers `ticket` authentication as `authid`, with `ticket` (a password or token, sent
    /// as it is: use TLS).
    pub fn with_ticket(self, authid: impl Into<String>, ticket: impl Into<String>) -> Self {
        self.with_authid(authid)
            .offering(Credential::Ticket(ticket.into()))
    }

    /// Offers `wampcra` (challenge-response) authentication as `authid`, with the shared
    /// `secret`.
    pub fn with_wampcra(self, authid: impl Into<String>, secret: impl Into<String>) -> Self {
        self.with_authid(authid)
            .offering(Credential::WampCra(secret.into()))
    }

    /// Offers `cryptosign` authentication with `key`; HELLO announces its public key. The
    /// router may find the identity from the key; [`with_authid`](Self::with_authid) names
    /// one.
    pub fn with_cryptosign(self, key: CryptosignKey) -> Self {
        self.offering(Credential::Cryptosign(key))
    }

    /// Offers `tls` authentication: the client certificate of [`tls`](Self::tls), which must
    /// be set, is the identity.
    pub fn with_tls_auth(self) -> Self {
        self.offering(Credential::Tls)
    }

    /// Offers `anonymous` explicitly, after the methods already offered: a fallback the
    /// router may choose.
    pub fn with_anonymous(self) -> Self {
        self.offering(Credential::Anonymous)
    }

    /// Adds an entry to HELLO's `authextra`.
    pub fn with_authextra(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.auth.authextra.insert(key.into(), value.into());
        self
    }

    /// `self` offering `credential` (see [`Auth::offer`]).
    /// Checks, before connecting, that the options can work: `tls` authentication needs a
    /// client certificate.
    pub(crate) fn check(&self) -> Result<(), ClientError> {
        let has_certificate = self
            .tls
            .as_ref()
            .is_some_and(|tls| tls.client_certificate.is_some());
        if self.auth.credential("tls").is_some() && !has_certificate {
            return Err(ClientError::TlsSettings(
                "tls authentication needs a client certificate in the TLS settings".to_owned(),
            ));
        }
        Ok(())
    }

    fn offering(mut self, credential: Credential) -> Self {
        self.auth.offer(credential);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_authentication_needs_a_client_certificate() {
        let opts = ConnectOptions::default().with_tls_auth();
        assert!(matches!(opts.check(), Err(ClientError::TlsSettings(_))));
        let mut tls = TlsClientSettings::new(vec!["ca.pem".into()]);
        let opts = ConnectOptions::with_tls(tls.clone()).with_tls_auth();
        assert!(matches!(opts.check(), Err(ClientError::TlsSettings(_))));
        tls.client_certificate = Some(("c.pem".into(), "c.key".into()));
        assert!(
            ConnectOptions::with_tls(tls)
                .with_tls_auth()
                .check()
                .is_ok()
        );
        assert!(
            ConnectOptions::default()
                .with_ticket("a", "b")
                .check()
                .is_ok()
        );
    }
}
