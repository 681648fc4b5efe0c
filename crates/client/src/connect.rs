//! Opening a connection to a router, before any WAMP message: the URL picks WebSocket or
//! RawSocket, TCP or a Unix socket, TLS or not, and the framing's handshake follows.

use crossway_transport::{Connection, Serializer};

use crate::error::ClientError;
use crate::options::ConnectOptions;
use crate::rawsocket::{self, RsUrl};
use crate::websocket;

/// Connects to `url` (`ws://`, `wss://`, `rs://`, `rss://` or `unix:/path`) asking for
/// `serializer`, with the TLS settings of `opts` for `wss://` and `rss://`. The options are
/// checked first ([`ClientError::TlsSettings`] when `tls` authentication has no client
/// certificate). No time limit: put one around it.
pub async fn connect(
    url: &str,
    serializer: Serializer,
    opts: &ConnectOptions,
) -> Result<Connection, ClientError> {
    opts.check()?;
    if RsUrl::is_rawsocket(url) {
        rawsocket::connect(url, serializer, opts).await
    } else {
        websocket::connect(url, serializer, opts).await
    }
}
