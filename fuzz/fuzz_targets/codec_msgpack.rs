//! Decodes the input as a MessagePack WAMP message (and value); what decodes must round-trip.
//! See `crossway_fuzz::codec`.

#![no_main]

use crossway_protocol::Codec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    crossway_fuzz::report_stack_overflows();
    crossway_fuzz::codec::check(Codec::MsgPack, data);
});
