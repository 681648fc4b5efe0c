//! The RawSocket frame reader on the input's octets, after a valid handshake.
//! See `crossway_fuzz::rawsocket` for the input layout.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    crossway_fuzz::report_stack_overflows();
    crossway_fuzz::rawsocket::framing_target(data);
});
