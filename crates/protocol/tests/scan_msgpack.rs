//! The MessagePack scanner accepts and refuses exactly what the reference decoder (rmp-serde,
//! every value built) accepts and refuses, and keeps the payload's bytes as they came.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{accepted, payload_survives, raw, refused};
use crossway_protocol::{Codec, MAX_DEPTH, Value};

const MSGPACK: Codec = Codec::MsgPack;

/// A PUBLISH carrying `args` and, if given, `kwargs` (each one encoded item).
fn publish(args: &[u8], kwargs: Option<&[u8]>) -> Vec<u8> {
    let mut frame = vec![
        if kwargs.is_some() { 0x96 } else { 0x95 },
        0x10,
        0x01,
        0x80,
        0xa1,
        b't',
    ];
    frame.extend_from_slice(args);
    if let Some(kwargs) = kwargs {
        frame.extend_from_slice(kwargs);
    }
    frame
}

/// `args` as a one-item list.
fn one(item: &[u8]) -> Vec<u8> {
    let mut args = vec![0x91];
    args.extend_from_slice(item);
    args
}

#[test]
fn payload_bytes_are_kept_as_they_came() {
    // [float32 1.5, uint64 5 (not the shortest form), str8 "a"], {"z": 1, "a": 2, "z": nil}
    let args = [
        0x93, 0xca, 0x3f, 0xc0, 0x00, 0x00, 0xcf, 0, 0, 0, 0, 0, 0, 0, 5, 0xd9, 0x01, b'a',
    ];
    let kwargs = [0x83, 0xa1, b'z', 0x01, 0xa1, b'a', 0x02, 0xa1, b'z', 0xc0];
    let msg = accepted(MSGPACK, &publish(&args, Some(&kwargs)));
    let raw = raw(&msg).unwrap();
    assert_eq!(raw.args_bytes(), Some(&args[..]));
    assert_eq!(raw.kwargs_bytes(), Some(&kwargs[..]));
    payload_survives(MSGPACK, &msg);
    let values = raw.args().unwrap().unwrap();
    assert_eq!(
        values,
        vec![Value::Float(1.5), Value::Int(5), Value::from("a")]
    );
    assert_eq!(raw.kwargs().unwrap().unwrap().get("z"), Some(&Value::Null));
}

#[test]
fn scalars() {
    for ok in [
        &[0x00][..],
        &[0x7f],
        &[0xe0],
        &[0xff],
        &[0xc0],
        &[0xc2],
        &[0xc3],
        &[0xcc, 0xff],
        &[0xcd, 0xff, 0xff],
        &[0xce, 0xff, 0xff, 0xff, 0xff],
        &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        &[0xd0, 0x80],
        &[0xd1, 0x80, 0x00],
        &[0xd2, 0x80, 0x00, 0x00, 0x00],
        &[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0],
        &[0xca, 0x7f, 0xc0, 0x00, 0x00],
        &[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0],
        &[0xa0],
        &[0xa2, 0xc3, 0xa9],
        &[0xd9, 0x00],
        &[0xda, 0x00, 0x01, b'x'],
        &[0xdb, 0x00, 0x00, 0x00, 0x01, b'x'],
        &[0xc4, 0x00],
        &[0xc5, 0x00, 0x02, 0x00, 0xff],
        &[0xc6, 0x00, 0x00, 0x00, 0x01, 0x00],
        // A str that is not UTF-8 is binary data, as rmp-serde reads it.
        &[0xa2, 0xc3, 0x28],
        &[0xa1, 0xff],
    ] {
        accepted(MSGPACK, &publish(&one(ok), None));
    }
    for bad in [
        &[0xc1][..],
        // Extension types: fixext 1, 2, 4, 8, 16; ext 8, 16, 32.
        &[0xd4, 0x01, 0x00],
        &[0xd5, 0x01, 0x00, 0x00],
        &[0xd6, 0x01, 0, 0, 0, 0],
        &[0xd7, 0x01, 0, 0, 0, 0, 0, 0, 0, 0],
        &[0xd8, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        &[0xc7, 0x01, 0x01, 0x00],
        &[0xc8, 0x00, 0x01, 0x01, 0x00],
        &[0xc9, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00],
        &[0xcc],
        &[0xcb, 0x00],
        &[0xa2, b'x'],
        &[0xd9],
        &[0xc4, 0x02, 0x00],
        &[0xdb, 0xff, 0xff, 0xff, 0xff],
    ] {
        refused(MSGPACK, &publish(&one(bad), None));
    }
}

#[test]
fn map_keys_are_utf8_strings() {
    for ok in [
        &[0x81, 0xa1, b'k', 0x01][..],
        &[0x81, 0xd9, 0x01, b'k', 0x01],
        &[0xde, 0x00, 0x01, 0xa0, 0x01],
        &[0xdf, 0x00, 0x00, 0x00, 0x01, 0xa1, b'k', 0x90],
    ] {
        accepted(MSGPACK, &publish(&[0x90], Some(ok)));
    }
    for bad in [
        &[0x81, 0x01, 0x01][..],
        &[0x81, 0xc4, 0x01, b'k', 0x01],
        &[0x81, 0xa1, 0xff, 0x01],
        &[0x81, 0xc0, 0x01],
        &[0x81, 0x90, 0x01],
        &[0x81, 0xa1, b'k'],
        &[0x82, 0xa1, b'k', 0x01],
    ] {
        refused(MSGPACK, &publish(&[0x90], Some(bad)));
    }
}

#[test]
fn lists_of_every_size() {
    accepted(MSGPACK, &publish(&[0xdc, 0x00, 0x02, 0x01, 0x02], None));
    accepted(
        MSGPACK,
        &publish(&[0xdd, 0x00, 0x00, 0x00, 0x01, 0x01], None),
    );
    refused(MSGPACK, &publish(&[0xdc, 0x00, 0x02, 0x01], None));
    refused(MSGPACK, &publish(&[0xdd, 0xff, 0xff, 0xff, 0xff], None));
    let long: Vec<u8> = [0xdc, 0x01, 0x00].into_iter().chain([0x07; 256]).collect();
    let msg = accepted(MSGPACK, &publish(&long, None));
    assert_eq!(raw(&msg).unwrap().args().unwrap().unwrap().len(), 256);
}

#[test]
fn the_depth_limit_counts_the_message_as_the_first_level() {
    let mut deepest = vec![0x91; MAX_DEPTH - 2];
    deepest.push(0x90);
    accepted(MSGPACK, &publish(&deepest, None));
    let mut too_deep = vec![0x91; MAX_DEPTH - 1];
    too_deep.push(0x90);
    let reason = refused(MSGPACK, &publish(&too_deep, None));
    assert!(reason.contains("deeper than"), "{reason}");
    let maps: Vec<u8> = [0x81, 0xa1, b'k']
        .repeat(MAX_DEPTH)
        .into_iter()
        .chain([0x01])
        .collect();
    let reason = refused(MSGPACK, &publish(&[0x90], Some(&maps)));
    assert!(reason.contains("deeper than"), "{reason}");
}

#[test]
fn trailing_and_missing_bytes() {
    let mut frame = publish(&[0x91, 0x01], None);
    accepted(MSGPACK, &frame);
    frame.push(0xc0);
    let reason = refused(MSGPACK, &frame);
    assert!(reason.contains("trailing"), "{reason}");
    frame.truncate(frame.len() - 2);
    refused(MSGPACK, &frame);
    refused(MSGPACK, &[]);
    refused(MSGPACK, &[0x95, 0x10]);
}
