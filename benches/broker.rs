//! The broker in-process, through `crossway_routing`'s public API: sessions join with HELLO and
//! subscribe with SUBSCRIBE through `Session::handle`, each with its own outbox; a publisher's
//! PUBLISH goes through `Session::handle` too, its payload raw JSON as the node decodes it from a
//! JSON publisher's frame (`[1, "x" × 64]`), and the subscribers' outboxes are drained with
//! `try_recv` inside the measured time (a connection's writer takes every ready frame at once
//! with `recv_batch`; frame by frame is the dearer of the two).
//!
//! - `lookup/exact`: PUBLISH to one topic among 100,000 exact subscriptions (1,000 sessions with
//!   100 topics each); one subscriber receives it. `lookup/exact_miss`: a topic nobody has.
//! - `lookup/prefix`: PUBLISH to a topic under one of 100,000 prefix subscriptions.
//! - `fanout/1000`: one publication to 1,000 subscribers of one topic (JSON); `fanout/1000_mixed`:
//!   the same with a third of them each on JSON, CBOR and MessagePack (three encodings, and the
//!   payload converted to CBOR and to MessagePack once each).
//! - `permissions/open` and `permissions/roles_50`: one publication to 10 subscribers in a realm
//!   without roles, and in one whose sessions' role has 50 rules (20 exact, 20 prefix, 10
//!   wildcard; the topic is decided by a prefix rule among them): what permissions cost the
//!   fan-out per delivery.
//!
//! ```sh
//! cargo bench --bench broker
//! cargo bench --bench broker -- --quick      # one short pass, as CI does
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crossway_protocol::{Codec, Dict, Message, Payload, RawPayload, RequestId, Uri, Value};
use crossway_routing::{
    Action, Authenticator, MatchPolicy, OutboxReceiver, PermissionRule, RealmConfig, RoleConfig,
    Router, Session, TransportInfo, outbox,
};

/// Subscriptions in the lookup benchmarks.
const SUBSCRIPTIONS: usize = 100_000;
/// Sessions holding them.
const HOLDERS: usize = 1_000;
/// Subscribers in the fan-out benchmarks.
const FANOUT: usize = 1_000;
/// The outbox of every session: drained after each publication, so it never fills.
const OUTBOX: usize = 64;

/// A joined session and the receiving end of its outbox.
struct Peer {
    session: Session,
    rx: OutboxReceiver,
}

impl Peer {
    fn join(router: &Arc<Router>, codec: Codec) -> Peer {
        let (tx, rx) = outbox(codec, OUTBOX);
        let auth = Arc::new(Authenticator::open().unwrap());
        let mut session = Session::new(Arc::clone(router), tx, TransportInfo::default(), auth);
        let roles: Dict = [
            ("publisher".to_owned(), Value::Map(Dict::new())),
            ("subscriber".to_owned(), Value::Map(Dict::new())),
        ]
        .into_iter()
        .collect();
        let details: Dict = [("roles".to_owned(), Value::Map(roles))]
            .into_iter()
            .collect();
        let outcome = session.handle(Message::Hello {
            realm: Uri::new("realm1"),
            details,
        });
        assert!(matches!(outcome.reply, Some(Message::Welcome { .. })));
        Peer { session, rx }
    }

    fn subscribe(&mut self, topic: &str, policy: Option<&str>) {
        let mut options = Dict::new();
        if let Some(policy) = policy {
            options.insert("match".to_owned(), Value::Str(policy.to_owned()));
        }
        let outcome = self.session.handle(Message::Subscribe {
            request: RequestId(1),
            options,
            topic: Uri::new(topic),
        });
        assert!(matches!(outcome.reply, Some(Message::Subscribed { .. })));
    }

    /// Hands one PUBLISH (no acknowledgement) to the session.
    fn publish(&mut self, topic: &Uri, payload: &Payload) {
        let outcome = self.session.handle(Message::Publish {
            request: RequestId(2),
            options: Dict::new(),
            topic: topic.clone(),
            payload: payload.clone(),
        });
        debug_assert!(outcome.reply.is_none());
    }

    /// Takes every queued frame; gives how many.
    fn drain(&self) -> usize {
        let mut n = 0;
        while let Some(frame) = self.rx.try_recv() {
            black_box(frame);
            n += 1;
        }
        n
    }
}

fn router() -> Arc<Router> {
    Router::new(vec![RealmConfig::new("realm1")])
}

/// `[1, "x" × 64]` as a JSON publisher sends it.
fn payload() -> Payload {
    let args = vec![Value::Int(1), Value::Str("x".repeat(64))];
    RawPayload::encode(Codec::Json, Some(&args), None)
        .unwrap()
        .into()
}

/// `HOLDERS` sessions holding `SUBSCRIPTIONS` subscriptions to `topic(i)` with `policy`.
fn holders(router: &Arc<Router>, policy: Option<&str>, topic: fn(usize) -> String) -> Vec<Peer> {
    let per = SUBSCRIPTIONS / HOLDERS;
    (0..HOLDERS)
        .map(|h| {
            let mut peer = Peer::join(router, Codec::Json);
            for i in 0..per {
                peer.subscribe(&topic(h * per + i), policy);
            }
            peer
        })
        .collect()
}

fn lookup(c: &mut Criterion) {
    let mut group = c.benchmark_group("lookup");
    group.throughput(Throughput::Elements(1));
    let payload = payload();

    let router = router();
    let subs = holders(&router, None, |i| format!("com.example.topic.{i}"));
    assert_eq!(router.subscription_count(), SUBSCRIPTIONS);
    let mut publisher = Peer::join(&router, Codec::Json);
    let target = 77_777;
    let holder = &subs[target / (SUBSCRIPTIONS / HOLDERS)];
    let topic = Uri::new(&format!("com.example.topic.{target}"));
    group.bench_function("exact", |b| {
        b.iter(|| {
            publisher.publish(&topic, &payload);
            assert_eq!(holder.drain(), 1);
        })
    });
    let missing = Uri::new("com.example.nobody");
    group.bench_function("exact_miss", |b| {
        b.iter(|| publisher.publish(&missing, &payload))
    });
    drop((publisher, subs));

    let router = self::router();
    let subs = holders(&router, Some("prefix"), |i| format!("com.example.p{i}."));
    let mut publisher = Peer::join(&router, Codec::Json);
    let holder = &subs[target / (SUBSCRIPTIONS / HOLDERS)];
    let topic = Uri::new(&format!("com.example.p{target}.sensor.temperature"));
    group.bench_function("prefix", |b| {
        b.iter(|| {
            publisher.publish(&topic, &payload);
            assert_eq!(holder.drain(), 1);
        })
    });
    group.finish();
}

fn fanout(c: &mut Criterion) {
    let mut group = c.benchmark_group("fanout");
    group.throughput(Throughput::Elements(FANOUT as u64));
    let payload = payload();
    let topic = Uri::new("com.example.fanout");
    for (name, codecs) in [
        ("1000", &[Codec::Json][..]),
        ("1000_mixed", &Codec::ALL[..]),
    ] {
        let router = router();
        let mut subs: Vec<Peer> = (0..FANOUT)
            .map(|i| Peer::join(&router, codecs[i % codecs.len()]))
            .collect();
        for s in &mut subs {
            s.subscribe(topic.as_str(), None);
        }
        let mut publisher = Peer::join(&router, Codec::Json);
        group.bench_function(name, |b| {
            b.iter(|| {
                publisher.publish(&topic, &payload);
                let got: usize = subs.iter().map(Peer::drain).sum();
                assert_eq!(got, FANOUT);
            })
        });
    }
    group.finish();
}

/// A realm whose `anonymous` role has 50 rules; `com.crossway.` (a prefix rule) decides the
/// benchmark's topic.
fn router_with_rules() -> Arc<Router> {
    let rule = |uri: String, policy, allow: &[Action]| PermissionRule {
        uri,
        policy,
        allow: allow.iter().copied().collect(),
        disclose: false,
    };
    let mut permissions = Vec::new();
    for i in 0..20 {
        permissions.push(rule(
            format!("org.example.exact{i}"),
            MatchPolicy::Exact,
            &[Action::Publish, Action::Subscribe],
        ));
    }
    for i in 0..19 {
        permissions.push(rule(
            format!("org.example.prefix{i}."),
            MatchPolicy::Prefix,
            &[Action::Publish],
        ));
    }
    permissions.push(rule(
        "com.crossway.".to_owned(),
        MatchPolicy::Prefix,
        &[Action::Publish, Action::Subscribe],
    ));
    for i in 0..10 {
        permissions.push(rule(
            format!("com.crossway..w{i}"),
            MatchPolicy::Wildcard,
            &[Action::Subscribe],
        ));
    }
    Router::new(vec![RealmConfig {
        roles: Some(vec![RoleConfig {
            name: "anonymous".to_owned(),
            permissions,
        }]),
        ..RealmConfig::new("realm1")
    }])
}

fn permissions(c: &mut Criterion) {
    const SUBSCRIBERS: usize = 10;
    let mut group = c.benchmark_group("permissions");
    group.throughput(Throughput::Elements(SUBSCRIBERS as u64));
    let payload = payload();
    let topic = Uri::new("com.crossway.loadgen");
    for (name, router) in [("open", router()), ("roles_50", router_with_rules())] {
        let mut subs: Vec<Peer> = (0..SUBSCRIBERS)
            .map(|_| Peer::join(&router, Codec::Json))
            .collect();
        for s in &mut subs {
            s.subscribe(topic.as_str(), None);
        }
        let mut publisher = Peer::join(&router, Codec::Json);
        group.bench_function(name, |b| {
            b.iter(|| {
                publisher.publish(&topic, &payload);
                let got: usize = subs.iter().map(Peer::drain).sum();
                assert_eq!(got, SUBSCRIBERS);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, lookup, fanout, permissions);
criterion_main!(benches);
