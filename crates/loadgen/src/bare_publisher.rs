//! A lean publisher: a bare session that the pacing thread writes to itself, so that a paced
//! publication goes from the schedule to the socket with no hand-over to another thread (a full
//! client queues it for its writer task, whose wake-up would count as router latency).

use crossway_protocol::{Codec, Dict, List, Message, Payload, RequestId, Uri, Value};
use crossway_transport::{Connection, Serializer, TlsConnector};

use crate::bare;

/// A bare session that publishes.
pub struct BarePublisher {
    conn: Connection,
    codec: Codec,
    next_request: u64,
}

impl BarePublisher {
    /// Connects to `url` and joins `realm` (`tls` for `wss://` and `rss://`).
    pub async fn connect(
        url: &str,
        realm: &str,
        serializer: Serializer,
        tls: Option<&TlsConnector>,
    ) -> Result<BarePublisher, String> {
        let (conn, codec) = bare::join(url, realm, serializer, tls).await?;
        Ok(BarePublisher {
            conn,
            codec,
            next_request: 1,
        })
    }

    /// Sends one PUBLISH (not acknowledged) and flushes.
    pub async fn publish(&mut self, topic: &Uri, args: List) -> Result<(), String> {
        let msg = self.message(topic, args, Dict::new());
        bare::send(&mut self.conn, self.codec, &msg).await
    }

    /// Sends an acknowledged PUBLISH and waits for its PUBLISHED: the router has then handled
    /// every earlier publication of this session.
    pub async fn publish_acknowledged(&mut self, topic: &Uri, args: List) -> Result<(), String> {
        let mut options = Dict::new();
        options.insert("acknowledge".to_owned(), Value::Bool(true));
        let msg = self.message(topic, args, options);
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
    fn message(&mut self, topic: &Uri, args: List, options: Dict) -> Message {
        let request = RequestId(self.next_request);
        self.next_request += 1;
        Message::Publish {
            request,
            options,
            topic: topic.clone(),
            payload: Payload::new(Some(args), None),
        }
    }
}
