//! The router URLs the client understands: `ws://host[:port]/path`, and `wss://` over TLS.

use crate::error::ClientError;

/// A parsed `ws://` or `wss://` URL: where to connect, and the URL to put in the upgrade
/// request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsUrl {
    /// `host:port` to connect to (`[::1]:8080` for IPv6; port 80, or 443 over TLS, when the
    /// URL has none).
    pub host_port: String,
    /// Whether the connection runs over TLS (`wss://`).
    pub tls: bool,
    /// The path with any query string, starting with `/`.
    pub path: String,
}

impl WsUrl {
    /// Parses `ws://host[:port][/path]` or `wss://host[:port][/path]`.
    pub fn parse(url: &str) -> Result<WsUrl, ClientError> {
        let fail = |reason: &str| ClientError::InvalidUrl {
            url: url.to_owned(),
            reason: reason.to_owned(),
        };
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(fail("expected ws://host:port/path"));
        };
        let tls = scheme.eq_ignore_ascii_case("wss");
        if !tls && !scheme.eq_ignore_ascii_case("ws") {
            return Err(fail("the scheme must be ws:// or wss://"));
        }
        let default_port = if tls { 443 } else { 80 };
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, "/"),
        };
        let path = if path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_owned()
        };
        if authority.is_empty() {
            return Err(fail("the host is missing"));
        }
        if authority.contains('@') {
            return Err(fail("user information in the URL is not supported"));
        }
        let host_port = if let Some(v6) = authority.strip_prefix('[') {
            let Some((_, after)) = v6.split_once(']') else {
                return Err(fail("an IPv6 address needs a closing ]"));
            };
            match after {
                "" => format!("{authority}:{default_port}"),
                p if p.starts_with(':') => check_port(authority, p, &fail)?,
                _ => return Err(fail("unexpected text after the IPv6 address")),
            }
        } else {
            match authority.rsplit_once(':') {
                None => format!("{authority}:{default_port}"),
                Some((host, port)) if !host.is_empty() && !host.contains(':') => {
                    check_port(authority, &format!(":{port}"), &fail)?
                }
                Some(_) => return Err(fail("IPv6 addresses need brackets: ws://[::1]:8080/ws")),
            }
        };
        Ok(WsUrl {
            host_port,
            tls,
            path,
        })
    }

    /// The host alone (`[::1]` keeps its brackets): the name a TLS server certificate must
    /// carry.
    pub fn host(&self) -> &str {
        self.host_port
            .rsplit_once(':')
            .map_or(self.host_port.as_str(), |(host, _)| host)
    }
}

/// Checks the `:port` suffix and gives `authority` back if it is a valid port.
fn check_port(
    authority: &str,
    colon_port: &str,
    fail: &dyn Fn(&str) -> ClientError,
) -> Result<String, ClientError> {
    let port = colon_port.trim_start_matches(':');
    match port.parse::<u16>() {
        Ok(_) => Ok(authority.to_owned()),
        Err(_) => Err(fail("the port must be a number from 0 to 65535")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> (String, String) {
        let u = WsUrl::parse(url).unwrap();
        (u.host_port, u.path)
    }

    fn reason(url: &str) -> String {
        match WsUrl::parse(url) {
            Err(ClientError::InvalidUrl { reason, .. }) => reason,
            other => panic!("{url}: {other:?}"),
        }
    }

    #[test]
    fn parses_hosts_ports_and_paths() {
        assert_eq!(
            parse("ws://127.0.0.1:8080/ws"),
            ("127.0.0.1:8080".into(), "/ws".into())
        );
        assert_eq!(
            parse("ws://localhost/ws"),
            ("localhost:80".into(), "/ws".into())
        );
        assert_eq!(
            parse("ws://[::1]:9000/a/b?x=1"),
            ("[::1]:9000".into(), "/a/b?x=1".into())
        );
        assert_eq!(parse("ws://[::1]"), ("[::1]:80".into(), "/".into()));
        assert_eq!(
            parse("WS://example.com:81"),
            ("example.com:81".into(), "/".into())
        );
        assert_eq!(parse("ws://h:1?q"), ("h:1".into(), "/?q".into()));
    }

    #[test]
    fn wss_means_tls_and_port_443() {
        let u = WsUrl::parse("wss://localhost/ws").unwrap();
        assert_eq!(
            (u.host_port.as_str(), u.tls, u.host()),
            ("localhost:443", true, "localhost")
        );
        let u = WsUrl::parse("WSS://[::1]:8443/ws").unwrap();
        assert_eq!(
            (u.host_port.as_str(), u.tls, u.host()),
            ("[::1]:8443", true, "[::1]")
        );
        assert!(!WsUrl::parse("ws://h/ws").unwrap().tls);
    }

    #[test]
    fn rejects_what_it_cannot_use() {
        assert!(reason("http://127.0.0.1/ws").contains("ws://"));
        assert!(reason("127.0.0.1:8080/ws").contains("ws://"));
        assert!(reason("ws:///ws").contains("host"));
        assert!(reason("ws://h:99999/ws").contains("port"));
        assert!(reason("ws://h:x/ws").contains("port"));
        assert!(reason("ws://::1:8080/ws").contains("brackets"));
        assert!(reason("ws://[::1/ws").contains("]"));
        assert!(reason("ws://u:p@h/ws").contains("user"));
    }
}
