//! A scripted router for the client's tests: one accepted connection whose messages the test
//! reads and writes by hand, a WebSocket router running such a script, and a bounded wait.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use crossway_protocol::{Codec, Dict, Message, SessionId};
use crossway_transport::rt::{self, JoinHandle};
use crossway_transport::{
    Connection, ListenAddr, Listener, Serializer, WsServerConfig, accept_websocket,
};

/// How long any one step of a test may take.
pub const STEP: Duration = Duration::from_secs(5);

/// Awaits `f`, failing the test after [`STEP`].
pub async fn within<F: Future>(f: F) -> F::Output {
    rt::timeout(STEP, f).await.expect("test step timed out")
}

/// One scripted router connection.
pub struct Peer {
    /// The accepted connection.
    pub conn: Connection,
    /// Its serializer.
    pub codec: Codec,
}

impl Peer {
    pub async fn recv(&mut self) -> Message {
        let frame = within(self.conn.reader.recv())
            .await
            .unwrap()
            .expect("a message");
        self.codec.decode(&frame).unwrap()
    }

    pub async fn send(&mut self, msgs: &[Message]) {
        for m in msgs {
            let frame = Bytes::from(self.codec.encode(m).unwrap());
            self.conn.writer.feed(frame).await.unwrap();
        }
        self.conn.writer.flush().await.unwrap();
    }

    /// Reads HELLO and answers WELCOME with session 42.
    pub async fn welcome(&mut self) -> Dict {
        let Message::Hello { realm, details } = self.recv().await else {
            panic!("expected HELLO")
        };
        assert_eq!(realm.as_str(), "realm1");
        let mut wd = Dict::new();
        wd.insert("authrole".into(), "anonymous".into());
        self.send(&[Message::Welcome {
            session: SessionId(42),
            details: wd,
        }])
        .await;
        details
    }
}

/// Starts a fake WebSocket router on 127.0.0.1 that accepts one connection and runs `script`
/// on it; gives its `ws://` URL.
pub async fn fake_router<F, Fut>(script: F) -> (String, JoinHandle<()>)
where
    F: FnOnce(Peer) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = Listener::bind(&"127.0.0.1:0".parse::<ListenAddr>().unwrap())
        .await
        .unwrap();
    let url = format!("ws://{}/ws", listener.local_addr().unwrap());
    let task = rt::spawn(async move {
        let (io, _) = listener.accept().await;
        let cfg = WsServerConfig {
            path: "/ws".into(),
            serializers: Serializer::ALL.to_vec(),
            max_message_size: 1 << 20,
        };
        let conn = accept_websocket(io, &cfg).await.unwrap();
        let codec = Codec::from_name(conn.serializer.name()).unwrap();
        script(Peer { conn, codec }).await;
    });
    (url, task)
}
