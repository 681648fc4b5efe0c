//! Where each key of a YAML file stands, so that problems can name their line.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Maps key paths (`endpoints[1].tls.key`) to the 1-based line where they are written.
#[derive(Debug, Default)]
pub struct LineIndex {
    lines: HashMap<String, usize>,
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
        }
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

    /// Whether the next scalar is a mapping key (and records it if so).
    fn take_key(&mut self, scalar: &str, line: usize) -> bool {
        if let Some(Frame::Map { path, key }) = self.stack.last_mut()
            && key.is_none()
        {
            let full = join(path, scalar);
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
            Event::Scalar(s, ..) => {
                if !self.take_key(&s, line)
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
    }
}
