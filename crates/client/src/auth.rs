//! Authentication: what the client's HELLO offers, and its AUTHENTICATE answers to the
//! router's CHALLENGE.
//!
//! Methods: `anonymous`, `ticket`, `wampcra` (with salted secrets), `cryptosign` (Ed25519,
//! without channel binding) and `tls` (the client certificate). Several may be offered at
//! once: the router picks one, and the client answers the CHALLENGE of whichever it picked.
//!
//! - `credentials`: [`Auth`] and [`Credential`], what the client offers and holds.
//! - `cryptosign`: [`CryptosignKey`] and [`KeyError`], the Ed25519 key and its signature.
//! - `wampcra`: the WAMP-CRA signature.
//! - `hex`: hex encoding and decoding.

mod credentials;
mod cryptosign;
mod hex;
mod wampcra;

use crossway_protocol::{Dict, Message, Value};

pub use credentials::{Auth, Credential};
pub use cryptosign::{CryptosignKey, KeyError};

use crate::error::ClientError;

/// The ABORT reason the client sends when it cannot answer a CHALLENGE.
pub(crate) use crossway_protocol::errors::CANNOT_AUTHENTICATE;

/// Adds `authmethods`, `authid` and `authextra` to HELLO `details`, as far as `auth` has them.
pub(crate) fn add_to_hello(auth: &Auth, details: &mut Dict) {
    let methods = auth.methods();
    if !methods.is_empty() {
        let methods = methods.into_iter().map(Value::from).collect();
        details.insert("authmethods".to_owned(), Value::List(methods));
    }
    if let Some(authid) = &auth.authid {
        details.insert("authid".to_owned(), Value::from(authid.as_str()));
    }
    let mut authextra = auth.authextra.clone();
    if let Some(key) = auth.cryptosign_key() {
        authextra.insert("pubkey".to_owned(), Value::from(key.public_key_hex()));
    }
    if !authextra.is_empty() {
        details.insert("authextra".to_owned(), Value::Map(authextra));
    }
}

/// The AUTHENTICATE answering a CHALLENGE for `method` with `extra`; a
/// [`ClientError::Protocol`] if the client offered no such method or cannot use the challenge.
pub(crate) fn answer(auth: &Auth, method: &str, extra: &Dict) -> Result<Message, ClientError> {
    let Some(credential) = auth.credential(method) else {
        let offered = auth.methods();
        let offered = if offered.is_empty() {
            "it offered none".to_owned()
        } else {
            format!("it offered {}", offered.join(", "))
        };
        return Err(ClientError::Protocol(format!(
            "the router asks for {method} authentication, which this client does not offer \
             ({offered})"
        )));
    };
    let signature = match credential {
        Credential::Ticket(ticket) => ticket.clone(),
        Credential::WampCra(secret) => wampcra::answer(secret, extra)?,
        Credential::Cryptosign(key) => key.answer(extra)?,
        Credential::Anonymous | Credential::Tls => {
            return Err(ClientError::Protocol(format!(
                "the router sent a CHALLENGE for {method} authentication, which has none"
            )));
        }
    };
    Ok(Message::Authenticate {
        signature,
        extra: Dict::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::ConnectOptions;

    fn hello(auth: &Auth) -> Dict {
        let mut details = Dict::new();
        add_to_hello(auth, &mut details);
        details
    }

    #[test]
    fn hello_details_of_each_method() {
        assert!(hello(&Auth::default()).is_empty());

        let opts = ConnectOptions::default().with_ticket("alice", "t");
        let d = hello(&opts.auth);
        assert_eq!(d["authmethods"], Value::List(vec!["ticket".into()]));
        assert_eq!(d["authid"], Value::from("alice"));
        assert!(!d.contains_key("authextra"));

        let key = CryptosignKey::from_seed(&[1; 32]).unwrap();
        let opts = ConnectOptions::default()
            .with_cryptosign(key.clone())
            .with_wampcra("bob", "s")
            .with_anonymous()
            .with_authextra("x_note", "hi");
        let d = hello(&opts.auth);
        assert_eq!(
            d["authmethods"],
            Value::List(vec![
                "cryptosign".into(),
                "wampcra".into(),
                "anonymous".into()
            ])
        );
        assert_eq!(d["authid"], Value::from("bob"));
        let extra = d["authextra"].as_map().unwrap();
        assert_eq!(extra["pubkey"], Value::from(key.public_key_hex()));
        assert_eq!(extra["x_note"], Value::from("hi"));
        assert_eq!(extra.len(), 2);
    }

    #[test]
    fn answers_and_refusals() {
        let auth = ConnectOptions::default()
            .with_ticket("alice", "the ticket")
            .with_tls_auth()
            .auth;
        match answer(&auth, "ticket", &Dict::new()).unwrap() {
            Message::Authenticate { signature, extra } => {
                assert_eq!(signature, "the ticket");
                assert!(extra.is_empty());
            }
            other => panic!("{other:?}"),
        }
        let refused =
            |auth: &Auth, method: &str, needle: &str| match answer(auth, method, &Dict::new()) {
                Err(ClientError::Protocol(m)) => assert!(m.contains(needle), "{m}"),
                other => panic!("{other:?}"),
            };
        refused(
            &auth,
            "wampcra",
            "asks for wampcra authentication, which this client does not offer (it offered \
             ticket, tls)",
        );
        refused(&Auth::default(), "ticket", "(it offered none)");
        refused(
            &auth,
            "tls",
            "CHALLENGE for tls authentication, which has none",
        );
    }
}
