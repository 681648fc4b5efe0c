//! Payload passthru mode through the broker: the binary payload and its `ppt_*`/`enc_*`
//! options reach subscribers of every serializer untouched (EVENT details), byte for byte after
//! JSON's base64.

use bytes::Bytes;
use crossway_protocol::{Codec, Message, Payload, RequestId, Uri, Value};

use crate::testing::{Client, dict, router};

#[test]
fn a_passthru_publication_reaches_every_serializer_byte_for_byte() {
    let router = router();
    let data: Vec<u8> = (0..=255u8).rev().collect();
    let options = dict(&[
        ("ppt_scheme", "wamp".into()),
        ("ppt_serializer", "cbor".into()),
        ("ppt_cipher", "xsalsa20poly1305".into()),
        ("ppt_keyid", "0x1234".into()),
        ("exclude_me", false.into()),
    ]);
    for from in Codec::ALL {
        let mut subscribers: Vec<Client> = Codec::ALL
            .iter()
            .map(|c| Client::join_with(&router, "realm1", *c, 64))
            .collect();
        for s in &mut subscribers {
            s.subscribe("com.secret");
        }
        let mut publisher = Client::join_with(&router, "realm1", from, 64);
        publisher.send_encoded(Message::Publish {
            request: RequestId(1),
            options: options.clone(),
            topic: Uri::new("com.secret"),
            payload: Payload::binary(&data),
        });
        for s in &subscribers {
            let frames = s.frames();
            assert_eq!(frames.len(), 1, "{from} -> {}", s.rx.codec());
            let msg = s.rx.codec().decode_bytes(Bytes::clone(&frames[0])).unwrap();
            let Message::Event {
                details, payload, ..
            } = &msg
            else {
                panic!("{msg:?}");
            };
            assert_eq!(payload.binary_data().as_deref(), Some(&data[..]));
            for key in ["ppt_scheme", "ppt_serializer", "ppt_cipher", "ppt_keyid"] {
                assert_eq!(details[key], options[key], "{key}");
            }
            // The value decoder reads the same bytes (JSON: "\0" + base64).
            let Value::List(items) = s.rx.codec().decode_value(&frames[0]).unwrap() else {
                panic!("not a list");
            };
            assert_eq!(items[4], Value::Bytes(data.clone()));
        }
    }
}

#[test]
fn autobahn_enc_options_are_forwarded_and_retained() {
    let router = router();
    let mut publisher = Client::join_with(&router, "realm1", Codec::MsgPack, 64);
    let options = dict(&[
        ("enc_algo", "cryptobox".into()),
        ("enc_serializer", "json".into()),
        ("retain", true.into()),
    ]);
    publisher.send_encoded(Message::Publish {
        request: RequestId(1),
        options,
        topic: Uri::new("com.box"),
        payload: Payload::binary(b"sealed"),
    });
    let mut late = Client::join_with(&router, "realm1", Codec::Json, 64);
    late.request_queued(Message::Subscribe {
        request: RequestId(2),
        options: dict(&[("get_retained", true.into())]),
        topic: Uri::new("com.box"),
    });
    let got = late.received();
    let Some(Message::Event {
        details, payload, ..
    }) = got.last()
    else {
        panic!("{got:?}");
    };
    assert_eq!(details["enc_algo"], Value::from("cryptobox"));
    assert_eq!(details["enc_serializer"], Value::from("json"));
    assert_eq!(details["retained"], Value::Bool(true));
    assert_eq!(payload.binary_data().as_deref(), Some(&b"sealed"[..]));
}
