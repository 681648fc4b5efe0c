//! Reading the node's `metrics` block: where GET /metrics and GET /health are served.

use config::Value;
use crossway_transport::ListenAddr;

use super::check::Checker;
use super::model::MetricsSpec;

const METRICS_KEYS: &[&str] = &["listen"];

/// Reads the `metrics` block; `None` if it has a problem (each is recorded).
pub fn read_metrics(c: &mut Checker, value: &Value) -> Option<MetricsSpec> {
    let t = c.table("metrics", value)?;
    c.only_keys(&t, METRICS_KEYS);
    let text = c.required_string(&t, "listen")?;
    match text.parse::<ListenAddr>() {
        Ok(ListenAddr::Tcp(addr)) => Some(MetricsSpec {
            listen: ListenAddr::Tcp(addr),
        }),
        Ok(ListenAddr::Unix(_)) => {
            c.problem(
                &t.child("listen"),
                format!("\"{text}\": the metrics server listens on TCP only; expected host:port, such as 127.0.0.1:9100"),
            );
            None
        }
        Err(e) => {
            c.problem(
                &t.child("listen"),
                format!(
                    "\"{text}\" is not a listen address ({}); expected host:port, such as 127.0.0.1:9100",
                    e.reason
                ),
            );
            None
        }
    }
}
