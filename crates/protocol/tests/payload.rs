//! Payloads as values and as raw bytes: building them, reading them, converting them between
//! serializers, and writing them in messages.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crossway_protocol::{
    Codec, DecodeError, Dict, Message, Payload, PublicationId, RawPayload, SubscriptionId, Value,
};

fn event(payload: Payload) -> Message {
    Message::Event {
        subscription: SubscriptionId(1),
        publication: PublicationId(2),
        details: Dict::new(),
        payload,
    }
}

#[test]
fn a_raw_payload_is_checked_when_built() {
    let raw = RawPayload::new(Codec::Json, Some(b" [1, 2.0] "), Some(br#"{"b":1,"a":2}"#)).unwrap();
    assert_eq!(raw.codec(), Codec::Json);
    assert_eq!(raw.args_bytes(), Some(&b"[1, 2.0]"[..]));
    assert_eq!(raw.kwargs_bytes(), Some(&br#"{"b":1,"a":2}"#[..]));
    assert_eq!(
        raw.args().unwrap(),
        Some(vec![Value::Int(1), Value::Float(2.0)])
    );
    for (args, kwargs) in [
        (Some(&b"{}"[..]), None),
        (Some(b"[1] 2"), None),
        (Some(b"[1"), None),
        (None, Some(&b"[]"[..])),
        (None, Some(br#"{"a":"\u0000!"}"#)),
    ] {
        assert!(
            RawPayload::new(Codec::Json, args, kwargs).is_err(),
            "{args:?} {kwargs:?}"
        );
    }
    assert!(matches!(
        RawPayload::new(Codec::Cbor, Some(&[0x81]), None),
        Err(DecodeError::Syntax { .. })
    ));
    assert!(matches!(
        RawPayload::new(Codec::MsgPack, Some(&[0x80]), None),
        Err(DecodeError::Shape(_))
    ));
}

#[test]
fn values_and_raw_bytes_compare_by_value() {
    let args = vec![Value::Int(1), Value::from("x")];
    for codec in Codec::ALL {
        let raw = RawPayload::encode(codec, Some(&args), None).unwrap();
        assert_eq!(
            Payload::from(raw.clone()),
            Payload::new(Some(args.clone()), None)
        );
        assert_ne!(Payload::from(raw.clone()), Payload::EMPTY);
        assert_eq!(raw.clone(), raw, "byte equality");
    }
    let json = RawPayload::new(Codec::Json, Some(b"[1,\"x\"]"), None).unwrap();
    let spaced = RawPayload::new(Codec::Json, Some(b"[1, \"x\"]"), None).unwrap();
    assert_ne!(json, spaced, "different bytes");
    assert_eq!(Payload::from(json), Payload::from(spaced), "equal values");
    assert!(Payload::EMPTY.is_empty());
    assert!(!Payload::new(Some(vec![]), None).is_empty());
}

#[test]
fn conversion_keeps_key_order_and_numbers() {
    let args = br#"[1.0,9007199254740993,-9223372036854775808,18446744073709551615,{"z":1,"a":[true,null]}]"#;
    let kwargs = r#"{"zz":"é\n","aa":0.1}"#.as_bytes();
    let json = RawPayload::new(Codec::Json, Some(args), Some(kwargs)).unwrap();
    for codec in [Codec::Cbor, Codec::MsgPack] {
        let other = json.to_codec(codec).unwrap();
        assert_eq!(other.codec(), codec);
        assert_eq!(other.args().unwrap(), json.args().unwrap(), "{codec}");
        assert_eq!(other.kwargs().unwrap(), json.kwargs().unwrap(), "{codec}");
        // Back to JSON: the same text, since it was written as serde_json writes it.
        let back = other.to_codec(Codec::Json).unwrap();
        assert_eq!(back.args_bytes(), Some(&args[..]), "{codec}");
        assert_eq!(back.kwargs_bytes(), Some(kwargs), "{codec}");
    }
    // The same codec: shared, not converted.
    let same = json.to_codec(Codec::Json).unwrap();
    assert_eq!(
        same.args_bytes().unwrap().as_ptr(),
        json.args_bytes().unwrap().as_ptr()
    );
}

#[test]
fn conversion_writes_each_serializers_binary() {
    let json = RawPayload::new(Codec::Json, Some(br#"["\u0000AQI=","\u0000"]"#), None).unwrap();
    let cbor = json.to_codec(Codec::Cbor).unwrap();
    assert_eq!(cbor.args_bytes(), Some(&[0x82, 0x42, 0x01, 0x02, 0x40][..]));
    let msgpack = json.to_codec(Codec::MsgPack).unwrap();
    assert_eq!(
        msgpack.args_bytes(),
        Some(&[0x92, 0xc4, 0x02, 0x01, 0x02, 0xc4, 0x00][..])
    );
    assert_eq!(
        cbor.to_codec(Codec::Json).unwrap().args_bytes(),
        Some(&br#"["\u0000AQI=","\u0000"]"#[..])
    );
    // A map key is never binary.
    let key = RawPayload::new(Codec::Json, None, Some(br#"{"\u0000AQI=":1}"#)).unwrap();
    let cbor = key.to_codec(Codec::Cbor).unwrap();
    assert_eq!(
        cbor.kwargs_bytes(),
        Some(&[0xa1, 0x65, 0x00, b'A', b'Q', b'I', b'=', 0x01][..])
    );
    // MessagePack's str that is not UTF-8 is binary data elsewhere.
    let msgpack = RawPayload::new(Codec::MsgPack, Some(&[0x91, 0xa1, 0xff]), None).unwrap();
    let cbor = msgpack.to_codec(Codec::Cbor).unwrap();
    assert_eq!(cbor.args_bytes(), Some(&[0x81, 0x41, 0xff][..]));
}

#[test]
fn conversion_from_indefinite_lengths_writes_definite_ones() {
    // [_ "a", {_ "k": [_ 1, 2]}] with an indefinite text string.
    let cbor = [
        0x9f, 0x7f, 0x61, b'a', 0xff, 0xbf, 0x61, b'k', 0x9f, 0x01, 0x02, 0xff, 0xff, 0xff,
    ];
    let raw = RawPayload::new(Codec::Cbor, Some(&cbor), None).unwrap();
    let msgpack = raw.to_codec(Codec::MsgPack).unwrap();
    assert_eq!(
        msgpack.args_bytes(),
        Some(&[0x92, 0xa1, b'a', 0x81, 0xa1, b'k', 0x92, 0x01, 0x02][..])
    );
    let json = raw.to_codec(Codec::Json).unwrap();
    assert_eq!(json.args_bytes(), Some(&br#"["a",{"k":[1,2]}]"#[..]));
    assert_eq!(
        json.to_codec(Codec::Cbor).unwrap().args_bytes(),
        Some(&[0x82, 0x61, b'a', 0xa1, 0x61, b'k', 0x82, 0x01, 0x02][..])
    );
}

#[test]
fn json_cannot_take_a_non_finite_float() {
    let cbor = RawPayload::new(Codec::Cbor, Some(&[0x81, 0xf9, 0x7e, 0x00]), None).unwrap();
    let err = cbor.to_codec(Codec::Json).unwrap_err();
    assert!(err.to_string().contains("only finite numbers"), "{err}");
    let msg = event(cbor.clone().into());
    let mut out = b"kept".to_vec();
    assert!(Codec::Json.encode_into(&msg, &mut out).is_err());
    assert_eq!(out, b"kept");
    assert!(cbor.to_codec(Codec::MsgPack).is_ok());
}

#[test]
fn messages_splice_raw_payloads_in() {
    let raw = RawPayload::new(
        Codec::Json,
        Some(b"[1.0, {\"b\":1,\"a\":2}]"),
        Some(b"{\"z\":0}"),
    )
    .unwrap();
    let json = Codec::Json.encode(&event(raw.clone().into())).unwrap();
    assert_eq!(json, br#"[36,1,2,{},[1.0, {"b":1,"a":2}],{"z":0}]"#);
    // Another codec: converted while written, as converting first would.
    for codec in [Codec::Cbor, Codec::MsgPack] {
        let direct = codec.encode(&event(raw.clone().into())).unwrap();
        let converted = codec
            .encode(&event(raw.to_codec(codec).unwrap().into()))
            .unwrap();
        assert_eq!(direct, converted, "{codec}");
    }
    // Keyword arguments alone: an empty list stands in for the arguments.
    for codec in Codec::ALL {
        let kwargs = RawPayload::encode(
            codec,
            None,
            Some(&Dict::from([("a".into(), Value::Int(1))])),
        )
        .unwrap();
        let msg = event(kwargs.into());
        let back = codec.decode(&codec.encode(&msg).unwrap()).unwrap();
        let Message::Event { payload, .. } = &back else {
            panic!()
        };
        assert_eq!(payload.args().unwrap(), Some(vec![]), "{codec}");
        assert_eq!(payload.kwargs().unwrap(), kwargs_of(&msg), "{codec}");
    }
}

fn kwargs_of(msg: &Message) -> Option<Dict> {
    match msg {
        Message::Event { payload, .. } => payload.kwargs().unwrap(),
        _ => None,
    }
}

#[test]
fn a_decoded_payload_shares_the_frame_or_copies_from_a_slice() {
    let frame = bytes::Bytes::from_static(br#"[36,1,2,{},[1],{"k":2}]"#);
    let msg = Codec::Json.decode_bytes(frame.clone()).unwrap();
    let Message::Event { payload, .. } = &msg else {
        panic!()
    };
    let args = payload.raw().unwrap().args_bytes().unwrap();
    assert!(
        frame.as_ptr_range().contains(&args.as_ptr()),
        "a slice of the frame"
    );
    let msg = Codec::Json.decode(&frame).unwrap();
    let Message::Event { payload, .. } = &msg else {
        panic!()
    };
    let args = payload.raw().unwrap().args_bytes().unwrap();
    assert!(!frame.as_ptr_range().contains(&args.as_ptr()), "a copy");
    assert_eq!(args, b"[1]");
}
