//! The input as a configuration file for `crossway_node::config::load`.
//! See `crossway_fuzz::config`.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    crossway_fuzz::report_stack_overflows();
    crossway_fuzz::config::check(data);
});
