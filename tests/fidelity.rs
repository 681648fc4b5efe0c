//! Payload fidelity through a real node over WebSocket: what a publisher encoded reaches every
//! subscriber of its serializer byte for byte (dictionary keys out of order, floats written as
//! `1.0`, integers beyond 2^53, lengths not in their shortest form), and subscribers of the
//! other serializers get the same values, with the dictionaries' order kept.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{TestNode, run, within};
use crossway_client::{Client, Event};
use crossway_protocol::{Codec, Dict, RawPayload, Value};
use crossway_transport::Serializer;

/// The payload each serializer's publisher sends: `args`, then `kwargs`, each as encoded.
fn sent(codec: Codec) -> (Vec<u8>, Vec<u8>) {
    match codec {
        Codec::Json => (
            br#"[1.0, 9007199254740993, -0.0, 1E2, {"z": "last", "a": "first"}, "\u00e9", "\u0000AQI="]"#
                .to_vec(),
            br#"{"zeta":1,"alpha":[true,null],"mid":{"y":1,"x":2}}"#.to_vec(),
        ),
        Codec::Cbor => (
            vec![
                0x9f, // an indefinite-length list
                0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, // 1.0 as a double
                0x1b, 0x00, 0x20, 0, 0, 0, 0, 0, 0x01, // 2^53 + 1
                0x1b, 0, 0, 0, 0, 0, 0, 0, 0x05, // 5 in nine bytes
                0xa2, 0x61, b'z', 0x01, 0x61, b'a', 0x02, // {"z": 1, "a": 2}
                0xff,
            ],
            vec![0xa2, 0x64, b'z', b'e', b't', b'a', 0xf6, 0x65, b'a', b'l', b'p', b'h', b'a', 0x41, 0x07],
        ),
        Codec::MsgPack => (
            vec![
                0x95, // a list of 5
                0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, // 1.0 as a double
                0xcf, 0x00, 0x20, 0, 0, 0, 0, 0, 0x01, // 2^53 + 1
                0xcd, 0x00, 0x05, // 5 in three bytes
                0xca, 0x3f, 0xc0, 0, 0, // 1.5 as a float32
                0x82, 0xa1, b'z', 0x01, 0xa1, b'a', 0x02, // {"z": 1, "a": 2}
            ],
            vec![0x82, 0xa4, b'z', b'e', b't', b'a', 0xc0, 0xd9, 0x05, b'a', b'l', b'p', b'h', b'a', 0x07],
        ),
    }
}

fn codec(ser: Serializer) -> Codec {
    Codec::from_name(ser.name()).unwrap()
}

/// The raw payload of a received event.
fn raw(ev: &Event) -> &RawPayload {
    ev.raw.as_ref().expect("a raw payload")
}

#[test]
fn a_subscriber_of_the_publishers_serializer_gets_its_bytes() {
    run(async {
        let node = TestNode::start().await;
        let mut subs = Vec::new();
        for ser in Serializer::ALL {
            let c = Client::connect(&node.url, "realm1", ser).await.unwrap();
            let s = c.subscribe("com.example.fidelity").await.unwrap();
            subs.push((ser, c, s));
        }
        for from in Serializer::ALL {
            let publ = Client::connect(&node.url, "realm1", from).await.unwrap();
            let (args, kwargs) = sent(codec(from));
            let payload = RawPayload::new(codec(from), Some(&args), Some(&kwargs)).unwrap();
            let ack = Dict::from([("acknowledge".to_owned(), Value::Bool(true))]);
            publ.publish_payload("com.example.fidelity", ack, payload.clone().into())
                .await
                .unwrap();
            for (to, _, s) in &mut subs {
                let ev = within("event", s.next()).await.expect("event");
                let got = raw(&ev);
                assert_eq!(got.codec(), codec(*to));
                if *to == from {
                    assert_eq!(got.args_bytes(), Some(&args[..]), "{from:?}");
                    assert_eq!(got.kwargs_bytes(), Some(&kwargs[..]), "{from:?}");
                }
                // Every subscriber gets the same values, and the client gives them decoded.
                assert_eq!(ev.args, payload.args().unwrap(), "{from:?} -> {to:?}");
                assert_eq!(ev.kwargs, payload.kwargs().unwrap(), "{from:?} -> {to:?}");
                // Converted back to the publisher's serializer, the maps' order is the sender's.
                let back = got.to_codec(codec(from)).unwrap();
                assert_eq!(
                    back.kwargs_bytes(),
                    payload
                        .to_codec(codec(*to))
                        .unwrap()
                        .to_codec(codec(from))
                        .unwrap()
                        .kwargs_bytes(),
                    "{from:?} -> {to:?}"
                );
            }
            publ.leave().await.unwrap();
        }
        node.stop().await;
    });
}

#[test]
fn integers_beyond_2_53_and_key_order_survive_every_serializer() {
    run(async {
        let node = TestNode::start().await;
        let json = br#"[9007199254740993,18446744073709551615,-9223372036854775808]"#;
        let kwargs = br#"{"b":1,"a":2,"c":{"z":[],"y":{}}}"#;
        let payload = RawPayload::new(Codec::Json, Some(json), Some(kwargs)).unwrap();
        let mut subs = Vec::new();
        for ser in Serializer::ALL {
            let c = Client::connect(&node.url, "realm1", ser).await.unwrap();
            let s = c.subscribe("com.example.big").await.unwrap();
            subs.push((ser, c, s));
        }
        let publ = Client::connect(&node.url, "realm1", Serializer::Json)
            .await
            .unwrap();
        let ack = Dict::from([("acknowledge".to_owned(), Value::Bool(true))]);
        publ.publish_payload("com.example.big", ack, payload.into())
            .await
            .unwrap();
        for (to, _, s) in &mut subs {
            let ev = within("event", s.next()).await.expect("event");
            let args = ev.args.clone().unwrap();
            assert_eq!(args[0], Value::Int(9_007_199_254_740_993), "{to:?}");
            assert_eq!(args[1], Value::UInt(u64::MAX), "{to:?}");
            assert_eq!(args[2], Value::Int(i64::MIN), "{to:?}");
            // Whatever the serializer, the JSON it converts back to is what was sent.
            let back = raw(&ev).to_codec(Codec::Json).unwrap();
            assert_eq!(back.args_bytes(), Some(&json[..]), "{to:?}");
            assert_eq!(back.kwargs_bytes(), Some(&kwargs[..]), "{to:?}");
        }
        publ.leave().await.unwrap();
        node.stop().await;
    });
}
