//! Which protocol the generator speaks: WAMP (over any transport and serializer of
//! `crossway-transport`), NATS (its client protocol, core publish/subscribe) or MQTT 3.1.1
//! (QoS 0), the last two over plain TCP. `--protocol` names it, or the URL's scheme does:
//! `nats://host:port`, `mqtt://host:port`, anything else is WAMP.

use serde::Serialize;

/// A protocol the generator speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// WAMP v2: ws, wss, rs, rss and unix URLs.
    Wamp,
    /// NATS core publish/subscribe: `nats://host:port` (port 4222 if absent).
    Nats,
    /// MQTT 3.1.1 with QoS 0: `mqtt://host:port` (port 1883 if absent).
    Mqtt,
}

impl Protocol {
    /// `wamp`, `nats` or `mqtt`.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Wamp => "wamp",
            Protocol::Nats => "nats",
            Protocol::Mqtt => "mqtt",
        }
    }

    /// The protocol a URL's scheme names: `nats://` and `mqtt://`; anything else is WAMP's.
    pub fn of_url(url: &str) -> Protocol {
        match scheme(url).as_deref() {
            Some("nats") => Protocol::Nats,
            Some("mqtt") => Protocol::Mqtt,
            _ => Protocol::Wamp,
        }
    }

    /// The `host:port` of a `nats://` or `mqtt://` URL, with the protocol's usual port when the
    /// URL has none.
    pub fn host_port(self, url: &str) -> Result<String, String> {
        let default_port = match self {
            Protocol::Wamp => return Err(format!("{url}: not a NATS or MQTT URL")),
            Protocol::Nats => 4222,
            Protocol::Mqtt => 1883,
        };
        let rest = url
            .split_once("://")
            .map(|(_, rest)| rest)
            .filter(|_| scheme(url).as_deref() == Some(self.name()))
            .ok_or_else(|| format!("{url}: expected {}://host:port", self.name()))?;
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.is_empty() || authority.contains('@') {
            return Err(format!(
                "{url}: expected {}://host:port (no user, no path)",
                self.name()
            ));
        }
        // A port is what follows the last colon, unless that colon is inside an IPv6 literal.
        let has_port = authority
            .rsplit_once(':')
            .is_some_and(|(_, port)| !port.contains(']'));
        Ok(if has_port {
            authority.to_owned()
        } else {
            format!("{authority}:{default_port}")
        })
    }
}

/// A URL's scheme, lower case, if it has one (`unix:` counts).
fn scheme(url: &str) -> Option<String> {
    url.split_once(':').map(|(s, _)| s.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_names_the_protocol() {
        assert_eq!(Protocol::of_url("nats://127.0.0.1:4222"), Protocol::Nats);
        assert_eq!(Protocol::of_url("MQTT://h:1"), Protocol::Mqtt);
        for url in ["rs://h:1", "wss://h/ws", "unix:/x.sock", "nowhere"] {
            assert_eq!(Protocol::of_url(url), Protocol::Wamp, "{url}");
        }
    }

    #[test]
    fn host_and_port_come_from_the_url_with_the_usual_port_by_default() {
        let nats = Protocol::Nats;
        assert_eq!(
            nats.host_port("nats://127.0.0.1:4333").unwrap(),
            "127.0.0.1:4333"
        );
        assert_eq!(
            nats.host_port("nats://localhost").unwrap(),
            "localhost:4222"
        );
        assert_eq!(nats.host_port("nats://[::1]").unwrap(), "[::1]:4222");
        assert_eq!(nats.host_port("nats://[::1]:5/").unwrap(), "[::1]:5");
        assert_eq!(
            Protocol::Mqtt.host_port("mqtt://h").unwrap(),
            "h:1883".to_owned()
        );
        assert!(nats.host_port("mqtt://h:1").is_err());
        assert!(nats.host_port("nats://").is_err());
        assert!(nats.host_port("nats://u:p@h:1").is_err());
        assert!(Protocol::Wamp.host_port("rs://h:1").is_err());
    }
}
