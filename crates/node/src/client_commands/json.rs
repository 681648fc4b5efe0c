//! Payloads as JSON on the command line: arguments in, JSON lines out.
//!
//! Each positional argument is JSON if it parses as JSON (`42`, `true`, `"42"`, `[1,2]`,
//! `{"a":1}`), a string otherwise (`hello`); `--kwargs` must be a JSON object. They are sent as
//! JSON text (converted by the client when it speaks another serializer), so numbers keep their
//! spelling for JSON subscribers. Out, a payload is written as JSON, binary values as WAMP's
//! `"\u0000"` + base64 strings.

use clap::Args;
use crossway_protocol::{Codec, Dict, Payload, RawPayload};

/// The payload of `crossway pub` and `crossway call`, as given on the command line.
#[derive(Debug, Clone, Args)]
pub struct PayloadArgs {
    /// The positional payload: each argument is JSON if it parses as JSON, a string otherwise
    /// (negative numbers are arguments; other values starting with `-` go after `--`).
    #[arg(allow_negative_numbers = true)]
    pub args: Vec<String>,
    /// The keyword payload, a JSON object.
    #[arg(long)]
    pub kwargs: Option<String>,
}

impl PayloadArgs {
    /// The payload, or why it cannot be sent (printed as `crossway COMMAND: ...`).
    pub fn payload(&self, command: &str) -> Result<Payload, ()> {
        payload(&self.args, self.kwargs.as_deref())
            .map_err(|e| eprintln!("crossway {command}: {e}"))
    }
}

/// The payload of `args` (each JSON or a string) and `kwargs` (a JSON object), or why not.
pub fn payload(args: &[String], kwargs: Option<&str>) -> Result<Payload, String> {
    let list = if args.is_empty() && kwargs.is_none() {
        None
    } else {
        let items: Vec<String> = args.iter().map(|arg| argument(arg)).collect();
        Some(format!("[{}]", items.join(",")))
    };
    if let Some(text) = kwargs {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(_)) => {}
            Ok(_) => return Err(format!("--kwargs must be a JSON object, not {text}")),
            Err(e) => return Err(format!("--kwargs is not JSON: {e}")),
        }
    }
    if list.is_none() {
        return Ok(Payload::EMPTY);
    }
    RawPayload::new(
        Codec::Json,
        list.as_deref().map(str::as_bytes),
        kwargs.map(str::as_bytes),
    )
    .map(Payload::from)
    .map_err(|e| format!("the arguments cannot be sent: {e}"))
}

/// One argument as JSON text: itself if it is JSON, else a JSON string of it.
fn argument(arg: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(arg) {
        Ok(_) => arg.trim().to_owned(),
        Err(_) => serde_json::Value::String(arg.to_owned()).to_string(),
    }
}

/// A received payload as JSON text: `args` (`[]` when absent) and `kwargs` (`{}` when absent).
pub fn elements(raw: Option<&RawPayload>) -> Result<(String, String), String> {
    let Some(raw) = raw else {
        return Ok(("[]".to_owned(), "{}".to_owned()));
    };
    let json = raw
        .to_codec(Codec::Json)
        .map_err(|e| format!("the payload cannot be written as JSON: {e}"))?;
    let text = |bytes: Option<&[u8]>, absent: &str| match bytes {
        Some(b) => String::from_utf8(b.to_vec()).map_err(|e| e.to_string()),
        None => Ok(absent.to_owned()),
    };
    Ok((
        text(json.args_bytes(), "[]")?,
        text(json.kwargs_bytes(), "{}")?,
    ))
}

/// A dictionary (EVENT or RESULT details) as JSON text.
pub fn dict(details: &Dict) -> Result<String, String> {
    let raw = RawPayload::encode(Codec::Json, None, Some(details))
        .map_err(|e| format!("details cannot be written as JSON: {e}"))?;
    elements(Some(&raw)).map(|(_, kwargs)| kwargs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossway_protocol::Value;

    #[test]
    fn arguments_are_json_or_strings() {
        let args = ["42", "hello", "\"7\"", "[1, 2]", "true", "007"].map(String::from);
        let payload = payload(&args, Some(r#"{"k": "v"}"#)).unwrap_or(Payload::EMPTY);
        let raw = payload.raw().cloned();
        let (list, kwargs) = elements(raw.as_ref()).unwrap_or_default();
        assert_eq!(list, r#"[42,"hello","7",[1, 2],true,"007"]"#);
        assert_eq!(kwargs, r#"{"k": "v"}"#);
    }

    #[test]
    fn kwargs_must_be_an_object() {
        assert!(payload(&[], Some("[1]")).is_err());
        assert!(payload(&[], Some("{")).is_err());
        assert!(payload(&[], None).is_ok_and(|p| p.is_empty()));
    }

    #[test]
    fn binary_values_are_written_as_wamp_json_writes_them() {
        let mut details = Dict::new();
        details.insert("topic".to_owned(), Value::from("a.b"));
        details.insert("bin".to_owned(), Value::Bytes(vec![1, 2, 3]));
        assert_eq!(
            dict(&details).as_deref(),
            Ok(r#"{"bin":"\u0000AQID","topic":"a.b"}"#)
        );
    }
}
