//! Bytes in and out for Crossway: TCP, Unix, TLS, WebSocket and RawSocket framing.
//!
//! The transport knows no WAMP beyond serializer names: it turns a listening address into
//! accepted byte streams, a byte stream into a framed [`Connection`], and gives whole messages
//! as [`bytes::Bytes`].
//!
//! - [`rt`]: the runtime seam (spawn, timeout, sleep, TCP types); the only file naming async-std.
//! - [`io`]: [`Io`] and [`BoxedIo`], the byte stream below the framing.
//! - [`listener`]: [`ListenAddr`] and [`Listener`], whose accept never fails.
//! - [`connector`]: [`connect_tcp`], for clients.
//! - [`serializer`]: [`Serializer`], the names the handshakes negotiate.
//! - [`websocket`]: [`accept_websocket`] and [`connect_websocket`], the HTTP upgrade and the
//!   WAMP subprotocol choice.
//! - [`connection`]: [`Connection`], a reader, a writer and the serializer.
//! - [`frame`]: [`FrameReader`] and [`FrameWriter`], whole messages in and out.
//! - [`close`]: [`CloseReason`], why this side closes.
//! - [`error`]: [`TransportError`] and [`HandshakeError`].

pub mod close;
pub mod connection;
pub mod connector;
pub mod error;
pub mod frame;
mod http;
pub mod io;
pub mod listener;
pub mod rt;
pub mod serializer;
pub mod websocket;

pub use close::CloseReason;
pub use connection::Connection;
pub use connector::connect_tcp;
pub use error::{HandshakeError, TransportError};
pub use frame::{FrameReader, FrameWriter};
pub use io::{BoxedIo, Io};
pub use listener::{ListenAddr, ListenAddrError, Listener};
pub use serializer::Serializer;
pub use websocket::{WsServerConfig, accept_websocket, connect_websocket};
