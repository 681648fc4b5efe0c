//! Encoding, decoding and converting PUBLISH and EVENT with each serializer, for 64-byte and
//! 1-KiB payloads.
//!
//! The payload is what the load generator sends: `[stamp, "xxx…"]`, an integer and a string of
//! the payload's size, with empty options/details.
//!
//! - `encode/{publish,event}`: `Codec::encode_into` of a message whose payload is values, into a
//!   reused buffer.
//! - `encode_raw/event`: the same for an EVENT whose payload is raw and of the codec (its bytes
//!   copied in): what the router's fan-out does once per subscription for the publisher's
//!   serializer.
//! - `convert/{from}_{to}`: `RawPayload::to_codec`, what the router does once per publication
//!   for each other serializer among the subscribers.
//! - `decode/{publish,event}`: `Codec::decode_bytes` of a whole frame, the payload kept raw (what
//!   the router does for every PUBLISH it reads).
//! - `decode_values/{publish,event}`: `Codec::decode_message`, every value built (the decoder
//!   before payloads stayed raw, kept as the reference).
//!
//! ```sh
//! cargo bench --bench codec                 # criterion's defaults
//! cargo bench --bench codec -- --quick      # one short pass, as CI does
//! cargo bench --bench codec -- event/json   # a filter
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use crossway_protocol::{
    Codec, Dict, Message, Payload, PublicationId, RawPayload, RequestId, SubscriptionId, Uri, Value,
};

/// Payload sizes, in bytes of the string argument.
const SIZES: [usize; 2] = [64, 1024];

fn args(size: usize) -> Vec<Value> {
    vec![Value::Int(1_234_567_890_123), Value::Str("x".repeat(size))]
}

fn values(size: usize) -> Payload {
    Payload::new(Some(args(size)), None)
}

fn raw(codec: Codec, size: usize) -> RawPayload {
    RawPayload::encode(codec, Some(&args(size)), None).unwrap()
}

fn publish(payload: Payload) -> Message {
    Message::Publish {
        request: RequestId(4_242),
        options: Dict::new(),
        topic: Uri::new("com.crossway.loadgen"),
        payload,
    }
}

fn event(payload: Payload) -> Message {
    Message::Event {
        subscription: SubscriptionId(5_512_315_355),
        publication: PublicationId(4_429_313_566),
        details: Dict::new(),
        payload,
    }
}

/// Benchmarks `Codec::encode_into` of `make(codec, size)` for every codec and size.
fn encode(c: &mut Criterion, group: &str, make: impl Fn(Codec, usize) -> Message) {
    let mut group = c.benchmark_group(group);
    for codec in Codec::ALL {
        for size in SIZES {
            let msg = make(codec, size);
            let len = codec.encode(&msg).unwrap().len();
            group.throughput(Throughput::Bytes(len as u64));
            let mut buf = Vec::with_capacity(2 * len);
            group.bench_with_input(BenchmarkId::new(codec.name(), size), &msg, |b, msg| {
                b.iter(|| {
                    buf.clear();
                    codec.encode_into(black_box(msg), &mut buf).unwrap();
                    black_box(buf.len())
                })
            });
        }
    }
    group.finish();
}

fn encoding(c: &mut Criterion) {
    encode(c, "encode/publish", |_, size| publish(values(size)));
    encode(c, "encode/event", |_, size| event(values(size)));
    encode(c, "encode_raw/event", |codec, size| {
        event(raw(codec, size).into())
    });
}

fn converting(c: &mut Criterion) {
    let mut group = c.benchmark_group("convert");
    for (from, to) in [
        (Codec::Json, Codec::Cbor),
        (Codec::Json, Codec::MsgPack),
        (Codec::Cbor, Codec::Json),
        (Codec::MsgPack, Codec::Json),
    ] {
        for size in SIZES {
            let payload = raw(from, size);
            group.throughput(Throughput::Bytes(
                payload.args_bytes().map_or(0, <[u8]>::len) as u64,
            ));
            let name = format!("{}_{}", from.name(), to.name());
            group.bench_with_input(BenchmarkId::new(name, size), &payload, |b, payload| {
                b.iter(|| black_box(payload.to_codec(to).unwrap()))
            });
        }
    }
    group.finish();
}

fn decoding(c: &mut Criterion) {
    for (kind, make) in [
        ("publish", publish as fn(Payload) -> Message),
        ("event", event as fn(Payload) -> Message),
    ] {
        let mut decode = c.benchmark_group(format!("decode/{kind}"));
        for codec in Codec::ALL {
            for size in SIZES {
                let frame = Bytes::from(codec.encode(&make(values(size))).unwrap());
                decode.throughput(Throughput::Bytes(frame.len() as u64));
                decode.bench_with_input(
                    BenchmarkId::new(codec.name(), size),
                    &frame,
                    |b, frame| b.iter(|| codec.decode_bytes(black_box(frame.clone())).unwrap()),
                );
            }
        }
        decode.finish();
        let mut reference = c.benchmark_group(format!("decode_values/{kind}"));
        for codec in Codec::ALL {
            for size in SIZES {
                let bytes = codec.encode(&make(values(size))).unwrap();
                reference.throughput(Throughput::Bytes(bytes.len() as u64));
                reference.bench_with_input(
                    BenchmarkId::new(codec.name(), size),
                    &bytes,
                    |b, bytes| b.iter(|| codec.decode_message(black_box(bytes)).unwrap()),
                );
            }
        }
        reference.finish();
    }
}

criterion_group!(benches, encoding, converting, decoding);
criterion_main!(benches);
