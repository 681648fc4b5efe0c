//! The cluster thread's one task: everything between the router and NATS.
//!
//! Subjects, under the configured prefix `P`:
//! - `P.ev.<realm>.<topic>`: publications, each node subscribed to the patterns of its own
//!   subscriptions (see `subject`);
//! - `P.all.<realm>`: publications every node keeps (retained events, event history);
//! - `P.rpc.<node>`: call messages for a node;
//! - `P.node`: every node's heartbeats, numbered state changes and goodbye (one subject, so that
//!   they arrive in the order they were sent);
//! - `P.sync.<node>`: requests for a node's whole state;
//! - `P.retained.<node>`: requests for a node's retained events (a node that starts asks the
//!   first node it hears, once).
//!
//! Nothing here waits on the router, and the router never waits on this task: what arrives is
//! handed to the router's non-blocking methods, and what the router sends comes through the
//! link's bounded queue.

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_nats::{Client, Event};
use bytes::Bytes;
use crossway_protocol::ids::random_id;
use crossway_protocol::{PublicationId, Uri};
use crossway_routing::Router;
use crossway_routing::cluster::StateChange;
use futures_util::StreamExt;
use tokio::sync::{mpsc, oneshot};

use crate::interest::Interest;
use crate::link::{Link, Outgoing, lock};
use crate::peers::{Effect, Outcome, Peers};
use crate::settings::ClusterSettings;
use crate::stats::ClusterStats;
use crate::subject::{cover, event_subject, interest_pattern, pattern_subject};
use crate::wire::{self, CallEnvelope, NodeSeq, Order, Wire};

/// Queued messages sent per turn of the loop before it looks at what arrived.
const BATCH: usize = 256;
/// After the node's subscriptions to NATS change, for this long a publication id seen twice is
/// delivered once (an old and a new pattern overlap while one replaces the other).
const OVERLAP_WINDOW: Duration = Duration::from_secs(2);
/// Publication ids remembered in that window, at most.
const RECENT_IDS: usize = 8192;
/// How long a node waits for another's whole state.
const SYNC_TIMEOUT: Duration = Duration::from_secs(5);
/// The most bytes of retained events one answer carries (NATS's default `max_payload` is 1 MiB).
const RETAINED_ANSWER: usize = 900 * 1024;
/// How long after the start a node that has not reached NATS says so.
const UNREACHABLE_WARNING: Duration = Duration::from_secs(5);
/// How often at most the node logs what could not cross.
const DROP_REPORT: Duration = Duration::from_secs(10);

/// Everything the task needs.
pub(crate) struct Runner {
    settings: ClusterSettings,
    incarnation: u64,
    client: Client,
    router: Arc<Router>,
    link: Arc<Link>,
    peers: Arc<Mutex<Peers>>,
    stats: Arc<ClusterStats>,
    queue: mpsc::Receiver<Outgoing>,
    events: mpsc::Receiver<Event>,
    stop: oneshot::Receiver<()>,
    /// This node's name, as call messages carry it.
    name: Arc<str>,
    /// `P.ev`, under which publications go (made once: every publication's subject starts so).
    event_base: String,
    /// `P.node`, the subject of heartbeats, changes and goodbyes.
    node_subject: String,
    connected_once: Cell<bool>,
    /// Whether the node has said that NATS is not reachable yet.
    warned_unreachable: Cell<bool>,
    /// Publications this node has sent (the next one's sequence number).
    sent_publications: Cell<u64>,
    retained: Cell<RetainedSync>,
}

/// What the cluster task works with: the router's side, NATS, and the channels between them.
pub(crate) struct Parts {
    pub(crate) settings: ClusterSettings,
    pub(crate) client: Client,
    pub(crate) router: Arc<Router>,
    pub(crate) link: Arc<Link>,
    pub(crate) peers: Arc<Mutex<Peers>>,
    pub(crate) stats: Arc<ClusterStats>,
    pub(crate) queue: mpsc::Receiver<Outgoing>,
    pub(crate) events: mpsc::Receiver<Event>,
    pub(crate) stop: oneshot::Receiver<()>,
}

/// Whether this node has the retained events the others had before it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetainedSync {
    /// Not yet asked (or the last answer did not come).
    No,
    /// Asked; the answer has not come.
    Asked,
    /// Taken.
    Done,
}

/// Publication ids seen lately (while subscriptions overlap).
#[derive(Debug, Default)]
struct Recent {
    until: Option<Instant>,
    order: VecDeque<u64>,
    seen: HashSet<u64>,
}

impl Recent {
    /// Whether `id` should be delivered: always, but a second time within the window.
    fn first(&mut self, id: PublicationId, now: Instant) -> bool {
        match self.until {
            Some(until) if now < until => {}
            Some(_) => {
                *self = Recent::default();
                return true;
            }
            None => return true,
        }
        if !self.seen.insert(id.0) {
            return false;
        }
        self.order.push_back(id.0);
        if self.order.len() > RECENT_IDS
            && let Some(old) = self.order.pop_front()
        {
            self.seen.remove(&old);
        }
        true
    }

    fn open(&mut self, now: Instant) {
        self.until = now.checked_add(OVERLAP_WINDOW);
    }
}

impl Runner {
    /// The task for `parts`, in a new incarnation of this node.
    pub(crate) fn new(parts: Parts) -> Runner {
        let prefix = &parts.settings.subject_prefix;
        Runner {
            incarnation: random_id(),
            name: Arc::from(parts.settings.node.as_str()),
            event_base: format!("{prefix}.ev"),
            node_subject: format!("{prefix}.node"),
            settings: parts.settings,
            client: parts.client,
            router: parts.router,
            link: parts.link,
            peers: parts.peers,
            stats: parts.stats,
            queue: parts.queue,
            events: parts.events,
            stop: parts.stop,
            connected_once: Cell::new(false),
            warned_unreachable: Cell::new(false),
            sent_publications: Cell::new(0),
            retained: Cell::new(RetainedSync::No),
        }
    }

    fn subject(&self, rest: &str) -> String {
        format!("{}.{rest}", self.settings.subject_prefix)
    }

    fn me(&self, seq: u64) -> NodeSeq {
        NodeSeq {
            node: self.settings.node.clone(),
            incarnation: self.incarnation,
            seq,
        }
    }

    /// Runs until told to stop; then says goodbye.
    pub(crate) async fn run(mut self) {
        let subscribe = |s: String| {
            let client = self.client.clone();
            async move { client.subscribe(s).await }
        };
        let node = self.settings.node.clone();
        let (
            Ok(mut node_sub),
            Ok(all_sub),
            Ok(mut rpc_sub),
            Ok(mut sync_sub),
            Ok(mut retained_sub),
        ) = (
            subscribe(self.node_subject.clone()).await,
            subscribe(self.subject("all.>")).await,
            subscribe(self.subject(&format!("rpc.{node}"))).await,
            subscribe(self.subject(&format!("sync.{node}"))).await,
            subscribe(self.subject(&format!("retained.{node}"))).await,
        )
        else {
            tracing::error!("cluster: cannot subscribe to NATS; the node routes locally only");
            return;
        };
        let mut interest = Interest::new(all_sub);
        let mut recent = Recent::default();
        let mut heartbeat = tokio::time::interval(self.settings.heartbeat_interval);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let (synced_tx, mut synced_rx) = mpsc::channel::<(String, Option<Bytes>)>(64);
        let (retained_tx, mut retained_rx) = mpsc::channel::<Option<Bytes>>(4);
        let mut last_drop_report = (Instant::now(), 0u64);
        let started = Instant::now();
        self.reconcile(&mut interest, &mut recent).await;
        loop {
            tokio::select! {
                _ = &mut self.stop => break,
                Some(out) = self.queue.recv() => {
                    self.send(out).await;
                    for _ in 1..BATCH {
                        match self.queue.try_recv() {
                            Ok(out) => self.send(out).await,
                            Err(_) => break,
                        }
                    }
                }
                batch = interest.next_batch() => self.publications(&batch, &mut recent),
                Some(msg) = rpc_sub.next() => self.call(&msg.payload),
                Some(msg) = node_sub.next() => {
                    let outcome = self.node_message(&msg.payload);
                    if let Some(node) = outcome.sync.as_deref() {
                        self.ask_retained(node, &retained_tx);
                    }
                    self.follow(outcome, &synced_tx);
                }
                Some(msg) = sync_sub.next() => {
                    if let Some(reply) = msg.reply {
                        self.answer_sync(reply.to_string()).await;
                    }
                }
                Some(msg) = retained_sub.next() => {
                    if let Some(reply) = msg.reply {
                        self.answer_retained(reply.to_string()).await;
                    }
                }
                Some(answer) = retained_rx.recv() => self.keep_retained(answer),
                Some((node, answer)) = synced_rx.recv() => {
                    let outcome = match answer.map(|b| wire::decode(&b)) {
                        Some(Ok(Wire::Snapshot { from, state })) if from.node == node => {
                            lock(&self.peers).snapshot(&from, &state, Instant::now())
                        }
                        _ => {
                            tracing::warn!(node, "cluster: no state from node; asking again at its next heartbeat");
                            lock(&self.peers).sync_failed(&node);
                            Outcome::default()
                        }
                    };
                    self.follow(outcome, &synced_tx);
                }
                () = self.link.interest_changed.notified() => {
                    self.reconcile(&mut interest, &mut recent).await;
                }
                () = self.link.local_changed.notified() => self.send_changes().await,
                _ = heartbeat.tick() => {
                    self.heartbeat().await;
                    last_drop_report = self.report_drops(last_drop_report);
                    self.report_unreachable(started);
                }
                Some(event) = self.events.recv() => self.connection_event(event),
            }
        }
        let bye = Wire::Bye {
            node: self.settings.node.clone(),
            incarnation: self.incarnation,
        };
        self.publish_wire(self.node_subject.clone(), &bye).await;
        let _ = tokio::time::timeout(Duration::from_secs(2), self.client.flush()).await;
        tracing::info!("cluster: left");
    }

    /// Sends one publication or call message.
    async fn send(&self, out: Outgoing) {
        let (subject, wire) = match out {
            Outgoing::Publish(realm, publication) => {
                let subject = if publication.broadcast {
                    self.subject(&format!("all.{}", crate::subject::escape(realm.as_str())))
                } else {
                    event_subject(&self.event_base, &realm, &publication.topic)
                };
                let order = Order {
                    origin: self.incarnation,
                    sequence: self.sent_publications.get(),
                };
                self.sent_publications.set(order.sequence + 1);
                (
                    subject,
                    Wire::Publication {
                        realm,
                        publication,
                        order,
                    },
                )
            }
            Outgoing::Call(route, message) => {
                let subject = self.subject(&format!("rpc.{}", route.node));
                let envelope = CallEnvelope {
                    from: Arc::clone(&self.name),
                    realm: route.realm,
                    callee: route.callee,
                    registration: route.registration,
                    message,
                };
                (subject, Wire::Call(envelope))
            }
        };
        self.publish_wire(subject, &wire).await;
    }

    async fn publish_wire(&self, subject: String, wire: &Wire) {
        // While NATS is away the client would queue, then wait: this task must not.
        if !self.stats.is_connected() {
            self.stats.dropped();
            return;
        }
        match wire::encode(wire) {
            Ok(bytes) => match self.client.publish(subject, Bytes::from(bytes)).await {
                Ok(()) => self.stats.sent(),
                Err(error) => {
                    self.stats.dropped();
                    tracing::debug!(%error, "cluster: publish to NATS failed");
                }
            },
            Err(error) => {
                self.stats.dropped();
                tracing::warn!(%error, "cluster: message not encoded");
            }
        }
    }

    /// Publications from other nodes, as they arrived together: each delivered here once, each
    /// node's in the order it sent them (see `interest`).
    fn publications(&self, batch: &[async_nats::Message], recent: &mut Recent) {
        let now = Instant::now();
        let mut ready = Vec::with_capacity(batch.len());
        for msg in batch {
            self.stats.received();
            match wire::decode(&msg.payload) {
                Ok(Wire::Publication {
                    realm,
                    publication,
                    order,
                }) => {
                    if recent.first(publication.id, now) {
                        ready.push((order, realm, publication));
                    }
                }
                Ok(_) | Err(_) => self.malformed("publication"),
            }
        }
        // Stable: equal orders (none, from one node's run) keep their arrival order.
        ready.sort_by_key(|(order, ..)| *order);
        for (_, realm, publication) in ready {
            self.router.cluster_publication(&realm, publication);
        }
    }

    /// A call message from another node.
    fn call(&self, bytes: &[u8]) {
        self.stats.received();
        match wire::decode(bytes) {
            Ok(Wire::Call(e)) => {
                self.router
                    .cluster_message(&e.from, &e.realm, e.callee, e.registration, e.message)
            }
            Ok(_) | Err(_) => self.malformed("call message"),
        }
    }

    /// A heartbeat, changes or goodbye of a node.
    fn node_message(&self, bytes: &[u8]) -> Outcome {
        self.stats.received();
        let now = Instant::now();
        let wire = match wire::decode(bytes) {
            Ok(wire) => wire,
            Err(_) => {
                self.malformed("node message");
                return Outcome::default();
            }
        };
        let from = match &wire {
            Wire::Heartbeat(at) | Wire::Changes { from: at, .. } => &at.node,
            Wire::Bye { node, .. } => node,
            _ => {
                self.malformed("node message");
                return Outcome::default();
            }
        };
        if *from == self.settings.node {
            if let Wire::Heartbeat(at) = &wire
                && at.incarnation != self.incarnation
            {
                tracing::error!(node = %from, "cluster: another node has this node's name; names must be unique");
            }
            return Outcome::default();
        }
        let mut peers = lock(&self.peers);
        match wire {
            Wire::Heartbeat(at) => peers.heartbeat(&at, now),
            Wire::Changes { from, changes } => peers.changes(&from, changes, now),
            Wire::Bye { node, incarnation } => {
                tracing::info!(node, "cluster: node left");
                peers.bye(&node, incarnation)
            }
            _ => Outcome::default(),
        }
    }

    /// Tells the router what changed, and asks a node for its state if needed.
    fn follow(&self, outcome: Outcome, synced: &mpsc::Sender<(String, Option<Bytes>)>) {
        for effect in outcome.effects {
            self.effect(effect);
        }
        self.stats.set_peers(lock(&self.peers).len());
        if let Some(node) = outcome.sync {
            let subject = self.subject(&format!("sync.{node}"));
            self.request(subject, synced.clone(), move |bytes| (node, bytes));
        }
    }

    fn effect(&self, effect: Effect) {
        match effect {
            Effect::Registered(node, realm, registration) => {
                self.router.cluster_registered(&node, &realm, registration);
            }
            Effect::Unregistered(realm, session, procedure, policy) => {
                self.router
                    .cluster_unregistered(&realm, session, &procedure, policy);
            }
            Effect::SessionLeft(realm, session) => {
                self.router.cluster_session_left(&realm, session);
            }
            Effect::NodeGone(node) => self.router.cluster_node_gone(&node),
        }
    }

    /// Answers a request for this node's whole state.
    async fn answer_sync(&self, reply: String) {
        let snapshot = {
            let local = self.link.local();
            Wire::Snapshot {
                from: self.me(local.seq),
                state: local.tables.to_changes(),
            }
        };
        self.publish_wire(reply, &snapshot).await;
    }

    /// Sends a NATS request to `subject` in a task of its own; its answer (`None` if none came
    /// within [`SYNC_TIMEOUT`]), made into `T`, comes back through `answers`.
    fn request<T: Send + 'static>(
        &self,
        subject: String,
        answers: mpsc::Sender<T>,
        make: impl FnOnce(Option<Bytes>) -> T + Send + 'static,
    ) {
        let client = self.client.clone();
        tokio::spawn(async move {
            let answer =
                tokio::time::timeout(SYNC_TIMEOUT, client.request(subject, Bytes::new())).await;
            let bytes = match answer {
                Ok(Ok(msg)) => Some(msg.payload),
                _ => None,
            };
            let _ = answers.send(make(bytes)).await;
        });
    }

    /// Asks `node` for its retained events, unless this node has them already or asked.
    fn ask_retained(&self, node: &str, answers: &mpsc::Sender<Option<Bytes>>) {
        if self.retained.get() != RetainedSync::No {
            return;
        }
        self.retained.set(RetainedSync::Asked);
        let subject = self.subject(&format!("retained.{node}"));
        self.request(subject, answers.clone(), |bytes| bytes);
    }

    /// Keeps the retained events another node sent (those whose topic has none here yet).
    fn keep_retained(&self, answer: Option<Bytes>) {
        match answer.map(|b| wire::decode(&b)) {
            Some(Ok(Wire::Retained(events))) => {
                let count = events.len();
                for (realm, event) in events {
                    self.router.cluster_keep_retained(&realm, event);
                }
                self.retained.set(RetainedSync::Done);
                tracing::info!(count, "cluster: retained events taken from another node");
            }
            _ => {
                // Asked again of the next node heard for the first time.
                self.retained.set(RetainedSync::No);
                tracing::warn!("cluster: no retained events from another node");
            }
        }
    }

    /// Answers a request for this node's retained events (at most [`RETAINED_ANSWER`] bytes of
    /// payload; more are left out and logged).
    async fn answer_retained(&self, reply: String) {
        let mut events = self.router.cluster_retained();
        let mut bytes = 0usize;
        let all = events.len();
        events.retain(|(_, e)| {
            bytes += e.payload.raw().map_or(64, |r| r.len()) + e.topic.as_str().len() + 64;
            bytes <= RETAINED_ANSWER
        });
        if events.len() < all {
            tracing::warn!(
                sent = events.len(),
                all,
                "cluster: retained events too many for one NATS message; the rest were not sent to the node that starts"
            );
        }
        self.publish_wire(reply, &Wire::Retained(events)).await;
    }

    /// Sends the changes waiting in the link (while NATS is away they wait, bounded).
    async fn send_changes(&self) {
        if !self.stats.is_connected() {
            return;
        }
        let (first, changes): (u64, Vec<StateChange>) = {
            let mut local = self.link.local();
            let changes = std::mem::take(&mut local.pending);
            let first = local.seq + 1 - changes.len() as u64;
            (first, changes)
        };
        if changes.is_empty() {
            return;
        }
        let wire = Wire::Changes {
            from: self.me(first),
            changes,
        };
        self.publish_wire(self.node_subject.clone(), &wire).await;
    }

    /// Sends a heartbeat, and lets the nodes not heard for too long go.
    async fn heartbeat(&self) {
        let seq = self.link.local().seq;
        if self.stats.is_connected() {
            self.publish_wire(self.node_subject.clone(), &Wire::Heartbeat(self.me(seq)))
                .await;
        }
        let gone = lock(&self.peers).expire(Instant::now(), self.settings.node_timeout);
        for node in gone {
            tracing::warn!(node, timeout = ?self.settings.node_timeout,
                "cluster: node gone (not heard within node_timeout); its sessions, subscriptions and registrations are dropped");
            self.router.cluster_node_gone(&node);
        }
        self.stats.set_peers(lock(&self.peers).len());
    }

    /// Subscribes to the patterns this node's subscriptions need, and from those it no longer
    /// needs.
    async fn reconcile(&self, interest: &mut Interest, recent: &mut Recent) {
        let base = &self.event_base;
        let mut by_realm: HashMap<Uri, Vec<_>> = HashMap::new();
        for (realm, topic, policy) in self.link.interest() {
            by_realm
                .entry(realm)
                .or_default()
                .push(interest_pattern(&topic, policy));
        }
        let wanted: BTreeSet<String> = by_realm
            .into_iter()
            .flat_map(|(realm, patterns)| {
                cover(patterns)
                    .into_iter()
                    .map(|p| pattern_subject(base, &realm, &p))
                    .collect::<Vec<_>>()
            })
            .collect();
        if interest.set(&self.client, &wanted).await {
            recent.open(Instant::now());
            tracing::debug!(subjects = interest.len(), "cluster: interest updated");
        }
    }

    fn connection_event(&self, event: Event) {
        match event {
            Event::Connected => {
                let first = !self.connected_once.replace(true);
                self.stats.set_connected(true);
                // Changes made while NATS was away go now.
                self.link.local_changed.notify_one();
                if first {
                    tracing::info!(node = %self.settings.node, "cluster: connected to NATS");
                } else {
                    self.stats.reconnected();
                    tracing::info!(node = %self.settings.node, "cluster: NATS connection restored; subscriptions renewed");
                }
            }
            Event::Disconnected => {
                self.stats.set_connected(false);
                tracing::warn!(node = %self.settings.node,
                    "cluster: NATS connection lost; routing locally, reconnecting with back-off");
            }
            Event::SlowConsumer(sid) => {
                tracing::warn!(
                    sid,
                    "cluster: this node reads NATS too slowly; messages were lost"
                );
            }
            // Each failed reconnection attempt is one of these: the lost connection was logged.
            Event::ClientError(error) => tracing::debug!(%error, "cluster: NATS"),
            other => tracing::info!(event = %other, "cluster: NATS"),
        }
    }

    /// Warns once when NATS has not been reached [`UNREACHABLE_WARNING`] after the start (each
    /// failed attempt is logged at debug only).
    fn report_unreachable(&self, started: Instant) {
        if self.connected_once.get()
            || self.warned_unreachable.get()
            || started.elapsed() < UNREACHABLE_WARNING
        {
            return;
        }
        self.warned_unreachable.set(true);
        tracing::warn!(servers = ?self.settings.servers,
            "cluster: NATS not reachable yet; routing locally, still trying (with back-off up to 5 s)");
    }

    fn malformed(&self, what: &str) {
        self.stats.malformed();
        tracing::warn!(
            what,
            "cluster: a message from NATS that is not a Crossway cluster message; ignored"
        );
    }

    /// Logs what could not cross since the last report, at most every [`DROP_REPORT`].
    fn report_drops(&self, (at, dropped): (Instant, u64)) -> (Instant, u64) {
        let now = Instant::now();
        if now.saturating_duration_since(at) < DROP_REPORT {
            return (at, dropped);
        }
        let total = self.stats.snapshot().dropped;
        if total > dropped {
            tracing::warn!(
                count = total - dropped,
                "cluster: messages could not cross to the other nodes (NATS away or the queue full)"
            );
        }
        (now, total)
    }
}
