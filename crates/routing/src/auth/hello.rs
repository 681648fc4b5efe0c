//! What a HELLO asks of authentication: `authmethods`, `authid`, `authextra`.

use crossway_protocol::{Dict, Value};

use super::policy::{AuthMethod, AuthPolicy};
use crate::error::AbortReason;

/// The authentication part of HELLO `details`.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct HelloAuth {
    /// The methods offered, in the client's order; names the router does not know are kept out.
    /// Empty when HELLO offers none, which counts as `anonymous`.
    pub(crate) methods: Vec<AuthMethod>,
    /// Whether HELLO had an `authmethods` list with at least one name (known or not).
    pub(crate) offered_any: bool,
    /// The authid the client asks for.
    pub(crate) authid: Option<String>,
    /// Method-specific data (`pubkey` for cryptosign).
    pub(crate) authextra: Dict,
}

impl HelloAuth {
    /// Reads the authentication details of a HELLO; a wrongly typed one is a protocol violation.
    pub(crate) fn parse(details: &Dict) -> Result<HelloAuth, AbortReason> {
        let mut hello = HelloAuth::default();
        match details.get("authmethods") {
            None | Some(Value::Null) => {}
            Some(Value::List(items)) => {
                for item in items {
                    let name = item.as_str().ok_or_else(|| {
                        violation("HELLO details.authmethods must be a list of strings")
                    })?;
                    hello.offered_any = true;
                    if let Some(method) = AuthMethod::from_name(name)
                        && !hello.methods.contains(&method)
                    {
                        hello.methods.push(method);
                    }
                }
            }
            Some(_) => {
                return Err(violation(
                    "HELLO details.authmethods must be a list of strings",
                ));
            }
        }
        hello.authid = match details.get("authid") {
            None | Some(Value::Null) => None,
            Some(Value::Str(s)) => Some(s.clone()),
            Some(_) => return Err(violation("HELLO details.authid must be a string")),
        };
        hello.authextra = match details.get("authextra") {
            None | Some(Value::Null) => Dict::new(),
            Some(Value::Map(m)) => m.clone(),
            Some(_) => return Err(violation("HELLO details.authextra must be a dictionary")),
        };
        Ok(hello)
    }

    /// The method the router uses: the first one offered that `policy` enables. A HELLO that
    /// offers none asks for `anonymous`.
    pub(crate) fn choose(&self, policy: &AuthPolicy) -> Option<AuthMethod> {
        if !self.offered_any {
            return policy
                .enables(AuthMethod::Anonymous)
                .then_some(AuthMethod::Anonymous);
        }
        self.methods.iter().copied().find(|m| policy.enables(*m))
    }
}

fn violation(message: &str) -> AbortReason {
    AbortReason::ProtocolViolation(message.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::policy::TicketAuth;

    fn details(pairs: &[(&str, Value)]) -> Dict {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    fn names(list: &[&str]) -> Value {
        Value::List(list.iter().map(|s| Value::from(*s)).collect())
    }

    #[test]
    fn reads_methods_authid_and_extra() {
        let extra = Dict::from([("pubkey".to_owned(), Value::from("ab"))]);
        let hello = HelloAuth::parse(&details(&[
            (
                "authmethods",
                names(&["scram", "ticket", "anonymous", "ticket"]),
            ),
            ("authid", "alice".into()),
            ("authextra", Value::Map(extra.clone())),
        ]))
        .unwrap();
        assert_eq!(
            hello.methods,
            vec![AuthMethod::Ticket, AuthMethod::Anonymous]
        );
        assert_eq!(hello.authid.as_deref(), Some("alice"));
        assert_eq!(hello.authextra, extra);
    }

    #[test]
    fn wrong_types_are_violations() {
        for bad in [
            details(&[("authmethods", "ticket".into())]),
            details(&[("authmethods", Value::List(vec![Value::Int(1)]))]),
            details(&[("authid", Value::Int(1))]),
            details(&[("authextra", names(&[]))]),
        ] {
            assert!(matches!(
                HelloAuth::parse(&bad),
                Err(AbortReason::ProtocolViolation(_))
            ));
        }
    }

    #[test]
    fn the_first_enabled_method_wins_and_none_means_anonymous() {
        let open = AuthPolicy::open();
        let tickets = AuthPolicy {
            ticket: Some(TicketAuth::default()),
            ..AuthPolicy::open()
        };
        let none = HelloAuth::parse(&Dict::new()).unwrap();
        assert_eq!(none.choose(&open), Some(AuthMethod::Anonymous));
        assert_eq!(none.choose(&AuthPolicy::default()), None);
        let offered = HelloAuth::parse(&details(&[(
            "authmethods",
            names(&["wampcra", "ticket", "anonymous"]),
        )]))
        .unwrap();
        assert_eq!(offered.choose(&tickets), Some(AuthMethod::Ticket));
        assert_eq!(offered.choose(&open), Some(AuthMethod::Anonymous));
        let unknown_only =
            HelloAuth::parse(&details(&[("authmethods", names(&["scram"]))])).unwrap();
        assert_eq!(unknown_only.choose(&open), None);
    }
}
