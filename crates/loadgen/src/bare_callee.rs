//! The lean callee of RPC runs: a bare session that registers one procedure and answers every
//! INVOCATION with a YIELD of the call's own payload, kept as the bytes that came (the codec
//! splices them into the YIELD), answers gathered and written together whenever no more
//! invocations are waiting.

use crossway_client::ConnectOptions;
use std::time::Duration;

use bytes::Bytes;
use crossway_protocol::{Codec, Dict, Message, RequestId, Uri};
use crossway_transport::{Connection, Serializer, rt};

use crate::bare;

/// How long registering may take.
const REGISTER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long closing may take once the run is over.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// A joined session with the procedure registered.
pub struct BareCallee {
    conn: Connection,
    codec: Codec,
}

impl BareCallee {
    /// Connects to `url`, joins `realm` (`tls` for `wss://` and `rss://`) and registers
    /// `procedure`.
    pub async fn register(
        url: &str,
        realm: &str,
        serializer: Serializer,
        connect: &ConnectOptions,
        procedure: &str,
    ) -> Result<BareCallee, String> {
        let registering = async {
            let (mut conn, codec) = bare::join(url, realm, serializer, connect).await?;
            let register = Message::Register {
                request: RequestId(1),
                options: Dict::new(),
                procedure: Uri::new(procedure),
            };
            bare::send(&mut conn, codec, &register).await?;
            match bare::recv(&mut conn, codec).await? {
                Message::Registered { .. } => Ok(BareCallee { conn, codec }),
                Message::Error { error, .. } => Err(format!(
                    "the router refused to register {procedure}: {error}"
                )),
                other => Err(format!("expected REGISTERED, got {}", other.name())),
            }
        };
        rt::timeout(REGISTER_TIMEOUT, registering)
            .await
            .map_err(|_| format!("no REGISTERED within {REGISTER_TIMEOUT:?}"))?
    }

    /// Answers invocations until `stop` is closed or the session ends; gives how many it
    /// answered.
    pub async fn serve(mut self, stop: async_channel::Receiver<()>) -> u64 {
        let mut answered = 0;
        while let Ok(Some(frame)) = bare::recv_flushing(&mut self.conn, &stop).await {
            let answer = match self.codec.decode_bytes(frame) {
                Ok(Message::Invocation {
                    request, payload, ..
                }) => Message::Yield {
                    request,
                    options: Dict::new(),
                    payload,
                },
                Ok(Message::Goodbye { .. } | Message::Abort { .. }) | Err(_) => break,
                Ok(_) => continue,
            };
            let Ok(frame) = self.codec.encode(&answer) else {
                break;
            };
            if self.conn.writer.feed(Bytes::from(frame)).await.is_err() {
                break;
            }
            answered += 1;
        }
        let _ = rt::timeout(CLOSE_TIMEOUT, self.conn.writer.close()).await;
        answered
    }
}

impl std::fmt::Debug for BareCallee {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BareCallee")
            .field("codec", &self.codec)
            .finish()
    }
}
