//! The shape rules of each message, through the public API (written as JSON for readability).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crossway_protocol::{Codec, DecodeError, Dict, Message, Payload, Uri, Value};

fn decode(json: &str) -> Result<Message, DecodeError> {
    Codec::Json.decode(json.as_bytes())
}

/// The shape error for `json`, which must be refused as malformed.
fn shape_error(json: &str) -> String {
    match decode(json) {
        Err(DecodeError::Shape(reason)) => reason,
        other => panic!("{json}: expected a shape error, got {other:?}"),
    }
}

/// `json` decodes, and encodes back to exactly the same text.
fn same_text(json: &str) -> Message {
    let msg = decode(json).unwrap_or_else(|e| panic!("{json}: {e}"));
    let text = String::from_utf8(Codec::Json.encode(&msg).unwrap()).unwrap();
    assert_eq!(text, json);
    msg
}

#[test]
fn every_message_type_in_every_allowed_length() {
    for json in [
        r#"[1,"realm1",{"roles":{"publisher":{}}}]"#,
        r#"[2,9129137332,{"roles":{"broker":{}}}]"#,
        r#"[3,{"message":"no"},"wamp.error.no_such_realm"]"#,
        r#"[3,{},"wamp.error.no_such_realm",["x"]]"#,
        r#"[3,{},"wamp.error.no_such_realm",[],{"k":1}]"#,
        r#"[4,"wampcra",{"challenge":"c"}]"#,
        r#"[5,"signature",{}]"#,
        r#"[6,{},"wamp.close.normal"]"#,
        r#"[8,48,7,{},"com.myapp.error"]"#,
        r#"[8,48,7,{},"com.myapp.error",[1]]"#,
        r#"[8,48,7,{},"com.myapp.error",[1],{"a":null}]"#,
        r#"[16,1,{},"t"]"#,
        r#"[16,1,{"acknowledge":true},"t",["a",1]]"#,
        r#"[16,1,{},"t",[],{"a":1}]"#,
        r#"[17,1,4429313566]"#,
        r#"[32,1,{"match":"prefix"},"com."]"#,
        r#"[33,1,5512315355]"#,
        r#"[34,1,5512315355]"#,
        r#"[35,1]"#,
        r#"[35,0,{"reason":"revoked","subscription":5}]"#,
        r#"[36,1,2,{}]"#,
        r#"[36,1,2,{},[]]"#,
        r#"[36,1,2,{"topic":"a.b"},[1.5,-3],{"x":[true,false,null]}]"#,
        r#"[337,5512315355]"#,
        r#"[337,5,{}]"#,
        r#"[337,5,{},[1]]"#,
        r#"[337,5,{},[],{"a":1}]"#,
        r#"[48,1,{},"com.p"]"#,
        r#"[48,1,{},"com.p",[1]]"#,
        r#"[48,1,{},"com.p",[1],{"b":2}]"#,
        r#"[49,1,{"mode":"kill"}]"#,
        r#"[50,1,{}]"#,
        r#"[50,1,{"progress":true},[1]]"#,
        r#"[50,1,{},[],{"b":2}]"#,
        r#"[64,1,{},"com.p"]"#,
        r#"[65,1,2103333224]"#,
        r#"[66,1,2103333224]"#,
        r#"[67,1]"#,
        r#"[67,0,{"registration":5}]"#,
        r#"[68,1,2,{}]"#,
        r#"[68,1,2,{},[1]]"#,
        r#"[68,1,2,{},[1],{"c":3}]"#,
        r#"[69,1,{}]"#,
        r#"[70,1,{}]"#,
        r#"[70,1,{},["r"]]"#,
        r#"[70,1,{},[],{"r":1}]"#,
    ] {
        same_text(json);
    }
}

#[test]
fn fields_land_where_they_belong() {
    let msg = same_text(r#"[8,34,7,{"d":1},"wamp.error.no_such_subscription",["a"],{"k":"v"}]"#);
    let Message::Error {
        request_type,
        request,
        details,
        error,
        payload,
    } = msg
    else {
        panic!("not an ERROR: {msg:?}");
    };
    assert_eq!(request_type, 34);
    assert_eq!(request.0, 7);
    assert_eq!(details.get("d"), Some(&Value::Int(1)));
    assert_eq!(error, Uri::new("wamp.error.no_such_subscription"));
    assert_eq!(payload.args().unwrap(), Some(vec![Value::from("a")]));
    assert_eq!(
        payload.kwargs().unwrap().unwrap().get("k"),
        Some(&Value::from("v"))
    );
}

#[test]
fn absent_and_empty_payloads_stay_apart() {
    let absent = decode(r#"[36,1,2,{}]"#).unwrap();
    let empty = decode(r#"[36,1,2,{},[]]"#).unwrap();
    let Message::Event { payload, .. } = absent else {
        panic!("not an EVENT");
    };
    assert!(payload.is_empty());
    assert_eq!(payload.args().unwrap(), None);
    let Message::Event { payload, .. } = empty else {
        panic!("not an EVENT");
    };
    assert_eq!(payload.args().unwrap(), Some(vec![]));
    assert_eq!(payload.kwargs().unwrap(), None);
}

#[test]
fn keyword_arguments_alone_are_written_after_an_empty_list() {
    let mut kwargs = Dict::new();
    kwargs.insert("a".into(), Value::Int(1));
    let msg = Message::Publish {
        request: 1.into(),
        options: Dict::new(),
        topic: Uri::new("t"),
        payload: Payload::new(None, Some(kwargs.clone())),
    };
    assert_eq!(
        Codec::Json.encode(&msg).unwrap(),
        br#"[16,1,{},"t",[],{"a":1}]"#
    );
    let ack = Message::EventReceived {
        publication: 5.into(),
        details: None,
        payload: Payload::new(None, Some(kwargs)),
    };
    assert_eq!(
        Codec::Json.encode(&ack).unwrap(),
        br#"[337,5,{},[],{"a":1}]"#
    );
}

#[test]
fn not_a_list_or_empty() {
    for json in [r#"{"a":1}"#, r#""x""#, "16", "null", "true", "1.5"] {
        assert!(shape_error(json).contains("must be a list"), "{json}");
    }
    assert!(shape_error("[]").contains("empty list"));
}

#[test]
fn type_codes() {
    assert_eq!(
        shape_error(r#"["16",1,{},"t"]"#),
        "element 1 (message type) must be an integer, got a string"
    );
    assert!(shape_error(r#"[16.0,1,{},"t"]"#).contains("got a float"));
    assert_eq!(shape_error("[99,1]"), "unknown message type 99");
    assert_eq!(shape_error("[7]"), "unknown message type 7");
    assert_eq!(shape_error("[-1,1]"), "unknown message type -1");
    assert_eq!(
        shape_error("[18446744073709551615]"),
        "unknown message type 18446744073709551615"
    );
}

#[test]
fn element_counts() {
    assert_eq!(
        shape_error(r#"[16,1,{}]"#),
        "PUBLISH must have 4 to 6 elements, got 3"
    );
    assert_eq!(
        shape_error(r#"[16,1,{},"t",[],{},{}]"#),
        "PUBLISH must have 4 to 6 elements, got 7"
    );
    assert_eq!(
        shape_error(r#"[1,"realm1",{},{}]"#),
        "HELLO must have 3 elements, got 4"
    );
    assert_eq!(
        shape_error(r#"[32,1,{},"t",[]]"#),
        "SUBSCRIBE must have 4 elements, got 5"
    );
    assert_eq!(
        shape_error(r#"[34,1,2,{}]"#),
        "UNSUBSCRIBE must have 3 elements, got 4"
    );
    assert_eq!(
        shape_error("[35]"),
        "UNSUBSCRIBED must have 2 to 3 elements, got 1"
    );
    assert_eq!(
        shape_error("[337]"),
        "EVENT_RECEIVED must have 2 to 5 elements, got 1"
    );
    assert_eq!(
        shape_error(r#"[8,48,1,{}]"#),
        "ERROR must have 5 to 7 elements, got 4"
    );
}

#[test]
fn element_types() {
    let cases = [
        (
            r#"[16,"1",{},"t"]"#,
            "PUBLISH: element 2 (Request|id) must be an integer id, got a string",
        ),
        (
            r#"[16,1.5,{},"t"]"#,
            "PUBLISH: element 2 (Request|id) must be an integer id, got a float",
        ),
        (
            r#"[16,1,[],"t"]"#,
            "PUBLISH: element 3 (Options|dict) must be a dict, got a list",
        ),
        (
            r#"[16,1,{},5]"#,
            "PUBLISH: element 4 (Topic|uri) must be a string, got an integer",
        ),
        (
            r#"[16,1,{},"t",{}]"#,
            "PUBLISH: element 5 (Arguments|list) must be a list, got a map",
        ),
        (
            r#"[16,1,{},"t",null,{}]"#,
            "PUBLISH: element 5 (Arguments|list) must be a list, got null",
        ),
        (
            r#"[16,1,{},"t",[],[]]"#,
            "PUBLISH: element 6 (ArgumentsKw|dict) must be a dict, got a list",
        ),
        (
            r#"[1,{},{}]"#,
            "HELLO: element 2 (Realm|uri) must be a string, got a map",
        ),
        (
            r#"[1,"r",null]"#,
            "HELLO: element 3 (Details|dict) must be a dict, got null",
        ),
        (
            r#"[4,1,{}]"#,
            "CHALLENGE: element 2 (AuthMethod|string) must be a string, got an integer",
        ),
        (
            r#"[5,"s",true]"#,
            "AUTHENTICATE: element 3 (Extra|dict) must be a dict, got a boolean",
        ),
        (
            r#"[8,"48",1,{},"e"]"#,
            "ERROR: element 2 (REQUEST.Type|int) must be a non-negative integer, got a string",
        ),
        (
            r#"[8,-48,1,{},"e"]"#,
            "ERROR: element 2 (REQUEST.Type|int) must be a non-negative integer, got -48",
        ),
        (
            r#"[36,1,2,{},"\u0000AQI="]"#,
            "EVENT: element 5 (Arguments|list) must be a list, got binary data",
        ),
        (
            r#"[35,1,[]]"#,
            "UNSUBSCRIBED: element 3 (Details|dict) must be a dict, got a list",
        ),
    ];
    for (json, expected) in cases {
        let reason = shape_error(json);
        assert!(reason.starts_with(expected), "{json}: {reason}");
    }
    assert!(shape_error(r#"[36,1,2,{},"\u0000AQI="]"#).contains("ppt_scheme or enc_algo"));
}

#[test]
fn id_ranges() {
    let max = 1u64 << 53;
    same_text(&format!(r#"[16,{max},{{}},"t"]"#));
    same_text(&format!("[36,{max},{max},{{}}]"));
    assert_eq!(
        shape_error(&format!(r#"[16,{},{{}},"t"]"#, max + 1)),
        "PUBLISH: element 2 (Request|id) must be an id in 1..=2^53, got 9007199254740993"
    );
    assert_eq!(
        shape_error(r#"[16,0,{},"t"]"#),
        "PUBLISH: element 2 (Request|id) must be an id in 1..=2^53, got 0"
    );
    assert_eq!(
        shape_error(r#"[32,-1,{},"t"]"#),
        "SUBSCRIBE: element 2 (Request|id) must be an id in 1..=2^53, got -1"
    );
    assert_eq!(
        shape_error("[33,1,18446744073709551615]"),
        "SUBSCRIBED: element 3 (Subscription|id) must be an id in 0..=2^53, got 18446744073709551615"
    );
    assert!(shape_error("[2,-5,{}]").contains("must be an id in 0..=2^53, got -5"));
    // Ids other than request ids may be 0, as autobahn accepts them.
    same_text("[36,0,0,{}]");
    // Revocation: UNSUBSCRIBED and UNREGISTERED with request 0.
    same_text(r#"[35,0,{"subscription":1}]"#);
    same_text(r#"[67,0,{"registration":1}]"#);
    assert!(shape_error("[34,0,1]").contains("1..=2^53, got 0"));
}
