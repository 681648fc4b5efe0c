//! NATS subjects: how realms, topics and subscriptions become subjects and subject patterns,
//! and the set of patterns one node subscribes to.
//!
//! A topic's components become the subject's tokens, each escaped (`~` and the two hex digits of
//! each byte outside `A-Z a-z 0-9 - _`), so that no token holds `.`, `*`, `>` or white space.
//! An exact subscription is its topic's subject; a wildcard one puts `*` for each empty
//! component; a prefix one (a prefix of the topic's string, not only of its components) keeps its
//! complete components and ends in `>`. A node receives a superset of what its subscriptions
//! match, and its broker picks the subscribers, as for any publication.
//!
//! NATS delivers a message once per matching subscription of a connection, so a node's patterns
//! must not overlap: [`cover`] replaces patterns that overlap by one that covers both, until none
//! does. Every publication then reaches a node once, and the publications of one topic come in
//! one subscription's order.

use std::collections::BTreeSet;
use std::fmt::Write;

use crossway_protocol::Uri;
use crossway_routing::MatchPolicy;

/// One token of a subject pattern.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Token {
    /// A literal token (escaped).
    Literal(String),
    /// `*`: any one token.
    Any,
    /// `>`: one or more tokens, last.
    Rest,
}

/// A subject pattern, as tokens.
pub(crate) type Pattern = Vec<Token>;

/// A string as one subject token: bytes outside `A-Z a-z 0-9 - _` as `~` and two hex digits.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "~{b:02X}");
        }
    }
    if out.is_empty() {
        // An empty component (only in patterns) never reaches here as a literal; an empty
        // string still needs a token.
        out.push('~');
    }
    out
}

/// The subject of a publication to `topic` in `realm`: `<base>.<realm>.<component>...`.
pub(crate) fn event_subject(base: &str, realm: &Uri, topic: &Uri) -> String {
    let mut subject =
        String::with_capacity(base.len() + realm.as_str().len() + topic.as_str().len() + 8);
    subject.push_str(base);
    subject.push('.');
    subject.push_str(&escape(realm.as_str()));
    for component in topic.as_str().split('.') {
        subject.push('.');
        subject.push_str(&escape(component));
    }
    subject
}

/// The pattern (under `<base>.<realm>`) that receives every publication a subscription to
/// `topic` with `policy` matches.
pub(crate) fn interest_pattern(topic: &Uri, policy: MatchPolicy) -> Pattern {
    let components: Vec<&str> = topic.as_str().split('.').collect();
    match policy {
        MatchPolicy::Exact => components
            .iter()
            .map(|c| Token::Literal(escape(c)))
            .collect(),
        MatchPolicy::Wildcard => components
            .iter()
            .map(|c| {
                if c.is_empty() {
                    Token::Any
                } else {
                    Token::Literal(escape(c))
                }
            })
            .collect(),
        MatchPolicy::Prefix => {
            // The last component may be cut short ("com.app.us" matches "com.app.user"): only
            // the ones before it are sure.
            let complete = components.len().saturating_sub(1);
            let mut pattern: Pattern = components
                .iter()
                .take(complete)
                .map(|c| Token::Literal(escape(c)))
                .collect();
            pattern.push(Token::Rest);
            pattern
        }
    }
}

/// Writes `pattern` under `<base>.<realm>` as a subject pattern.
pub(crate) fn pattern_subject(base: &str, realm: &Uri, pattern: &[Token]) -> String {
    let mut subject = format!("{base}.{}", escape(realm.as_str()));
    for token in pattern {
        subject.push('.');
        match token {
            Token::Literal(s) => subject.push_str(s),
            Token::Any => subject.push('*'),
            Token::Rest => subject.push('>'),
        }
    }
    subject
}

/// Whether some subject matches both patterns.
pub(crate) fn overlap(a: &[Token], b: &[Token]) -> bool {
    let mut i = 0;
    loop {
        match (a.get(i), b.get(i)) {
            (None, None) => return true,
            (Some(Token::Rest), Some(_)) | (Some(_), Some(Token::Rest)) => return true,
            (None, Some(_)) | (Some(_), None) => return false,
            (Some(Token::Literal(x)), Some(Token::Literal(y))) if x != y => return false,
            _ => i += 1,
        }
    }
}

/// Whether every subject `b` matches, `a` matches too.
pub(crate) fn covers(a: &[Token], b: &[Token]) -> bool {
    let mut i = 0;
    loop {
        match (a.get(i), b.get(i)) {
            (None, None) => return true,
            (Some(Token::Rest), Some(_)) => return true,
            (Some(Token::Any), Some(Token::Any | Token::Literal(_))) => i += 1,
            (Some(Token::Literal(x)), Some(Token::Literal(y))) if x == y => i += 1,
            _ => return false,
        }
    }
}

/// The narrowest pattern that covers both `a` and `b` (token by token: equal literals stay, other
/// tokens become `*`; where the lengths differ or either has `>`, the rest is `>`).
fn join(a: &[Token], b: &[Token]) -> Pattern {
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    let mut i = 0;
    loop {
        match (a.get(i), b.get(i)) {
            (None, None) => return out,
            (Some(Token::Rest), _) | (_, Some(Token::Rest)) | (None, _) | (_, None) => {
                // `>` needs one token at least: where one pattern ended, the shorter one had
                // tokens up to here, and the longer needs one more: use `>` from the last
                // common position instead.
                if a.get(i).is_none() || b.get(i).is_none() {
                    out.pop();
                }
                out.push(Token::Rest);
                return out;
            }
            (Some(x), Some(y)) => {
                out.push(if x == y { x.clone() } else { Token::Any });
                i += 1;
            }
        }
    }
}

/// A set of patterns, none overlapping another, that together match every subject `patterns`
/// match (and maybe more): covered patterns are left out, overlapping ones joined. Patterns of
/// literals only (exact subscriptions, most of them) overlap another only where it covers them,
/// so they are checked against the joined wildcard patterns alone: linear in their number.
pub(crate) fn cover(patterns: impl IntoIterator<Item = Pattern>) -> BTreeSet<Pattern> {
    let (literals, mut todo): (BTreeSet<Pattern>, Vec<Pattern>) = {
        let (l, w): (Vec<Pattern>, Vec<Pattern>) = patterns
            .into_iter()
            .partition(|p| p.iter().all(|t| matches!(t, Token::Literal(_))));
        (l.into_iter().collect(), w)
    };
    todo.sort();
    todo.dedup();
    let mut wild: Vec<Pattern> = Vec::new();
    while let Some(mut p) = todo.pop() {
        while let Some(at) = wild.iter().position(|q| overlap(&p, q)) {
            let q = wild.swap_remove(at);
            if covers(&q, &p) {
                p = q;
            } else if !covers(&p, &q) {
                p = join(&p, &q);
            }
        }
        wild.push(p);
    }
    let kept: Vec<Pattern> = literals
        .into_iter()
        .filter(|l| !wild.iter().any(|w| covers(w, l)))
        .collect();
    wild.into_iter().chain(kept).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(s: &str) -> Pattern {
        s.split('.')
            .map(|t| match t {
                "*" => Token::Any,
                ">" => Token::Rest,
                _ => Token::Literal(t.to_owned()),
            })
            .collect()
    }

    fn show(p: &[Token]) -> String {
        pattern_subject("e", &Uri::new("r"), p)
            .trim_start_matches("e.r.")
            .to_owned()
    }

    #[test]
    fn topics_and_realms_escape_to_safe_tokens() {
        let subject = event_subject(
            "crossway.ev",
            &Uri::new("realm.1"),
            &Uri::new("com.a*b.x>y z~"),
        );
        assert_eq!(subject, "crossway.ev.realm~2E1.com.a~2Ab.x~3Ey~20z~7E");
        assert_eq!(escape("ü"), "~C3~BC");
    }

    #[test]
    fn subscriptions_become_patterns_that_receive_what_they_match() {
        let show_interest = |t: &str, p| show(&interest_pattern(&Uri::new(t), p));
        assert_eq!(show_interest("com.a.b", MatchPolicy::Exact), "com.a.b");
        assert_eq!(show_interest("com..b", MatchPolicy::Wildcard), "com.*.b");
        assert_eq!(show_interest("com.a.us", MatchPolicy::Prefix), "com.a.>");
        assert_eq!(show_interest("com.a.", MatchPolicy::Prefix), "com.a.>");
        assert_eq!(show_interest("com", MatchPolicy::Prefix), ">");
    }

    #[test]
    fn overlap_and_cover_follow_nats_matching() {
        assert!(overlap(&pat("a.*.c"), &pat("a.b.*")));
        assert!(!overlap(&pat("a.b"), &pat("a.c")));
        assert!(!overlap(&pat("a.b"), &pat("a.b.c")));
        assert!(overlap(&pat("a.>"), &pat("a.b.c")));
        assert!(!overlap(&pat("a.>"), &pat("a")));
        assert!(covers(&pat("a.>"), &pat("a.*.c")));
        assert!(!covers(&pat("a.*.c"), &pat("a.>")));
        assert!(covers(&pat("a.*"), &pat("a.b")));
        assert!(!covers(&pat("a.b"), &pat("a.*")));
    }

    #[test]
    fn the_cover_has_no_overlap_and_loses_nothing() {
        let input = [
            "a.b.c", "a.*.c", "a.b.*", "x.y", "x.y", "q.>", "q.r.s", "m.n", "m.n.o",
        ];
        let patterns: Vec<Pattern> = input.iter().map(|s| pat(s)).collect();
        let cover = cover(patterns.clone());
        let shown: Vec<String> = cover.iter().map(|p| show(p)).collect();
        for (i, p) in cover.iter().enumerate() {
            for q in cover.iter().skip(i + 1) {
                assert!(!overlap(p, q), "{shown:?}");
            }
        }
        for p in &patterns {
            assert!(
                cover.iter().any(|c| covers(c, p)),
                "{} lost in {shown:?}",
                show(p)
            );
        }
        assert!(shown.contains(&"x.y".to_owned()) && shown.contains(&"q.>".to_owned()));
        assert!(shown.contains(&"m.n".to_owned()) && shown.contains(&"m.n.o".to_owned()));
        assert!(shown.contains(&"a.*.*".to_owned()), "{shown:?}");
    }

    #[test]
    fn joining_patterns_of_different_lengths_ends_in_rest() {
        assert_eq!(show(&join(&pat("a.*"), &pat("a.b.>"))), "a.>");
        assert_eq!(show(&join(&pat("a.b.c"), &pat("a.>"))), "a.>");
        assert!(covers(&join(&pat("a.*"), &pat("*.b.c")), &pat("a.x")));
    }
}
