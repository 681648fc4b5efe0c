//! Every kind of value through every codec, each codec's binary convention, the depth limit, and
//! malformed input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crossway_protocol::{Codec, DecodeError, Dict, MAX_DEPTH, Message, Payload, Uri, Value};

/// One value of every kind and edge, named for failure messages.
fn samples() -> Vec<(&'static str, Value)> {
    let mut nested = Dict::new();
    nested.insert("ünïcödé ✓".into(), Value::from("🎉"));
    nested.insert(
        "inner".into(),
        Value::Map(Dict::from([("x".into(), Value::Null)])),
    );
    nested.insert(
        "list".into(),
        Value::List(vec![Value::Int(1), Value::List(vec![])]),
    );
    nested.insert(String::new(), Value::Map(Dict::new()));
    vec![
        ("null", Value::Null),
        ("true", Value::Bool(true)),
        ("false", Value::Bool(false)),
        ("zero", Value::Int(0)),
        ("minus one", Value::Int(-1)),
        ("i64 min", Value::Int(i64::MIN)),
        ("i64 max", Value::Int(i64::MAX)),
        ("2^53", Value::Int(1 << 53)),
        ("i64 max + 1", Value::UInt(i64::MAX as u64 + 1)),
        ("u64 max", Value::UInt(u64::MAX)),
        ("float", Value::Float(1.5)),
        ("tenth", Value::Float(0.1)),
        ("negative zero", Value::Float(-0.0)),
        ("large float", Value::Float(1e300)),
        ("tiny float", Value::Float(f64::MIN_POSITIVE)),
        ("float with f32 precision", Value::Float(f64::from(1.1f32))),
        ("integral float", Value::Float(3.0)),
        ("empty string", Value::from("")),
        (
            "unicode",
            Value::from("héllo wörld ✓ 🎉 \u{1F600} \"quoted\" \\ \n"),
        ),
        ("nul inside", Value::from("a\0b")),
        ("empty bytes", Value::Bytes(vec![])),
        ("bytes", Value::Bytes((0..=255).collect())),
        ("empty list", Value::List(vec![])),
        ("empty map", Value::Map(Dict::new())),
        ("nested map", Value::Map(nested)),
    ]
}

/// An EVENT carrying `value` in both payloads.
fn event(value: &Value) -> Message {
    Message::Event {
        subscription: 1.into(),
        publication: 2.into(),
        details: Dict::from([("d".into(), value.clone())]),
        payload: Payload::new(
            Some(vec![value.clone()]),
            Some(Dict::from([("k".into(), value.clone())])),
        ),
    }
}

/// `levels` lists, each holding the next; the innermost is empty.
fn nested_lists(levels: usize) -> Value {
    let mut value = Value::List(vec![]);
    for _ in 1..levels {
        value = Value::List(vec![value]);
    }
    value
}

fn syntax_error(codec: Codec, bytes: &[u8]) -> String {
    match codec.decode_value(bytes) {
        Err(DecodeError::Syntax {
            codec: name,
            reason,
        }) => {
            assert_eq!(name, codec.name());
            reason
        }
        other => panic!("{codec}: expected a syntax error, got {other:?}"),
    }
}

#[test]
fn every_value_round_trips_through_every_codec() {
    for codec in Codec::ALL {
        for (name, value) in samples() {
            let bytes = codec.encode_value(&value).unwrap();
            let back = codec.decode_value(&bytes).unwrap();
            assert_eq!(back, value, "{codec}: {name}");
            let msg = event(&value);
            let back = codec.decode(&codec.encode(&msg).unwrap()).unwrap();
            assert_eq!(back, msg, "{codec}: {name} in an EVENT");
        }
    }
}

#[test]
fn a_value_crosses_from_any_codec_to_any_other() {
    for (name, value) in samples() {
        for from in Codec::ALL {
            let decoded = from
                .decode_value(&from.encode_value(&value).unwrap())
                .unwrap();
            for to in Codec::ALL {
                let again = to
                    .decode_value(&to.encode_value(&decoded).unwrap())
                    .unwrap();
                assert_eq!(again, value, "{name}: {from} -> {to}");
            }
        }
    }
}

#[test]
fn non_finite_floats() {
    for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        for codec in [Codec::Cbor, Codec::MsgPack] {
            let back = codec.decode_value(&codec.encode_value(&Value::Float(f)).unwrap());
            match back.unwrap() {
                Value::Float(g) => assert!(g == f || (f.is_nan() && g.is_nan()), "{codec}: {f}"),
                other => panic!("{codec}: {f} came back as {other:?}"),
            }
        }
        let err = Codec::Json.encode_value(&Value::Float(f)).unwrap_err();
        assert!(err.to_string().contains("only finite numbers"), "{err}");
        let mut out = b"kept".to_vec();
        let msg = event(&Value::Float(f));
        assert!(Codec::Json.encode_into(&msg, &mut out).is_err());
        assert_eq!(out, b"kept", "a failed encode leaves the buffer as it was");
    }
}

#[test]
fn json_writes_compact_text_and_binary_as_nul_base64() {
    let msg = Message::Publish {
        request: 1.into(),
        options: Dict::new(),
        topic: Uri::new("t"),
        payload: Payload::EMPTY,
    };
    assert_eq!(Codec::Json.encode(&msg).unwrap(), br#"[16,1,{},"t"]"#);
    // The specification's example: 10e3ff9053075c526f5fc06d4fe37cdb.
    let bytes = vec![
        0x10, 0xe3, 0xff, 0x90, 0x53, 0x07, 0x5c, 0x52, 0x6f, 0x5f, 0xc0, 0x6d, 0x4f, 0xe3, 0x7c,
        0xdb,
    ];
    let text = br#""\u0000EOP/kFMHXFJvX8BtT+N82w==""#;
    assert_eq!(
        Codec::Json
            .encode_value(&Value::Bytes(bytes.clone()))
            .unwrap(),
        text
    );
    assert_eq!(Codec::Json.decode_value(text).unwrap(), Value::Bytes(bytes));
    assert_eq!(
        Codec::Json.encode_value(&Value::Bytes(vec![])).unwrap(),
        br#""\u0000""#
    );
    assert_eq!(
        Codec::Json.decode_value(br#""\u0000""#).unwrap(),
        Value::Bytes(vec![])
    );
    // Padding is optional on read.
    assert_eq!(
        Codec::Json.decode_value(br#""\u0000AQ""#).unwrap(),
        Value::Bytes(vec![1])
    );
    let reason = syntax_error(Codec::Json, br#"["\u0000not base64!"]"#);
    assert!(reason.contains("invalid base64"), "{reason}");
    // The convention's ambiguity: a string that starts with NUL comes back as binary.
    let nul_string = Value::from("\0AQI=");
    let back = Codec::Json.decode_value(&Codec::Json.encode_value(&nul_string).unwrap());
    assert_eq!(back.unwrap(), Value::Bytes(vec![1, 2]));
    // Elsewhere than at the start, a NUL is just a character.
    assert_eq!(
        Codec::Json.decode_value(br#""a\u0000""#).unwrap(),
        Value::from("a\0")
    );
}

#[test]
fn cbor_and_msgpack_never_reinterpret_strings() {
    let text = Value::from("\0AQI=");
    for codec in [Codec::Cbor, Codec::MsgPack] {
        let back = codec
            .decode_value(&codec.encode_value(&text).unwrap())
            .unwrap();
        assert_eq!(back, text, "{codec}");
    }
}

#[test]
fn binary_is_native_in_cbor_and_msgpack() {
    let map = Value::Map(Dict::from([("a".into(), Value::Bytes(vec![1]))]));
    // {"a": h'01'}: a map with a text key and a byte string.
    assert_eq!(
        Codec::Cbor.encode_value(&map).unwrap(),
        [0xa1, 0x61, b'a', 0x41, 0x01]
    );
    // {"a": bin 01}: fixmap, fixstr key, bin8.
    assert_eq!(
        Codec::MsgPack.encode_value(&map).unwrap(),
        [0x81, 0xa1, b'a', 0xc4, 0x01, 0x01]
    );
}

#[test]
fn msgpack_reads_str_and_bin() {
    let c = Codec::MsgPack;
    assert_eq!(c.decode_value(&[0xa1, b'a']).unwrap(), Value::from("a"));
    assert_eq!(
        c.decode_value(&[0xd9, 0x01, b'a']).unwrap(),
        Value::from("a")
    );
    assert_eq!(
        c.decode_value(&[0xc4, 0x01, b'a']).unwrap(),
        Value::Bytes(vec![b'a'])
    );
    assert_eq!(
        c.decode_value(&[0xc5, 0x00, 0x00]).unwrap(),
        Value::Bytes(vec![])
    );
    // float32, negative fixint, int64 minimum.
    assert_eq!(
        c.decode_value(&[0xca, 0x3f, 0xc0, 0x00, 0x00]).unwrap(),
        Value::Float(1.5)
    );
    assert_eq!(c.decode_value(&[0xff]).unwrap(), Value::Int(-1));
    assert_eq!(
        c.decode_value(&[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]).unwrap(),
        Value::Int(i64::MIN)
    );
    assert_eq!(
        c.decode_value(&[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
            .unwrap(),
        Value::UInt(u64::MAX)
    );
    // An extension type is not a WAMP value.
    syntax_error(c, &[0xd4, 0x01, 0x00]);
}

#[test]
fn cbor_reads_indefinite_lengths_tags_and_undefined() {
    let c = Codec::Cbor;
    // 55799(["a", h'01'_(indefinite), {_ "k": undefined}]) with an indefinite text string.
    let bytes = [
        0xd9, 0xd9, 0xf7, // self-describe tag
        0x9f, // indefinite array
        0x7f, 0x61, b'a', 0xff, // indefinite text "a"
        0x5f, 0x41, 0x01, 0xff, // indefinite bytes h'01'
        0xbf, 0x61, b'k', 0xf7, 0xff, // indefinite map {"k": undefined}
        0xff,
    ];
    let expected = Value::List(vec![
        Value::from("a"),
        Value::Bytes(vec![1]),
        Value::Map(Dict::from([("k".into(), Value::Null)])),
    ]);
    assert_eq!(c.decode_value(&bytes).unwrap(), expected);
    // A whole message in indefinite form: [_ 6, {_}, "wamp.close.normal"].
    let mut goodbye = vec![0x9f, 0x06, 0xbf, 0xff, 0x71];
    goodbye.extend_from_slice(b"wamp.close.normal");
    goodbye.push(0xff);
    assert_eq!(
        c.decode(&goodbye).unwrap(),
        Message::goodbye("wamp.close.normal")
    );
    // Half-precision float.
    assert_eq!(
        c.decode_value(&[0xf9, 0x3e, 0x00]).unwrap(),
        Value::Float(1.5)
    );
}

#[test]
fn integers_outside_i64_and_u64() {
    // CBOR -2^64: below i64::MIN.
    let reason = syntax_error(
        Codec::Cbor,
        &[0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    );
    assert!(reason.contains("outside the i64 and u64 range"), "{reason}");
    // CBOR -2^63 is i64::MIN.
    assert_eq!(
        Codec::Cbor
            .decode_value(&[0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
            .unwrap(),
        Value::Int(i64::MIN)
    );
    // JSON integers beyond u64 are floats, as serde_json reads them.
    assert!(matches!(
        Codec::Json.decode_value(b"18446744073709551616").unwrap(),
        Value::Float(_)
    ));
}

#[test]
fn map_keys_must_be_strings() {
    // {1: 2}
    syntax_error(Codec::Cbor, &[0xa1, 0x01, 0x02]);
    syntax_error(Codec::MsgPack, &[0x81, 0x01, 0x02]);
    // {h'61': 2}, {bin "a": 2}
    syntax_error(Codec::Cbor, &[0xa1, 0x41, b'a', 0x02]);
    syntax_error(Codec::MsgPack, &[0x81, 0xc4, 0x01, b'a', 0x02]);
}

#[test]
fn trailing_and_missing_bytes() {
    let msg = Message::goodbye("wamp.close.normal");
    for codec in Codec::ALL {
        let mut bytes = codec.encode(&msg).unwrap();
        syntax_error(codec, &[]);
        syntax_error(codec, bytes.get(..bytes.len() - 1).unwrap());
        bytes.push(0x00);
        assert!(
            matches!(codec.decode(&bytes), Err(DecodeError::Syntax { .. })),
            "{codec}: trailing byte accepted"
        );
    }
    assert!(Codec::Json.decode(b"[6,{},\"x\"] \n").is_ok());
    syntax_error(Codec::Json, b"[6,{},\"x\"] [");
}

#[test]
fn depth_limit_is_the_same_in_every_codec() {
    for codec in Codec::ALL {
        let deepest = nested_lists(MAX_DEPTH);
        let bytes = codec.encode_value(&deepest).unwrap();
        assert_eq!(codec.decode_value(&bytes).unwrap(), deepest, "{codec}");
        let err = codec
            .encode_value(&nested_lists(MAX_DEPTH + 1))
            .unwrap_err();
        assert!(err.to_string().contains("deeper than"), "{codec}: {err}");
        // A payload as deep as the limit allows inside an EVENT's arguments.
        let msg = Message::Event {
            subscription: 1.into(),
            publication: 1.into(),
            details: Dict::new(),
            payload: Payload::new(Some(vec![nested_lists(MAX_DEPTH - 2)]), None),
        };
        let bytes = codec.encode(&msg).unwrap();
        assert_eq!(codec.decode(&bytes).unwrap(), msg, "{codec}");
        let too_deep = Message::Event {
            subscription: 1.into(),
            publication: 1.into(),
            details: Dict::new(),
            payload: Payload::new(Some(vec![nested_lists(MAX_DEPTH - 1)]), None),
        };
        assert!(codec.encode(&too_deep).is_err(), "{codec}");
    }
}

#[test]
fn nesting_bombs_are_errors_not_stack_overflows() {
    const LEVELS: usize = 100_000;
    let json_lists = "[".repeat(LEVELS).into_bytes();
    let json_maps = r#"{"a":"#.repeat(LEVELS).into_bytes();
    let cbor_lists = vec![0x81; LEVELS];
    let cbor_maps: Vec<u8> = [0xa1, 0x61, b'a'].repeat(LEVELS);
    let cbor_indefinite = vec![0x9f; LEVELS];
    let cbor_tags = vec![0xc6; LEVELS];
    let msgpack_lists = vec![0x91; LEVELS];
    let msgpack_maps: Vec<u8> = [0x81, 0xa1, b'a'].repeat(LEVELS);
    for (codec, bomb) in [
        (Codec::Json, json_lists),
        (Codec::Json, json_maps),
        (Codec::Cbor, cbor_lists),
        (Codec::Cbor, cbor_maps),
        (Codec::Cbor, cbor_indefinite),
        (Codec::Cbor, cbor_tags),
        (Codec::MsgPack, msgpack_lists),
        (Codec::MsgPack, msgpack_maps),
    ] {
        let reason = syntax_error(codec, &bomb);
        assert!(
            reason.contains("deeper than") || reason.contains("recursion limit"),
            "{codec}: {reason}"
        );
        assert!(matches!(
            codec.decode(&bomb),
            Err(DecodeError::Syntax { .. })
        ));
    }
}

#[test]
fn damaged_input_never_panics() {
    let msg = event(&Value::Map(Dict::from([
        ("s".into(), Value::from("text")),
        ("b".into(), Value::Bytes(vec![1, 2, 3])),
        (
            "n".into(),
            Value::List(vec![
                Value::Int(-7),
                Value::Float(2.5),
                Value::UInt(u64::MAX),
            ]),
        ),
    ])));
    let mut decoded = 0;
    for codec in Codec::ALL {
        let bytes = codec.encode(&msg).unwrap();
        for end in 0..=bytes.len() {
            let _ = codec.decode(bytes.get(..end).unwrap());
        }
        for i in 0..bytes.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut damaged = bytes.clone();
                if let Some(b) = damaged.get_mut(i) {
                    *b ^= flip;
                }
                if codec.decode(&damaged).is_ok() {
                    decoded += 1;
                }
            }
        }
    }
    // Some flips still decode (a changed digit or letter); the point is that none panicked.
    assert!(decoded > 0);
}

#[test]
fn names() {
    for codec in Codec::ALL {
        assert_eq!(Codec::from_name(codec.name()), Some(codec));
        assert_eq!(codec.to_string(), codec.name());
    }
    assert_eq!(Codec::from_name("ubjson"), None);
}

#[test]
fn encode_into_appends() {
    let msg = Message::goodbye("wamp.close.normal");
    for codec in Codec::ALL {
        let mut out = b"prefix".to_vec();
        codec.encode_into(&msg, &mut out).unwrap();
        let (prefix, rest) = out.split_at(6);
        assert_eq!(prefix, b"prefix");
        assert_eq!(rest, codec.encode(&msg).unwrap());
    }
}
