//! Payload passthru mode: a bare binary element where `Arguments|list` goes, accepted only when
//! the options or details carry `ppt_scheme` (or autobahn's `enc_algo`), kept byte for byte, and
//! converted between serializers only in how the binary is written.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use crossway_protocol::{Codec, DecodeError, Dict, Message, Payload, Value, is_passthru};

/// The payload of a message.
fn payload(msg: &Message) -> &Payload {
    msg.payload().expect("a message with a payload")
}

#[test]
fn a_bare_binary_needs_ppt_scheme_or_enc_algo() {
    let with = |options: &str| format!(r#"[16,1,{options},"com.example.t","\u0000AQID"]"#);
    for options in [
        r#"{"ppt_scheme":"wamp","ppt_serializer":"cbor"}"#,
        r#"{"ppt_scheme":"mqtt"}"#,
        r#"{"enc_algo":"cryptobox","enc_serializer":"json"}"#,
    ] {
        let json = with(options);
        for decode in [Codec::decode, Codec::decode_message] {
            let msg =
                decode(Codec::Json, json.as_bytes()).unwrap_or_else(|e| panic!("{json}: {e}"));
            assert_eq!(payload(&msg).binary_data(), Some(vec![1, 2, 3]), "{json}");
        }
        let msg = Codec::Json.decode(json.as_bytes()).unwrap();
        assert_eq!(
            Codec::Json.encode(&msg).unwrap(),
            json.as_bytes(),
            "verbatim"
        );
        assert_eq!(msg, Codec::Json.decode_message(json.as_bytes()).unwrap());
    }
    for options in [
        r#"{}"#,
        r#"{"ppt_scheme":""}"#,
        r#"{"ppt_cipher":"x"}"#,
        r#"{"enc_algo":1}"#,
    ] {
        let json = with(options);
        for decode in [Codec::decode, Codec::decode_message] {
            assert!(
                matches!(
                    decode(Codec::Json, json.as_bytes()),
                    Err(DecodeError::Shape(_))
                ),
                "{json}"
            );
        }
    }
}

#[test]
fn every_message_with_a_payload_takes_one() {
    for json in [
        r#"[3,{"ppt_scheme":"x"},"wamp.close.normal","\u0000AA=="]"#,
        r#"[8,68,7,{"ppt_scheme":"x"},"com.myapp.error","\u0000AA=="]"#,
        r#"[16,1,{"ppt_scheme":"x"},"t","\u0000AA=="]"#,
        r#"[36,1,2,{"ppt_scheme":"x"},"\u0000AA=="]"#,
        r#"[36,1,2,{"ppt_scheme":"x"},"\u0000AA==",{"k":1}]"#,
        r#"[48,1,{"ppt_scheme":"x"},"p","\u0000AA=="]"#,
        r#"[50,1,{"ppt_scheme":"x","progress":true},"\u0000AA=="]"#,
        r#"[68,1,2,{"ppt_scheme":"x"},"\u0000AA=="]"#,
        r#"[70,1,{"ppt_scheme":"x"},"\u0000AA=="]"#,
        r#"[337,1,{"ppt_scheme":"x"},"\u0000AA=="]"#,
    ] {
        let msg = Codec::Json
            .decode(json.as_bytes())
            .unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(payload(&msg).binary_data(), Some(vec![0]), "{json}");
        assert_eq!(Codec::Json.encode(&msg).unwrap(), json.as_bytes());
        assert_eq!(msg, Codec::Json.decode_message(json.as_bytes()).unwrap());
    }
    // A list still works in passthru mode; anything else than a list or binary does not.
    assert!(
        Codec::Json
            .decode(br#"[16,1,{"ppt_scheme":"x"},"t",[1]]"#)
            .is_ok()
    );
    assert!(
        Codec::Json
            .decode(br#"[16,1,{"ppt_scheme":"x"},"t","text"]"#)
            .is_err()
    );
    assert!(
        Codec::Json
            .decode(br#"[16,1,{"ppt_scheme":"x"},"t",{}]"#)
            .is_err()
    );
    assert!(
        Codec::Json
            .decode(br#"[16,1,{"ppt_scheme":"x"},"t","\u0000AA==","\u0000AA=="]"#)
            .is_err()
    );
}

#[test]
fn the_binary_crosses_serializers_byte_for_byte() {
    let data: Vec<u8> = (0..=255).collect();
    let options = Dict::from([("ppt_scheme".to_owned(), Value::from("wamp"))]);
    let publish = Message::Publish {
        request: 1.into(),
        options,
        topic: "com.example.t".into(),
        payload: Payload::binary(&data),
    };
    for from in Codec::ALL {
        let frame = from.encode(&publish).unwrap();
        let decoded = from.decode(&frame).unwrap();
        assert_eq!(payload(&decoded).binary_data().as_deref(), Some(&data[..]));
        for to in Codec::ALL {
            let converted = to.encode(&decoded).unwrap();
            let back = to.decode(&converted).unwrap();
            assert_eq!(
                payload(&back).binary_data().as_deref(),
                Some(&data[..]),
                "{from} -> {to}"
            );
            // Elements as the target writes binary data: the value decoder agrees.
            let Value::List(items) = to.decode_value(&converted).unwrap() else {
                panic!("not a list");
            };
            assert_eq!(items[4], Value::Bytes(data.clone()), "{from} -> {to}");
        }
    }
}

#[test]
fn detached_payloads_keep_their_elements() {
    let json = br#"[16,1,{},"t",[1,"two"],{"k":true}]"#;
    let msg = Codec::Json.decode(json).unwrap();
    let raw = payload(&msg).raw().unwrap();
    let kept = raw.detached();
    assert_eq!(kept, *raw);
    assert_eq!(kept.len(), br#"[1,"two"],{"k":true}"#.len());
    assert!(!kept.is_empty());
    assert!(is_passthru(&Dict::from([(
        "enc_algo".to_owned(),
        Value::from("cryptobox")
    )])));
}
