//! The command line: what to run, against which router, for how long.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use crossway_client::ConnectOptions;
use crossway_transport::{Serializer, TlsClientSettings};

use crate::error::LoadError;
use crate::protocol::Protocol;

/// `crossway-loadgen`: P publishers and S subscribers on one topic of a WAMP router (or a NATS
/// server, or an MQTT broker), or C callers of one callee's procedure (`--rpc`).
///
/// Every publisher and every subscriber is its own connection and session. Publishers publish
/// as fast as the router takes it (the default) or at a fixed total `--rate`; each ends with an
/// acknowledged publish, so only what the router processed counts. Latency runs from the
/// scheduled send time (with `--rate`) or the actual send time (unpaced) to the subscriber's
/// receipt.
#[derive(Debug, Clone, Parser)]
#[command(name = "crossway-loadgen", version, about, long_about = None)]
pub struct Options {
    /// The router: ws://host:port/path, wss://..., rs://host:port, rss://host:port or
    /// unix:/path/to.sock (WAMP); nats://host:port; mqtt://host:port.
    #[arg(long, default_value = "rs://127.0.0.1:8081")]
    pub url: String,
    /// Where the subscribers (with `--rpc`, the callee) connect, when not to `--url` (another
    /// node of a cluster: the publishers and callers stay on `--url`). Same protocol as `--url`.
    #[arg(long)]
    pub subscriber_url: Option<String>,
    /// The protocol: wamp, nats (core publish/subscribe) or mqtt (3.1.1, QoS 0); by default the
    /// URL's scheme says. NATS and MQTT clients are always lean (see --lean); their messages
    /// carry the same list as WAMP's arguments, as JSON text.
    #[arg(long, value_enum)]
    pub protocol: Option<Protocol>,
    /// The realm to join.
    #[arg(long, default_value = "realm1")]
    pub realm: String,
    /// The serializer of every connection: json, cbor or msgpack.
    #[arg(long, default_value = "json", value_parser = parse_serializer)]
    pub serializer: Serializer,
    /// How many publishing sessions.
    #[arg(short = 'p', long, default_value_t = 1)]
    pub publishers: usize,
    /// How many subscribing sessions (each receives every publication).
    #[arg(short = 's', long, default_value_t = 1)]
    pub subscribers: usize,
    /// The payload: a string argument of this many bytes (plus an integer timestamp).
    #[arg(long, default_value_t = 64)]
    pub payload: usize,
    /// How long each run publishes, in seconds (ignored with --count).
    #[arg(long, default_value_t = 5.0)]
    pub duration: f64,
    /// Publications per publisher per run, instead of --duration.
    #[arg(long)]
    pub count: Option<u64>,
    /// Total publications per second across all publishers; absent or 0: unpaced (as fast as
    /// the router takes them). Deliveries per second are this times --subscribers.
    #[arg(long)]
    pub rate: Option<f64>,
    /// The topic published to and subscribed to.
    #[arg(long, default_value = "com.crossway.loadgen")]
    pub topic: String,
    /// For wss:// and rss://: the CA certificate file that verifies the router.
    #[arg(long)]
    pub tls_ca: Option<PathBuf>,
    /// For wss:// and rss://: a client certificate chain (PEM) to show.
    #[arg(long, requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// For wss:// and rss://: the client certificate's key (PEM).
    #[arg(long, requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Write the results (every run and the medians) as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Unpaced runs: publishers stay at most this many publications ahead of the slowest
    /// subscriber, so that a router bounding its outboxes (Crossway: 4,096 frames) is measured
    /// rather than made to drop subscribers; 0: no limit.
    #[arg(long, default_value_t = 1000)]
    pub window: u64,
    /// How many runs, each with fresh connections; with more than one, a line of medians
    /// follows.
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
    /// A label for the summary lines and the JSON (e.g. the router's name).
    #[arg(long, default_value = "")]
    pub label: String,
    /// The router's process id: its CPU time (utime + stime from /proc/PID/stat) during each
    /// run is reported, per delivery.
    #[arg(long)]
    pub router_pid: Option<u32>,
    /// How long to wait, after the last acknowledgement, for the subscribers to receive
    /// everything, in seconds; what has not arrived by then is lost.
    #[arg(long, default_value_t = 10.0)]
    pub drain_timeout: f64,
    /// Paced mode: the pacer sleeps until this many microseconds before each send, then spins
    /// (yielding the core) to send on time.
    #[arg(long, default_value_t = 100)]
    pub spin_us: u64,
    /// Latency is recorded on at most this many subscribers, spread evenly (every subscriber
    /// counts deliveries).
    #[arg(long, default_value_t = 100)]
    pub latency_subscribers: usize,
    /// Lean clients: subscribers are bare connections that count EVENT frames by their first
    /// octets and decode only one in --sample (and any possible end marker), so that one
    /// generator core can take millions of deliveries per second; publishers are bare sessions
    /// that queue their PUBLISH frames and write them in batches, and in paced mode (--rate)
    /// are written to by the pacing thread itself, so that no hand-over between the generator's
    /// threads counts as latency (use --sample 1 to record every event). Without it, publishers
    /// and subscribers are full Rust clients that decode every event.
    #[arg(long)]
    pub lean: bool,
    /// With --lean: decode (and record the latency of) one EVENT in this many per subscriber.
    #[arg(long, default_value_t = 16)]
    pub sample: u64,
    /// Connections opened at once while setting up.
    #[arg(long, default_value_t = 64)]
    pub connect_concurrency: usize,
    /// Instead of publishing: open this many idle sessions (plain rs:// or ws://; give several
    /// comma-separated URLs to spread them over ports), hold them, and report the router's
    /// memory per session (with --router-pid).
    #[arg(long)]
    pub idle: Option<usize>,
    /// Exit with status 1 unless every run delivered everything it published (for CI), or
    /// with --rpc answered every call exactly once.
    #[arg(long)]
    pub check: bool,
    /// Remote procedure calls instead of publish/subscribe: --callers lean callers call one
    /// lean callee's --procedure, which answers with the call's own arguments. Calls per second
    /// and router CPU per call; every call id must be answered exactly once.
    #[arg(long)]
    pub rpc: bool,
    /// With --rpc: how many calling sessions.
    #[arg(short = 'c', long, default_value_t = 1)]
    pub callers: usize,
    /// With --rpc: calls each caller keeps in flight (it sends another as each is answered).
    #[arg(long, default_value_t = 64)]
    pub in_flight: usize,
    /// With --rpc: the procedure the callee registers and the callers call.
    #[arg(long, default_value = "com.crossway.loadgen.echo")]
    pub procedure: String,
}

/// How publications are timed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// As fast as the router takes them.
    Unpaced,
    /// This many publications per second in total.
    Rate(f64),
}

/// How long publishers publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// For this long.
    Duration(Duration),
    /// This many publications per publisher.
    Count(u64),
}

impl Length {
    /// Whether a sender that started at `start_ns`, has sent `sent` and would send the next at
    /// `now_ns` is done.
    pub fn reached(&self, start_ns: u64, sent: u64, now_ns: u64) -> bool {
        match *self {
            Length::Count(n) => sent >= n,
            Length::Duration(d) => {
                let d = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
                now_ns >= start_ns.saturating_add(d)
            }
        }
    }
}

impl Options {
    /// Checks the numbers; gives the first problem.
    pub fn validate(&self) -> Result<(), LoadError> {
        let bad = |what: &str| Err(LoadError::Options(what.to_owned()));
        if self.publishers == 0 {
            return bad("--publishers must be at least 1");
        }
        if self.runs == 0 {
            return bad("--runs must be at least 1");
        }
        if self.count.is_none() && !(self.duration.is_finite() && self.duration > 0.0) {
            return bad("--duration must be a positive number of seconds");
        }
        if self.count == Some(0) {
            return bad("--count must be at least 1");
        }
        if let Some(rate) = self.rate
            && !(rate.is_finite() && rate >= 0.0)
        {
            return bad("--rate must be a non-negative number");
        }
        if !(self.drain_timeout.is_finite() && self.drain_timeout > 0.0) {
            return bad("--drain-timeout must be a positive number of seconds");
        }
        if self.connect_concurrency == 0 {
            return bad("--connect-concurrency must be at least 1");
        }
        if let Some(p) = self.protocol
            && p != Protocol::of_url(&self.url)
        {
            return Err(LoadError::Options(format!(
                "--protocol {} does not go with --url {}",
                p.name(),
                self.url
            )));
        }
        if self.rpc {
            if self.protocol() != Protocol::Wamp {
                return bad("--rpc is WAMP's: give a ws, wss, rs, rss or unix URL");
            }
            if self.callers == 0 || self.in_flight == 0 {
                return bad("--callers and --in-flight must be at least 1");
            }
            if self.pace() != Pace::Unpaced {
                return bad("--rpc runs are windowed (--in-flight), not paced: leave out --rate");
            }
        }
        Ok(())
    }

    /// The protocol: `--protocol`, or the one the URL's scheme names.
    pub fn protocol(&self) -> Protocol {
        self.protocol.unwrap_or_else(|| Protocol::of_url(&self.url))
    }

    /// Where the subscribers connect: `--subscriber-url`, else `--url`.
    pub fn subscriber_url(&self) -> &str {
        self.subscriber_url.as_deref().unwrap_or(&self.url)
    }

    /// Whether the clients are lean: `--lean`, and always for NATS and MQTT.
    pub fn lean(&self) -> bool {
        self.lean || self.protocol() != Protocol::Wamp
    }

    /// Paced or not.
    pub fn pace(&self) -> Pace {
        match self.rate {
            Some(rate) if rate > 0.0 => Pace::Rate(rate),
            _ => Pace::Unpaced,
        }
    }

    /// How long each publisher publishes.
    pub fn length(&self) -> Length {
        match self.count {
            Some(n) => Length::Count(n),
            None => Length::Duration(Duration::from_secs_f64(self.duration)),
        }
    }

    /// The client's connect options: TLS settings when a CA file is given.
    pub fn connect_options(&self) -> ConnectOptions {
        let Some(ca) = &self.tls_ca else {
            return ConnectOptions::default();
        };
        let mut tls = TlsClientSettings::new(vec![ca.clone()]);
        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            tls.client_certificate = Some((cert.clone(), key.clone()));
        }
        ConnectOptions::with_tls(tls)
    }

    /// The framing and security named by the URL's scheme: `ws`, `wss`, `rs`, `rss`, `unix`;
    /// `tcp` for NATS and MQTT.
    pub fn transport_name(&self) -> &'static str {
        let lower = self.url.to_ascii_lowercase();
        [
            ("wss://", "wss"),
            ("ws://", "ws"),
            ("rss://", "rss"),
            ("rs://", "rs"),
            ("unix:", "unix"),
            ("nats://", "tcp"),
            ("mqtt://", "tcp"),
        ]
        .into_iter()
        .find(|(prefix, _)| lower.starts_with(prefix))
        .map_or("?", |(_, name)| name)
    }
}

/// Reads a serializer name.
fn parse_serializer(s: &str) -> Result<Serializer, String> {
    Serializer::from_name(&s.to_ascii_lowercase())
        .ok_or_else(|| format!("{s:?} is not a serializer; expected json, cbor or msgpack"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Options {
        Options::try_parse_from(std::iter::once("crossway-loadgen").chain(args.iter().copied()))
            .unwrap()
    }

    #[test]
    fn defaults_are_one_to_one_unpaced_rawsocket_json() {
        let o = parse(&[]);
        o.validate().unwrap();
        assert_eq!(o.url, "rs://127.0.0.1:8081");
        assert_eq!(o.serializer, Serializer::Json);
        assert_eq!((o.publishers, o.subscribers, o.payload), (1, 1, 64));
        assert_eq!(o.pace(), Pace::Unpaced);
        assert_eq!(o.length(), Length::Duration(Duration::from_secs(5)));
        assert_eq!(o.transport_name(), "rs");
        assert_eq!(o.connect_options(), ConnectOptions::default());
    }

    #[test]
    fn every_option_is_read() {
        let o = parse(&[
            "--url",
            "wss://localhost:8443/ws",
            "--serializer",
            "CBOR",
            "-p",
            "10",
            "-s",
            "1000",
            "--payload",
            "4096",
            "--count",
            "7",
            "--rate",
            "2000",
            "--tls-ca",
            "ca.pem",
            "--tls-cert",
            "c.pem",
            "--tls-key",
            "c.key",
        ]);
        o.validate().unwrap();
        assert_eq!(o.serializer, Serializer::Cbor);
        assert_eq!((o.publishers, o.subscribers, o.payload), (10, 1000, 4096));
        assert_eq!(o.length(), Length::Count(7));
        assert_eq!(o.pace(), Pace::Rate(2000.0));
        assert_eq!(o.transport_name(), "wss");
        let tls = o.connect_options().tls.unwrap();
        assert_eq!(tls.root_certificates, vec![PathBuf::from("ca.pem")]);
        assert_eq!(
            tls.client_certificate,
            Some((PathBuf::from("c.pem"), PathBuf::from("c.key")))
        );
    }

    #[test]
    fn a_zero_rate_is_unpaced_and_bad_numbers_are_refused() {
        assert_eq!(parse(&["--rate", "0"]).pace(), Pace::Unpaced);
        assert!(parse(&["-p", "0"]).validate().is_err());
        assert!(parse(&["--duration", "0"]).validate().is_err());
        assert!(parse(&["--count", "0"]).validate().is_err());
        assert!(parse(&["--rate=-1"]).validate().is_err());
        assert!(parse(&["--runs", "0"]).validate().is_err());
        let unknown = Options::try_parse_from(["x", "--serializer", "xml"]);
        assert!(unknown.is_err());
        let half_tls = Options::try_parse_from(["x", "--tls-cert", "c.pem"]);
        assert!(half_tls.is_err());
    }

    #[test]
    fn the_protocol_comes_from_the_scheme_or_the_option_and_must_agree() {
        let o = parse(&["--url", "nats://127.0.0.1:4222"]);
        o.validate().unwrap();
        assert_eq!(
            (o.protocol(), o.lean(), o.transport_name()),
            (Protocol::Nats, true, "tcp")
        );
        let o = parse(&["--url", "mqtt://h:1", "--protocol", "mqtt"]);
        o.validate().unwrap();
        assert_eq!(o.protocol(), Protocol::Mqtt);
        assert!(!parse(&[]).lean());
        assert_eq!(parse(&["--protocol", "wamp"]).protocol(), Protocol::Wamp);
        for bad in [
            &["--protocol", "nats"][..],
            &["--url", "nats://h:1", "--protocol", "mqtt"],
            &["--url", "mqtt://h:1", "--protocol", "wamp"],
        ] {
            assert!(parse(bad).validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rpc_runs_are_wamp_and_windowed() {
        let o = parse(&["--rpc", "-c", "10", "--in-flight", "32"]);
        o.validate().unwrap();
        assert_eq!((o.callers, o.in_flight), (10, 32));
        assert_eq!(o.procedure, "com.crossway.loadgen.echo");
        for bad in [
            &["--rpc", "--url", "nats://h:1"][..],
            &["--rpc", "-c", "0"],
            &["--rpc", "--in-flight", "0"],
            &["--rpc", "--rate", "100"],
        ] {
            assert!(parse(bad).validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn transports_come_from_the_scheme() {
        for (url, name) in [
            ("ws://h:1/ws", "ws"),
            ("WSS://h:1/ws", "wss"),
            ("rss://h:1", "rss"),
            ("unix:/tmp/x.sock", "unix"),
            ("http://h", "?"),
        ] {
            assert_eq!(parse(&["--url", url]).transport_name(), name);
        }
    }
}
