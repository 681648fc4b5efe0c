//! Evaluating an OpenSSL cipher string (`ECDH+AESGCM:DH+AESGCM:!aNULL:@STRENGTH`) over the
//! [catalogue](super::catalogue) the way OpenSSL 3 does, as its `ciphers(1)` manual describes
//! ("CIPHER LIST FORMAT"):
//!
//! - items are separated by `:`, `,`, `;` or spaces; an item is a suite name, an alias, or
//!   names and aliases joined by `+` (the suites all of them select);
//! - a plain item adds the suites it selects that are not in the list yet, at its end, in the
//!   catalogue's order; `-` takes suites out (a later item may add them again, and those taken
//!   out last come first when it does); `!` takes them out for good; `+` moves suites already
//!   in the list to its end;
//! - `@STRENGTH` sorts the list by encryption strength, strongest first, keeping the order
//!   within a strength; `@SECLEVEL=n` sets OpenSSL's security level and leaves the list alone;
//! - `DEFAULT` at the very start stands for `ALL:!COMPLEMENTOFDEFAULT:!eNULL`; anywhere else
//!   it is an unknown word;
//! - a word OpenSSL does not know makes it ignore its whole item; a character that cannot be
//!   part of a word is an error (unless it is in an item already being ignored).
//!
//! Names and aliases are case-sensitive, as in OpenSSL. Two additions: a suite's IANA name
//! (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`) and a suite name in another case are read as the
//! suite, and TLS 1.3 suite names (`TLS_AES_128_GCM_SHA256`, `TLS13_AES_128_GCM_SHA256`),
//! which OpenSSL keeps out of cipher strings, are collected apart.

use std::fmt;

use super::aliases::{Pattern, alias, alias_ignoring_case};
use super::catalogue::{SUITES, Suite, by_any_name, by_openssl_name};

/// What a cipher string selects.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Evaluated {
    /// The TLS 1.2 (and older) suites, in the string's order.
    pub suites: Vec<&'static Suite>,
    /// TLS 1.3 suites named, by their OpenSSL (IANA) names, in order, each once.
    pub tls13: Vec<&'static str>,
    /// Words OpenSSL does not know, each with a hint when one is known: their items were
    /// ignored, as OpenSSL ignores them.
    pub unknown: Vec<(String, Option<&'static str>)>,
    /// Items read differently from OpenSSL, or ignored for another reason, and why.
    pub notes: Vec<String>,
    /// The `@SECLEVEL=n` given last, if any.
    pub seclevel: Option<u8>,
}

/// A cipher string OpenSSL would refuse as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SyntaxError {
    /// A character that is neither a separator, an operator nor part of a word.
    BadCharacter {
        /// What was found (the end of the string when `None`).
        found: Option<char>,
        /// Its position in characters, from 0.
        at: usize,
    },
    /// An `@` command other than `@STRENGTH` and `@SECLEVEL=0` to `5`.
    BadCommand(String),
}

/// The TLS 1.3 suites OpenSSL names, with the spelling rustls uses for them.
pub(crate) const TLS13_NAMES: &[(&str, &str)] = &[
    ("TLS_AES_256_GCM_SHA384", "TLS13_AES_256_GCM_SHA384"),
    (
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS13_CHACHA20_POLY1305_SHA256",
    ),
    ("TLS_AES_128_GCM_SHA256", "TLS13_AES_128_GCM_SHA256"),
    ("TLS_AES_128_CCM_SHA256", "TLS13_AES_128_CCM_SHA256"),
    ("TLS_AES_128_CCM_8_SHA256", "TLS13_AES_128_CCM_8_SHA256"),
];

/// The OpenSSL name of the TLS 1.3 suite `word` (in either spelling, any case).
pub(crate) fn tls13_name(word: &str) -> Option<&'static str> {
    TLS13_NAMES
        .iter()
        .find(|(openssl, rustls)| {
            openssl.eq_ignore_ascii_case(word) || rustls.eq_ignore_ascii_case(word)
        })
        .map(|(openssl, _)| *openssl)
}

/// What `DEFAULT` at the start of a string stands for (OpenSSL 3).
const DEFAULT_RULES: &str = "ALL:!COMPLEMENTOFDEFAULT:!eNULL";

/// Evaluates `text`.
pub(crate) fn evaluate(text: &str) -> Result<Evaluated, SyntaxError> {
    let mut list = List::new();
    let mut out = Evaluated::default();
    let mut rest = text;
    let mut offset = 0;
    if let Some(after) = text.strip_prefix("DEFAULT") {
        run(DEFAULT_RULES, 0, &mut list, &mut out)?;
        rest = after.strip_prefix(':').unwrap_or(after);
        offset = text.len() - rest.len();
    }
    run(rest, offset, &mut list, &mut out)?;
    out.suites = list.active();
    Ok(out)
}

/// What an item does to the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// No prefix: add.
    Add,
    /// `-`: take out, may come back.
    Delete,
    /// `!`: take out for good.
    Kill,
    /// `+`: move to the end.
    MoveToEnd,
}

/// Runs the items of `text` (starting at character `offset` of the whole string) on `list`.
fn run(text: &str, offset: usize, list: &mut List, out: &mut Evaluated) -> Result<(), SyntaxError> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while let Some(&first) = chars.get(i) {
        if is_separator(first) {
            i += 1;
            continue;
        }
        let (op, command) = match first {
            '-' => (Op::Delete, false),
            '+' => (Op::MoveToEnd, false),
            '!' => (Op::Kill, false),
            '@' => (Op::Add, true),
            _ => (Op::Add, false),
        };
        if command || op != Op::Add {
            i += 1;
        }
        let mut item = Item::default();
        loop {
            let start = i;
            while chars.get(i).is_some_and(|c| is_word(*c)) {
                i += 1;
            }
            if i == start {
                return Err(SyntaxError::BadCharacter {
                    found: chars.get(i).copied(),
                    at: offset + i,
                });
            }
            let word: String = chars.get(start..i).unwrap_or_default().iter().collect();
            if command {
                special(&word, list, out)?;
                item.ignored = true;
                break;
            }
            let more = chars.get(i) == Some(&'+');
            if more {
                i += 1;
            }
            item.add(&word, op, more, out);
            if item.ignored || !more {
                break;
            }
        }
        match item.pattern {
            Some(pattern) if !item.ignored => list.apply(op, |s| pattern.matches(s)),
            _ => i = skip_item(&chars, i),
        }
    }
    Ok(())
}

/// One item being read: the pattern of its words so far, or ignored.
#[derive(Default)]
struct Item {
    /// The words read so far.
    words: Vec<String>,
    /// What they select together.
    pattern: Option<Pattern>,
    /// Whether OpenSSL ignores the item (an unknown word, words that select nothing together,
    /// a TLS 1.3 suite); the reason is recorded in the evaluation.
    ignored: bool,
}

impl Item {
    /// Adds `word` (followed by `+` when `more`) to an item of operator `op`.
    fn add(&mut self, word: &str, op: Op, more: bool, out: &mut Evaluated) {
        self.words.push(word.to_owned());
        let p = if let Some(s) = by_openssl_name(word) {
            Pattern::of_suite(s)
        } else if let Some(p) = alias(word) {
            p
        } else if let Some(name) = tls13_name(word) {
            self.ignored = true;
            if self.words.len() == 1 && !more && op == Op::Add {
                if !out.tls13.contains(&name) {
                    out.tls13.push(name);
                }
            } else {
                out.notes.push(format!(
                    "the item with {word} is ignored: a TLS 1.3 suite can be named, not combined, moved or removed"
                ));
            }
            return;
        } else if let Some(s) = by_any_name(word) {
            Pattern::of_suite(s)
        } else {
            self.ignored = true;
            if word == "DEFAULT" {
                out.notes.push(
                    "DEFAULT is ignored: it counts only at the start of a cipher string, as in OpenSSL"
                        .to_owned(),
                );
            } else {
                out.unknown
                    .push((word.to_owned(), alias_ignoring_case(word)));
            }
            return;
        };
        self.pattern = match self.pattern {
            None => Some(p),
            Some(q) => q.and(p),
        };
        self.ignored = self.pattern.is_none();
    }
}

/// Runs the `@` command `word`.
fn special(word: &str, list: &mut List, out: &mut Evaluated) -> Result<(), SyntaxError> {
    if word == "STRENGTH" {
        list.sort_by_strength();
        return Ok(());
    }
    match word.strip_prefix("SECLEVEL=").map(str::as_bytes) {
        Some([digit @ b'0'..=b'5']) => {
            out.seclevel = Some(digit - b'0');
            Ok(())
        }
        _ => Err(SyntaxError::BadCommand(format!("@{word}"))),
    }
}

/// The position after the rest of the item at `i` (up to the next separator).
fn skip_item(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| !is_separator(*c)) {
        i += 1;
    }
    i
}

fn is_separator(c: char) -> bool {
    matches!(c, ':' | ' ' | ';' | ',')
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=')
}

/// The working list: every suite not taken out for good, each in or out of the selection.
struct List {
    entries: Vec<(&'static Suite, bool)>,
}

impl List {
    /// Every suite of the catalogue, in its order, none selected.
    fn new() -> List {
        List {
            entries: SUITES.iter().map(|s| (s, false)).collect(),
        }
    }

    /// The selected suites, in order.
    fn active(&self) -> Vec<&'static Suite> {
        self.entries
            .iter()
            .filter(|(_, active)| *active)
            .map(|(s, _)| *s)
            .collect()
    }

    /// Applies `op` to the suites `selects` chooses.
    fn apply(&mut self, op: Op, selects: impl Fn(&Suite) -> bool) {
        let entries = std::mem::take(&mut self.entries);
        let (chosen, others): (Vec<_>, Vec<_>) = entries.into_iter().partition(|(s, active)| {
            selects(s)
                && match op {
                    Op::Add => !active,
                    Op::Delete | Op::MoveToEnd => *active,
                    Op::Kill => true,
                }
        });
        self.entries = match op {
            Op::Add => others
                .into_iter()
                .chain(chosen.into_iter().map(|(s, _)| (s, true)))
                .collect(),
            Op::MoveToEnd => others.into_iter().chain(chosen).collect(),
            Op::Delete => chosen
                .into_iter()
                .map(|(s, _)| (s, false))
                .chain(others)
                .collect(),
            Op::Kill => others,
        };
    }

    /// `@STRENGTH`: the selected suites move to the end by strength, strongest first.
    fn sort_by_strength(&mut self) {
        let max = self
            .entries
            .iter()
            .map(|(s, _)| s.strength_bits())
            .max()
            .unwrap_or(0);
        for bits in (0..=max).rev() {
            if self.entries.iter().any(|(s, _)| s.strength_bits() == bits) {
                self.apply(Op::MoveToEnd, |s| s.strength_bits() == bits);
            }
        }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyntaxError::BadCharacter { found: Some(c), at } => write!(
                f,
                "{c:?} at character {} cannot be part of a cipher string (names and aliases are letters, digits, '-', '_', '.' and '='; items are separated by ':')",
                at + 1
            ),
            SyntaxError::BadCharacter { found: None, .. } => {
                f.write_str("the cipher string ends where a name or alias should follow")
            }
            SyntaxError::BadCommand(c) => write!(
                f,
                "{c} is not a command OpenSSL knows; expected @STRENGTH or @SECLEVEL=0 to 5"
            ),
        }
    }
}

#[cfg(test)]
#[path = "cipher_string_tests.rs"]
mod tests;
