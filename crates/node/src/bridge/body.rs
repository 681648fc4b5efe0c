//! The bridge's request body, `{"realm": .., "topic": .., "args": [..], "kwargs": {..},
//! "options": {..}}`, checked and turned into the HELLO and PUBLISH of the bridge's session.
//!
//! `args` and `kwargs` are kept as the request's bytes (key order, number spelling), as every
//! JSON payload is; the WAMP JSON decoder then checks them as it checks a PUBLISH from a client.

use crossway_protocol::{Codec, Message};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// A body that is not a publication.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadBody(pub String);

/// What the body asks for.
#[derive(Debug)]
pub struct Publication {
    /// The realm to publish into.
    pub realm: String,
    /// Whether the request asked for the publication's id (`options.acknowledge`).
    pub acknowledge: bool,
    /// The PUBLISH of the bridge's session (always acknowledged towards the bridge).
    pub publish: Message,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body<'a> {
    realm: String,
    topic: String,
    #[serde(borrow, default)]
    args: Option<&'a RawValue>,
    #[serde(borrow, default)]
    kwargs: Option<&'a RawValue>,
    #[serde(default)]
    options: Option<Map<String, Value>>,
}

/// Reads `body`.
pub fn parse(body: &[u8]) -> Result<Publication, BadBody> {
    let b: Body<'_> = serde_json::from_slice(body).map_err(|e| {
        BadBody(format!(
            "the body is not a publication ({e}); expected {{\"realm\": \"...\", \"topic\": \"...\", \"args\": [...], \"kwargs\": {{...}}, \"options\": {{...}}}}"
        ))
    })?;
    let args = b.args.map(RawValue::get);
    let kwargs = b.kwargs.map(RawValue::get);
    if args.is_some_and(|a| !a.starts_with('[')) {
        return Err(BadBody("\"args\" must be a list".to_owned()));
    }
    if kwargs.is_some_and(|k| !k.starts_with('{')) {
        return Err(BadBody("\"kwargs\" must be an object".to_owned()));
    }
    let mut options = b.options.unwrap_or_default();
    let acknowledge = match options.get("acknowledge") {
        None => false,
        Some(Value::Bool(a)) => *a,
        Some(_) => {
            return Err(BadBody(
                "\"options.acknowledge\" must be true or false".to_owned(),
            ));
        }
    };
    options.insert("acknowledge".to_owned(), Value::Bool(true));
    let mut wamp = format!(
        "[16,1,{},{}",
        Value::Object(options),
        Value::String(b.topic)
    );
    match (args, kwargs) {
        (None, None) => {}
        (Some(a), None) => wamp.push_str(&format!(",{a}")),
        (a, Some(k)) => wamp.push_str(&format!(",{},{k}", a.unwrap_or("[]"))),
    }
    wamp.push(']');
    let publish = Codec::Json
        .decode(wamp.as_bytes())
        .map_err(|e| BadBody(format!("not a valid publication: {e}")))?;
    Ok(Publication {
        realm: b.realm,
        acknowledge,
        publish,
    })
}

/// The HELLO of a bridge session joining `realm` anonymously (with the bridge's role).
pub fn hello(realm: &str) -> Result<Message, BadBody> {
    let text = format!(
        "[1,{},{{\"roles\":{{\"publisher\":{{}}}},\"authmethods\":[\"anonymous\"],\"agent\":\"crossway-http-publish\"}}]",
        Value::String(realm.to_owned())
    );
    Codec::Json
        .decode(text.as_bytes())
        .map_err(|e| BadBody(format!("\"realm\" is not a realm: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publish_of(body: &str) -> Result<Publication, BadBody> {
        parse(body.as_bytes())
    }

    #[test]
    fn a_whole_body_keeps_the_payload_bytes() {
        let p = publish_of(
            r#"{"realm":"realm1","topic":"com.example.t","args":[1.0,"x"],"kwargs":{"b":1,"a":2},"options":{"acknowledge":true,"exclude_me":false}}"#,
        )
        .unwrap();
        assert_eq!(p.realm, "realm1");
        assert!(p.acknowledge);
        let bytes = Codec::Json.encode(&p.publish).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains(r#"[1.0,"x"],{"b":1,"a":2}"#), "{text}");
        assert!(text.contains("\"com.example.t\""), "{text}");
    }

    #[test]
    fn the_bridge_always_asks_for_the_acknowledgement() {
        let p = publish_of(r#"{"realm":"r","topic":"t","kwargs":{"k":1}}"#).unwrap();
        assert!(!p.acknowledge);
        let Message::Publish { options, .. } = &p.publish else {
            panic!("{:?}", p.publish)
        };
        assert_eq!(
            options.get("acknowledge"),
            Some(&crossway_protocol::Value::Bool(true))
        );
    }

    #[test]
    fn bad_shapes_are_refused_with_a_reason() {
        for (body, words) in [
            ("not json", "not a publication"),
            ("[1]", "not a publication"),
            (r#"{"realm":"r"}"#, "topic"),
            (r#"{"realm":"r","topic":"t","colour":1}"#, "colour"),
            (
                r#"{"realm":"r","topic":"t","args":{}}"#,
                "\"args\" must be a list",
            ),
            (
                r#"{"realm":"r","topic":"t","kwargs":[]}"#,
                "\"kwargs\" must be an object",
            ),
            (
                r#"{"realm":"r","topic":"t","options":{"acknowledge":1}}"#,
                "acknowledge",
            ),
            (r#"{"realm":1,"topic":"t"}"#, "not a publication"),
        ] {
            let e = publish_of(body).unwrap_err();
            assert!(e.0.contains(words), "{body}: {e}");
        }
    }
}
