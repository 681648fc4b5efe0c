//! Who a session is: the outcome of authentication (see [`crate::auth`]).

use crossway_protocol::ids::random_id;

/// The identity a session was admitted with, as WELCOME announces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The authenticated id (for anonymous sessions, a random string).
    pub authid: String,
    /// The role whose permissions apply to the session.
    pub authrole: String,
    /// How the session was authenticated: `anonymous`, `ticket`, `wampcra`, ...
    pub authmethod: String,
    /// Who vouched for the identity: `static` for the node's configuration.
    pub authprovider: String,
}

impl Identity {
    /// An anonymous identity: a random authid, role `anonymous`.
    pub fn anonymous() -> Identity {
        Identity::anonymous_as("anonymous")
    }

    /// An anonymous identity with role `role`.
    pub fn anonymous_as(role: &str) -> Identity {
        Identity {
            authid: random_authid(),
            authrole: role.to_owned(),
            authmethod: "anonymous".to_owned(),
            authprovider: "static".to_owned(),
        }
    }
}

/// A random authid in the style of Crossbar.io: four groups of four characters, `XXXX-XXXX-XXXX-XXXX`.
fn random_authid() -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut out = String::with_capacity(19);
    for half in 0..2 {
        // 40 of the 53 random bits: 8 characters of 5 bits.
        let mut bits = random_id();
        for i in 0..8 {
            if i == 4 || (half == 1 && i == 0) {
                out.push('-');
            }
            let c = ALPHABET.get((bits & 31) as usize).copied().unwrap_or(b'A');
            out.push(char::from(c));
            bits >>= 5;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_identities_are_random() {
        let a = Identity::anonymous();
        let b = Identity::anonymous();
        assert_eq!(a.authrole, "anonymous");
        assert_eq!(a.authmethod, "anonymous");
        assert_eq!(a.authprovider, "static");
        assert_ne!(a.authid, b.authid);
        assert_eq!(a.authid.len(), 19);
        assert_eq!(a.authid.split('-').count(), 4);
        assert!(a.authid.split('-').all(|g| g.len() == 4));
    }
}
