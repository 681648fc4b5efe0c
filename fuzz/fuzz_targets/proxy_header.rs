//! The PROXY protocol header (v1 and v2), parsed and read from a stream.
//! See `crossway_fuzz::proxy` for the input layout.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    crossway_fuzz::report_stack_overflows();
    crossway_fuzz::proxy::header_target(data);
});
