//! Reading a PROXY header from a stream, octet-exact.

use futures_util::io::{AsyncRead, AsyncReadExt};

use super::{Progress, ProxyError, ProxyHeader, ProxyVersions, parse_proxy_header};

/// Reads a PROXY header of a version in `accept` from the start of `io`, taking exactly its
/// octets and nothing after them (a version 1 line is read a few octets at a time, up to its
/// CRLF; a version 2 header by its length field). The buffer is freed when the header is read.
/// Put a timeout around this call: it waits for the peer as long as it takes.
pub async fn read_proxy_header<S>(
    io: &mut S,
    accept: ProxyVersions,
) -> Result<ProxyHeader, ProxyError>
where
    S: AsyncRead + Unpin,
{
    let mut buf = Vec::new();
    loop {
        match parse_proxy_header(&buf, accept)? {
            Progress::Done(header) => return Ok(header),
            Progress::Need(n) => {
                let start = buf.len();
                buf.resize(start + n, 0);
                let Some(dst) = buf.get_mut(start..) else {
                    return Err(ProxyError::Closed { read: start });
                };
                if let Err(e) = io.read_exact(dst).await {
                    return Err(match e.kind() {
                        std::io::ErrorKind::UnexpectedEof => ProxyError::Closed { read: start },
                        _ => ProxyError::Io(e),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use futures_util::io::Cursor;

    use super::*;
    use crate::proxy::ProxySource;

    #[test]
    fn reads_the_header_and_leaves_the_rest() {
        crate::rt::block_on(async {
            let mut io =
                Cursor::new(b"PROXY TCP4 192.0.2.1 198.51.100.1 1 2\r\n\x7f\xf1\0\0".to_vec());
            let h = read_proxy_header(&mut io, ProxyVersions::Any)
                .await
                .unwrap();
            assert!(matches!(h.source, ProxySource::Tcp { .. }));
            let mut rest = Vec::new();
            io.read_to_end(&mut rest).await.unwrap();
            assert_eq!(rest, b"\x7f\xf1\0\0");
        });
    }

    #[test]
    fn a_short_stream_is_closed_early() {
        crate::rt::block_on(async {
            let mut io = Cursor::new(b"".to_vec());
            let e = read_proxy_header(&mut io, ProxyVersions::Any)
                .await
                .unwrap_err();
            assert!(matches!(e, ProxyError::Closed { read: 0 }));
            let mut io = Cursor::new(b"PROXY TCP4 192.0.2.1".to_vec());
            let e = read_proxy_header(&mut io, ProxyVersions::Any)
                .await
                .unwrap_err();
            assert!(matches!(e, ProxyError::Closed { read: 20 }), "{e:?}");
        });
    }
}
