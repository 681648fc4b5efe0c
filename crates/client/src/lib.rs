//! An async WAMP client for tests, examples and benchmarks.
//!
//! ```no_run
//! # async fn demo() -> Result<(), crossway_client::ClientError> {
//! use crossway_client::Client;
//! use crossway_transport::Serializer;
//!
//! let client = Client::connect("ws://127.0.0.1:8080/ws", "realm1", Serializer::Json).await?;
//! let mut sub = client.subscribe("com.example.topic").await?;
//! client.publish("com.example.topic", Some(vec!["hello".into()]), None).await?;
//! let event = sub.next().await;
//! client.leave().await?;
//! # let _ = event;
//! # Ok(())
//! # }
//! ```
//!
//! - [`client`]: [`Client`], one session: publish (values, or payloads already encoded), subscribe,
//!   leave.
//! - [`rpc`]: calls ([`Client::call`], [`Call`]: progressive results, cancel, time limits) and
//!   registrations ([`Client::register`], [`Registration`], [`Invocation`]: results, progressive
//!   results, errors, interrupts).
//! - [`subscription`]: [`Subscription`] and [`Event`] (its payload as values, and as the bytes the
//!   router sent).
//! - [`options`]: [`ConnectOptions`], TLS settings for `wss://` and authentication.
//! - [`rawsocket`]: [`RsUrl`], the `rs://`, `rss://` and `unix:` URLs of RawSocket routers.
//! - [`url`]: [`WsUrl`], the `ws://` and `wss://` URLs the client understands.
//! - [`error`]: [`ClientError`], what can go wrong.
//! - [`auth`]: [`Auth`], [`Credential`], [`CryptosignKey`]: authentication by ticket, WAMP-CRA,
//!   cryptosign or TLS client certificate.
//! - [`connect`](mod@connect): the one connect path (URL, TCP or Unix socket, TLS, the framing's handshake);
//!   [`join`] and [`Joined`]: that, then HELLO, authentication and WELCOME. Both public for tools
//!   that read and write frames themselves (the load generator's bare sessions).
//! - `state`, `driver`, `hello`, `link` (private): the state shared with the background task,
//!   the task's reader and writer loops, the HELLO/WELCOME exchange (behind [`join`]), and the
//!   way handles send on their own.
//!
//! Authenticating: name the methods to offer in [`ConnectOptions`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use crossway_client::{Client, ConnectOptions, CryptosignKey};
//! use crossway_transport::Serializer;
//!
//! let key = CryptosignKey::from_file("client.key")?;
//! let opts = ConnectOptions::default()
//!     .with_cryptosign(key)
//!     .with_wampcra("alice", "shared secret");
//! let client = Client::connect_with("ws://127.0.0.1:8080/ws", "realm1", Serializer::Json, opts)
//!     .await?;
//! println!("joined as {:?} ({:?})", client.authid(), client.authrole());
//! # Ok(())
//! # }
//! ```

pub mod auth;
pub mod client;
pub mod connect;
mod driver;
pub mod error;
mod hello;
mod link;
pub mod options;
pub mod rawsocket;
pub mod rpc;
mod state;
pub mod subscription;
mod tcp;
pub mod url;
mod websocket;

pub use auth::{Auth, Credential, CryptosignKey, KeyError};
pub use client::Client;
pub use connect::connect;
pub use error::ClientError;
pub use hello::{Joined, join};
pub use options::{ConnectOptions, MAX_MESSAGE_SIZE};
pub use rawsocket::RsUrl;
pub use rpc::{
    CALL_QUEUE, Call, CallOptions, CallResult, CancelMode, DEFAULT_CALL_TIMEOUT, INVOCATION_QUEUE,
    Interrupt, Invocation, Registration, TIMEOUT_GRACE,
};
pub use state::{CloseInfo, MAX_PENDING};
pub use subscription::{EVENT_QUEUE, Event, Subscription};
pub use url::WsUrl;
