//! The exit statuses of `crossway pub`, `sub` and `call`, one per kind of failure, so that a
//! script can tell "the router said no" from "the router is not there".

use std::process::ExitCode;

use crossway_client::ClientError;
use crossway_protocol::{Codec, RawPayload};

use super::json;

/// How a client command ended; its [`code`](Outcome::code) is the process's exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// 0: done (published and acknowledged, `--count` events printed, a result printed).
    Done,
    /// 1: the router or the callee answered ERROR (`wamp.error.not_authorized`,
    /// `wamp.error.no_such_procedure`, an application error, a call canceled at its time limit).
    Refused,
    /// 2: the command line cannot be used (a bad argument, JSON, URL, key or TLS file). Also
    /// what the argument parser exits with.
    Usage,
    /// 3: no session: the router cannot be reached, the TLS or transport handshake failed, or
    /// the connection was lost.
    Unreachable,
    /// 4: the router refused the session (ABORT: authentication failed, no such realm, ...).
    Aborted,
    /// 5: no answer within the time allowed.
    Timeout,
}

impl Outcome {
    /// The exit status.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Done => 0,
            Outcome::Refused => 1,
            Outcome::Usage => 2,
            Outcome::Unreachable => 3,
            Outcome::Aborted => 4,
            Outcome::Timeout => 5,
        }
    }

    /// The outcome of `error`, after printing it to stderr as `crossway COMMAND: ...` with its
    /// whole chain of causes.
    pub fn report(command: &str, error: &ClientError) -> Outcome {
        let mut text = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            text.push_str(": ");
            text.push_str(&cause.to_string());
            source = cause.source();
        }
        if let ClientError::Wamp { args, kwargs, .. } = error {
            let raw = RawPayload::encode(Codec::Json, args.as_ref(), kwargs.as_ref());
            if let Ok((args, kwargs)) = raw
                .map_err(|e| e.to_string())
                .and_then(|raw| json::elements(Some(&raw)))
            {
                for (part, empty) in [(args, "[]"), (kwargs, "{}")] {
                    if part != empty {
                        text.push(' ');
                        text.push_str(&part);
                    }
                }
            }
        }
        if let ClientError::Aborted {
            message: Some(message),
            ..
        } = error
        {
            text.push_str(&format!(" ({message})"));
        }
        eprintln!("crossway {command}: {text}");
        Outcome::of(error)
    }

    /// The outcome an error stands for.
    pub fn of(error: &ClientError) -> Outcome {
        match error {
            ClientError::Wamp { .. } => Outcome::Refused,
            ClientError::InvalidUrl { .. } | ClientError::TlsSettings(_) => Outcome::Usage,
            ClientError::Aborted { .. } => Outcome::Aborted,
            ClientError::Timeout(_) => Outcome::Timeout,
            ClientError::Connect { .. }
            | ClientError::Handshake(_)
            | ClientError::Transport(_)
            | ClientError::Encode(_)
            | ClientError::Decode(_)
            | ClientError::Protocol(_)
            | ClientError::Closed
            | ClientError::TooManyPending(_)
            | ClientError::CannotAnswer(_) => Outcome::Unreachable,
        }
    }
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        ExitCode::from(outcome.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_of_failure_has_its_own_status() {
        let wamp = ClientError::Wamp {
            error: "wamp.error.not_authorized".to_owned(),
            details: Default::default(),
            args: None,
            kwargs: None,
        };
        let aborted = ClientError::Aborted {
            reason: "wamp.error.authentication_failed".to_owned(),
            message: None,
        };
        let codes = [
            Outcome::of(&wamp),
            Outcome::of(&aborted),
            Outcome::of(&ClientError::Closed),
            Outcome::of(&ClientError::Timeout(std::time::Duration::from_secs(1))),
            Outcome::of(&ClientError::TlsSettings("no CA".to_owned())),
        ]
        .map(Outcome::code);
        assert_eq!(codes, [1, 4, 3, 5, 2]);
    }
}
