//! The request headers by which a proxy in front of a WebSocket endpoint tells about its
//! client: `Forwarded` (RFC 7239), `X-Forwarded-For` and `X-Forwarded-Proto`.
//!
//! The transport only hands them over, as the request carried them: whether to believe them
//! (is the peer a proxy the operator trusts?) and what they mean is the node's decision.

use async_tungstenite::tungstenite::http::HeaderMap;

/// The forwarding headers of a WebSocket upgrade request, each line as sent, in order.
///
/// Bounded by the request head's own bounds (8 KiB and 64 header lines in all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForwardingHeaders {
    /// Every `Forwarded` line.
    pub forwarded: Vec<String>,
    /// Every `X-Forwarded-For` line.
    pub x_forwarded_for: Vec<String>,
    /// Every `X-Forwarded-Proto` line.
    pub x_forwarded_proto: Vec<String>,
}

impl ForwardingHeaders {
    /// The forwarding headers of a request, or `None` when it has none (no allocation then).
    pub(crate) fn from_request(headers: &HeaderMap) -> Option<Box<ForwardingHeaders>> {
        let lines = |name: &str| -> Vec<String> {
            headers
                .get_all(name)
                .into_iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect()
        };
        let found = ForwardingHeaders {
            forwarded: lines("forwarded"),
            x_forwarded_for: lines("x-forwarded-for"),
            x_forwarded_proto: lines("x-forwarded-proto"),
        };
        (found != ForwardingHeaders::default()).then(|| Box::new(found))
    }
}

#[cfg(test)]
mod tests {
    use async_tungstenite::tungstenite::http::HeaderValue;

    use super::*;

    #[test]
    fn every_line_in_order_and_nothing_when_absent() {
        let mut h = HeaderMap::new();
        assert_eq!(ForwardingHeaders::from_request(&h), None);
        h.append("host", HeaderValue::from_static("a"));
        assert_eq!(ForwardingHeaders::from_request(&h), None);
        h.append("X-Forwarded-For", HeaderValue::from_static("192.0.2.1"));
        h.append(
            "x-forwarded-for",
            HeaderValue::from_static("10.0.0.1, 10.0.0.2"),
        );
        h.append("Forwarded", HeaderValue::from_static("for=192.0.2.9"));
        let f = ForwardingHeaders::from_request(&h).unwrap();
        assert_eq!(f.x_forwarded_for, ["192.0.2.1", "10.0.0.1, 10.0.0.2"]);
        assert_eq!(f.forwarded, ["for=192.0.2.9"]);
        assert!(f.x_forwarded_proto.is_empty());
    }
}
