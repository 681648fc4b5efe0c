//! A walker over the loaded configuration tree that collects every problem instead of stopping
//! at the first.

use std::collections::HashSet;
use std::time::Duration;

use config::{Value, ValueKind};

use super::lines::LineIndex;
use super::problem::Problem;

/// Collects problems while the model is read from the tree.
pub struct Checker {
    lines: LineIndex,
    problems: Vec<Problem>,
    /// Values that came from `${VAR}` references: never shown, their reference is shown instead.
    hidden: Vec<Hidden>,
    /// Keys whose `${VAR}` references could not be resolved: their one problem says so, and
    /// nothing more is said about them.
    unresolved: HashSet<String>,
}

/// A string value made from `${VAR}` references.
struct Hidden {
    /// Its key path.
    key: String,
    /// The value, as quoted in messages.
    quoted: String,
    /// The text written in the file, as quoted in messages.
    written: String,
}

/// A table of the tree: its key path and its entries.
pub struct Table<'v> {
    path: String,
    entries: &'v config::Map<String, Value>,
}

impl Checker {
    /// A checker that finds lines in `lines`.
    pub fn new(lines: LineIndex) -> Self {
        Checker {
            lines,
            problems: Vec::new(),
            hidden: Vec::new(),
            unresolved: HashSet::new(),
        }
    }

    /// Records a problem at `key`. A value that came from the environment is shown as the
    /// reference it was written as; a key whose reference could not be resolved has its problem
    /// already.
    pub fn problem(&mut self, key: &str, message: impl Into<String>) {
        if self.unresolved.contains(key) {
            return;
        }
        let mut message = message.into();
        for h in &self.hidden {
            if within(key, &h.key) {
                message = message.replace(&h.quoted, &h.written);
            }
        }
        self.problems.push(Problem {
            key: key.to_owned(),
            line: self.lines.line_of(key),
            message,
        });
    }

    /// Records that the string at `key`, written as `written`, became `value` from the
    /// environment: problems at `key` and below show `written` wherever they would quote `value`.
    pub fn hide(&mut self, key: &str, value: &str, written: &str) {
        self.hidden.push(Hidden {
            key: key.to_owned(),
            quoted: format!("\"{value}\""),
            written: format!("\"{written}\""),
        });
    }

    /// Records problems with the `${VAR}` references of the string at `key`; nothing else is
    /// said about `key`, whose value is not known.
    pub fn unresolved(&mut self, key: &str, messages: Vec<String>) {
        for m in messages {
            self.problem(key, m);
        }
        self.unresolved.insert(key.to_owned());
    }

    /// Records a problem for every key that YAML reads as something other than its text (an
    /// authid `007` would silently become `7`).
    pub fn report_rewritten_keys(&mut self) {
        for k in self.lines.rewritten_keys().to_vec() {
            self.problem(
                &k.path,
                format!(
                    "YAML reads this key as {}; quote it (\"{}\") to keep it as written",
                    k.read_as, k.written
                ),
            );
        }
    }

    /// Every problem recorded, ordered by line (unknown lines last), then key.
    pub fn into_problems(self) -> Vec<Problem> {
        let mut problems = self.problems;
        problems.sort_by(|a, b| {
            let la = a.line.unwrap_or(usize::MAX);
            let lb = b.line.unwrap_or(usize::MAX);
            la.cmp(&lb).then_with(|| a.key.cmp(&b.key))
        });
        problems
    }

    /// `value` as a table, or a problem.
    pub fn table<'v>(&mut self, path: &str, value: &'v Value) -> Option<Table<'v>> {
        match &value.kind {
            ValueKind::Table(entries) => Some(Table {
                path: path.to_owned(),
                entries,
            }),
            other => {
                self.problem(
                    path,
                    format!("expected a mapping, found {}", kind_name(other)),
                );
                None
            }
        }
    }

    /// Reports every key of `table` not in `allowed`, naming the keys that are allowed.
    pub fn only_keys(&mut self, table: &Table<'_>, allowed: &[&str]) {
        let mut unknown: Vec<&String> = table
            .entries
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .collect();
        unknown.sort();
        for key in unknown {
            let path = table.child(key);
            self.problem(
                &path,
                format!("unknown key; expected one of: {}", allowed.join(", ")),
            );
        }
    }

    /// A required string entry.
    pub fn required_string(&mut self, table: &Table<'_>, key: &str) -> Option<String> {
        match table.entries.get(key) {
            Some(v) => self.string(&table.child(key), v),
            None => {
                self.problem(&table.child(key), "required key is missing");
                None
            }
        }
    }

    /// An optional string entry.
    pub fn optional_string(&mut self, table: &Table<'_>, key: &str) -> Option<String> {
        let v = table.entries.get(key)?;
        self.string(&table.child(key), v)
    }

    /// A required string entry that is not empty (nor only spaces). Its value is never quoted
    /// in a message, so that secrets can be read with it.
    pub fn required_text(&mut self, table: &Table<'_>, key: &str) -> Option<String> {
        let text = self.required_string(table, key)?;
        if text.trim().is_empty() {
            self.problem(&table.child(key), "must not be empty");
            return None;
        }
        Some(text)
    }

    /// The entries of a table whose keys are names (not keywords), in the order of the file:
    /// each with its path, key and value.
    pub fn entries<'v>(&self, table: &Table<'v>) -> Vec<(String, &'v str, &'v Value)> {
        let mut entries: Vec<(String, &'v str, &'v Value)> = table
            .entries
            .iter()
            .map(|(k, v)| (table.child(k), k.as_str(), v))
            .collect();
        entries.sort_by(|a, b| {
            let la = self.lines.line_of(&a.0).unwrap_or(usize::MAX);
            let lb = self.lines.line_of(&b.0).unwrap_or(usize::MAX);
            la.cmp(&lb).then_with(|| a.1.cmp(b.1))
        });
        entries
    }

    /// `value` as a string; numbers and booleans are taken as their text (YAML writes `1.2`
    /// unquoted as a number).
    pub fn string(&mut self, path: &str, value: &Value) -> Option<String> {
        match &value.kind {
            ValueKind::String(s) => Some(s.clone()),
            ValueKind::I64(_)
            | ValueKind::I128(_)
            | ValueKind::U64(_)
            | ValueKind::U128(_)
            | ValueKind::Float(_)
            | ValueKind::Boolean(_) => Some(value.to_string()),
            other => {
                self.problem(
                    path,
                    format!("expected a string, found {}", kind_name(other)),
                );
                None
            }
        }
    }

    /// An optional non-negative integer entry; strings of digits are accepted (environment
    /// overrides are strings).
    pub fn optional_u64(&mut self, table: &Table<'_>, key: &str) -> Option<u64> {
        let value = table.entries.get(key)?;
        let path = table.child(key);
        let parsed = match &value.kind {
            ValueKind::I64(i) => u64::try_from(*i).ok(),
            ValueKind::U64(u) => Some(*u),
            ValueKind::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.problem(
                &path,
                format!(
                    "expected a non-negative whole number, found {}",
                    describe(value)
                ),
            );
        }
        parsed
    }

    /// An optional boolean entry.
    pub fn optional_bool(&mut self, table: &Table<'_>, key: &str) -> Option<bool> {
        let value = table.entries.get(key)?;
        match &value.kind {
            ValueKind::Boolean(b) => Some(*b),
            ValueKind::String(s) if s == "true" || s == "false" => Some(s == "true"),
            _ => {
                self.problem(
                    &table.child(key),
                    format!("expected true or false, found {}", describe(value)),
                );
                None
            }
        }
    }

    /// An optional duration in seconds (a whole or fractional number, at least 0).
    pub fn optional_seconds(&mut self, table: &Table<'_>, key: &str) -> Option<Duration> {
        let value = table.entries.get(key)?;
        let parsed = match &value.kind {
            ValueKind::I64(i) => Some(*i as f64),
            ValueKind::U64(u) => Some(*u as f64),
            ValueKind::Float(f) => Some(*f),
            ValueKind::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .filter(|s: &f64| s.is_finite() && *s >= 0.0 && *s <= 86_400.0);
        if parsed.is_none() {
            self.problem(
                &table.child(key),
                format!(
                    "expected a number of seconds from 0 to 86400, found {}",
                    describe(value)
                ),
            );
        }
        parsed.map(Duration::from_secs_f64)
    }

    /// An optional list entry, as its items with their paths.
    pub fn optional_list<'v>(
        &mut self,
        table: &Table<'v>,
        key: &str,
    ) -> Option<Vec<(String, &'v Value)>> {
        let value = table.entries.get(key)?;
        let path = table.child(key);
        self.list(&path, value)
    }

    /// `value` as a list, as its items with their paths.
    pub fn list<'v>(&mut self, path: &str, value: &'v Value) -> Option<Vec<(String, &'v Value)>> {
        match &value.kind {
            ValueKind::Array(items) => Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("{path}[{i}]"), v))
                    .collect(),
            ),
            other => {
                self.problem(path, format!("expected a list, found {}", kind_name(other)));
                None
            }
        }
    }
}

impl<'v> Table<'v> {
    /// The path of the entry `key`.
    pub fn child(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The table's key path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The entry `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'v Value> {
        self.entries.get(key)
    }

    /// The entries, ordered by key.
    pub fn entries(&self) -> Vec<(&'v str, &'v Value)> {
        let mut all: Vec<(&'v str, &'v Value)> =
            self.entries.iter().map(|(k, v)| (k.as_str(), v)).collect();
        all.sort_by_key(|(k, _)| *k);
        all
    }

    /// Whether the table has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A short description of a value for messages: its kind, and its text when short.
pub fn describe(value: &Value) -> String {
    match &value.kind {
        ValueKind::String(s) => format!("\"{s}\""),
        ValueKind::Table(_) | ValueKind::Array(_) | ValueKind::Nil => {
            kind_name(&value.kind).to_owned()
        }
        _ => value.to_string(),
    }
}

/// Whether `key` is `outer` or lies under it.
fn within(key: &str, outer: &str) -> bool {
    key.strip_prefix(outer)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

fn kind_name(kind: &ValueKind) -> &'static str {
    match kind {
        ValueKind::Nil => "nothing (null)",
        ValueKind::Boolean(_) => "a boolean",
        ValueKind::I64(_) | ValueKind::I128(_) | ValueKind::U64(_) | ValueKind::U128(_) => {
            "a number"
        }
        ValueKind::Float(_) => "a number",
        ValueKind::String(_) => "a string",
        ValueKind::Table(_) => "a mapping",
        ValueKind::Array(_) => "a list",
    }
}
