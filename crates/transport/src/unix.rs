//! Unix domain socket files: binding a path, replacing a stale socket, removing it when done.

use std::fs;
use std::io::{Error, ErrorKind};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::rt;

/// The socket file of a bound listener. Dropping it removes the file, if it is still the one
/// this listener bound (not a file another process put there since).
#[derive(Debug)]
pub(crate) struct SocketFile {
    path: PathBuf,
    dev: u64,
    ino: u64,
}

impl SocketFile {
    /// The path the socket is bound to.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        let ours = fs::symlink_metadata(&self.path)
            .is_ok_and(|m| m.file_type().is_socket() && m.dev() == self.dev && m.ino() == self.ino);
        if ours && let Err(e) = fs::remove_file(&self.path) {
            tracing::warn!(path = %self.path.display(), error = %e, "cannot remove the socket file");
        }
    }
}

/// Binds a Unix socket at `path`, with permission bits `mode` if given.
///
/// A socket file already at `path` is replaced if nobody listens on it (a connection attempt is
/// refused): it is left over from a process that ended without removing it. If something
/// answers, the error is [`ErrorKind::AddrInUse`]; a path that exists and is not a socket is
/// never touched ([`ErrorKind::AlreadyExists`]). The mode is applied right after binding: until
/// then the socket has the permissions the process's umask gives; put the socket in a directory
/// only trusted users can enter if that moment matters.
pub(crate) async fn bind(
    path: &Path,
    mode: Option<u32>,
) -> std::io::Result<(rt::UnixListener, SocketFile)> {
    remove_stale(path).await?;
    let listener = rt::UnixListener::bind(path).await?;
    let meta = fs::symlink_metadata(path)?;
    let file = SocketFile {
        path: path.to_owned(),
        dev: meta.dev(),
        ino: meta.ino(),
    };
    if let Some(mode) = mode {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    Ok((listener, file))
}

/// Removes a socket file nobody listens on; fails if `path` is in use or not a socket.
async fn remove_stale(path: &Path) -> std::io::Result<()> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if !meta.file_type().is_socket() {
        return Err(Error::new(
            ErrorKind::AlreadyExists,
            format!("{} exists and is not a socket", path.display()),
        ));
    }
    match rt::UnixStream::connect(path).await {
        Ok(_) => Err(Error::new(
            ErrorKind::AddrInUse,
            format!("another process is listening on {}", path.display()),
        )),
        Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
            tracing::info!(path = %path.display(), "replacing a stale socket file");
            fs::remove_file(path)
        }
        Err(e) => Err(e),
    }
}
