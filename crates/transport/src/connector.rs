//! Outgoing connections, for clients.

use crate::io::BoxedIo;
use crate::rt;

/// Connects over TCP to `host_port` (`127.0.0.1:8080`, `[::1]:8080`, `localhost:8080`; names are
/// resolved), with `TCP_NODELAY` set.
pub async fn connect_tcp(host_port: &str) -> std::io::Result<BoxedIo> {
    let stream = rt::TcpStream::connect(host_port).await?;
    stream.set_nodelay(true)?;
    Ok(Box::new(rt::ShutdownOnClose(stream)))
}

/// Connects to the Unix domain socket at `path`.
#[cfg(unix)]
pub async fn connect_unix(path: impl AsRef<std::path::Path>) -> std::io::Result<BoxedIo> {
    let stream = rt::UnixStream::connect(path.as_ref()).await?;
    Ok(Box::new(rt::ShutdownOnClose(stream)))
}
