//! Payloads through the broker: the publisher's bytes for its own serializer, one conversion
//! per other serializer and publication.

use super::{pattern, publish_direct};
use crate::testing::{Client, router};
use crossway_protocol::{Codec, Dict, Message, RawPayload};

#[test]
fn the_publishers_serializer_gets_its_bytes_and_others_one_conversion_each() {
    let router = router();
    let mut publisher = Client::join(&router);
    let mut json = Client::join(&router);
    let mut cbor = Client::join_with(&router, "realm1", Codec::Cbor, 8);
    let mut cbor_prefix = Client::join_with(&router, "realm1", Codec::Cbor, 8);
    let mut msgpack = Client::join_with(&router, "realm1", Codec::MsgPack, 8);
    json.subscribe("com.t");
    cbor.subscribe("com.t");
    cbor_prefix.subscribe_with("com", pattern("prefix"));
    msgpack.subscribe("com.t");
    // Keys out of order, a float written as 1.0, an integer beyond 2^53: JSON as sent.
    let args = br#"[1.0,{"b":1,"a":[]},9007199254740993,"\u0000AQI="]"#;
    let kwargs = br#"{"z":-0.0,"a":1e2}"#;
    let mut frame = br#"[16,1,{},"com.t","#.to_vec();
    frame.extend_from_slice(args);
    frame.push(b',');
    frame.extend_from_slice(kwargs);
    frame.push(b']');
    let msg = Codec::Json.decode_bytes(frame.into()).unwrap();
    publisher.send(msg);
    let raw = |client: &Client| match client.received().remove(0) {
        Message::Event { payload, .. } => payload.raw().cloned().expect("a raw payload"),
        other => panic!("not an EVENT: {other:?}"),
    };
    let got = raw(&json);
    assert_eq!(got.args_bytes(), Some(&args[..]));
    assert_eq!(got.kwargs_bytes(), Some(&kwargs[..]));
    for client in [&cbor, &cbor_prefix, &msgpack] {
        let got = raw(client);
        assert_eq!(
            got.args().unwrap(),
            got.to_codec(Codec::Json).unwrap().args().unwrap()
        );
        let back = got.to_codec(Codec::Json).unwrap();
        // Order kept; the number spellings are JSON's own again.
        assert_eq!(
            back.args_bytes(),
            Some(&br#"[1.0,{"b":1,"a":[]},9007199254740993,"\u0000AQI="]"#[..])
        );
        assert_eq!(back.kwargs_bytes(), Some(&br#"{"z":-0.0,"a":100.0}"#[..]));
    }
}

#[test]
fn a_payload_is_converted_once_per_serializer_and_publication() {
    let router = router();
    let publisher = Client::join(&router);
    let mut subscribers: Vec<Client> = [Codec::Json, Codec::Cbor, Codec::Cbor, Codec::MsgPack]
        .into_iter()
        .map(|codec| Client::join_with(&router, "realm1", codec, 8))
        .collect();
    for (i, client) in subscribers.iter_mut().enumerate() {
        client.subscribe("com.t");
        if i > 0 {
            client.subscribe_with("com", pattern("prefix"));
        }
    }
    let payload = RawPayload::new(Codec::Json, Some(b"[1]"), None).unwrap();
    let dispatch = publish_direct(&router, &publisher, &Dict::new(), payload.into());
    assert_eq!(dispatch.subscriptions, 2);
    // JSON, CBOR and MessagePack for the exact subscription, CBOR and MessagePack for the
    // prefix one; the payload converted to CBOR and to MessagePack once each.
    assert_eq!(dispatch.delivery.encodes, 5);
    assert_eq!(dispatch.conversions, 2);
    assert_eq!(dispatch.delivery.receivers, 7);
}
