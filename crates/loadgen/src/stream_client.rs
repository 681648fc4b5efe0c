//! A lean client of a stream protocol (NATS, MQTT), generic over its [`Wire`]: it gathers
//! publications and writes them in batches, ends with an end marker that the server confirms
//! (a ping after it, answered once the server has handled everything before), and as a
//! subscriber parses deliveries in place and counts them into a [`Tally`], reading the body of
//! one in `--sample` and of every possible end marker.

use std::marker::PhantomData;
use std::time::{Duration, Instant};

use crossway_transport::rt;

use crate::payload::{Payload, Received, body_may_be_marker};
use crate::stream::{ByteStream, Filled};
use crate::subscriber::SubscriberStats;
use crate::tally::Tally;

/// How long the server may take to answer a request (connect, subscribe, a ping).
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long closing may take.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// One item a server sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming<'a> {
    /// A message delivered to this client's subscription: its body.
    Message(&'a [u8]),
    /// The server's keep-alive ping, to be answered with [`Wire::PONG`].
    Ping,
    /// The answer to the client's request (NATS: PONG; MQTT: CONNACK, SUBACK, PINGRESP).
    Reply,
    /// The server refused a request or is closing the connection: why.
    Refused(String),
    /// Anything else (NATS: INFO, +OK).
    Other,
}

/// What a protocol's client writes and how it reads what a server sends; no I/O.
pub trait Wire {
    /// The protocol's name, for messages.
    const NAME: &'static str;
    /// Asks the server for a [`Incoming::Reply`] once it has handled everything sent before.
    const PING: &'static [u8];
    /// Answers the server's keep-alive ping (empty where servers do not ping).
    const PONG: &'static [u8];

    /// The first item of `buf` and its length; `None` while it is incomplete.
    fn parse(buf: &[u8]) -> Result<Option<(Incoming<'_>, usize)>, String>;

    /// Appends a publication of `body` on `topic` to `out`.
    fn publish(out: &mut Vec<u8>, topic: &str, body: &[u8]);
}

/// A connected client of protocol `W`.
pub struct StreamClient<W> {
    stream: ByteStream,
    topic: String,
    /// The body being written, reused.
    body: Vec<u8>,
    wire: PhantomData<W>,
}

impl<W: Wire> StreamClient<W> {
    /// A client on `stream` (connected, nothing sent yet) that publishes to `topic`.
    pub fn new(stream: ByteStream, topic: &str) -> StreamClient<W> {
        StreamClient {
            stream,
            topic: topic.to_owned(),
            body: Vec::new(),
            wire: PhantomData,
        }
    }

    /// Where to gather what the client sends.
    pub fn output(&mut self) -> &mut Vec<u8> {
        self.stream.output()
    }

    /// Writes what is gathered and waits for the server's reply, answering its pings and
    /// counting anything else as `ignored`; at most [`REPLY_TIMEOUT`].
    pub async fn request(&mut self, what: &str) -> Result<(), String> {
        let deadline = Instant::now() + REPLY_TIMEOUT;
        self.stream.flush().await?;
        loop {
            while let Some((item, len)) = W::parse(self.stream.buffered())? {
                let reply = match item {
                    Incoming::Reply => Some(Ok(())),
                    Incoming::Refused(why) => {
                        Some(Err(format!("{} refused {what}: {why}", W::NAME)))
                    }
                    Incoming::Ping => {
                        self.stream.output().extend_from_slice(W::PONG);
                        None
                    }
                    Incoming::Message(_) | Incoming::Other => None,
                };
                self.stream.consume(len);
                if let Some(reply) = reply {
                    return reply;
                }
            }
            self.stream.flush().await?;
            let left = deadline.saturating_duration_since(Instant::now());
            match rt::timeout(left, self.stream.fill()).await {
                Ok(Ok(Filled::More)) => {}
                Ok(Ok(_)) => {
                    return Err(format!("{} closed the connection during {what}", W::NAME));
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => {
                    return Err(format!(
                        "{} did not answer {what} within {REPLY_TIMEOUT:?}",
                        W::NAME
                    ));
                }
            }
        }
    }

    /// Gathers one publication stamped `stamp_ns`, writing when enough is gathered.
    pub async fn queue(&mut self, payload: &Payload, stamp_ns: u64) -> Result<(), String> {
        payload.write_body(stamp_ns, &mut self.body);
        W::publish(self.stream.output(), &self.topic, &self.body);
        self.stream.write_if_full().await
    }

    /// Writes everything gathered.
    pub async fn flush(&mut self) -> Result<(), String> {
        self.stream.flush().await
    }

    /// Publishes `publisher`'s end marker after `sent` publications and waits until the server
    /// has handled it (and so everything before it).
    pub async fn finish(&mut self, publisher: usize, sent: u64) -> Result<(), String> {
        Payload::write_end_body(publisher, sent, &mut self.body);
        W::publish(self.stream.output(), &self.topic, &self.body);
        self.stream.output().extend_from_slice(W::PING);
        self.request("the end marker's ping").await
    }

    /// Receives until the tally has every end marker, the connection ends, or `stop` is closed.
    pub async fn receive(
        mut self,
        mut tally: Tally,
        stop: async_channel::Receiver<()>,
    ) -> SubscriberStats {
        if let Err(e) = self.count_until_done(&mut tally, &stop).await {
            tracing::warn!("{} subscriber: {e}", W::NAME);
        }
        self.stream.close(CLOSE_TIMEOUT).await;
        tally.finish()
    }

    /// Closes the connection (best effort).
    pub async fn close(self) {
        self.stream.close(CLOSE_TIMEOUT).await;
    }

    /// The receiving loop: every complete item buffered, then more bytes.
    async fn count_until_done(
        &mut self,
        tally: &mut Tally,
        stop: &async_channel::Receiver<()>,
    ) -> Result<(), String> {
        loop {
            let mut pinged = false;
            while let Some((item, len)) = W::parse(self.stream.buffered())? {
                match item {
                    Incoming::Message(body) => {
                        tally.delivery(body_may_be_marker(body), || Received::from_body(body));
                    }
                    Incoming::Ping => pinged = true,
                    Incoming::Refused(why) => return Err(format!("closed by the server: {why}")),
                    Incoming::Reply | Incoming::Other => tally.foreign(),
                }
                self.stream.consume(len);
                if tally.done() {
                    return Ok(());
                }
            }
            if pinged {
                self.stream.output().extend_from_slice(W::PONG);
                self.stream.flush().await?;
            }
            match self.stream.fill_unless(stop).await? {
                Filled::More => {}
                Filled::Closed => return Err("the server closed the connection".to_owned()),
                Filled::Stopped => return Ok(()),
            }
        }
    }
}

impl<W: Wire> std::fmt::Debug for StreamClient<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamClient")
            .field("protocol", &W::NAME)
            .field("topic", &self.topic)
            .field("stream", &self.stream)
            .finish()
    }
}
