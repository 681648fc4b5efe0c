//! The options of REGISTER, CALL, YIELD and CANCEL that the dealer acts on.

use std::time::Duration;

use crossway_protocol::{Dict, Value};

use crate::error::RequestError;
use crate::matcher::MatchPolicy;

/// How a shared registration picks the callee of each call (`REGISTER.Options.invoke`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum InvokePolicy {
    /// One callee only: a second registration is `procedure_already_exists`.
    #[default]
    Single,
    /// Each callee in turn.
    RoundRobin,
    /// A callee at random.
    Random,
    /// The callee that registered first.
    First,
    /// The callee that registered last.
    Last,
}

/// REGISTER options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct RegisterOptions {
    /// How the procedure is matched (`match`).
    pub(crate) policy: MatchPolicy,
    /// How callees are picked (`invoke`).
    pub(crate) invoke: InvokePolicy,
    /// The callee handles call timeouts itself (`forward_timeout`): the timeout is passed on in
    /// INVOCATION, and the router keeps no timer for it.
    pub(crate) forward_timeout: bool,
}

/// CALL options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct CallOptions {
    /// The call's time limit (`timeout`, milliseconds; 0 or absent: none).
    pub(crate) timeout: Option<Duration>,
    /// The caller takes progressive results (`receive_progress`).
    pub(crate) receive_progress: bool,
    /// More CALLs with this request id follow (`progress`: progressive invocations).
    pub(crate) progress: bool,
    /// The caller asks to be disclosed to the callee (`disclose_me`).
    pub(crate) disclose_me: bool,
}

/// How a CANCEL ends a call (`CANCEL.Options.mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CancelMode {
    /// ERROR to the caller at once; the callee is not told; its answer is dropped.
    Skip,
    /// INTERRUPT to the callee; the caller gets the callee's answer, whichever comes.
    Kill,
    /// INTERRUPT to the callee and ERROR to the caller at once; the callee's answer is dropped.
    KillNoWait,
}

impl InvokePolicy {
    /// The policy's name in `REGISTER.Options.invoke`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            InvokePolicy::Single => "single",
            InvokePolicy::RoundRobin => "roundrobin",
            InvokePolicy::Random => "random",
            InvokePolicy::First => "first",
            InvokePolicy::Last => "last",
        }
    }

    fn from_name(name: &str) -> Option<InvokePolicy> {
        [
            InvokePolicy::Single,
            InvokePolicy::RoundRobin,
            InvokePolicy::Random,
            InvokePolicy::First,
            InvokePolicy::Last,
        ]
        .into_iter()
        .find(|p| p.name() == name)
    }
}

impl RegisterOptions {
    /// Reads REGISTER `options`; a wrong type or value is `invalid_argument`.
    pub(crate) fn parse(options: &Dict) -> Result<RegisterOptions, RequestError> {
        let invoke = match options.get("invoke") {
            None => InvokePolicy::Single,
            Some(Value::Str(s)) => InvokePolicy::from_name(s).ok_or_else(|| {
                invalid(format!(
                    "unknown invocation policy '{s}' (single, roundrobin, random, first or last)"
                ))
            })?,
            Some(_) => return Err(invalid("option 'invoke' must be a string".to_owned())),
        };
        Ok(RegisterOptions {
            policy: MatchPolicy::from_options(options)?,
            invoke,
            forward_timeout: flag(options, "forward_timeout")?,
        })
    }
}

impl CallOptions {
    /// Reads CALL `options`; a wrong type is `invalid_argument`.
    pub(crate) fn parse(options: &Dict) -> Result<CallOptions, RequestError> {
        let timeout = match options.get("timeout") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_u64() {
                Some(0) => None,
                Some(ms) => Some(Duration::from_millis(ms)),
                None => {
                    return Err(invalid(
                        "option 'timeout' must be a non-negative integer (milliseconds)".to_owned(),
                    ));
                }
            },
        };
        Ok(CallOptions {
            timeout,
            receive_progress: flag(options, "receive_progress")?,
            progress: flag(options, "progress")?,
            disclose_me: flag(options, "disclose_me")?,
        })
    }
}

impl CancelMode {
    /// `CANCEL.Options.mode`; absent means `killnowait` (the caller is answered at once, and the
    /// callee told to stop when it can be). `None` for an unknown mode.
    pub(crate) fn parse(options: &Dict) -> Option<CancelMode> {
        match options.get("mode") {
            None | Some(Value::Null) => Some(CancelMode::KillNoWait),
            Some(Value::Str(s)) => match s.as_str() {
                "skip" => Some(CancelMode::Skip),
                "kill" => Some(CancelMode::Kill),
                "killnowait" => Some(CancelMode::KillNoWait),
                _ => None,
            },
            Some(_) => None,
        }
    }

    /// The mode's name, as INTERRUPT carries it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            CancelMode::Skip => "skip",
            CancelMode::Kill => "kill",
            CancelMode::KillNoWait => "killnowait",
        }
    }
}

/// Whether `YIELD.Options` (or `CALL.Options`) say `progress: true`.
pub(crate) fn is_progress(options: &Dict) -> bool {
    options.get("progress").and_then(Value::as_bool) == Some(true)
}

/// A boolean option, false when absent.
fn flag(options: &Dict, name: &str) -> Result<bool, RequestError> {
    match options.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(invalid(format!("option '{name}' must be a boolean"))),
    }
}

fn invalid(message: String) -> RequestError {
    RequestError::InvalidArgument(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, Value)]) -> Dict {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn register_options() {
        let o = RegisterOptions::parse(&Dict::new()).unwrap();
        assert_eq!(o, RegisterOptions::default());
        let o = RegisterOptions::parse(&opts(&[
            ("match", "prefix".into()),
            ("invoke", "roundrobin".into()),
            ("forward_timeout", true.into()),
        ]))
        .unwrap();
        assert_eq!(o.policy, MatchPolicy::Prefix);
        assert_eq!(o.invoke, InvokePolicy::RoundRobin);
        assert!(o.forward_timeout);
        for bad in [
            opts(&[("invoke", "sometimes".into())]),
            opts(&[("invoke", Value::Int(1))]),
            opts(&[("match", "regex".into())]),
            opts(&[("forward_timeout", "yes".into())]),
        ] {
            assert!(RegisterOptions::parse(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn call_options() {
        let o = CallOptions::parse(&opts(&[
            ("timeout", Value::Int(1500)),
            ("receive_progress", true.into()),
            ("disclose_me", true.into()),
        ]))
        .unwrap();
        assert_eq!(o.timeout, Some(Duration::from_millis(1500)));
        assert!(o.receive_progress && o.disclose_me && !o.progress);
        assert_eq!(
            CallOptions::parse(&opts(&[("timeout", Value::Int(0))]))
                .unwrap()
                .timeout,
            None
        );
        for bad in [
            opts(&[("timeout", Value::Int(-1))]),
            opts(&[("timeout", Value::Float(1.5))]),
            opts(&[("progress", Value::Int(1))]),
        ] {
            assert!(CallOptions::parse(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn cancel_modes() {
        assert_eq!(
            CancelMode::parse(&Dict::new()),
            Some(CancelMode::KillNoWait)
        );
        for mode in [CancelMode::Skip, CancelMode::Kill, CancelMode::KillNoWait] {
            assert_eq!(
                CancelMode::parse(&opts(&[("mode", mode.name().into())])),
                Some(mode)
            );
        }
        assert_eq!(CancelMode::parse(&opts(&[("mode", "later".into())])), None);
    }
}
