//! What could not be converted, by JSON path, and the JSON path helpers.

use std::fmt;

use serde_json::{Map, Value};

/// A part of the input that could not be converted (or that was dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untranslated {
    /// Its JSON path (`workers[0].transports[1].paths["/"]`).
    pub path: String,
    /// What it is and why it is not converted.
    pub why: String,
}

impl fmt::Display for Untranslated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.why)
    }
}

/// What a conversion could not do, collected as it goes.
#[derive(Debug, Default)]
pub(crate) struct Report {
    untranslated: Vec<Untranslated>,
    dropped: Vec<Untranslated>,
}

impl Report {
    /// `path` was not converted, because of `why`.
    pub(crate) fn untranslated(&mut self, path: &str, why: impl Into<String>) {
        self.untranslated.push(Untranslated {
            path: path.to_owned(),
            why: why.into(),
        });
    }

    /// `path` was dropped: it changes nothing a client can do.
    pub(crate) fn dropped(&mut self, path: &str, why: impl Into<String>) {
        self.dropped.push(Untranslated {
            path: path.to_owned(),
            why: why.into(),
        });
    }

    /// Every key of `obj` not in `known` is untranslated: Crossway has nothing like it.
    pub(crate) fn keys(&mut self, obj: &Map<String, Value>, path: &str, known: &[&str]) {
        for k in obj.keys().filter(|k| !known.contains(&k.as_str())) {
            self.untranslated(&child(path, k), "Crossway has no such setting");
        }
    }

    /// Every key of `obj` is dropped, because of `why`.
    pub(crate) fn dropped_keys(&mut self, obj: &Map<String, Value>, path: &str, why: &str) {
        for k in obj.keys() {
            self.dropped(&child(path, k), why);
        }
    }

    /// The untranslated parts and the dropped ones.
    pub(crate) fn finish(self) -> (Vec<Untranslated>, Vec<Untranslated>) {
        (self.untranslated, self.dropped)
    }
}

/// The path of `key` in the object at `path`: `a.b`, or `a["/"]` for a key that is not a
/// plain word.
pub(crate) fn child(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$');
    match (plain, path.is_empty()) {
        (true, true) => key.to_owned(),
        (true, false) => format!("{path}.{key}"),
        (false, _) => format!("{path}[{key:?}]"),
    }
}

/// The path of item `i` of the list at `path`.
pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}
