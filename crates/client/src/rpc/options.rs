//! What a caller asks for: the options of CALL ([`CallOptions`]) and the mode of CANCEL
//! ([`CancelMode`]).

use std::time::Duration;

use crossway_protocol::{Dict, Value};

/// The time limit of a call unless its options say otherwise: [`Client::call`] and
/// [`CallOptions::default`] use it, so that no call waits forever.
///
/// [`Client::call`]: crate::Client::call
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// How much longer than a call's time limit the client waits for the router's answer before it
/// gives up on its own (and cancels the call): the router ends a call at its deadline, so this
/// only matters when the router does not.
pub const TIMEOUT_GRACE: Duration = Duration::from_secs(2);

/// Options of a CALL, for [`Client::call_with`](crate::Client::call_with).
///
/// ```
/// use std::time::Duration;
/// use crossway_client::CallOptions;
///
/// let opts = CallOptions::default()
///     .with_timeout(Some(Duration::from_secs(5)))
///     .with_progress()
///     .with_option("custom", "value");
/// assert!(opts.receive_progress);
/// assert_eq!(CallOptions::default().timeout, Some(crossway_client::DEFAULT_CALL_TIMEOUT));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CallOptions {
    /// The call's time limit, sent as CALL `timeout` (milliseconds, at least 1). The router
    /// ends the call at the deadline with ERROR `wamp.error.canceled` (with a progressive call:
    /// when no result has come for that long); should it not, the client gives up
    /// [`TIMEOUT_GRACE`] later with [`ClientError::Timeout`](crate::ClientError::Timeout).
    /// `None`: no limit at all, the call waits until its answer or the end of the session.
    /// Default: [`DEFAULT_CALL_TIMEOUT`].
    pub timeout: Option<Duration>,
    /// Ask for progressive results (CALL `receive_progress`); they come before the final one
    /// from [`Call::next`](crate::Call::next).
    pub receive_progress: bool,
    /// Ask the router to tell the callee who calls (CALL `disclose_me`).
    pub disclose_me: bool,
    /// Further CALL options, sent as they are; a field above that is set (a time limit, `true`)
    /// replaces the same key here.
    pub extra: Dict,
}

/// How [`Call::cancel`](crate::Call::cancel) ends a call (CANCEL `mode`), as the router carries
/// it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CancelMode {
    /// The caller gets ERROR `wamp.error.canceled` at once; the callee is not told, and its
    /// answer is dropped.
    Skip,
    /// The callee gets INTERRUPT; the caller gets whatever the callee answers (a result, if it
    /// finished first).
    Kill,
    /// The caller gets ERROR `wamp.error.canceled` at once, the callee INTERRUPT; the callee's
    /// answer is dropped. The specification's default.
    #[default]
    KillNoWait,
}

impl CallOptions {
    /// These options with another time limit (`None`: none).
    pub fn with_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// These options asking for progressive results.
    pub fn with_progress(mut self) -> Self {
        self.receive_progress = true;
        self
    }

    /// These options asking the router to disclose the caller to the callee.
    pub fn with_disclose_me(mut self) -> Self {
        self.disclose_me = true;
        self
    }

    /// These options with one more CALL option.
    pub fn with_option(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }

    /// The CALL `Options|dict`.
    pub(crate) fn to_dict(&self) -> Dict {
        let mut options = self.extra.clone();
        if let Some(timeout) = self.timeout {
            // 0 would mean "no limit": a limit under a millisecond is one millisecond.
            let ms = u64::try_from(timeout.as_millis())
                .unwrap_or(u64::MAX)
                .max(1);
            options.insert("timeout".to_owned(), Value::from(ms));
        }
        if self.receive_progress {
            options.insert("receive_progress".to_owned(), Value::Bool(true));
        }
        if self.disclose_me {
            options.insert("disclose_me".to_owned(), Value::Bool(true));
        }
        options
    }
}

impl Default for CallOptions {
    /// A limit of [`DEFAULT_CALL_TIMEOUT`], no progressive results, not disclosed.
    fn default() -> Self {
        CallOptions {
            timeout: Some(DEFAULT_CALL_TIMEOUT),
            receive_progress: false,
            disclose_me: false,
            extra: Dict::new(),
        }
    }
}

impl CancelMode {
    /// The mode's name in CANCEL and INTERRUPT `Options.mode`.
    pub fn name(self) -> &'static str {
        match self {
            CancelMode::Skip => "skip",
            CancelMode::Kill => "kill",
            CancelMode::KillNoWait => "killnowait",
        }
    }

    /// The mode of this name; `None` for an unknown name.
    pub fn from_name(name: &str) -> Option<CancelMode> {
        [CancelMode::Skip, CancelMode::Kill, CancelMode::KillNoWait]
            .into_iter()
            .find(|m| m.name() == name)
    }

    /// The CANCEL (or INTERRUPT) `Options|dict` of this mode.
    pub(crate) fn to_dict(self) -> Dict {
        Dict::from([("mode".to_owned(), Value::from(self.name()))])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_become_the_call_dict() {
        let d = CallOptions::default().to_dict();
        assert_eq!(d.get("timeout"), Some(&Value::from(60_000u64)));
        assert_eq!(d.len(), 1);
        let d = CallOptions::default()
            .with_timeout(Some(Duration::from_micros(10)))
            .with_progress()
            .with_disclose_me()
            .with_option("receive_progress", false)
            .with_option("x", 1i64)
            .to_dict();
        assert_eq!(d.get("timeout"), Some(&Value::from(1u64)));
        assert_eq!(d.get("receive_progress"), Some(&Value::Bool(true)));
        assert_eq!(d.get("disclose_me"), Some(&Value::Bool(true)));
        assert_eq!(d.get("x"), Some(&Value::Int(1)));
        assert!(
            CallOptions::default()
                .with_timeout(None)
                .to_dict()
                .is_empty()
        );
    }

    #[test]
    fn modes_by_name() {
        for m in [CancelMode::Skip, CancelMode::Kill, CancelMode::KillNoWait] {
            assert_eq!(CancelMode::from_name(m.name()), Some(m));
        }
        assert_eq!(CancelMode::from_name("nope"), None);
        assert_eq!(CancelMode::default(), CancelMode::KillNoWait);
    }
}
