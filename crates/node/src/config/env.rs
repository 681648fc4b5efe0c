//! `${VAR}` references in string values, replaced from the environment after the YAML is parsed
//! and before anything is checked, so that secrets need not be written in the file.
//!
//! A reference is `${NAME}`, where the name is ASCII letters, digits and `_`, not starting with a
//! digit; a string may hold several, and text around them. `$${` is a literal `${`; any other `$`
//! is itself. The value of a variable is taken as it is: references in it are not replaced.

use config::{Value, ValueKind};

use super::check::Checker;

/// A string with its references replaced, or why it could not be.
#[derive(Debug, PartialEq, Eq)]
enum Expanded {
    /// No reference, no `$${`: the string stays as it is.
    Unchanged,
    /// The string with its references replaced; `from_env` when one was.
    Text { text: String, from_env: bool },
    /// A missing variable or a malformed reference, one message each.
    Problems(Vec<String>),
}

/// Replaces the references in every string of `value` (whose key path is `path`) with the values
/// `env` gives (the process environment, or a test's table), recording a problem for each
/// missing variable and malformed reference.
pub fn substitute(
    c: &mut Checker,
    path: &str,
    value: &mut Value,
    env: &dyn Fn(&str) -> Option<String>,
) {
    match &mut value.kind {
        ValueKind::String(s) => match expand(s, env) {
            Expanded::Unchanged => {}
            Expanded::Text { text, from_env } => {
                if from_env {
                    c.hide(path, &text, s);
                }
                *s = text;
            }
            Expanded::Problems(messages) => c.unresolved(path, messages),
        },
        ValueKind::Table(entries) => {
            for (key, v) in entries.iter_mut() {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                substitute(c, &child, v, env);
            }
        }
        ValueKind::Array(items) => {
            for (i, v) in items.iter_mut().enumerate() {
                substitute(c, &format!("{path}[{i}]"), v, env);
            }
        }
        _ => {}
    }
}

/// `text` with its references replaced. Messages never quote the text (it may be a secret):
/// they name the variable, or the character where a malformed reference starts.
fn expand(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Expanded {
    if !text.contains("${") {
        return Expanded::Unchanged;
    }
    let mut out = String::with_capacity(text.len());
    let mut problems = Vec::new();
    let mut from_env = false;
    let mut rest = text;
    while let Some((before, after)) = rest.split_once('$') {
        out.push_str(before);
        if let Some(literal) = after.strip_prefix("${") {
            out.push_str("${");
            rest = literal;
            continue;
        }
        let Some(body) = after.strip_prefix('{') else {
            out.push('$');
            rest = after;
            continue;
        };
        let at = char_number(text, after);
        let Some((name, tail)) = body.split_once('}') else {
            problems.push(format!(
                "the reference at character {at} has no closing '}}' (write $${{ for a literal ${{)"
            ));
            break;
        };
        rest = tail;
        if name.is_empty() {
            problems.push(format!("the reference at character {at} names no variable"));
        } else if !is_name(name) {
            problems.push(format!(
                "the reference at character {at} is not a variable name: expected ASCII letters, digits and '_', not starting with a digit"
            ));
        } else {
            match env(name) {
                Some(value) => {
                    out.push_str(&value);
                    from_env = true;
                }
                None => problems.push(format!("environment variable {name} is not set")),
            }
        }
    }
    if !problems.is_empty() {
        return Expanded::Problems(problems);
    }
    out.push_str(rest);
    Expanded::Text {
        text: out,
        from_env,
    }
}

/// Whether `name` can name a variable.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The 1-based number of the character of `text` that holds the `$` just before `after` (a tail
/// of `text`).
fn char_number(text: &str, after: &str) -> usize {
    let start = text.len().saturating_sub(after.len()).saturating_sub(1);
    text.get(..start).map_or(0, |s| s.chars().count()) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "USER" => Some("alice".to_owned()),
            "EMPTY" => Some(String::new()),
            "NESTED" => Some("${USER}".to_owned()),
            _ => None,
        }
    }

    fn text(t: &str) -> Expanded {
        expand(t, &env)
    }

    fn ok(t: &str) -> String {
        match text(t) {
            Expanded::Text { text, .. } => text,
            other => panic!("{t}: {other:?}"),
        }
    }

    fn problems(t: &str) -> Vec<String> {
        match text(t) {
            Expanded::Problems(p) => p,
            other => panic!("{t}: {other:?}"),
        }
    }

    #[test]
    fn references_are_replaced_whole_embedded_and_several() {
        assert_eq!(text("plain $ text"), Expanded::Unchanged);
        assert_eq!(ok("${USER}"), "alice");
        assert_eq!(ok("id-${USER}-${USER}!"), "id-alice-alice!");
        assert_eq!(ok("[${EMPTY}]"), "[]");
        assert_eq!(ok("${NESTED}"), "${USER}", "values are not expanded again");
        assert_eq!(ok("ünï${USER}"), "ünïalice");
    }

    #[test]
    fn a_doubled_dollar_is_a_literal_reference() {
        assert_eq!(
            text("$${USER}"),
            Expanded::Text {
                text: "${USER}".to_owned(),
                from_env: false
            }
        );
        assert_eq!(ok("$$ and $${X} and ${USER}"), "$$ and ${X} and alice");
    }

    #[test]
    fn missing_and_malformed_references_are_problems() {
        assert_eq!(
            problems("${A_1} ${USER} ${B}"),
            vec![
                "environment variable A_1 is not set",
                "environment variable B is not set"
            ]
        );
        assert!(
            problems("ab${USER")
                .iter()
                .any(|p| p.contains("character 3 has no closing"))
        );
        assert!(problems("ü${}")[0].contains("character 2 names no variable"));
        let bad = problems("x${1A} ${a-b}");
        assert_eq!(bad.len(), 2);
        assert!(bad.iter().all(|p| p.contains("not a variable name")));
        assert!(bad[0].contains("character 2") && bad[1].contains("character 8"));
    }

    #[test]
    fn messages_never_quote_the_text() {
        for t in ["s3cr3t${", "s3cr3t${}", "s3cr3t${s3-cr3t}"] {
            for p in problems(t) {
                assert!(!p.contains("s3cr3t") && !p.contains("s3-cr3t"), "{p}");
            }
        }
    }
}
