//! Lean clients of every protocol behind one face: [`LeanSubscriber`] counts deliveries into a
//! [`Tally`], [`LeanPublisher`] gathers stamped publications and writes them in batches, then
//! ends with a marker the server confirms. WAMP's are bare sessions ([`BareSubscriber`],
//! [`BarePublisher`]); NATS's and MQTT's are [`StreamClient`]s.

use crossway_client::ConnectOptions;
use std::time::Duration;

use crossway_transport::rt;

use crate::bare_publisher::BarePublisher;
use crate::bare_subscriber::BareSubscriber;
use crate::mqtt::{self, Mqtt};
use crate::nats::{self, Nats};
use crate::options::Options;
use crate::payload::Payload;
use crate::protocol::Protocol;
use crate::stream_client::{REPLY_TIMEOUT, StreamClient};
use crate::subscriber::SubscriberStats;
use crate::tally::Tally;

/// How long closing a publisher may take.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// A connected, subscribed lean subscriber.
#[derive(Debug)]
pub enum LeanSubscriber {
    /// A bare WAMP session.
    Wamp(BareSubscriber),
    /// A NATS connection.
    Nats(StreamClient<Nats>),
    /// An MQTT connection.
    Mqtt(StreamClient<Mqtt>),
}

/// A connected lean publisher.
#[derive(Debug)]
pub enum LeanPublisher {
    /// A bare WAMP session.
    Wamp(BarePublisher),
    /// A NATS connection.
    Nats(StreamClient<Nats>),
    /// An MQTT connection.
    Mqtt(StreamClient<Mqtt>),
}

impl LeanSubscriber {
    /// Connects to `--url` with `--protocol` and subscribes to `--topic` (`tls` for `wss://`
    /// and `rss://`).
    pub async fn subscribe(
        opts: &Options,
        connect: &ConnectOptions,
    ) -> Result<LeanSubscriber, String> {
        let topic = &opts.topic;
        Ok(match opts.protocol() {
            Protocol::Wamp => LeanSubscriber::Wamp(
                BareSubscriber::subscribe(
                    opts.subscriber_url(),
                    &opts.realm,
                    opts.serializer,
                    connect,
                    topic,
                )
                .await?,
            ),
            Protocol::Nats => LeanSubscriber::Nats(
                nats::subscribe(&host_port(opts, opts.subscriber_url())?, topic).await?,
            ),
            Protocol::Mqtt => LeanSubscriber::Mqtt(
                mqtt::subscribe(&host_port(opts, opts.subscriber_url())?, topic).await?,
            ),
        })
    }

    /// Receives until every publisher's end marker has arrived, the connection ends, or `stop`
    /// is closed.
    pub async fn receive(self, tally: Tally, stop: async_channel::Receiver<()>) -> SubscriberStats {
        match self {
            LeanSubscriber::Wamp(s) => s.receive(tally, stop).await,
            LeanSubscriber::Nats(s) => s.receive(tally, stop).await,
            LeanSubscriber::Mqtt(s) => s.receive(tally, stop).await,
        }
    }
}

impl LeanPublisher {
    /// Connects to `--url` with `--protocol`, to publish to `--topic`.
    pub async fn connect(
        opts: &Options,
        connect: &ConnectOptions,
    ) -> Result<LeanPublisher, String> {
        let topic = &opts.topic;
        Ok(match opts.protocol() {
            Protocol::Wamp => LeanPublisher::Wamp(
                BarePublisher::connect(&opts.url, &opts.realm, opts.serializer, connect, topic)
                    .await?,
            ),
            Protocol::Nats => {
                LeanPublisher::Nats(nats::connect(&host_port(opts, &opts.url)?, topic).await?)
            }
            Protocol::Mqtt => {
                LeanPublisher::Mqtt(mqtt::connect(&host_port(opts, &opts.url)?, topic).await?)
            }
        })
    }

    /// Gathers one publication stamped `stamp_ns`; what is gathered is written once there is
    /// enough of it.
    pub async fn queue(&mut self, payload: &Payload, stamp_ns: u64) -> Result<(), String> {
        match self {
            LeanPublisher::Wamp(p) => p.queue(payload.args(stamp_ns)).await,
            LeanPublisher::Nats(p) => p.queue(payload, stamp_ns).await,
            LeanPublisher::Mqtt(p) => p.queue(payload, stamp_ns).await,
        }
    }

    /// Writes everything gathered.
    pub async fn flush(&mut self) -> Result<(), String> {
        match self {
            LeanPublisher::Wamp(p) => p.flush().await,
            LeanPublisher::Nats(p) => p.flush().await,
            LeanPublisher::Mqtt(p) => p.flush().await,
        }
    }

    /// Publishes one publication stamped `stamp_ns` at once.
    pub async fn publish_now(&mut self, payload: &Payload, stamp_ns: u64) -> Result<(), String> {
        self.queue(payload, stamp_ns).await?;
        self.flush().await
    }

    /// Publishes the end marker of `publisher` after `sent` publications and waits (at most
    /// [`REPLY_TIMEOUT`]) until the server has handled it, and so everything before it.
    pub async fn finish(&mut self, publisher: usize, sent: u64) -> Result<(), String> {
        let finishing = async {
            match self {
                LeanPublisher::Wamp(p) => {
                    p.publish_acknowledged(Payload::end_marker(publisher, sent))
                        .await
                }
                LeanPublisher::Nats(p) => p.finish(publisher, sent).await,
                LeanPublisher::Mqtt(p) => p.finish(publisher, sent).await,
            }
        };
        rt::timeout(REPLY_TIMEOUT, finishing)
            .await
            .map_err(|_| format!("the end marker was not confirmed within {REPLY_TIMEOUT:?}"))?
    }

    /// Closes the connection (best effort, bounded).
    pub async fn close(self) {
        match self {
            LeanPublisher::Wamp(p) => {
                let _ = rt::timeout(CLOSE_TIMEOUT, p.close()).await;
            }
            LeanPublisher::Nats(p) => p.close().await,
            LeanPublisher::Mqtt(p) => p.close().await,
        }
    }
}

/// The `host:port` of a NATS or MQTT `--url`.
fn host_port(opts: &Options, url: &str) -> Result<String, String> {
    opts.protocol().host_port(url)
}
