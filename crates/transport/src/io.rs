//! The byte stream below the framing: a TCP or Unix socket, plain or under TLS.

use futures_util::io::{AsyncRead, AsyncWrite};

/// A byte stream a connection runs on: any `AsyncRead + AsyncWrite` that can move between tasks.
pub trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// A boxed [`Io`]: the one stream type the framing layers take, whatever lies below.
pub type BoxedIo = Box<dyn Io>;
