//! Where each key of a YAML file stands, so that problems can name their line.

use std::collections::HashMap;

use yaml_rust2::Yaml;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Maps key paths (`endpoints[1].tls.key`) to the 1-based line where they are written.
#[derive(Debug, Default)]
pub struct LineIndex {
    lines: HashMap<String, usize>,
    rewritten: Vec<RewrittenKey>,
}

impl LineIndex {
    /// Indexes a YAML text; a text that does not parse gives an empty index (the loader reports
    /// the syntax error itself).
    pub fn new(text: &str) -> Self {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        if parser.load(&mut builder, false).is_err() {
            return LineIndex::default();
        }
        LineIndex {
            lines: builder.lines,
            rewritten: builder.rewritten,
        }
    }

    /// The keys that YAML reads as something other than their text (`007` and `0x1F` are
    /// numbers, `True` a boolean).
    pub fn rewritten_keys(&self) -> &[RewrittenKey] {
        &self.rewritten
    }

    /// The line of `key`, or of the nearest enclosing key that is known.
    pub fn line_of(&self, key: &str) -> Option<usize> {
        let mut key = key;
        loop {
            if let Some(line) = self.lines.get(key) {
                return Some(*line);
            }
            let cut = key.rfind(['.', '['])?;
            key = key.get(..cut)?;
        }
    }
}

/// A key that YAML reads as something other than its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewrittenKey {
    /// Its path, with the key as written.
    pub path: String,
    /// The key as written.
    pub written: String,
    /// What YAML makes of it.
    pub read_as: String,
}

/// A container being walked.
enum Frame {
    /// A mapping: the next scalar is a key when `key` is `None`.
    Map { path: String, key: Option<String> },
    /// A sequence: the next node is item `index`.
    Seq { path: String, index: usize },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    lines: HashMap<String, usize>,
    rewritten: Vec<RewrittenKey>,
}

impl Builder {
    /// The path of the node that starts now, and advances the parent past it.
    fn next_path(&mut self) -> Option<String> {
        match self.stack.last_mut()? {
            Frame::Map { path, key } => {
                let k = key.take()?;
                Some(join(path, &k))
            }
            Frame::Seq { path, index } => {
                let p = format!("{path}[{index}]");
                *index += 1;
                Some(p)
            }
        }
    }

    /// Whether the next scalar is a mapping key (and records it if so). `plain`: written
    /// without quotes or tag, so that YAML may read it as a number or boolean.
    fn take_key(&mut self, scalar: &str, plain: bool, line: usize) -> bool {
        if let Some(Frame::Map { path, key }) = self.stack.last_mut()
            && key.is_none()
        {
            let full = join(path, scalar);
            if plain && let Some(text) = read_as(scalar) {
                self.rewritten.push(RewrittenKey {
                    path: full.clone(),
                    written: scalar.to_owned(),
                    read_as: text,
                });
            }
            self.lines.entry(full).or_insert(line);
            *key = Some(scalar.to_owned());
            return true;
        }
        false
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = mark.line();
        match ev {
            Event::Scalar(s, style, _, tag) => {
                let plain = style == TScalarStyle::Plain && tag.is_none();
                if !self.take_key(&s, plain, line)
                    && let Some(p) = self.next_path()
                {
                    self.lines.entry(p).or_insert(line);
                }
            }
            Event::Alias(_) => {
                let _ = self.next_path();
            }
            Event::MappingStart(..) => {
                let path = self.next_path().unwrap_or_default();
                self.lines.entry(path.clone()).or_insert(line);
                self.stack.push(Frame::Map { path, key: None });
            }
            Event::SequenceStart(..) => {
                let path = self.next_path().unwrap_or_default();
                self.lines.entry(path.clone()).or_insert(line);
                self.stack.push(Frame::Seq { path, index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

/// The text a plain key becomes when YAML reads it, if that is not the key as written.
fn read_as(scalar: &str) -> Option<String> {
    let text = match Yaml::from_str(scalar) {
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        _ => return None,
    };
    (text != scalar).then_some(text)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lines_of_nested_keys() {
        let text = "realms:\n  - name: realm1\nendpoints:\n  - name: a\n    listen: x\n  - name: b\n    serializers: [json, cbor]\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_of("realms"), Some(1));
        assert_eq!(idx.line_of("realms[0].name"), Some(2));
        assert_eq!(idx.line_of("endpoints[0].listen"), Some(5));
        assert_eq!(idx.line_of("endpoints[1].name"), Some(6));
        assert_eq!(idx.line_of("endpoints[1].serializers[1]"), Some(7));
        assert_eq!(idx.line_of("endpoints[1].nothing"), Some(6));
        assert!(idx.rewritten_keys().is_empty());
    }

    #[test]
    fn finds_keys_that_yaml_rewrites() {
        let idx = LineIndex::new(
            "a:\n  007: x\n  \"008\": x\n  0x1F: x\n  True: x\n  true: x\n  7: x\n  1.50: x\n  !!str 009: x\n",
        );
        let found: Vec<(&str, &str, &str)> = idx
            .rewritten_keys()
            .iter()
            .map(|k| (k.path.as_str(), k.written.as_str(), k.read_as.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("a.007", "007", "7"),
                ("a.0x1F", "0x1F", "31"),
                ("a.True", "True", "true")
            ]
        );
    }
}
