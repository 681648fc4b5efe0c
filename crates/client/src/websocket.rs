//! WebSocket routers: `ws://` and `wss://` URLs, and opening their connections.

use crossway_transport::{Connection, Serializer, connect_websocket};

use crate::error::ClientError;
use crate::options::{ConnectOptions, MAX_MESSAGE_SIZE};
use crate::tcp;
use crate::url::WsUrl;

/// Connects to the `ws://` or `wss://` router at `url` and upgrades to WebSocket, offering
/// `serializer` and refusing messages over [`MAX_MESSAGE_SIZE`].
pub(crate) async fn connect(
    url: &str,
    serializer: Serializer,
    opts: &ConnectOptions,
) -> Result<Connection, ClientError> {
    let target = WsUrl::parse(url)?;
    let tls_host = target.tls.then(|| target.host());
    let io = tcp::connect(&target.host_port, tls_host, opts).await?;
    Ok(connect_websocket(io, url, &[serializer], MAX_MESSAGE_SIZE).await?)
}
