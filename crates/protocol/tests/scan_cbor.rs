//! The CBOR scanner accepts and refuses exactly what the reference decoder (serde_cbor, every
//! value built) accepts and refuses, and keeps the payload's bytes as they came.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{accepted, payload_survives, raw, refused};
use crossway_protocol::{Codec, MAX_DEPTH, Value};

const CBOR: Codec = Codec::Cbor;

/// `[16, 1, {}, "t"` as the head of a PUBLISH of `elements` elements.
fn head(elements: u8) -> Vec<u8> {
    vec![0x80 | elements, 0x10, 0x01, 0xa0, 0x61, b't']
}

/// A PUBLISH carrying `args` and, if given, `kwargs` (each one encoded item).
fn publish(args: &[u8], kwargs: Option<&[u8]>) -> Vec<u8> {
    let mut frame = head(if kwargs.is_some() { 6 } else { 5 });
    frame.extend_from_slice(args);
    if let Some(kwargs) = kwargs {
        frame.extend_from_slice(kwargs);
    }
    frame
}

#[test]
fn payload_bytes_are_kept_as_they_came() {
    // [_ 1.0 (half), 1.0 (double), h'01', 2^64-1, tag 1 (0)], with keys out of order:
    // {_ "z": 1, "a": undefined, "z": [_ ]}
    let args = [
        0x9f, 0xf9, 0x3c, 0x00, 0xfb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x41, 0x01, 0x1b, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc1, 0x00, 0xff,
    ];
    let kwargs = [
        0xbf, 0x61, b'z', 0x01, 0x61, b'a', 0xf7, 0x61, b'z', 0x9f, 0xff, 0xff,
    ];
    let msg = accepted(CBOR, &publish(&args, Some(&kwargs)));
    let raw = raw(&msg).unwrap();
    assert_eq!(raw.args_bytes(), Some(&args[..]));
    assert_eq!(raw.kwargs_bytes(), Some(&kwargs[..]));
    payload_survives(CBOR, &msg);
    let values = raw.args().unwrap().unwrap();
    assert_eq!(values[0], Value::Float(1.0));
    assert_eq!(values[3], Value::UInt(u64::MAX));
    assert_eq!(
        raw.kwargs().unwrap().unwrap().get("z"),
        Some(&Value::List(vec![]))
    );
}

#[test]
fn scalars() {
    for ok in [
        &[0x00][..],
        &[0x17],
        &[0x18, 0xff],
        &[0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        &[0x20],
        &[0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        &[0xf4],
        &[0xf5],
        &[0xf6],
        &[0xf7],
        &[0xf9, 0x7c, 0x00],
        &[0xf9, 0x7e, 0x00],
        &[0xf9, 0x00, 0x01],
        &[0xf9, 0x83, 0xff],
        &[0xfa, 0x7f, 0xc0, 0x00, 0x00],
        &[0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0],
        &[0x40],
        &[0x42, 0x00, 0xff],
        &[0x60],
        &[0x62, 0xc3, 0xa9],
    ] {
        let mut args = vec![0x81];
        args.extend_from_slice(ok);
        accepted(CBOR, &publish(&args, None));
    }
    for bad in [
        &[0x1c][..],
        &[0x1f],
        &[0x3b, 0x80, 0, 0, 0, 0, 0, 0, 0],
        &[0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        &[0x3c],
        &[0x3f],
        &[0x5c],
        &[0x7c],
        &[0xe0],
        &[0xf3],
        &[0xf8, 0x20],
        &[0xfc],
        &[0xff],
        &[0x18],
        &[0x19, 0x01],
        &[0x42, 0x00],
        &[0x62, 0xc3, 0x28],
        &[0x61, 0xff],
        &[0xdc, 0x00],
        &[0xdf],
        &[0xc6],
    ] {
        let mut args = vec![0x81];
        args.extend_from_slice(bad);
        refused(CBOR, &publish(&args, None));
    }
}

#[test]
fn indefinite_lengths() {
    // Lists and maps, nested and empty.
    accepted(CBOR, &publish(&[0x9f, 0x9f, 0xff, 0xbf, 0xff, 0xff], None));
    accepted(
        CBOR,
        &publish(&[0x9f, 0xff], Some(&[0xbf, 0x61, b'k', 0x9f, 0xff, 0xff])),
    );
    // Byte and text strings in chunks; a UTF-8 sequence split across chunks is read joined.
    accepted(
        CBOR,
        &publish(
            &[0x81, 0x5f, 0x41, 0x01, 0x40, 0x42, 0x02, 0x03, 0xff],
            None,
        ),
    );
    accepted(
        CBOR,
        &publish(&[0x81, 0x7f, 0x61, b'a', 0x60, 0x61, b'b', 0xff], None),
    );
    accepted(
        CBOR,
        &publish(&[0x81, 0x7f, 0x61, 0xc3, 0x61, 0xa9, 0xff], None),
    );
    // The whole message in indefinite form.
    let mut frame = vec![
        0x9f, 0x10, 0x01, 0xbf, 0xff, 0x61, b't', 0x9f, 0x01, 0xff, 0xff,
    ];
    let msg = accepted(CBOR, &frame);
    assert_eq!(
        raw(&msg).unwrap().args_bytes(),
        Some(&[0x9f, 0x01, 0xff][..])
    );
    frame.pop();
    refused(CBOR, &frame);
    for bad in [
        &[0x81, 0x7f, 0x61, 0xc3, 0xff][..],
        &[0x81, 0x5f, 0x61, b'a', 0xff],
        &[0x81, 0x7f, 0x41, b'a', 0xff],
        &[0x81, 0x5f, 0x5f, 0xff, 0xff],
        &[0x81, 0x5f, 0x41],
        &[0x81, 0x5f],
        &[0x9f, 0x01],
        &[0x9f],
        &[0x81, 0xbf, 0x61, b'k', 0xff],
        &[0x81, 0xbf, 0x61, b'k', 0x01],
    ] {
        refused(CBOR, &publish(bad, None));
    }
}

#[test]
fn map_keys_are_text_strings() {
    for ok in [
        &[0xa1, 0x61, b'k', 0x01][..],
        &[0xa1, 0xc6, 0x61, b'k', 0x01],
        &[0xa1, 0x7f, 0x61, b'k', 0xff, 0x01],
        &[0xa2, 0x61, b'k', 0x01, 0x61, b'k', 0x02],
    ] {
        accepted(CBOR, &publish(&[0x80], Some(ok)));
    }
    for bad in [
        &[0xa1, 0x01, 0x01][..],
        &[0xa1, 0x41, b'k', 0x01],
        &[0xa1, 0x80, 0x01],
        &[0xa1, 0xf6, 0x01],
        &[0xa1, 0x61, b'k'],
        &[0xa2, 0x61, b'k', 0x01],
    ] {
        refused(CBOR, &publish(&[0x80], Some(bad)));
    }
}

#[test]
fn tags_are_skipped_and_kept() {
    // A tagged list where Arguments|list goes: accepted, and the tag is part of its bytes.
    let args = [0xd9, 0xd9, 0xf7, 0x81, 0xc1, 0x1a, 0x00, 0x00, 0x00, 0x01];
    let msg = accepted(CBOR, &publish(&args, None));
    assert_eq!(raw(&msg).unwrap().args_bytes(), Some(&args[..]));
    payload_survives(CBOR, &msg);
    // The self-describe tag before the message.
    let mut frame = vec![0xd9, 0xd9, 0xf7];
    frame.extend_from_slice(&publish(&[0x80], None));
    accepted(CBOR, &frame);
}

#[test]
fn tags_count_toward_serde_cbors_nesting_limit() {
    // serde_cbor enters a level for each tag and each list or map, and refuses a 128th. The
    // message's list is level 1, so Arguments|list may carry 125 tags.
    for (tags, ok) in [(125, true), (126, false)] {
        let mut args = vec![0xc6; tags];
        args.push(0x80);
        let frame = publish(&args, None);
        if ok {
            accepted(CBOR, &frame);
        } else {
            let reason = refused(CBOR, &frame);
            assert!(reason.contains("recursion limit"), "{reason}");
        }
    }
    // Before the message: 125 tags, the list at level 126, the options' map at level 127.
    for (tags, ok) in [(125, true), (126, false), (100_000, false)] {
        let mut frame = vec![0xc6; tags];
        frame.extend_from_slice(&publish(&[0x80], None));
        if ok {
            accepted(CBOR, &frame);
        } else {
            refused(CBOR, &frame);
        }
    }
    // Two tags on every list: the k-th nested list is at level 1 + 3k, within the depth limit.
    for (levels, ok) in [(42, true), (43, false)] {
        let mut args = Vec::new();
        for _ in 0..levels {
            args.extend_from_slice(&[0xc6, 0xc6, 0x81]);
        }
        args.push(0x00);
        let frame = publish(&args, None);
        assert_eq!(common::agree(CBOR, &frame).is_ok(), ok, "{levels} levels");
    }
}

#[test]
fn the_depth_limit_counts_the_message_as_the_first_level() {
    let mut deepest = vec![0x81; MAX_DEPTH - 2];
    deepest.push(0x80);
    accepted(CBOR, &publish(&deepest, None));
    let mut too_deep = vec![0x81; MAX_DEPTH - 1];
    too_deep.push(0x80);
    let reason = refused(CBOR, &publish(&too_deep, None));
    assert!(reason.contains("deeper than"), "{reason}");
    let mut indefinite = vec![0x9f; MAX_DEPTH - 1];
    indefinite.extend(vec![0xff; MAX_DEPTH - 1]);
    accepted(CBOR, &publish(&indefinite, None));
    let mut indefinite = vec![0x9f; MAX_DEPTH];
    indefinite.extend(vec![0xff; MAX_DEPTH]);
    refused(CBOR, &publish(&indefinite, None));
}

#[test]
fn trailing_and_missing_bytes() {
    let mut frame = publish(&[0x81, 0x01], None);
    accepted(CBOR, &frame);
    frame.push(0x00);
    refused(CBOR, &frame);
    frame.truncate(frame.len() - 2);
    refused(CBOR, &frame);
    // A definite list longer than its items.
    refused(CBOR, &publish(&[0x83, 0x01], None));
    refused(
        CBOR,
        &[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10],
    );
}
