//! URIs and the rules that decide which strings are valid URIs.

use std::fmt;
use std::sync::Arc;

/// A WAMP URI (a topic, a procedure, an error, a realm). Cheap to clone.
///
/// Holding a `Uri` says nothing about validity: decoding accepts any string, and the router checks
/// it against the realm's [`UriRules`] where the protocol says so, answering with an ERROR rather
/// than dropping the connection.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uri(Arc<str>);

impl Uri {
    /// A URI from any string.
    pub fn new(s: &str) -> Self {
        Uri(Arc::from(s))
    }

    /// The URI's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the URI is valid under `rules` as a concrete URI (no empty components).
    pub fn is_valid(&self, rules: UriRules) -> bool {
        check(&self.0, rules, false)
    }

    /// Whether the URI is valid under `rules` as a pattern: empty components allowed, as prefix
    /// and wildcard subscriptions use them.
    pub fn is_valid_pattern(&self, rules: UriRules) -> bool {
        check(&self.0, rules, true)
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Uri {
    fn from(s: &str) -> Self {
        Uri::new(s)
    }
}

impl From<String> for Uri {
    fn from(s: String) -> Self {
        Uri(Arc::from(s))
    }
}

impl AsRef<str> for Uri {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Which URI syntax a realm enforces (WAMP "URI" section).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UriRules {
    /// Components may hold anything but whitespace, `.` and `#`: `^([^\s\.#]+\.)*([^\s\.#]+)$`.
    #[default]
    Loose,
    /// Components hold only lowercase letters, digits and `_`: `^([0-9a-z_]+\.)*([0-9a-z_]+)$`.
    Strict,
}

/// Checks `uri` component by component; with `pattern`, components may be empty (but the URI may
/// not be empty as a whole).
fn check(uri: &str, rules: UriRules, pattern: bool) -> bool {
    if uri.is_empty() {
        return false;
    }
    uri.split('.').all(|component| {
        if component.is_empty() {
            return pattern;
        }
        match rules {
            UriRules::Loose => !component.chars().any(|c| c.is_whitespace() || c == '#'),
            UriRules::Strict => component
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loose(s: &str) -> bool {
        Uri::new(s).is_valid(UriRules::Loose)
    }

    fn strict(s: &str) -> bool {
        Uri::new(s).is_valid(UriRules::Strict)
    }

    #[test]
    fn loose_rules() {
        assert!(loose("com.myapp.topic1"));
        assert!(loose("com.MyApp.Topic-1"));
        assert!(loose("a"));
        assert!(loose("wamp.error.invalid_uri"));
        assert!(loose("com.myapp.ünïcode"));
        assert!(!loose(""));
        assert!(!loose("com..topic"));
        assert!(!loose(".com"));
        assert!(!loose("com."));
        assert!(!loose("com.my app"));
        assert!(!loose("com.my#app"));
        assert!(!loose("com.my\tapp"));
    }

    #[test]
    fn strict_rules() {
        assert!(strict("com.myapp.topic_1"));
        assert!(!strict("com.MyApp.topic"));
        assert!(!strict("com.my-app"));
        assert!(!strict("com..topic"));
    }

    #[test]
    fn patterns_allow_empty_components() {
        assert!(Uri::new("com..topic").is_valid_pattern(UriRules::Loose));
        assert!(Uri::new("com.myapp.").is_valid_pattern(UriRules::Loose));
        assert!(Uri::new("..x").is_valid_pattern(UriRules::Strict));
        assert!(!Uri::new("com. x").is_valid_pattern(UriRules::Loose));
        assert!(!Uri::new("").is_valid_pattern(UriRules::Loose));
    }
}
