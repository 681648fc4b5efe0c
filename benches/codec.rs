//! Encoding and decoding PUBLISH and EVENT with each serializer, for 64-byte and 1-KiB payloads.
//!
//! The payload is what the load generator sends: `[stamp, "xxx…"]`, an integer and a string of
//! the payload's size, with empty options/details. Encode covers `Codec::encode_into` into a
//! reused buffer (what the router's fan-out does once per serializer per publication); decode
//! covers `Codec::decode` of the whole frame into a `Message` (what the router does for every
//! PUBLISH it reads).
//!
//! ```sh
//! cargo bench --bench codec                 # criterion's defaults
//! cargo bench --bench codec -- --quick      # one short pass, as CI does
//! cargo bench --bench codec -- event/json   # a filter
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use crossway_protocol::{
    Codec, Dict, Message, Payload, PublicationId, RequestId, SubscriptionId, Uri, Value,
};

/// Payload sizes, in bytes of the string argument.
const SIZES: [usize; 2] = [64, 1024];

fn args(size: usize) -> Vec<Value> {
    vec![Value::Int(1_234_567_890_123), Value::Str("x".repeat(size))]
}

fn publish(size: usize) -> Message {
    Message::Publish {
        request: RequestId(4_242),
        options: Dict::new(),
        topic: Uri::new("com.crossway.loadgen"),
        payload: Payload::new(Some(args(size)), None),
    }
}

fn event(size: usize) -> Message {
    Message::Event {
        subscription: SubscriptionId(5_512_315_355),
        publication: PublicationId(4_429_313_566),
        details: Dict::new(),
        payload: Payload::new(Some(args(size)), None),
    }
}

fn codecs(c: &mut Criterion) {
    for (kind, make) in [
        ("publish", publish as fn(usize) -> Message),
        ("event", event as fn(usize) -> Message),
    ] {
        let mut encode = c.benchmark_group(format!("encode/{kind}"));
        for codec in Codec::ALL {
            for size in SIZES {
                let msg = make(size);
                let len = codec.encode(&msg).unwrap().len();
                encode.throughput(Throughput::Bytes(len as u64));
                let mut buf = Vec::with_capacity(2 * len);
                encode.bench_with_input(BenchmarkId::new(codec.name(), size), &msg, |b, msg| {
                    b.iter(|| {
                        buf.clear();
                        codec.encode_into(black_box(msg), &mut buf).unwrap();
                        black_box(buf.len())
                    })
                });
            }
        }
        encode.finish();

        let mut decode = c.benchmark_group(format!("decode/{kind}"));
        for codec in Codec::ALL {
            for size in SIZES {
                let bytes = codec.encode(&make(size)).unwrap();
                decode.throughput(Throughput::Bytes(bytes.len() as u64));
                decode.bench_with_input(
                    BenchmarkId::new(codec.name(), size),
                    &bytes,
                    |b, bytes| b.iter(|| codec.decode(black_box(bytes)).unwrap()),
                );
            }
        }
        decode.finish();
    }
}

criterion_group!(benches, codecs);
criterion_main!(benches);
