//! Payload passthru mode through the dealer: CALL -> INVOCATION and YIELD -> RESULT keep the
//! binary and the `ppt_*` options; a callee (or caller) that did not announce the feature is
//! spared it with `wamp.error.feature_not_supported`.

use crossway_protocol::message::code;
use crossway_protocol::{Codec, Message, Payload, RequestId, Uri, Value};

use super::{error_uri, register};
use crate::testing::{Client, dict, router};

const PPT: &[&str] = &["payload_passthru_mode"];

fn call(caller: &mut Client) -> Option<Message> {
    caller
        .send_encoded(Message::Call {
            request: RequestId(1),
            options: dict(&[
                ("ppt_scheme", "mqtt".into()),
                ("ppt_serializer", "native".into()),
            ]),
            procedure: Uri::new("com.mqtt"),
            payload: Payload::binary(b"\x01\x02"),
        })
        .reply
}

#[test]
fn passthru_calls_and_results_keep_payload_and_options() {
    let router = router();
    let mut callee = Client::join_announcing(&router, PPT);
    let mut caller = Client::join_announcing(&router, PPT);
    register(&mut callee, "com.mqtt");
    assert!(call(&mut caller).is_none());
    let got = callee.received();
    let Some(Message::Invocation {
        request,
        details,
        payload,
        ..
    }) = got.last()
    else {
        panic!("{got:?}");
    };
    assert_eq!(details["ppt_scheme"], Value::from("mqtt"));
    assert_eq!(details["ppt_serializer"], Value::from("native"));
    assert_eq!(payload.binary_data().as_deref(), Some(&b"\x01\x02"[..]));
    callee.send_encoded(Message::Yield {
        request: *request,
        options: dict(&[("ppt_scheme", "mqtt".into())]),
        payload: Payload::binary(b"\x03"),
    });
    let got = caller.received();
    let Some(Message::Result {
        details, payload, ..
    }) = got.last()
    else {
        panic!("{got:?}");
    };
    assert_eq!(details["ppt_scheme"], Value::from("mqtt"));
    assert_eq!(payload.binary_data().as_deref(), Some(&b"\x03"[..]));
}

#[test]
fn peers_that_did_not_announce_it_are_spared() {
    let router = router();
    let mut plain_callee = Client::join_announcing(&router, &[]);
    let mut caller = Client::join_announcing(&router, PPT);
    register(&mut plain_callee, "com.mqtt");
    let reply = call(&mut caller).expect("an ERROR");
    assert_eq!(
        error_uri(&reply),
        (code::CALL, "wamp.error.feature_not_supported")
    );
    assert!(plain_callee.received().is_empty());
    // A caller that did not announce it gets no passthru RESULT: the call fails instead.
    let mut callee = Client::join_announcing(&router, PPT);
    let mut plain_caller = Client::join_with(&router, "realm1", Codec::Cbor, 64);
    register(&mut callee, "com.plain");
    plain_caller.send_encoded(Message::Call {
        request: RequestId(2),
        options: dict(&[]),
        procedure: Uri::new("com.plain"),
        payload: Payload::EMPTY,
    });
    let got = callee.received();
    let Some(Message::Invocation { request, .. }) = got.last() else {
        panic!("{got:?}");
    };
    callee.send_encoded(Message::Yield {
        request: *request,
        options: dict(&[("ppt_scheme", "mqtt".into())]),
        payload: Payload::binary(b"\x03"),
    });
    let got = plain_caller.received();
    assert_eq!(
        error_uri(got.last().unwrap()),
        (code::CALL, "wamp.error.feature_not_supported")
    );
}
