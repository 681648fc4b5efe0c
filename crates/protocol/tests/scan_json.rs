//! The JSON scanner accepts and refuses exactly what the reference decoder (serde_json, every
//! value built) accepts and refuses, and keeps the payload's bytes as they came.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{accepted, payload_survives, raw, refused};
use crossway_protocol::{Codec, MAX_DEPTH, Value};

const JSON: Codec = Codec::Json;

/// A PUBLISH carrying `args` (JSON text) and, if given, `kwargs`.
fn publish(args: &str, kwargs: Option<&str>) -> Vec<u8> {
    match kwargs {
        Some(kwargs) => format!(r#"[16,1,{{}},"t",{args},{kwargs}]"#),
        None => format!(r#"[16,1,{{}},"t",{args}]"#),
    }
    .into_bytes()
}

#[test]
fn payload_bytes_are_kept_as_they_came() {
    let args = r#"[1.0, -0, 1e5, 1E+5, -1.5e-3, 9007199254740993, 18446744073709551616]"#;
    let kwargs = r#"{ "z" : 1 , "a" : { "y" : [ ] , "b" : null } , "z" : 2 }"#;
    let msg = accepted(JSON, &publish(args, Some(kwargs)));
    let raw = raw(&msg).unwrap();
    assert_eq!(raw.args_bytes(), Some(args.as_bytes()));
    assert_eq!(raw.kwargs_bytes(), Some(kwargs.as_bytes()));
    payload_survives(JSON, &msg);
    // Values on demand, as the reference reads them: a repeated key keeps its last value.
    let kwargs = raw.kwargs().unwrap().unwrap();
    assert_eq!(kwargs.get("z"), Some(&Value::Int(2)));
    let args = raw.args().unwrap().unwrap();
    assert_eq!(args[0], Value::Float(1.0));
    assert_eq!(args[5], Value::Int(9_007_199_254_740_993));
    assert!(matches!(args[6], Value::Float(_)));
}

#[test]
fn whitespace_around_elements_is_not_theirs() {
    let msg = accepted(
        JSON,
        b" [ 16 , 1 , { } , \"t\" ,\n\t[ 1 ] \r\n, {\"k\":2} ] \n",
    );
    let raw = raw(&msg).unwrap();
    assert_eq!(raw.args_bytes(), Some(&b"[ 1 ]"[..]));
    assert_eq!(raw.kwargs_bytes(), Some(&br#"{"k":2}"#[..]));
}

#[test]
fn numbers() {
    for ok in [
        "0",
        "-0",
        "1",
        "-1",
        "0.5",
        "-0.0",
        "1e5",
        "1E5",
        "1e+5",
        "1e-5",
        "1.25e-300",
        "1e-400",
        "0e999999999999999",
        "-9223372036854775808",
        "-9223372036854775809",
        "9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "1.7976931348623157e308",
        "123456789012345678901234567890",
    ] {
        accepted(JSON, &publish(&format!("[{ok}]"), None));
    }
    for bad in [
        "01",
        "-01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "1e+",
        "1.e5",
        "0x10",
        "1e400",
        "-1e400",
        "1.7976931348623159e308",
        "NaN",
        "Infinity",
        "1 2",
        "--1",
    ] {
        refused(JSON, &publish(&format!("[{bad}]"), None));
    }
    // 309 digits: beyond the largest double.
    refused(JSON, &publish(&format!("[1{}]", "0".repeat(309)), None));
    accepted(JSON, &publish(&format!("[1{}]", "0".repeat(300)), None));
}

#[test]
fn strings() {
    for ok in [
        r#""""#,
        r#""plain""#,
        r#""\"\\\/\b\f\n\r\t""#,
        r#""\u00e9\u00E9 é ✓""#,
        r#""\ud83d\ude00 🎉""#,
        r#""a\u0000b""#,
        r#""\u0000""#,
        r#""\u0000AQI=""#,
        r#""\u0000AQ""#,
        r#""\u0000EOP\/kFMHXFJvX8BtT+N82w==""#,
    ] {
        accepted(JSON, &publish(&format!("[{ok}]"), None));
    }
    for bad in [
        r#""\x""#,
        r#""\u12""#,
        r#""\u12G4""#,
        r#""\ud800""#,
        r#""\ud800x""#,
        r#""\ud800\u0041""#,
        r#""\udc00""#,
        r#""\u0000not base64!""#,
        r#""\u0000AQI=x""#,
        "\"tab\there\"",
        "\"new\nline\"",
        r#""unterminated"#,
    ] {
        refused(JSON, &publish(&format!("[{bad}]"), None));
    }
    // Not UTF-8.
    let mut frame = publish("[\"\u{1}\"]", None);
    let at = frame.iter().position(|&b| b == 1).unwrap();
    frame[at] = 0xff;
    refused(JSON, &frame);
}

#[test]
fn a_nul_string_is_binary_only_where_it_is_a_value() {
    // A map key starting with "\0" stays a string, whatever follows.
    accepted(JSON, &publish("[]", Some(r#"{"\u0000not base64!":1}"#)));
    refused(JSON, &publish("[]", Some(r#"{"k":"\u0000not base64!"}"#)));
    // Binary where Arguments|list goes: refused without ppt_scheme (or enc_algo) in the options.
    let reason = refused(JSON, &publish(r#""\u0000AQI=""#, None));
    assert!(reason.contains("ppt_scheme or enc_algo"), "{reason}");
}

#[test]
fn structure() {
    for bad in [
        "[1,]", "[,1]", "[1 2]", "[1,,2]", "[", "[1", "]", "[}", "{}", "[nul]", "[True]",
        "[nulll]", "[truex]",
    ] {
        refused(JSON, &publish(bad, None));
    }
    for bad in [
        r#"{"a" 1}"#,
        r#"{1:2}"#,
        r#"{"a":1,}"#,
        r#"{"a":1"#,
        r#"{,}"#,
        r#"{"a"}"#,
        r#"{"a":}"#,
        r#"{"a":1 "b":2}"#,
        "[]",
    ] {
        refused(JSON, &publish("[]", Some(bad)));
    }
    for ok in [r#"{}"#, r#"{"a":[{}]}"#, r#"{"":""}"#] {
        accepted(JSON, &publish("[]", Some(ok)));
    }
}

#[test]
fn trailing_and_missing_bytes() {
    accepted(JSON, b"[16,1,{},\"t\",[1]] \r\n\t");
    for bad in [
        &b"[16,1,{},\"t\",[1]]x"[..],
        b"[16,1,{},\"t\",[1]][",
        b"[16,1,{},\"t\",[1]]]",
        b"[16,1,{},\"t\",[1]",
        b"[16,1,{},\"t\",[1",
        b"",
        b" ",
    ] {
        refused(JSON, bad);
    }
}

#[test]
fn the_depth_limit_counts_the_message_as_the_first_level() {
    // The message's list, the arguments' list, then 62 more levels: 64 in all.
    let deepest = format!("{}{}", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1));
    accepted(JSON, &publish(&deepest, None));
    let too_deep = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    let reason = refused(JSON, &publish(&too_deep, None));
    assert!(reason.contains("deeper than"), "{reason}");
    // Maps count as lists do, and the options dictionary is checked in its place too.
    let maps = format!(
        "{}1{}",
        r#"{"a":"#.repeat(MAX_DEPTH - 1),
        "}".repeat(MAX_DEPTH - 1)
    );
    accepted(JSON, &publish("[]", Some(&maps)));
    let options = format!("{}1{}", r#"{"a":"#.repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
    refused(JSON, format!(r#"[16,1,{options},"t"]"#).as_bytes());
}

#[test]
fn shapes_are_checked_as_before() {
    for bad in [
        r#"[16,1,{},"t",{}]"#,
        r#"[16,1,{},"t",[],[]]"#,
        r#"[16,1,{},"t",1]"#,
        r#"[16,1,{},"t",[],{},1]"#,
        r#"[16,0,{},"t",[]]"#,
        r#"[16,1,[],"t",[]]"#,
        r#"[16,1,{},1,[]]"#,
        r#"[99,1]"#,
        r#"[]"#,
        r#"["16"]"#,
        r#"{"a":1}"#,
        r#""x""#,
        r#"16"#,
    ] {
        refused(JSON, bad.as_bytes());
    }
}

#[test]
fn strings_of_every_length_with_a_special_byte_anywhere() {
    // The scanner reads strings sixteen bytes at a time: a quote, backslash, control character
    // or non-ASCII byte at any position of any block must be found where it is.
    for len in 0..40 {
        for at in 0..=len {
            for special in [
                "\\\"", "\\\\", "\\u00e9", "é", "\t", "\u{1}", "\\/", "\u{7f}",
            ] {
                let mut text = "a".repeat(len);
                text.insert_str(at, special);
                let frame = publish(&format!("[\"{text}\"]"), None);
                common::agree(JSON, &frame).ok();
            }
            let mut bytes = publish(&format!("[\"{}\"]", "b".repeat(len)), None);
            // A byte that is not UTF-8 inside the string.
            let start = bytes.iter().position(|&b| b == b'b').unwrap_or(0);
            if len > 0 {
                bytes[start + at.min(len - 1)] = 0xc3;
                common::agree(JSON, &bytes).ok();
            }
        }
    }
}
