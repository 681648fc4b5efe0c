//! What an endpoint's `auth` block enables: the methods, their principals and roles.
//!
//! These are plain data, built by the node from its configuration (or by a test); an
//! [`Authenticator`](super::Authenticator) is made from them once per endpoint.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use super::secret::Secret;

/// The authentication methods of one endpoint. A method left `None` is not offered: a HELLO that
/// asks only for it is refused with `wamp.error.no_auth_method`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthPolicy {
    /// `anonymous`: anyone, with a fixed role.
    pub anonymous: Option<AnonymousAuth>,
    /// `ticket`: a shared ticket (password) per principal.
    pub ticket: Option<TicketAuth>,
    /// `wampcra`: challenge-response with a shared secret per principal.
    pub wampcra: Option<WampCraAuth>,
    /// `cryptosign`: Ed25519 signatures; public keys per principal.
    pub cryptosign: Option<CryptosignAuth>,
    /// `tls`: the verified client certificate of the connection.
    pub tls: Option<TlsAuth>,
}

/// The `anonymous` method: every session gets a random authid and this role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnonymousAuth {
    /// The role of anonymous sessions.
    pub role: String,
}

/// What a principal is admitted as, whatever its credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admission {
    /// The role the principal gets.
    pub role: String,
    /// The only realm the principal may join; `None`: any realm of the router.
    pub realm: Option<String>,
}

/// A dynamic authenticator: a procedure the router calls to decide on a principal, as
/// Crossbar.io's dynamic authenticators work.
///
/// It is called with `(realm, authid, details)`; `details` holds `authmethod`, `authid`,
/// `authextra`, `session`, `transport` (`peer`, `type`) and, for tickets, `ticket`. It answers
/// with the principal: a dictionary with `role` (a plain string is the role, for tickets), and
/// optionally `authid` (the authid to admit as) and `realm` (which must be the realm asked for);
/// for WAMP-CRA also `secret` (and `salt`, `iterations`, `keylen`), for cryptosign `pubkey` (the
/// key the client named). An ERROR, or no answer within `timeout`, refuses the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamicAuth {
    /// The procedure.
    pub procedure: String,
    /// The realm where it is registered; `None`: the realm the client asks to join.
    pub realm: Option<String>,
    /// How long the router waits for the answer.
    pub timeout: Duration,
}

/// The `ticket` method.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketAuth {
    /// The principals, by authid.
    pub principals: BTreeMap<String, TicketPrincipal>,
    /// Asked about every authid the principals do not list.
    pub authenticator: Option<DynamicAuth>,
}

/// One principal of the `ticket` method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPrincipal {
    /// The ticket the client must present.
    pub ticket: Secret,
    /// Its role and realm.
    pub admission: Admission,
}

/// The `wampcra` method.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WampCraAuth {
    /// The principals, by authid.
    pub principals: BTreeMap<String, WampCraPrincipal>,
    /// Asked about every authid the principals do not list.
    pub authenticator: Option<DynamicAuth>,
}

/// One principal of the `wampcra` method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WampCraPrincipal {
    /// The shared secret (password). Without `salt` the challenge is signed with it directly;
    /// with `salt`, with the key derived from it by PBKDF2-HMAC-SHA256 (the base64 text
    /// autobahn's `derive_key` returns), as Crossbar.io does. The key is derived once, when the
    /// [`Authenticator`](super::Authenticator) is made.
    pub secret: Secret,
    /// The salting parameters, sent in the CHALLENGE so that the client derives the same key.
    pub salt: Option<CraSalt>,
    /// Its role and realm.
    pub admission: Admission,
}

/// The most PBKDF2 iterations a salted secret may ask for: every client runs them for every
/// login (the Rust client refuses more, so that a router cannot make it spin).
pub const MAX_ITERATIONS: u32 = 1_000_000;

/// The PBKDF2-HMAC-SHA256 parameters of a salted WAMP-CRA secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CraSalt {
    /// The salt.
    pub salt: String,
    /// PBKDF2 iterations (autobahn's default: 1000).
    pub iterations: u32,
    /// The derived key's length in bytes (autobahn's default: 32).
    pub keylen: u32,
}

/// The `cryptosign` method.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CryptosignAuth {
    /// The principals, by authid.
    pub principals: BTreeMap<String, CryptosignPrincipal>,
    /// Asked about every key the principals do not list.
    pub authenticator: Option<DynamicAuth>,
}

/// One principal of the `cryptosign` method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptosignPrincipal {
    /// The Ed25519 public keys that may sign for this principal.
    pub authorized_keys: Vec<PublicKey>,
    /// Its role and realm.
    pub admission: Admission,
}

/// An Ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey(pub [u8; 32]);

/// The `tls` method: the client certificate names the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsAuth {
    /// Which part of the certificate is the authid.
    pub authid: CertField,
    /// The role of every certificate not listed in `principals`; `None`: only listed ones are
    /// admitted.
    pub role: Option<String>,
    /// Roles (and realms) per authid, overriding `role`.
    pub principals: BTreeMap<String, Admission>,
}

/// The part of a client certificate that becomes the authid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertField {
    /// The subject's common name.
    CommonName,
    /// The first DNS name of the subject alternative names.
    SanDns,
    /// The first e-mail address of the subject alternative names.
    SanEmail,
    /// The SHA-256 fingerprint of the certificate, lowercase hex.
    Fingerprint,
}

/// One authentication method, as HELLO `authmethods` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    /// `anonymous`
    Anonymous,
    /// `ticket`
    Ticket,
    /// `wampcra`
    WampCra,
    /// `cryptosign`
    Cryptosign,
    /// `tls`
    Tls,
}

impl AuthPolicy {
    /// What an endpoint without an `auth` block does: anonymous sessions with role `anonymous`.
    pub fn open() -> AuthPolicy {
        AuthPolicy {
            anonymous: Some(AnonymousAuth {
                role: "anonymous".to_owned(),
            }),
            ..AuthPolicy::default()
        }
    }

    /// Whether the method is enabled.
    pub fn enables(&self, method: AuthMethod) -> bool {
        match method {
            AuthMethod::Anonymous => self.anonymous.is_some(),
            AuthMethod::Ticket => self.ticket.is_some(),
            AuthMethod::WampCra => self.wampcra.is_some(),
            AuthMethod::Cryptosign => self.cryptosign.is_some(),
            AuthMethod::Tls => self.tls.is_some(),
        }
    }

    /// Every role a session of this endpoint can be given (to check them against the realms).
    pub fn roles(&self) -> Vec<&str> {
        let mut roles: Vec<&str> = Vec::new();
        if let Some(a) = &self.anonymous {
            roles.push(&a.role);
        }
        if let Some(t) = &self.ticket {
            roles.extend(t.principals.values().map(|p| p.admission.role.as_str()));
        }
        if let Some(w) = &self.wampcra {
            roles.extend(w.principals.values().map(|p| p.admission.role.as_str()));
        }
        if let Some(c) = &self.cryptosign {
            roles.extend(c.principals.values().map(|p| p.admission.role.as_str()));
        }
        if let Some(t) = &self.tls {
            roles.extend(t.role.as_deref());
            roles.extend(t.principals.values().map(|a| a.role.as_str()));
        }
        roles.sort_unstable();
        roles.dedup();
        roles
    }
}

impl AuthMethod {
    /// Every method, in the order the configuration lists them.
    pub const ALL: [AuthMethod; 5] = [
        AuthMethod::Anonymous,
        AuthMethod::Ticket,
        AuthMethod::WampCra,
        AuthMethod::Cryptosign,
        AuthMethod::Tls,
    ];

    /// The method's name in HELLO `authmethods` and WELCOME `authmethod`.
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::Anonymous => "anonymous",
            AuthMethod::Ticket => "ticket",
            AuthMethod::WampCra => "wampcra",
            AuthMethod::Cryptosign => "cryptosign",
            AuthMethod::Tls => "tls",
        }
    }

    /// The method called `name`.
    pub fn from_name(name: &str) -> Option<AuthMethod> {
        AuthMethod::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Whether the client proves a secret (a ticket, a key): the methods a guesser can try, whose
    /// failures are throttled.
    pub fn proves_a_secret(self) -> bool {
        matches!(
            self,
            AuthMethod::Ticket | AuthMethod::WampCra | AuthMethod::Cryptosign
        )
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl PublicKey {
    /// The key from 64 hexadecimal characters.
    pub fn from_hex(hex: &str) -> Option<PublicKey> {
        let bytes = super::hex::decode(hex)?;
        <[u8; 32]>::try_from(bytes).ok().map(PublicKey)
    }

    /// The key as 64 lowercase hexadecimal characters.
    pub fn to_hex(&self) -> String {
        super::hex::encode(&self.0)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

impl CertField {
    /// Every field.
    pub const ALL: [CertField; 4] = [
        CertField::CommonName,
        CertField::SanDns,
        CertField::SanEmail,
        CertField::Fingerprint,
    ];

    /// The name the configuration uses.
    pub fn name(self) -> &'static str {
        match self {
            CertField::CommonName => "common_name",
            CertField::SanDns => "san_dns",
            CertField::SanEmail => "san_email",
            CertField::Fingerprint => "fingerprint",
        }
    }

    /// The field called `name` in the configuration.
    pub fn from_name(name: &str) -> Option<CertField> {
        CertField::ALL.into_iter().find(|f| f.name() == name)
    }
}
