//! Every series of GET /metrics, read when scraped from what the node counts anyway: the
//! endpoints' [`Counters`], the connection counts and the router's realm counts. Nothing here
//! runs on the hot path; `prometheus-client` writes the text format (names, labels, escaping).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crossway_cluster::ClusterStats;
use crossway_protocol::Codec;
use crossway_protocol::message::code_name;
use crossway_routing::{AuthMethod, Router};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use crate::counters::{BRIDGE_STATUSES, Counters, MESSAGE_TYPES, TYPE_SLOTS, codec_slot};
use crate::gate::ConnectionCount;
use crate::tls_failure::TlsFailure;

/// One endpoint as the metrics see it.
#[derive(Debug)]
pub struct EndpointMetrics {
    /// The endpoint's name: the `endpoint` label.
    pub name: String,
    /// `websocket`, `rawsocket` or `universal`.
    pub transport: &'static str,
    /// Whether it speaks TLS.
    pub tls: bool,
    /// Where it listens, as configured.
    pub listen: String,
    /// Its counts.
    pub counters: Arc<Counters>,
    /// Its open connections.
    pub open: Arc<ConnectionCount>,
}

/// Every series of the node.
#[derive(Debug)]
pub struct NodeMetrics {
    /// The endpoints, in config order.
    pub endpoints: Vec<EndpointMetrics>,
    /// The realms' names, in config order (the slots of [`Counters::sessions_open`]).
    pub realms: Vec<String>,
    /// The router, for each realm's counts.
    pub router: Arc<Router>,
    /// The cluster's counters, when the node is part of one.
    pub cluster: Option<Arc<ClusterStats>>,
}

/// A label set: pairs of name and value.
type Labels = Vec<(&'static str, String)>;

impl NodeMetrics {
    /// The whole exposition, in the Prometheus text format (version 0.0.4).
    pub fn render(self: &Arc<Self>) -> Result<String, std::fmt::Error> {
        let mut registry = Registry::default();
        registry.register_collector(Box::new(Arc::clone(self)));
        let mut out = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut out, &registry)?;
        Ok(out)
    }

    /// One sample per endpoint of `value`.
    fn per_endpoint(&self, value: impl Fn(&Counters) -> u64) -> Vec<(Labels, u64)> {
        self.endpoints
            .iter()
            .map(|e| (endpoint(e), value(&e.counters)))
            .collect()
    }

    fn connections(&self, enc: &mut DescriptorEncoder<'_>) -> std::fmt::Result {
        let info = self
            .endpoints
            .iter()
            .map(|e| {
                let mut l = endpoint(e);
                l.push(("transport", e.transport.to_owned()));
                l.push(("tls", e.tls.to_string()));
                l.push(("listen", e.listen.clone()));
                (l, 1)
            })
            .collect::<Vec<_>>();
        gauges(
            enc,
            "crossway_endpoint_info",
            "Each endpoint: its transport, whether it speaks TLS, where it listens (always 1)",
            &info,
        )?;
        let open = self
            .endpoints
            .iter()
            .map(|e| (endpoint(e), e.open.open() as i64))
            .collect::<Vec<_>>();
        gauges(
            enc,
            "crossway_connections_open",
            "Connections open now, handshakes included",
            &open,
        )?;
        counters(
            enc,
            "crossway_connections_accepted_total",
            "Connections accepted",
            &self.per_endpoint(|c| Counters::get(&c.connections_accepted)),
        )?;
        let mut refused = Vec::new();
        for e in &self.endpoints {
            for (reason, n) in [
                ("node_limit", &e.counters.refused_node_limit),
                ("endpoint_limit", &e.counters.refused_endpoint_limit),
            ] {
                refused.push((with(endpoint(e), "reason", reason), Counters::get(n)));
            }
        }
        counters(
            enc,
            "crossway_connections_refused_total",
            "Connections refused at a connection limit (limits.max_connections or the endpoint's max_connections)",
            &refused,
        )?;
        counters(
            enc,
            "crossway_handshake_timeouts_total",
            "Handshakes (PROXY header, TLS, WebSocket or RawSocket) that did not finish within limits.handshake_timeout",
            &self.per_endpoint(|c| Counters::get(&c.handshake_timeouts)),
        )?;
        counters(
            enc,
            "crossway_framing_handshake_failures_total",
            "WebSocket or RawSocket handshakes that failed (after TLS, if any)",
            &self.per_endpoint(|c| Counters::get(&c.framing_handshake_failures)),
        )?;
        counters(
            enc,
            "crossway_proxy_refusals_total",
            "Connections closed for want of an acceptable PROXY header",
            &self.per_endpoint(|c| Counters::get(&c.proxy_refusals)),
        )
    }

    fn tls(&self, enc: &mut DescriptorEncoder<'_>) -> std::fmt::Result {
        let tls_endpoints = || self.endpoints.iter().filter(|e| e.tls);
        let mut failures = Vec::new();
        let mut refused = Vec::new();
        for e in tls_endpoints() {
            for reason in TlsFailure::ALL {
                let n = e
                    .counters
                    .tls_failures
                    .get(reason as usize)
                    .map_or(0, Counters::get);
                let labels = with(endpoint(e), "reason", reason.label());
                if reason.refuses_client_certificate() {
                    refused.push((labels.clone(), n));
                }
                failures.push((labels, n));
            }
        }
        counters(
            enc,
            "crossway_tls_handshake_failures_total",
            "TLS handshakes that failed, by reason",
            &failures,
        )?;
        counters(
            enc,
            "crossway_client_certificates_refused_total",
            "TLS handshakes that failed because the client's certificate was missing or refused",
            &refused,
        )?;
        let mut reloads = Vec::new();
        for e in tls_endpoints() {
            reloads.push((
                with(endpoint(e), "result", "ok"),
                Counters::get(&e.counters.tls_reloads),
            ));
            reloads.push((
                with(endpoint(e), "result", "refused"),
                Counters::get(&e.counters.tls_reload_failures),
            ));
        }
        counters(
            enc,
            "crossway_certificate_reloads_total",
            "TLS certificate reloads (SIGHUP or a changed file): put in use (ok) or refused for a broken file (refused)",
            &reloads,
        )?;
        let expiry = tls_endpoints()
            .filter_map(|e| {
                let t = e.counters.certificate_not_after.load(Ordering::Relaxed);
                (t != i64::MIN).then(|| (endpoint(e), t))
            })
            .collect::<Vec<_>>();
        gauges(
            enc,
            "crossway_certificate_expiry_timestamp_seconds",
            "When the endpoint's server certificate in use expires (Unix time)",
            &expiry,
        )
    }

    fn sessions(&self, enc: &mut DescriptorEncoder<'_>) -> std::fmt::Result {
        let mut open = Vec::new();
        for e in &self.endpoints {
            for (realm, n) in self.realms.iter().zip(e.counters.sessions_open.iter()) {
                let n = i64::try_from(Counters::get(n)).unwrap_or(i64::MAX);
                open.push((with(endpoint(e), "realm", realm), n));
            }
        }
        gauges(
            enc,
            "crossway_sessions_open",
            "WAMP sessions joined now",
            &open,
        )?;
        let mut ok = Vec::new();
        let mut failed = Vec::new();
        for e in &self.endpoints {
            for (i, method) in AuthMethod::ALL.iter().enumerate() {
                let get =
                    |slots: &[std::sync::atomic::AtomicU64]| slots.get(i).map_or(0, Counters::get);
                let labels = with(endpoint(e), "method", method.name());
                ok.push((labels.clone(), get(&e.counters.auth_successes)));
                failed.push((labels, get(&e.counters.auth_failures)));
            }
        }
        counters(
            enc,
            "crossway_authentication_successes_total",
            "Sessions that authenticated, by method",
            &ok,
        )?;
        counters(
            enc,
            "crossway_authentication_failures_total",
            "Authentications refused (wrong or unknown credentials, malformed answers), by method",
            &failed,
        )?;
        counters(
            enc,
            "crossway_authentication_throttled_total",
            "Authentication verdicts held back after earlier failures from the same address",
            &self.per_endpoint(|c| Counters::get(&c.auth_throttled)),
        )?;
        counters(
            enc,
            "crossway_slow_consumer_closes_total",
            "Sessions closed because their outbox was full (they did not read their events fast enough)",
            &self.per_endpoint(|c| Counters::get(&c.slow_consumers)),
        )?;
        counters(
            enc,
            "crossway_keepalive_closes_total",
            "Connections closed because the peer did not answer a keep-alive ping",
            &self.per_endpoint(|c| Counters::get(&c.keepalive_timeouts)),
        )?;
        counters(
            enc,
            "crossway_panics_total",
            "Connection tasks that panicked (a bug; the node went on)",
            &self.per_endpoint(|c| Counters::get(&c.panics)),
        )
    }

    fn traffic(&self, enc: &mut DescriptorEncoder<'_>) -> std::fmt::Result {
        for (name, help, incoming) in [
            (
                "crossway_messages_in_total",
                "WAMP messages received, by serializer and type (types never seen are left out)",
                true,
            ),
            (
                "crossway_messages_out_total",
                "WAMP messages sent, by serializer and type (types never seen are left out)",
                false,
            ),
        ] {
            let mut samples = Vec::new();
            for e in &self.endpoints {
                let table = if incoming {
                    &e.counters.messages_in
                } else {
                    &e.counters.messages_out
                };
                for codec in Codec::ALL {
                    let Some(row) = table.get(codec_slot(codec)) else {
                        continue;
                    };
                    for (slot, n) in row.iter().enumerate().take(TYPE_SLOTS) {
                        let n = Counters::get(n);
                        if n == 0 {
                            continue;
                        }
                        let kind = MESSAGE_TYPES.get(slot).map_or("UNKNOWN", |c| code_name(*c));
                        let mut l = with(endpoint(e), "serializer", codec.name());
                        l.push(("type", kind.to_owned()));
                        samples.push((l, n));
                    }
                }
            }
            counters(enc, name, help, &samples)?;
        }
        counters(
            enc,
            "crossway_bytes_in_total",
            "Octets of WAMP messages received (framing and TLS not counted)",
            &self.per_endpoint(|c| Counters::get(&c.bytes_in)),
        )?;
        counters(
            enc,
            "crossway_bytes_out_total",
            "Octets of WAMP messages sent (framing and TLS not counted)",
            &self.per_endpoint(|c| Counters::get(&c.bytes_out)),
        )?;
        let mut bridge = Vec::new();
        for e in self.endpoints.iter() {
            for (status, n) in BRIDGE_STATUSES
                .iter()
                .zip(e.counters.bridge_requests.iter())
            {
                let n = Counters::get(n);
                if n > 0 {
                    bridge.push((with(endpoint(e), "status", &status.to_string()), n));
                }
            }
        }
        counters(
            enc,
            "crossway_http_publish_requests_total",
            "Requests to the HTTP publish bridge, by the status answered",
            &bridge,
        )
    }

    fn realms(&self, enc: &mut DescriptorEncoder<'_>) -> std::fmt::Result {
        let stats = self.router.realm_stats();
        let per_realm = |f: fn(&crossway_routing::RealmSnapshot) -> u64| {
            stats
                .iter()
                .map(|s| (vec![("realm", s.realm.clone())], f(s)))
                .collect::<Vec<_>>()
        };
        counters(
            enc,
            "crossway_publications_total",
            "Publications accepted and dispatched",
            &per_realm(|s| s.publications),
        )?;
        counters(
            enc,
            "crossway_events_delivered_total",
            "Events queued for subscribers",
            &per_realm(|s| s.events_delivered),
        )?;
        counters(
            enc,
            "crossway_calls_routed_total",
            "Calls passed on to a callee",
            &per_realm(|s| s.calls_routed),
        )?;
        counters(
            enc,
            "crossway_publications_refused_total",
            "Publications refused by permissions without acknowledge (nobody was told)",
            &per_realm(|s| s.refused_publications),
        )
    }
}

impl NodeMetrics {
    /// `crossway_cluster_*`: the link to NATS and what crossed it (only in a cluster).
    fn cluster(&self, enc: &mut DescriptorEncoder<'_>) -> std::fmt::Result {
        let Some(stats) = &self.cluster else {
            return Ok(());
        };
        let s = stats.snapshot();
        let none: Labels = Vec::new();
        gauges(
            enc,
            "crossway_cluster_connected",
            "Whether the node is connected to NATS (1) or not (0)",
            &[(none.clone(), i64::from(s.connected))],
        )?;
        gauges(
            enc,
            "crossway_cluster_nodes",
            "Other nodes of the cluster heard from and not gone",
            &[(none.clone(), i64::try_from(s.peers).unwrap_or(i64::MAX))],
        )?;
        for (name, help, value) in [
            (
                "crossway_cluster_sent_total",
                "Messages sent to NATS",
                s.sent,
            ),
            (
                "crossway_cluster_received_total",
                "Messages received from NATS",
                s.received,
            ),
            (
                "crossway_cluster_dropped_total",
                "Publications and call messages that could not cross (NATS away, or the queue full)",
                s.dropped,
            ),
            (
                "crossway_cluster_malformed_total",
                "Messages from NATS that were not Crossway cluster messages",
                s.malformed,
            ),
            (
                "crossway_cluster_reconnects_total",
                "Times the connection to NATS came back",
                s.reconnects,
            ),
        ] {
            counters(enc, name, help, &[(none.clone(), value)])?;
        }
        Ok(())
    }
}

impl Collector for NodeMetrics {
    fn encode(&self, mut enc: DescriptorEncoder) -> std::fmt::Result {
        gauges(
            &mut enc,
            "crossway_build_info",
            "The running build (always 1)",
            &[(vec![("version", env!("CARGO_PKG_VERSION").to_owned())], 1)],
        )?;
        self.connections(&mut enc)?;
        self.tls(&mut enc)?;
        self.sessions(&mut enc)?;
        self.traffic(&mut enc)?;
        self.realms(&mut enc)?;
        self.cluster(&mut enc)
    }
}

/// The `endpoint` label of `e`.
fn endpoint(e: &EndpointMetrics) -> Labels {
    vec![("endpoint", e.name.clone())]
}

/// `labels` and one more.
fn with(mut labels: Labels, name: &'static str, value: &str) -> Labels {
    labels.push((name, value.to_owned()));
    labels
}

/// A counter family; a family with no sample is left out.
fn counters<L: EncodeLabelSet>(
    enc: &mut DescriptorEncoder<'_>,
    name: &str,
    help: &str,
    samples: &[(L, u64)],
) -> std::fmt::Result {
    if samples.is_empty() {
        return Ok(());
    }
    // The encoder writes a counter's `_total` itself.
    let name = name.strip_suffix("_total").unwrap_or(name);
    let mut metric = enc.encode_descriptor(name, help, None, MetricType::Counter)?;
    for (labels, value) in samples {
        metric
            .encode_family(labels)?
            .encode_counter::<prometheus_client::encoding::NoLabelSet, _, u64>(value, None)?;
    }
    Ok(())
}

/// A gauge family; a family with no sample is left out.
fn gauges<L: EncodeLabelSet>(
    enc: &mut DescriptorEncoder<'_>,
    name: &str,
    help: &str,
    samples: &[(L, i64)],
) -> std::fmt::Result {
    if samples.is_empty() {
        return Ok(());
    }
    let mut metric = enc.encode_descriptor(name, help, None, MetricType::Gauge)?;
    for (labels, value) in samples {
        metric.encode_family(labels)?.encode_gauge(value)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossway_protocol::message::code;
    use crossway_routing::RealmConfig;

    #[test]
    fn every_family_renders_with_its_labels() {
        let counters = Arc::new(Counters::new(1));
        Counters::bump(&counters.connections_accepted);
        counters.received(Codec::Json, code::PUBLISH, 10);
        counters.tls_failed(TlsFailure::NoClientCertificate);
        counters.authenticated(AuthMethod::Ticket, false);
        counters
            .certificate_not_after
            .store(1_900_000_000, Ordering::Relaxed);
        let metrics = Arc::new(NodeMetrics {
            endpoints: vec![EndpointMetrics {
                name: "web".into(),
                transport: "websocket",
                tls: true,
                listen: "127.0.0.1:8443".into(),
                counters,
                open: ConnectionCount::new(10),
            }],
            realms: vec!["realm1".into()],
            router: Router::new(vec![RealmConfig::new("realm1")]),
            cluster: None,
        });
        let text = metrics.render().unwrap();
        for line in [
            "# TYPE crossway_connections_accepted_total counter",
            "crossway_connections_accepted_total{endpoint=\"web\"} 1",
            "crossway_messages_in_total{endpoint=\"web\",serializer=\"json\",type=\"PUBLISH\"} 1",
            "crossway_tls_handshake_failures_total{endpoint=\"web\",reason=\"no_client_certificate\"} 1",
            "crossway_client_certificates_refused_total{endpoint=\"web\",reason=\"no_client_certificate\"} 1",
            "crossway_authentication_failures_total{endpoint=\"web\",method=\"ticket\"} 1",
            "crossway_certificate_expiry_timestamp_seconds{endpoint=\"web\"} 1900000000",
            "crossway_sessions_open{endpoint=\"web\",realm=\"realm1\"} 0",
            "crossway_bytes_in_total{endpoint=\"web\"} 10",
            "crossway_events_delivered_total{realm=\"realm1\"} 0",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in:\n{text}"
            );
        }
        assert!(!text.contains("_total_total"), "{text}");
    }
}
