//! The client: one WAMP session over one connection. Publish and subscribe here; calls and
//! registrations in [`rpc`](crate::rpc).

use std::sync::Arc;
use std::time::Duration;

use async_channel::{Receiver, Sender};
use bytes::Bytes;
use crossway_protocol::{
    Codec, Dict, List, Message, Payload, PublicationId, SessionId, Uri, Value, errors,
};
use crossway_transport::{Serializer, rt};

use crate::driver::{self, Outgoing};
use crate::error::ClientError;
use crate::hello;
use crate::link::Link;
use crate::options::ConnectOptions;
use crate::state::{CloseInfo, OnSuccess, Shared};
use crate::subscription::{EVENT_QUEUE, Subscription};

/// How many encoded messages may wait for the writer.
const OUTBOX: usize = 4096;
/// How long [`Client::leave`] waits for the router's GOODBYE and the end of the connection.
const LEAVE_TIMEOUT: Duration = Duration::from_secs(5);

/// A WAMP session: publish, subscribe, call, register, leave.
///
/// Methods take `&self`, so one client can be shared (in an `Arc`) by several tasks. A background
/// task reads from the router and writes what the methods queue, batching writes. Dropping the
/// client closes the connection without a GOODBYE (even while its subscriptions, registrations,
/// invocations or calls are held); [`Client::leave`] says goodbye first.
#[derive(Debug)]
pub struct Client {
    session: SessionId,
    welcome: Dict,
    serializer: Serializer,
    codec: Codec,
    outbox: Sender<Outgoing>,
    shared: Arc<Shared>,
    done: Receiver<()>,
}

impl Client {
    /// Connects to `url`, speaking `serializer`, and joins `realm` as a publisher, subscriber,
    /// caller and callee. The URL's scheme chooses the transport: `ws://127.0.0.1:8080/ws` (WebSocket),
    /// `rs://127.0.0.1:8080` (RawSocket over TCP) or `unix:/run/crossway.sock` (RawSocket over a
    /// Unix socket). An ABORT gives [`ClientError::Aborted`]. Gives up after 10 seconds. For
    /// `wss://` and `rss://` (over TLS), use [`Client::connect_with`].
    pub async fn connect(
        url: &str,
        realm: &str,
        serializer: Serializer,
    ) -> Result<Client, ClientError> {
        Client::connect_with(url, realm, serializer, ConnectOptions::default()).await
    }

    /// [`Client::connect`] with options: TLS settings for `wss://` and `rss://` URLs
    /// (`wss://localhost:8443/ws`, `rss://localhost:8443`; the certificate must be for the URL's
    /// host). A `wss://` or `rss://` URL
    /// without TLS settings, or settings whose files cannot be used, give
    /// [`ClientError::TlsSettings`]; a failed TLS handshake gives [`ClientError::Handshake`].
    /// Under TLS 1.3 a router refusing the client's certificate is seen at the WebSocket
    /// upgrade, right after the TLS handshake.
    ///
    /// The options also say how to authenticate ([`ConnectOptions::with_ticket`], ...): the
    /// client answers the router's CHALLENGE for any method it offered. A router refusing the
    /// credentials gives [`ClientError::Aborted`] (`wamp.error.authentication_failed`, ...); a
    /// CHALLENGE the client cannot answer gives [`ClientError::Protocol`] and an ABORT
    /// `wamp.error.cannot_authenticate` to the router; `tls` authentication without a client
    /// certificate gives [`ClientError::TlsSettings`].
    pub async fn connect_with(
        url: &str,
        realm: &str,
        serializer: Serializer,
        opts: ConnectOptions,
    ) -> Result<Client, ClientError> {
        // Boxed: the handshake's future is large, and callers nest this one in theirs.
        let joined = Box::pin(hello::join(url, realm, serializer, &opts)).await?;
        let shared = Arc::new(Shared::default());
        let (outbox, outbox_rx) = async_channel::bounded(OUTBOX);
        let (done_tx, done) = async_channel::bounded(1);
        let serializer = joined.conn.serializer;
        let link = Link {
            shared: Arc::clone(&shared),
            outbox: outbox.downgrade(),
            codec: joined.codec,
        };
        driver::spawn(joined.conn, link, outbox_rx, done_tx);
        Ok(Client {
            session: joined.session,
            welcome: joined.details,
            serializer,
            codec: joined.codec,
            outbox,
            shared,
            done,
        })
    }

    /// The session id the router gave in WELCOME.
    pub fn session_id(&self) -> SessionId {
        self.session
    }

    /// The details of the router's WELCOME (roles, authid, authrole, ...).
    pub fn welcome_details(&self) -> &Dict {
        &self.welcome
    }

    /// The `authid` the router gave in WELCOME: who the session is.
    pub fn authid(&self) -> Option<&str> {
        self.welcome_str("authid")
    }

    /// The `authrole` the router gave in WELCOME: what the session may do.
    pub fn authrole(&self) -> Option<&str> {
        self.welcome_str("authrole")
    }

    /// The `authmethod` the router gave in WELCOME: how the session authenticated
    /// (`anonymous`, `ticket`, `wampcra`, `cryptosign`, `tls`, ...).
    pub fn authmethod(&self) -> Option<&str> {
        self.welcome_str("authmethod")
    }

    /// The `authprovider` the router gave in WELCOME: who vouched for the identity.
    pub fn authprovider(&self) -> Option<&str> {
        self.welcome_str("authprovider")
    }

    /// A string of the WELCOME details.
    fn welcome_str(&self, key: &str) -> Option<&str> {
        self.welcome.get(key).and_then(Value::as_str)
    }

    /// The serializer of the connection.
    pub fn serializer(&self) -> Serializer {
        self.serializer
    }

    /// Subscribes to `topic` (exact match).
    pub async fn subscribe(&self, topic: &str) -> Result<Subscription, ClientError> {
        self.subscribe_with(topic, Dict::new()).await
    }

    /// Subscribes with SUBSCRIBE `options` (`{"match": "prefix"}`, ...).
    pub async fn subscribe_with(
        &self,
        topic: &str,
        options: Dict,
    ) -> Result<Subscription, ClientError> {
        let (events_tx, events) = async_channel::bounded(EVENT_QUEUE);
        let (request, reply, _guard) = self.shared.register(OnSuccess::Subscribe(events_tx))?;
        self.send(&Message::Subscribe {
            request,
            options,
            topic: Uri::new(topic),
        })
        .await?;
        match self.answer(&reply).await? {
            Message::Subscribed { subscription, .. } => Ok(Subscription::new(subscription, events)),
            other => Err(unexpected("SUBSCRIBED", other)),
        }
    }

    /// Unsubscribes; the subscription's [`Subscription::next`] then gives `None`.
    pub async fn unsubscribe(&self, sub: Subscription) -> Result<(), ClientError> {
        let (request, reply, _guard) = self.shared.register(OnSuccess::Unsubscribe(sub.id))?;
        self.send(&Message::Unsubscribe {
            request,
            subscription: sub.id,
        })
        .await?;
        match self.answer(&reply).await? {
            Message::Unsubscribed { .. } => Ok(()),
            other => Err(unexpected("UNSUBSCRIBED", other)),
        }
    }

    /// Publishes without acknowledgement: returns once the message is queued for sending.
    pub async fn publish(
        &self,
        topic: &str,
        args: Option<List>,
        kwargs: Option<Dict>,
    ) -> Result<(), ClientError> {
        self.send(&Message::Publish {
            request: self.shared.next_request_id(),
            options: Dict::new(),
            topic: Uri::new(topic),
            payload: Payload::new(args, kwargs),
        })
        .await
    }

    /// Publishes with `acknowledge: true` and waits for PUBLISHED (or ERROR:
    /// [`ClientError::Wamp`]).
    pub async fn publish_acknowledged(
        &self,
        topic: &str,
        args: Option<List>,
        kwargs: Option<Dict>,
    ) -> Result<PublicationId, ClientError> {
        let mut options = Dict::new();
        options.insert("acknowledge".to_owned(), Value::Bool(true));
        let id = self.publish_with(topic, options, args, kwargs).await?;
        id.ok_or_else(|| ClientError::Protocol("no publication id".to_owned()))
    }

    /// Publishes with PUBLISH `options`; waits for PUBLISHED, and gives the publication id, if
    /// and only if the options ask for `acknowledge: true`.
    pub async fn publish_with(
        &self,
        topic: &str,
        options: Dict,
        args: Option<List>,
        kwargs: Option<Dict>,
    ) -> Result<Option<PublicationId>, ClientError> {
        self.publish_payload(topic, options, Payload::new(args, kwargs))
            .await
    }

    /// [`Client::publish_with`] with a [`Payload`]: values, or elements already encoded
    /// ([`RawPayload`](crossway_protocol::RawPayload)), which are sent as they are when they
    /// are of this client's serializer, and converted to it otherwise.
    pub async fn publish_payload(
        &self,
        topic: &str,
        options: Dict,
        payload: Payload,
    ) -> Result<Option<PublicationId>, ClientError> {
        let acknowledge = options.get("acknowledge").and_then(Value::as_bool) == Some(true);
        let topic = Uri::new(topic);
        if !acknowledge {
            let request = self.shared.next_request_id();
            let msg = Message::Publish {
                request,
                options,
                topic,
                payload,
            };
            return self.send(&msg).await.map(|()| None);
        }
        let (request, reply, _guard) = self.shared.register(OnSuccess::Nothing)?;
        self.send(&Message::Publish {
            request,
            options,
            topic,
            payload,
        })
        .await?;
        match self.answer(&reply).await? {
            Message::Published { publication, .. } => Ok(Some(publication)),
            other => Err(unexpected("PUBLISHED", other)),
        }
    }

    /// Leaves the realm: sends GOODBYE `wamp.close.normal`, waits for the router's GOODBYE and
    /// the end of the connection (5 seconds at most). [`ClientError::Closed`] if the connection
    /// ended without the router's GOODBYE.
    pub async fn leave(self) -> Result<(), ClientError> {
        if self.shared.is_ended() {
            return Err(ClientError::Closed);
        }
        self.shared.set_leaving();
        self.send(&Message::goodbye(errors::CLOSE_NORMAL)).await?;
        let ended = rt::timeout(LEAVE_TIMEOUT, self.done.recv()).await;
        match (ended, self.shared.close_info()) {
            (Ok(_), Some(info)) if !info.aborted => Ok(()),
            (Ok(_), _) => Err(ClientError::Closed),
            (Err(_), _) => Err(ClientError::Timeout(LEAVE_TIMEOUT)),
        }
    }

    /// Waits until the session has ended; gives the router's GOODBYE or ABORT if it sent one
    /// (`None` if the connection just ended).
    pub async fn closed(&self) -> Option<CloseInfo> {
        // The background task holds the only sender and sends nothing: this returns when it ends.
        let _ = self.done.recv().await;
        self.shared.close_info()
    }

    /// Whether the session has ended.
    pub fn is_closed(&self) -> bool {
        self.shared.is_ended()
    }

    /// The state shared with the background task.
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// A link for handles that send on their own (registrations, invocations, calls).
    pub(crate) fn link(&self) -> Link {
        Link {
            shared: Arc::clone(&self.shared),
            outbox: self.outbox.downgrade(),
            codec: self.codec,
        }
    }

    /// Encodes `msg` and queues it for the writer, waiting while the queue is full.
    pub(crate) async fn send(&self, msg: &Message) -> Result<(), ClientError> {
        let frame = Bytes::from(self.codec.encode(msg)?);
        self.outbox
            .send(Outgoing::Frame(frame))
            .await
            .map_err(|_| ClientError::Closed)
    }

    /// Waits for a request's answer; an ERROR becomes [`ClientError::Wamp`].
    pub(crate) async fn answer(&self, reply: &Receiver<Message>) -> Result<Message, ClientError> {
        match reply.recv().await {
            Ok(Message::Error {
                details,
                error,
                payload,
                ..
            }) => Err(ClientError::wamp(&error, details, payload)),
            Ok(msg) => Ok(msg),
            Err(_) => Err(ClientError::Closed),
        }
    }
}

/// An answer of the wrong kind.
pub(crate) fn unexpected(expected: &str, got: Message) -> ClientError {
    ClientError::Protocol(format!("expected {expected}, got {}", got.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send_and_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: &T) {}

    /// Benchmarks share a client between tasks and spawn its futures.
    #[test]
    fn the_client_and_its_futures_can_move_between_threads() {
        let connect = Client::connect("ws://127.0.0.1:1/ws", "realm1", Serializer::Json);
        send(&connect);
        drop(connect);
        let opts = ConnectOptions::default();
        let connect =
            Client::connect_with("wss://127.0.0.1:1/ws", "realm1", Serializer::Json, opts);
        send(&connect);
        drop(connect);
        let check = |c: &Client| {
            send_and_sync(c);
            send(&c.subscribe("a"));
            send(&c.publish("a", None, None));
            send(&c.publish_acknowledged("a", None, None));
            send(&c.publish_payload("a", Dict::new(), Payload::EMPTY));
            send(&c.closed());
            send(&c.register("a"));
            send(&c.call("a", None, None));
            send(&c.call_payload("a", Payload::EMPTY, crate::CallOptions::default()));
        };
        let _ = check;
    }
}
