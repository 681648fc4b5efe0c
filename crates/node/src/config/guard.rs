//! A first, flat pass over the YAML text that refuses what would make the YAML loaders blow up:
//! nesting so deep that their recursion overflows the stack, and alias bombs (a few hundred
//! bytes of `&a [*b, *b, ...]` that expand to gigabytes, since each alias is copied).
//!
//! It reads the parser's events one by one (no recursion), so it is safe on any input.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};

/// The deepest nesting a configuration may have (a real one needs about 6).
pub const MAX_DEPTH: usize = 32;

/// The most values a configuration may expand to, aliases counted at their full size.
pub const MAX_NODES: usize = 100_000;

/// Checks `text`; `Err` says what is wrong. Syntax errors are left to the loader, which
/// reports them with their position.
pub fn check_yaml_shape(text: &str) -> Result<(), String> {
    let mut parser = Parser::new_from_str(text);
    // Each open container: its anchor id and how many values it holds so far.
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut anchored: HashMap<usize, usize> = HashMap::new();
    let mut total: usize = 0;
    loop {
        let Ok((event, _)) = parser.next_token() else {
            return Ok(());
        };
        let add = match event {
            Event::StreamEnd => return Ok(()),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                open.push((anchor, 1));
                if open.len() > MAX_DEPTH {
                    return Err(format!(
                        "nested more than {MAX_DEPTH} levels deep; a Crossway configuration needs far fewer"
                    ));
                }
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some((anchor, size)) = open.pop() else {
                    continue;
                };
                if anchor != 0 {
                    anchored.insert(anchor, size);
                }
                size
            }
            Event::Scalar(_, _, anchor, _) => {
                if anchor != 0 {
                    anchored.insert(anchor, 1);
                }
                1
            }
            Event::Alias(anchor) => anchored.get(&anchor).copied().unwrap_or(1),
            _ => continue,
        };
        match open.last_mut() {
            Some((_, size)) => *size = size.saturating_add(add),
            None => total = total.saturating_add(add),
        }
        let pending: usize = open
            .iter()
            .map(|(_, s)| *s)
            .fold(total, usize::saturating_add);
        if pending > MAX_NODES {
            return Err(format!(
                "expands to more than {MAX_NODES} values (aliases count at their full size)"
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_configs_pass() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../config.yaml"))
                .unwrap();
        assert_eq!(check_yaml_shape(&text), Ok(()));
        assert_eq!(check_yaml_shape("base: &b {x: 1}\nother: *b\n"), Ok(()));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("realms:\n  {}x", "- ".repeat(20_000));
        let err = check_yaml_shape(&text).unwrap_err();
        assert!(err.contains("nested more than"), "{err}");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n");
        for i in 1..8 {
            let prev = format!("*a{}", i - 1);
            text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(",")));
        }
        text.push_str("realms: *a7\n");
        let err = check_yaml_shape(&text).unwrap_err();
        assert!(err.contains("expands to more than"), "{err}");
    }
}
