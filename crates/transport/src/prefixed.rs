//! A stream that gives back octets already read from it before reading on.

use std::io::IoSliceMut;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::io::{AsyncRead, AsyncWrite};

/// The most octets a [`Prefixed`] gives back.
pub const MAX_PREFIX: usize = 4;

/// A stream whose first reads give `prefix` again: octets read to look at the stream (such as
/// the first octet of a universal endpoint) are not lost to the protocol read next. Writes go
/// straight through.
#[derive(Debug)]
pub struct Prefixed<T> {
    prefix: [u8; MAX_PREFIX],
    /// `prefix[pos..len]` is still to be given back.
    pos: usize,
    len: usize,
    inner: T,
}

impl<T> Prefixed<T> {
    /// A stream that reads `prefix` (at most [`MAX_PREFIX`] octets; more are dropped),
    /// then `inner`.
    pub fn new(prefix: &[u8], inner: T) -> Self {
        let mut buf = [0u8; MAX_PREFIX];
        let len = prefix.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..len), prefix.get(..len)) {
            dst.copy_from_slice(src);
        }
        Prefixed {
            prefix: buf,
            pos: 0,
            len,
            inner,
        }
    }

    /// The stream below (its prefix, if any is left, is lost).
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Prefixed<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        let rest = this.prefix.get(this.pos..this.len).unwrap_or_default();
        if rest.is_empty() || buf.is_empty() {
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        }
        let n = rest.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), rest.get(..n)) {
            dst.copy_from_slice(src);
        }
        this.pos += n;
        Poll::Ready(Ok(n))
    }

    fn poll_read_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<std::io::Result<usize>> {
        if self.pos < self.len {
            let first = bufs.iter_mut().find(|b| !b.is_empty());
            return match first {
                Some(b) => self.poll_read(cx, b),
                None => Poll::Ready(Ok(0)),
            };
        }
        Pin::new(&mut self.inner).poll_read_vectored(cx, bufs)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Prefixed<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_close(cx)
    }
}

#[cfg(test)]
mod tests {
    use futures_util::io::{AsyncReadExt, Cursor};

    use super::*;

    #[test]
    fn the_prefix_comes_first_then_the_stream() {
        crate::rt::block_on(async {
            let mut p = Prefixed::new(b"GE", Cursor::new(b"T / HTTP/1.1".to_vec()));
            let mut one = [0u8; 1];
            p.read_exact(&mut one).await.unwrap();
            assert_eq!(&one, b"G");
            let mut rest = Vec::new();
            p.read_to_end(&mut rest).await.unwrap();
            assert_eq!(rest, b"ET / HTTP/1.1");
        });
    }

    #[test]
    fn an_empty_prefix_reads_the_stream() {
        crate::rt::block_on(async {
            let mut p = Prefixed::new(b"", Cursor::new(b"abc".to_vec()));
            let mut all = Vec::new();
            p.read_to_end(&mut all).await.unwrap();
            assert_eq!(all, b"abc");
        });
    }
}
