//! Opening a session: TCP (or a Unix socket), TLS for `wss://` and `rss://`, WebSocket upgrade
//! or RawSocket handshake, HELLO, CHALLENGE and AUTHENTICATE if the router asks, WELCOME.

use std::time::Duration;

use bytes::Bytes;
use crossway_protocol::{Codec, Dict, Message, SessionId, Uri, Value};
use crossway_transport::{Connection, Serializer, rt};

use crate::auth;
use crate::connect::connect;
use crate::error::ClientError;
use crate::options::ConnectOptions;

/// How long opening a session may take, from TCP connect to WELCOME.
const JOIN_TIMEOUT: Duration = Duration::from_secs(10);

/// A session the router has welcomed: the connection, with nothing of [`Client`](crate::Client)
/// on top.
#[derive(Debug)]
pub struct Joined {
    /// The transport connection, its handshake done.
    pub conn: Connection,
    /// The codec of the connection's serializer.
    pub codec: Codec,
    /// The session id the router gave in WELCOME.
    pub session: SessionId,
    /// WELCOME's details.
    pub details: Dict,
}

/// Connects to `url` (`ws://`, `wss://`, `rs://`, `rss://` or `unix:`), does the transport's
/// handshake (and TLS with `opts.tls`), and joins `realm`, answering CHALLENGEs with `opts`'
/// credentials, within 10 seconds. [`Client::connect_with`](crate::Client::connect_with) starts
/// from here; a tool that reads and writes frames itself (a load generator) takes the
/// [`Joined`] session as it is.
pub async fn join(
    url: &str,
    realm: &str,
    serializer: Serializer,
    opts: &ConnectOptions,
) -> Result<Joined, ClientError> {
    rt::timeout(JOIN_TIMEOUT, join_now(url, realm, serializer, opts))
        .await
        .map_err(|_| ClientError::Timeout(JOIN_TIMEOUT))?
}

/// [`join`] without its time limit.
async fn join_now(
    url: &str,
    realm: &str,
    serializer: Serializer,
    opts: &ConnectOptions,
) -> Result<Joined, ClientError> {
    let mut conn = connect(url, serializer, opts).await?;
    let codec = Codec::from_name(conn.serializer.name())
        .ok_or_else(|| ClientError::Protocol(format!("no codec for {}", conn.serializer)))?;
    let mut details = hello_details();
    auth::add_to_hello(&opts.auth, &mut details);
    let hello = Message::Hello {
        realm: Uri::new(realm),
        details,
    };
    send(&mut conn, codec, &hello).await?;
    // CHALLENGE and AUTHENTICATE until WELCOME or ABORT (a router may challenge more than once).
    loop {
        let Some(frame) = conn.reader.recv().await? else {
            return Err(ClientError::Closed);
        };
        match codec.decode(&frame)? {
            Message::Welcome { session, details } => {
                return Ok(Joined {
                    conn,
                    codec,
                    session,
                    details,
                });
            }
            Message::Abort {
                details, reason, ..
            } => {
                close(&mut conn).await;
                return Err(ClientError::Aborted {
                    reason: reason.to_string(),
                    message: details
                        .get("message")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                });
            }
            Message::Challenge { auth_method, extra } => {
                match auth::answer(&opts.auth, &auth_method, &extra) {
                    Ok(reply) => send(&mut conn, codec, &reply).await?,
                    Err(e) => {
                        // Tell the router why, as far as the connection allows.
                        let abort = Message::abort(auth::CANNOT_AUTHENTICATE, &e.to_string());
                        if let Err(e) = send(&mut conn, codec, &abort).await {
                            tracing::debug!(error = %e, "ABORT after a CHALLENGE failed");
                        }
                        close(&mut conn).await;
                        return Err(e);
                    }
                }
            }
            other => {
                return Err(ClientError::Protocol(format!(
                    "expected WELCOME, got {}",
                    other.name()
                )));
            }
        }
    }
}

/// Writes `msg` and flushes.
async fn send(conn: &mut Connection, codec: Codec, msg: &Message) -> Result<(), ClientError> {
    conn.writer.feed(Bytes::from(codec.encode(msg)?)).await?;
    conn.writer.flush().await?;
    Ok(())
}

/// Closes the connection of a session that will not be; a failure is only logged.
async fn close(conn: &mut Connection) {
    if let Err(e) = conn.writer.close().await {
        tracing::debug!(error = %e, "close after ABORT failed");
    }
}

/// HELLO details: the four client roles with the features this client implements. The caller
/// passes `timeout`, `receive_progress` and `disclose_me` on and can CANCEL; the callee sends
/// progressive results, understands INTERRUPT, keeps forwarded timeouts, shows the caller and
/// the URI called, and takes a registration's revocation.
fn hello_details() -> Dict {
    let features = |names: &[&str]| {
        let mut f = Dict::new();
        for name in names {
            f.insert((*name).to_owned(), Value::Bool(true));
        }
        let mut role = Dict::new();
        role.insert("features".to_owned(), Value::Map(f));
        Value::Map(role)
    };
    let mut roles = Dict::new();
    roles.insert(
        "publisher".to_owned(),
        features(&[
            "publisher_exclusion",
            "publisher_identification",
            "subscriber_blackwhite_listing",
        ]),
    );
    roles.insert(
        "subscriber".to_owned(),
        features(&[
            "pattern_based_subscription",
            "publisher_identification",
            "subscription_revocation",
        ]),
    );
    roles.insert(
        "caller".to_owned(),
        features(&[
            "call_canceling",
            "call_timeout",
            "caller_identification",
            "progressive_call_results",
        ]),
    );
    roles.insert(
        "callee".to_owned(),
        features(&[
            "call_canceling",
            "call_timeout",
            "caller_identification",
            "pattern_based_registration",
            "progressive_call_results",
            "registration_revocation",
            "shared_registration",
        ]),
    );
    let mut details = Dict::new();
    details.insert("roles".to_owned(), Value::Map(roles));
    details.insert(
        "agent".to_owned(),
        Value::from(concat!("crossway-client/", env!("CARGO_PKG_VERSION"))),
    );
    details
}
