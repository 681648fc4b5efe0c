//! Shared code of Crossway's fuzz targets (`fuzz_targets/`): each target is a thin wrapper
//! around one function here.
//!
//! - [`codec`]: decode (checked against the reference decoder), re-encode, decode again, with
//!   the round-trip and payload-fidelity properties.
//! - [`memio`]: [`memio::MemIo`], an in-memory byte stream whose reads come from the input.
//! - [`rawsocket`]: the RawSocket server handshake and frame reader against a reference model.
//! - [`config`]: the configuration loader on a temporary file.
//! - [`proxy`]: the PROXY protocol header parser and reader.
//! - [`report_stack_overflows`]: makes a stack overflow a crash that libFuzzer saves.

pub mod codec;
pub mod config;
pub mod memio;
pub mod proxy;
pub mod rawsocket;

use std::sync::Once;

/// The size of the alternate signal stack.
const ALT_STACK: usize = 256 * 1024;

/// Makes a stack overflow in the fuzzed code a crash that libFuzzer reports and whose input it
/// saves. Call it first in every target; it does its work once.
///
/// A fuzz target's `main` is libFuzzer's, not Rust's, so Rust's stack overflow handler is not
/// installed, and libFuzzer installs its SIGSEGV handler without `SA_ONSTACK`: on a stack
/// overflow that handler has no stack to run on and the process dies with a bare segmentation
/// fault, saving nothing. This gives the calling thread (the one libFuzzer runs inputs on) an
/// alternate signal stack and re-installs libFuzzer's SIGSEGV and SIGBUS handlers with
/// `SA_ONSTACK`, so that they run, print "deadly signal" and write the crash input.
pub fn report_stack_overflows() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let stack: &'static mut [u8] = Box::leak(vec![0u8; ALT_STACK].into_boxed_slice());
        // SAFETY: plain libc calls on values we own: the alternate stack is leaked, so it lives
        // as long as the thread; the handlers re-installed are libFuzzer's own, unchanged but
        // for the flag.
        unsafe {
            let ss = libc::stack_t {
                ss_sp: stack.as_mut_ptr().cast(),
                ss_flags: 0,
                ss_size: ALT_STACK,
            };
            if libc::sigaltstack(&ss, std::ptr::null_mut()) != 0 {
                return;
            }
            for sig in [libc::SIGSEGV, libc::SIGBUS] {
                let mut act: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, std::ptr::null(), &mut act) == 0
                    && act.sa_sigaction != libc::SIG_DFL
                    && act.sa_sigaction != libc::SIG_IGN
                {
                    act.sa_flags |= libc::SA_ONSTACK;
                    libc::sigaction(sig, &act, std::ptr::null_mut());
                }
            }
        }
    });
}
