//! A lean WAMP publisher: a bare session that queues PUBLISH frames and writes them in
//! batches (unpaced), or one at a time from the pacing thread itself (paced, so that a
//! publication goes from the schedule to the socket with no hand-over to another thread: a full
//! client queues it for its writer task, whose wake-up would count as router latency).

use bytes::Bytes;
use crossway_client::ConnectOptions;
use crossway_protocol::{Codec, Dict, List, Message, Payload, RequestId, Uri, Value};
use crossway_transport::{Connection, Serializer};

use crate::bare;

/// A bare session that publishes to one topic.
pub struct BarePublisher {
    conn: Connection,
    codec: Codec,
    topic: Uri,
    next_request: u64,
}

impl BarePublisher {
    /// Connects to `url` and joins `realm` (`tls` for `wss://` and `rss://`), to publish to
    /// `topic`.
    pub async fn connect(
        url: &str,
        realm: &str,
        serializer: Serializer,
        connect: &ConnectOptions,
        topic: &str,
    ) -> Result<BarePublisher, String> {
        let (conn, codec) = bare::join(url, realm, serializer, connect).await?;
        Ok(BarePublisher {
            conn,
            codec,
            topic: Uri::new(topic),
            next_request: 1,
        })
    }

    /// Queues one PUBLISH (not acknowledged); the transport writes when enough is queued.
    pub async fn queue(&mut self, args: List) -> Result<(), String> {
        let msg = self.message(args, Dict::new());
        let frame = self.codec.encode(&msg).map_err(|e| e.to_string())?;
        self.conn
            .writer
            .feed(Bytes::from(frame))
            .await
            .map_err(|e| e.to_string())
    }

    /// Writes everything queued.
    pub async fn flush(&mut self) -> Result<(), String> {
        self.conn.writer.flush().await.map_err(|e| e.to_string())
    }

    /// Sends an acknowledged PUBLISH and waits for its PUBLISHED: the router has then handled
    /// every earlier publication of this session.
    pub async fn publish_acknowledged(&mut self, args: List) -> Result<(), String> {
        let mut options = Dict::new();
        options.insert("acknowledge".to_owned(), Value::Bool(true));
        let msg = self.message(args, options);
        let Message::Publish { request, .. } = msg else {
            return Err("not a PUBLISH".to_owned());
        };
        bare::send(&mut self.conn, self.codec, &msg).await?;
        loop {
            match bare::recv(&mut self.conn, self.codec).await? {
                Message::Published { request: r, .. } if r == request => return Ok(()),
                Message::Error {
                    request: r, error, ..
                } if r == request => {
                    return Err(format!("the router refused the publication: {error}"));
                }
                Message::Goodbye { reason, .. } | Message::Abort { reason, .. } => {
                    return Err(format!("the router closed the session: {reason}"));
                }
                _ => {}
            }
        }
    }

    /// Closes the connection (best effort).
    pub async fn close(mut self) {
        let _ = self.conn.writer.close().await;
    }

    /// The next PUBLISH.
    fn message(&mut self, args: List, options: Dict) -> Message {
        let request = RequestId(self.next_request);
        self.next_request += 1;
        Message::Publish {
            request,
            options,
            topic: self.topic.clone(),
            payload: Payload::new(Some(args), None),
        }
    }
}

impl std::fmt::Debug for BarePublisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BarePublisher")
            .field("codec", &self.codec)
            .field("topic", &self.topic)
            .finish()
    }
}
