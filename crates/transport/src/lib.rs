//! Bytes in and out for Crossway: TCP, Unix, TLS, WebSocket and RawSocket framing.
//!
//! The transport knows no WAMP beyond serializer names: it turns a listening address into
//! accepted byte streams, a byte stream into a framed [`Connection`], and gives whole messages
//! as [`bytes::Bytes`].
//!
//! - [`rt`]: the runtime seam (spawn, timeout, sleep, TCP and Unix socket types); the only file
//!   naming async-std.
//! - [`io`]: [`Io`] and [`BoxedIo`], the byte stream below the framing.
//! - [`listener`]: [`ListenAddr`] and [`Listener`] (TCP or Unix socket), whose accept never
//!   fails, with [`BindOptions`] and [`PeerAddr`].
//! - [`connector`]: [`connect_tcp`] and `connect_unix`, for clients.
//! - [`serializer`]: [`Serializer`], the names the handshakes negotiate.
//! - [`websocket`]: [`accept_websocket`] (and [`accept_http`], with more paths) and
//!   [`connect_websocket`], the HTTP upgrade and the WAMP subprotocol choice.
//! - [`tls`]: [`TlsSettings`], [`load_server_config`], [`TlsAcceptor`] (reloadable, gives the
//!   client's [`PeerIdentity`]), and [`TlsClientSettings`] with [`connect_tls`] for clients.
//! - [`rawsocket`]: [`accept_rawsocket`], [`refuse_rawsocket`] and [`connect_rawsocket`], the
//!   0x7F handshake and the length-prefixed framing with PING/PONG.
//! - [`universal`]: [`accept_universal`], both framings on one port by the first octet.
//! - [`proxy`]: the PROXY protocol header (v1 and v2) a load balancer sends first:
//!   [`parse_proxy_header`] (octets in, a header out) and [`read_proxy_header`].
//! - [`forwarding`]: [`ForwardingHeaders`], a WebSocket request's `Forwarded` and
//!   `X-Forwarded-*` headers, handed to the node unjudged.
//! - [`request`]: [`HttpRoutes`], the paths an HTTP endpoint serves besides its WebSocket
//!   upgrade, and [`HttpRequest`], a plain request handed to the node ([`Accepted`]).
//! - [`refuse`]: [`refuse_over_limit`], refusing a connection over the limit in its own framing.
//! - [`prefixed`]: [`Prefixed`], a stream that gives back octets already read from it.
//! - [`connection`]: [`Connection`], a reader, a writer, the serializer and the [`Framing`].
//! - [`frame`]: [`FrameReader`] and [`FrameWriter`], whole messages in and out.
//! - [`close`]: [`CloseReason`], why this side closes.
//! - [`error`]: [`TransportError`] and [`HandshakeError`].

pub mod close;
pub mod connection;
pub mod connector;
pub mod error;
pub mod forwarding;
pub mod frame;
mod http;
pub mod io;
pub mod listener;
pub mod prefixed;
pub mod proxy;
pub mod rawsocket;
pub mod refuse;
pub mod request;
pub mod rt;
pub mod serializer;
pub mod tls;
pub mod universal;
#[cfg(unix)]
mod unix;
pub mod websocket;

pub use close::CloseReason;
pub use connection::{Connection, Framing};
pub use connector::connect_tcp;
#[cfg(unix)]
pub use connector::connect_unix;
pub use error::{HandshakeError, TransportError};
pub use forwarding::ForwardingHeaders;
pub use frame::{FrameReader, FrameWriter};
pub use io::{BoxedIo, Io};
pub use listener::{BindOptions, ListenAddr, ListenAddrError, Listener, PeerAddr};
pub use prefixed::Prefixed;
pub use proxy::{
    ProxyError, ProxyHeader, ProxySource, ProxyVersion, ProxyVersions, parse_proxy_header,
    read_proxy_header,
};
pub use rawsocket::{
    RawSocketError, RawSocketServerConfig, accept_rawsocket, connect_rawsocket, refuse_rawsocket,
};
pub use refuse::{Refusal, refuse_over_limit};
pub use request::{Accepted, BodyError, HttpRequest, HttpRoute, HttpRoutes};
pub use serializer::Serializer;
pub use tls::{
    ClientAuth, LoadedTls, PeerIdentity, TlsAcceptor, TlsClientSettings, TlsConfigError,
    TlsConnector, TlsSettings, TlsVersion, connect_tls, load_server_config,
};
pub use universal::{accept_universal, accept_universal_http};
pub use websocket::{
    WsServerConfig, accept_http, accept_websocket, connect_websocket, read_http_request,
};
