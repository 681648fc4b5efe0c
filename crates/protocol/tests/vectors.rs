//! The WAMP test vectors (`tests/vectors/`, extracted from the wamp-proto test suite, see its
//! README): every byte variant of every sample, in each of json, msgpack and cbor, decodes,
//! re-encodes with our codec and decodes again to the same message, with the attributes the
//! vector expects. Every raw message of the validation samples decodes and round-trips too.
//!
//! Nothing is skipped silently: the samples our [`Message`] refuses are listed below, and the
//! test asserts that they are refused, for the reason given.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::fs;
use std::path::{Path, PathBuf};

use crossway_protocol::{Codec, DecodeError, Dict, Message, Payload, Value};
use serde_json::Value as Json;

/// Samples the decoder refuses with a shape error on `Arguments|list`: none since payload
/// passthru mode (a bare binary payload with `enc_algo` or `ppt_scheme`) is read.
const REFUSED_SAMPLES: &[(&str, &str)] = &[];

/// Validation samples whose `Arguments|list` element is a plain (hex) string: not a list, and
/// not binary either, so every codec must refuse them as malformed.
const REFUSED_RAW: &[(&str, &str)] = &[
    (
        "basic/event.json",
        "EVENT.Details.enc_algo cryptobox (valid with payload)",
    ),
    (
        "basic/event.json",
        "EVENT.Details.enc_algo with invalid value",
    ),
    (
        "basic/event.json",
        "EVENT.Details.enc_serializer cbor (valid with payload)",
    ),
    (
        "basic/publish.json",
        "PUBLISH.Options.enc_algo cryptobox (valid with payload)",
    ),
    (
        "basic/publish.json",
        "PUBLISH.Options.enc_algo with invalid value",
    ),
    (
        "basic/publish.json",
        "PUBLISH.Options.enc_serializer cbor (valid with payload)",
    ),
];

/// The serializers the vectors carry that we implement.
const SERIALIZERS: [(&str, Codec); 3] = [
    ("json", Codec::Json),
    ("msgpack", Codec::MsgPack),
    ("cbor", Codec::Cbor),
];

#[derive(Default)]
struct Tally {
    files: usize,
    samples: usize,
    variants: usize,
    refused_variants: usize,
    raw: usize,
    refused_raw: usize,
    refusals_seen: Vec<(String, String)>,
    failures: Vec<String>,
}

#[test]
fn every_vector_decodes_and_round_trips() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let files = json_files(&root);
    assert!(!files.is_empty(), "no test vectors in {}", root.display());

    let mut tally = Tally::default();
    for path in &files {
        let name = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let file: Json = serde_json::from_slice(&fs::read(path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        tally.files += 1;
        for sample in file["samples"].as_array().unwrap() {
            tally.samples += 1;
            let description = sample["description"].as_str().unwrap();
            if sample.get("wmsg").is_some() {
                check_raw(&mut tally, &name, description, &sample["wmsg"]);
            } else {
                check_sample(&mut tally, &name, description, sample);
            }
        }
    }

    let expected_refusals = REFUSED_SAMPLES.len() + REFUSED_RAW.len();
    for (file, description) in REFUSED_SAMPLES.iter().chain(REFUSED_RAW) {
        if !tally
            .refusals_seen
            .iter()
            .any(|(f, d)| f == file && d == description)
        {
            tally
                .failures
                .push(format!("{file}: listed refusal {description:?} not found"));
        }
    }
    println!(
        "test vectors: {} files, {} samples; {} byte variants decoded, re-encoded and compared, \
         {} refused as listed; {} raw messages round-tripped, {} refused as listed",
        tally.files,
        tally.samples,
        tally.variants,
        tally.refused_variants,
        tally.raw,
        tally.refused_raw
    );
    assert!(
        tally.failures.is_empty(),
        "{} failures:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    assert!(tally.variants > 0, "no byte variant checked");
    assert_eq!(tally.refusals_seen.len(), expected_refusals);
}

/// A serialization sample: every variant of every serializer.
fn check_sample(tally: &mut Tally, file: &str, description: &str, sample: &Json) {
    let refused = REFUSED_SAMPLES.contains(&(file, description));
    if refused {
        tally.refusals_seen.push((file.into(), description.into()));
    }
    let expected = sample["expected_attributes"].as_object().unwrap();
    for (serializer, codec) in SERIALIZERS {
        let Some(variants) = sample["serializers"][serializer].as_array() else {
            tally
                .failures
                .push(format!("{file}: {description}: no {serializer} bytes"));
            continue;
        };
        for variant in variants {
            let bytes = hex(variant["bytes_hex"].as_str().unwrap());
            let context = format!("{file}: {description} [{serializer}]");
            let decoded = codec.decode(&bytes);
            if refused {
                tally.refused_variants += 1;
                expect_refusal(tally, &context, decoded);
                continue;
            }
            tally.variants += 1;
            match decoded {
                Ok(msg) => {
                    if let Err(e) = round_trip(codec, &msg) {
                        tally.failures.push(format!("{context}: {e}"));
                    }
                    if let Err(e) = check_attributes(&msg, expected) {
                        tally.failures.push(format!("{context}: {e}"));
                    }
                }
                Err(e) => tally.failures.push(format!("{context}: {e}")),
            }
        }
    }
}

/// A validation sample's raw message: decodes as JSON, round-trips through every codec. Whether
/// its options are acceptable is the router's business, not the codec's.
fn check_raw(tally: &mut Tally, file: &str, description: &str, wmsg: &Json) {
    let context = format!("{file}: {description} [raw]");
    let decoded = Codec::Json.decode(&serde_json::to_vec(wmsg).unwrap());
    if REFUSED_RAW.contains(&(file, description)) {
        tally.refusals_seen.push((file.into(), description.into()));
        tally.refused_raw += 1;
        expect_refusal(tally, &context, decoded);
        return;
    }
    tally.raw += 1;
    match decoded {
        Ok(msg) => {
            for codec in Codec::ALL {
                if let Err(e) = round_trip(codec, &msg) {
                    tally.failures.push(format!("{context}: {codec}: {e}"));
                }
            }
        }
        Err(e) => tally.failures.push(format!("{context}: {e}")),
    }
}

fn expect_refusal(tally: &mut Tally, context: &str, decoded: Result<Message, DecodeError>) {
    match decoded {
        Err(DecodeError::Shape(reason)) if reason.contains("Arguments|list") => {}
        other => tally.failures.push(format!(
            "{context}: listed as refused (Arguments|list), got {other:?}"
        )),
    }
}

/// Encodes `msg` and decodes it again: the same message must come back.
fn round_trip(codec: Codec, msg: &Message) -> Result<(), String> {
    let bytes = codec.encode(msg).map_err(|e| e.to_string())?;
    let again = codec
        .decode(&bytes)
        .map_err(|e| format!("re-decoding: {e}"))?;
    if &again == msg {
        Ok(())
    } else {
        Err(format!("round trip changed {msg:?} into {again:?}"))
    }
}

/// Compares each expected attribute (as the vectors name them) with the message.
fn check_attributes(msg: &Message, expected: &serde_json::Map<String, Json>) -> Result<(), String> {
    let ours = attributes(msg);
    for (key, want) in expected {
        let want = Codec::Json
            .decode_value(want.to_string().as_bytes())
            .map_err(|e| format!("expected {key}: {e}"))?;
        let got = ours
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value)
            .ok_or_else(|| format!("{} has no attribute {key:?}", msg.name()))?;
        if *got != want {
            return Err(format!("{key}: expected {want:?}, got {got:?}"));
        }
    }
    Ok(())
}

/// The payload's attributes, `args` and `kwargs`, or the binary `payload` of passthru mode.
fn push_payload(a: &mut Vec<(&'static str, Value)>, payload: &Payload) {
    if let Some(data) = payload.binary_data() {
        // The vectors write the binary payload in hex.
        let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
        a.push(("payload", Value::Str(hex)));
        a.push(("args", Value::Null));
        a.push((
            "kwargs",
            payload.kwargs().unwrap().map_or(Value::Null, Value::Map),
        ));
        return;
    }
    let (args, kwargs) = payload.clone().into_values().unwrap();
    a.push(("args", args.map_or(Value::Null, Value::List)));
    a.push(("kwargs", kwargs.map_or(Value::Null, Value::Map)));
    a.push(("payload", Value::Null));
}

/// The message's attributes under the names the vectors use.
fn attributes(msg: &Message) -> Vec<(&'static str, Value)> {
    fn dict(d: &Option<Dict>) -> Value {
        d.clone().map_or(Value::Null, Value::Map)
    }
    fn map(d: &Dict) -> Value {
        Value::Map(d.clone())
    }
    let mut a = vec![("message_type", Value::from(msg.code()))];
    match msg {
        Message::Hello { realm, details } => {
            a.push(("realm", realm.as_str().into()));
            a.push(("details", map(details)));
            a.push(("roles", details.get("roles").cloned().unwrap_or_default()));
        }
        Message::Welcome { session, details } => {
            a.push(("session_id", session.0.into()));
            a.push(("details", map(details)));
            a.push(("roles", details.get("roles").cloned().unwrap_or_default()));
        }
        Message::Abort {
            details,
            reason,
            payload,
        } => {
            a.push(("details", map(details)));
            a.push(("reason", reason.as_str().into()));
            push_payload(&mut a, payload);
        }
        Message::Challenge { auth_method, extra } => {
            a.push(("method", auth_method.as_str().into()));
            a.push(("extra", map(extra)));
        }
        Message::Authenticate { signature, extra } => {
            a.push(("signature", signature.as_str().into()));
            a.push(("extra", map(extra)));
        }
        Message::Goodbye { details, reason } => {
            a.push(("details", map(details)));
            a.push(("reason", reason.as_str().into()));
        }
        Message::Error {
            request_type,
            request,
            details,
            error,
            payload,
        } => {
            a.push(("request_type", (*request_type).into()));
            a.push(("request_id", request.0.into()));
            a.push(("details", map(details)));
            a.push(("error", error.as_str().into()));
            push_payload(&mut a, payload);
        }
        Message::Publish {
            request,
            options,
            topic,
            payload,
        } => {
            a.push(("request_id", request.0.into()));
            a.push(("options", map(options)));
            a.push(("topic", topic.as_str().into()));
            push_payload(&mut a, payload);
        }
        Message::Published {
            request,
            publication,
        } => {
            a.push(("request_id", request.0.into()));
            a.push(("publication_id", publication.0.into()));
        }
        Message::Subscribe {
            request,
            options,
            topic,
        } => {
            a.push(("request_id", request.0.into()));
            a.push(("options", map(options)));
            a.push(("topic", topic.as_str().into()));
        }
        Message::Subscribed {
            request,
            subscription,
        }
        | Message::Unsubscribe {
            request,
            subscription,
        } => {
            a.push(("request_id", request.0.into()));
            a.push(("subscription_id", subscription.0.into()));
        }
        Message::Unsubscribed { request, details } | Message::Unregistered { request, details } => {
            a.push(("request_id", request.0.into()));
            a.push(("details", dict(details)));
        }
        Message::Event {
            subscription,
            publication,
            details,
            payload,
        } => {
            a.push(("subscription", subscription.0.into()));
            a.push(("publication", publication.0.into()));
            a.push(("details", map(details)));
            push_payload(&mut a, payload);
        }
        Message::EventReceived {
            publication,
            details,
            payload,
        } => {
            a.push(("publication_id", publication.0.into()));
            a.push(("details", dict(details)));
            push_payload(&mut a, payload);
        }
        Message::Call {
            request,
            options,
            procedure,
            payload,
        } => {
            a.push(("request_id", request.0.into()));
            a.push(("options", map(options)));
            a.push(("procedure", procedure.as_str().into()));
            push_payload(&mut a, payload);
        }
        Message::Cancel { request, options } | Message::Interrupt { request, options } => {
            a.push(("request_id", request.0.into()));
            a.push(("options", map(options)));
        }
        Message::Result {
            request,
            details,
            payload,
        } => {
            a.push(("request_id", request.0.into()));
            a.push(("details", map(details)));
            push_payload(&mut a, payload);
        }
        Message::Register {
            request,
            options,
            procedure,
        } => {
            a.push(("request_id", request.0.into()));
            a.push(("options", map(options)));
            a.push(("procedure", procedure.as_str().into()));
        }
        Message::Registered {
            request,
            registration,
        }
        | Message::Unregister {
            request,
            registration,
        } => {
            a.push(("request_id", request.0.into()));
            a.push(("registration_id", registration.0.into()));
        }
        Message::Invocation {
            request,
            registration,
            details,
            payload,
        } => {
            a.push(("request_id", request.0.into()));
            a.push(("registration_id", registration.0.into()));
            a.push(("details", map(details)));
            push_payload(&mut a, payload);
        }
        Message::Yield {
            request,
            options,
            payload,
        } => {
            a.push(("request_id", request.0.into()));
            a.push(("options", map(options)));
            push_payload(&mut a, payload);
        }
    }
    a
}

/// Every `.json` file under `dir`, sorted; fails the test if `dir` cannot be read.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("test vectors missing: cannot read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn hex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex length: {text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}
