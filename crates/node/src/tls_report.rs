//! What the TLS endpoints offer: the suites `crossway check` lists, and the TLS report
//! (`crossway tls-report`).
//!
//! - `offers`: each TLS endpoint's suites in order, for `check`.

mod offers;

pub use offers::offers;
