//! What a client announced in HELLO `roles.<role>.features`: the dealer adapts to what each
//! callee and caller can do (call canceling, progressive results and invocations, timeouts).

use crossway_protocol::{Dict, Value};

/// The client features the router acts on, read from HELLO details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct ClientFeatures {
    /// `callee.call_canceling`: the callee understands INTERRUPT.
    pub(crate) callee_canceling: bool,
    /// `callee.progressive_call_results` (counted only with call canceling, as the specification
    /// says).
    pub(crate) callee_progressive_results: bool,
    /// `callee.progressive_call_invocations` (likewise only with call canceling).
    pub(crate) callee_progressive_invocations: bool,
    /// `caller.progressive_call_invocations`: the caller may send CALL with `progress`.
    pub(crate) caller_progressive_invocations: bool,
    /// `callee.payload_passthru_mode` (or autobahn's `payload_transparency`): the callee takes
    /// passthru payloads.
    pub(crate) callee_passthru: bool,
    /// `caller.payload_passthru_mode` (or `payload_transparency`): the caller takes passthru
    /// results.
    pub(crate) caller_passthru: bool,
    /// `subscriber.subscription_revocation`: the subscriber understands UNSUBSCRIBED with
    /// request 0.
    pub(crate) subscriber_revocation: bool,
    /// `callee.registration_revocation`: the callee understands UNREGISTERED with request 0.
    pub(crate) callee_revocation: bool,
}

impl ClientFeatures {
    /// The features as bits, to cross to another node ([`ClientFeatures::from_bits`]).
    pub(crate) fn to_bits(self) -> u16 {
        [
            self.callee_canceling,
            self.callee_progressive_results,
            self.callee_progressive_invocations,
            self.caller_progressive_invocations,
            self.callee_passthru,
            self.caller_passthru,
            self.subscriber_revocation,
            self.callee_revocation,
        ]
        .iter()
        .enumerate()
        .fold(0, |bits, (i, on)| bits | (u16::from(*on) << i))
    }

    /// The features [`ClientFeatures::to_bits`] gave; unknown bits are ignored.
    pub(crate) fn from_bits(bits: u16) -> ClientFeatures {
        let on = |i: u16| bits & (1 << i) != 0;
        ClientFeatures {
            callee_canceling: on(0),
            callee_progressive_results: on(1),
            callee_progressive_invocations: on(2),
            caller_progressive_invocations: on(3),
            callee_passthru: on(4),
            caller_passthru: on(5),
            subscriber_revocation: on(6),
            callee_revocation: on(7),
        }
    }

    /// The features announced in HELLO `details`; anything malformed counts as not announced.
    pub(crate) fn from_hello(details: &Dict) -> ClientFeatures {
        let roles = details.get("roles").and_then(Value::as_map);
        let feature = |role: &str, name: &str| {
            roles
                .and_then(|r| r.get(role))
                .and_then(Value::as_map)
                .and_then(|r| r.get("features"))
                .and_then(Value::as_map)
                .and_then(|f| f.get(name))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        let canceling = feature("callee", "call_canceling");
        let passthru = |role: &str| {
            feature(role, "payload_passthru_mode") || feature(role, "payload_transparency")
        };
        ClientFeatures {
            callee_canceling: canceling,
            callee_progressive_results: canceling && feature("callee", "progressive_call_results"),
            callee_progressive_invocations: canceling
                && feature("callee", "progressive_call_invocations"),
            caller_progressive_invocations: feature("caller", "progressive_call_invocations"),
            callee_passthru: passthru("callee"),
            caller_passthru: passthru("caller"),
            subscriber_revocation: feature("subscriber", "subscription_revocation"),
            callee_revocation: feature("callee", "registration_revocation"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello(callee: &[&str], caller: &[&str]) -> Dict {
        let role = |names: &[&str]| {
            let features: Dict = names
                .iter()
                .map(|n| ((*n).to_owned(), Value::Bool(true)))
                .collect();
            Value::Map(Dict::from([("features".to_owned(), Value::Map(features))]))
        };
        let roles = Dict::from([
            ("callee".to_owned(), role(callee)),
            ("caller".to_owned(), role(caller)),
        ]);
        Dict::from([("roles".to_owned(), Value::Map(roles))])
    }

    #[test]
    fn progressive_features_need_call_canceling() {
        let f = ClientFeatures::from_hello(&hello(
            &["progressive_call_results", "progressive_call_invocations"],
            &["progressive_call_invocations"],
        ));
        assert!(!f.callee_canceling);
        assert!(!f.callee_progressive_results);
        assert!(!f.callee_progressive_invocations);
        assert!(f.caller_progressive_invocations);
        let f = ClientFeatures::from_hello(&hello(
            &["call_canceling", "progressive_call_results"],
            &[],
        ));
        assert!(f.callee_canceling && f.callee_progressive_results);
        assert!(!f.callee_progressive_invocations);
        assert_eq!(
            ClientFeatures::from_hello(&Dict::new()),
            ClientFeatures::default()
        );
        let f = ClientFeatures::from_hello(&hello(
            &["payload_transparency", "registration_revocation"],
            &["payload_passthru_mode"],
        ));
        assert!(f.callee_passthru && f.caller_passthru && f.callee_revocation);
        assert!(!f.subscriber_revocation);
    }

    #[test]
    fn features_cross_as_bits_unchanged() {
        let all = ClientFeatures::from_hello(&hello(
            &[
                "call_canceling",
                "progressive_call_results",
                "progressive_call_invocations",
                "payload_passthru_mode",
                "registration_revocation",
            ],
            &["progressive_call_invocations", "payload_passthru_mode"],
        ));
        for f in [ClientFeatures::default(), all] {
            assert_eq!(ClientFeatures::from_bits(f.to_bits()), f);
        }
        assert_eq!(all.to_bits().count_ones(), 7);
    }
}
