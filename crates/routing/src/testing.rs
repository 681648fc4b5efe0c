//! Helpers for the crate's tests: a router, clients driving sessions, and a tiny executor.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use bytes::Bytes;
use crossway_protocol::{
    Codec, Dict, Message, Payload, RequestId, SessionId, SubscriptionId, Uri, UriRules, Value,
};

use crate::auth::{AuthPolicy, Authenticator};
use crate::certificate::ClientCertificate;
use crate::outbox::{OutboxReceiver, outbox};
use crate::peer::PeerAddress;
use crate::router::{RealmConfig, Router};
use crate::session::{Outcome, Session, TransportInfo};

/// Runs a future to completion on this thread (tests only need it for `Outbox::send`/`recv`).
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        thread::park();
    }
}

/// A router with `realm1` (loose URI rules) and `strict1` (strict rules).
pub(crate) fn router() -> Arc<Router> {
    Router::new(vec![
        RealmConfig::new("realm1"),
        RealmConfig {
            name: "strict1".to_owned(),
            uri_rules: UriRules::Strict,
            ..RealmConfig::new("strict1")
        },
    ])
}

/// A dictionary from pairs.
pub(crate) fn dict(pairs: &[(&str, Value)]) -> Dict {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// HELLO to `realm` announcing the publisher and subscriber roles.
pub(crate) fn hello(realm: &str) -> Message {
    let roles = dict(&[
        ("publisher", Value::Map(Dict::new())),
        ("subscriber", Value::Map(Dict::new())),
    ]);
    Message::Hello {
        realm: Uri::new(realm),
        details: dict(&[("roles", Value::Map(roles))]),
    }
}

/// HELLO to `realm` announcing every client role, with `features` for the caller and callee
/// roles (`call_canceling`, `progressive_call_results`, ...).
pub(crate) fn hello_with_features(realm: &str, features: &[&str]) -> Message {
    let role = || {
        let f: Dict = features
            .iter()
            .map(|n| ((*n).to_owned(), Value::Bool(true)))
            .collect();
        Value::Map(dict(&[("features", Value::Map(f))]))
    };
    let roles = dict(&[
        ("publisher", role()),
        ("subscriber", role()),
        ("caller", role()),
        ("callee", role()),
    ]);
    Message::Hello {
        realm: Uri::new(realm),
        details: dict(&[("roles", Value::Map(roles))]),
    }
}

/// A session and the receiving end of its outbox.
pub(crate) struct Client {
    pub(crate) session: Session,
    pub(crate) rx: OutboxReceiver,
    /// The session's outbox, to queue replies as the node does.
    pub(crate) tx: crate::outbox::Outbox,
}

impl Client {
    /// A connected client that has not said HELLO, on an endpoint without authentication.
    pub(crate) fn connect(router: &Arc<Router>, codec: Codec, capacity: usize) -> Client {
        Client::connect_to(router, codec, capacity, AuthPolicy::open(), None)
    }

    /// A connected client that has not said HELLO, on an endpoint with `policy`, whose connection
    /// has the client certificate `cert`.
    pub(crate) fn connect_to(
        router: &Arc<Router>,
        codec: Codec,
        capacity: usize,
        policy: AuthPolicy,
        cert: Option<ClientCertificate>,
    ) -> Client {
        let (tx, rx) = outbox(codec, capacity);
        let info = TransportInfo {
            peer: PeerAddress::Tcp(SocketAddr::from(([127, 0, 0, 1], 5555))),
            endpoint: "test".to_owned(),
            transport: "websocket".to_owned(),
            client_certificate: cert,
            peer_limit: None,
            ..TransportInfo::default()
        };
        let auth = Arc::new(Authenticator::new(policy).unwrap());
        Client {
            session: Session::new(Arc::clone(router), tx.clone(), info, auth),
            rx,
            tx,
        }
    }

    /// A client joined to `realm1` with JSON.
    pub(crate) fn join(router: &Arc<Router>) -> Client {
        Client::join_with(router, "realm1", Codec::Json, 64)
    }

    /// A client joined to `realm` with `codec` and an outbox of `capacity`.
    pub(crate) fn join_with(
        router: &Arc<Router>,
        realm: &str,
        codec: Codec,
        capacity: usize,
    ) -> Client {
        let mut client = Client::connect(router, codec, capacity);
        let outcome = client.session.handle(hello(realm));
        assert!(
            matches!(outcome.reply, Some(Message::Welcome { .. })),
            "{outcome:?}"
        );
        assert!(!outcome.close);
        client
    }

    /// A client joined to `realm1` with JSON, announcing `features` for caller and callee.
    pub(crate) fn join_announcing(router: &Arc<Router>, features: &[&str]) -> Client {
        let mut client = Client::connect(router, Codec::Json, 64);
        let outcome = client
            .session
            .handle(hello_with_features("realm1", features));
        assert!(
            matches!(outcome.reply, Some(Message::Welcome { .. })),
            "{outcome:?}"
        );
        client
    }

    /// The session id.
    pub(crate) fn id(&self) -> SessionId {
        self.session.id().unwrap()
    }

    /// Hands one message to the session.
    pub(crate) fn send(&mut self, msg: Message) -> Outcome {
        self.session.handle(msg)
    }

    /// Hands one request to the session and returns its reply, asserting the session stays open.
    pub(crate) fn request(&mut self, msg: Message) -> Message {
        let outcome = self.session.handle(msg);
        assert!(!outcome.close, "{outcome:?}");
        outcome.reply.expect("a reply")
    }

    /// Subscribes to `topic` with `options`; returns the subscription id.
    pub(crate) fn subscribe_with(&mut self, topic: &str, options: Dict) -> SubscriptionId {
        let reply = self.request(Message::Subscribe {
            request: RequestId(1),
            options,
            topic: Uri::new(topic),
        });
        match reply {
            Message::Subscribed { subscription, .. } => subscription,
            other => panic!("not SUBSCRIBED: {other:?}"),
        }
    }

    /// Subscribes to `topic` (exact match).
    pub(crate) fn subscribe(&mut self, topic: &str) -> SubscriptionId {
        self.subscribe_with(topic, Dict::new())
    }

    /// Publishes `args` to `topic` with `options`; returns the outcome.
    pub(crate) fn publish(&mut self, topic: &str, options: Dict, args: Vec<Value>) -> Outcome {
        self.send_encoded(Message::Publish {
            request: RequestId(2),
            options,
            topic: Uri::new(topic),
            payload: Payload::new(Some(args), None),
        })
    }

    /// Hands one message to the session as the node does: encoded with the client's codec and
    /// decoded from the frame, so that its payload is the frame's bytes.
    pub(crate) fn send_encoded(&mut self, msg: Message) -> Outcome {
        let codec = self.rx.codec();
        let frame = Bytes::from(codec.encode(&msg).expect("a message that encodes"));
        self.send(codec.decode_bytes(frame).expect("a frame that decodes"))
    }

    /// Hands one request to the session and queues its reply in the outbox, as the node does
    /// (frames held for the reply follow it); returns the reply.
    pub(crate) fn request_queued(&mut self, msg: Message) -> Message {
        let reply = self.request(msg);
        let frame = self
            .rx
            .codec()
            .encode(&reply)
            .expect("a reply that encodes");
        block_on(self.tx.send(Bytes::from(frame))).expect("an open outbox");
        reply
    }

    /// Calls `procedure` with `args` and `kwargs` (through the codec, as the node does); returns
    /// the reply (RESULT or ERROR).
    pub(crate) fn call(&mut self, procedure: &str, args: Vec<Value>, kwargs: Dict) -> Message {
        let outcome = self.send_encoded(Message::Call {
            request: RequestId(7),
            options: Dict::new(),
            procedure: Uri::new(procedure),
            payload: Payload::new(Some(args), Some(kwargs)),
        });
        assert!(!outcome.close, "{outcome:?}");
        outcome.reply.expect("a reply")
    }

    /// The first positional value of a RESULT; panics on anything else.
    pub(crate) fn result(reply: &Message) -> Value {
        match reply {
            Message::Result { payload, .. } => payload
                .args()
                .unwrap()
                .and_then(|a| a.into_iter().next())
                .unwrap_or(Value::Null),
            other => panic!("not a RESULT: {other:?}"),
        }
    }

    /// The error URI of an ERROR; panics on anything else.
    pub(crate) fn error(reply: &Message) -> String {
        match reply {
            Message::Error { error, .. } => error.to_string(),
            other => panic!("not an ERROR: {other:?}"),
        }
    }

    /// Every frame queued for this client.
    pub(crate) fn frames(&self) -> Vec<Bytes> {
        std::iter::from_fn(|| self.rx.try_recv()).collect()
    }

    /// Every message queued for this client, decoded.
    pub(crate) fn received(&self) -> Vec<Message> {
        let codec = self.rx.codec();
        self.frames()
            .iter()
            .map(|f| codec.decode(f).expect("a frame that decodes"))
            .collect()
    }
}
