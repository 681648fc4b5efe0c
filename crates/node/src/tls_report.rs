//! What the TLS endpoints offer: the suites `crossway check` lists, and the TLS report
//! (`crossway tls-report`).
//!
//! - `offers`: each TLS endpoint's suites in order, for `check`.
//! - `report`: the TLS report: versions, suites, key, chain, client certificates, grade and
//!   the handshake simulation.
//! - `grade`: the grade and its rules.
//! - `profiles`: common clients' TLS capabilities.
//! - `simulate`: which client would connect, and with what.

mod grade;
mod offers;
mod profiles;
mod report;
mod simulate;

pub use grade::{Grade, grade};
pub use offers::offers;
pub use profiles::{PROFILES, Profile};
pub use report::report;
pub use simulate::{Outcome, simulate};
