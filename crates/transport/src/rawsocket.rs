//! WAMP over RawSocket: the 4-octet handshake, server and client side.
//!
//! The client sends `0x7F, LLLL SSSS, 0, 0`: the longest message it accepts (2^(9+LLLL) octets)
//! and the serializer it wants. The router echoes the serializer with its own length, or answers
//! `0x7F, EEEE 0000, 0, 0` with an error code ([`RawSocketError`]). Each side then frames
//! messages with a 4-octet header (see `header`), sends nothing longer than the other's length,
//! and fails the connection when it receives more than its own.
//!
//! - `header`: the frame header.
//! - `reader`, `writer`: the two halves of an established connection.

pub(crate) mod code;
mod header;
pub(crate) mod reader;
pub(crate) mod writer;

use std::time::Duration;

use std::sync::Arc;

use futures_util::io::{AsyncReadExt, AsyncWriteExt};

use crate::connection::{Connection, Framing};
use crate::error::HandshakeError;
use crate::frame::{FrameReader, FrameWriter};
use crate::io::BoxedIo;
use crate::rt;
use crate::serializer::Serializer;

pub use code::RawSocketError;
pub(crate) use reader::RsReader;
pub(crate) use writer::{RsWriter, WriteState};

/// The first octet of every RawSocket handshake: no HTTP request can start with it.
pub const MAGIC: u8 = 0x7F;
/// The longest message a RawSocket handshake can announce: 2^24 octets (16 MiB).
pub const MAX_LENGTH: usize = 1 << 24;
/// The shortest: 2^9 octets.
pub const MIN_LENGTH: usize = 1 << 9;

/// How long a refused client may take to end the stream, so that it reads the error reply
/// before the socket closes (closing with unread input would reset the connection).
const LINGER: Duration = Duration::from_secs(1);
/// The most input read and thrown away while lingering.
const LINGER_BYTES: usize = 16 * 1024;

/// The configuration of a RawSocket endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSocketServerConfig {
    /// The serializers the endpoint enables.
    pub serializers: Vec<Serializer>,
    /// The longest message accepted, in octets. The handshake can only announce powers of two
    /// from 2^9 to 2^24: the router announces, and enforces, the largest of them not above this
    /// (2^9 if this is smaller, 2^24 if larger).
    pub max_message_size: usize,
}

impl RawSocketServerConfig {
    /// The longest message the router announces and accepts: see
    /// [`RawSocketServerConfig::max_message_size`].
    pub fn announced_length(&self) -> usize {
        length_of(length_exponent(self.max_message_size))
    }
}

/// Accepts a RawSocket connection: reads the client's handshake and answers it.
///
/// A first octet other than `0x7F` closes the stream ([`HandshakeError::Protocol`]). Non-zero
/// reserved octets are answered with error 3, a serializer the endpoint does not enable with
/// error 1 ([`HandshakeError::RawSocketRefused`] in both cases). Every length a client can ask
/// for (512 octets to 16 MiB) is accepted, so error 2 is never sent: the router honours it by
/// refusing to send longer messages ([`crate::TransportError::TooLarge`] from the writer's
/// `feed`). Put a timeout around this call: it waits for the client as long as it takes.
pub async fn accept_rawsocket(
    io: BoxedIo,
    cfg: &RawSocketServerConfig,
) -> Result<Connection, HandshakeError> {
    accept_after(io, 0, cfg).await
}

/// Refuses a RawSocket client with `error` (for instance
/// [`RawSocketError::MaxConnections`] when the endpoint is full): reads its handshake, answers
/// with the error code and closes. Best effort; failures are only logged. Put a timeout around it.
pub async fn refuse_rawsocket(mut io: BoxedIo, error: RawSocketError) {
    match read_handshake(&mut io, 0).await {
        Ok(_) => {
            refuse(io, error).await;
        }
        Err(e) => tracing::debug!(error = %e, "no RawSocket handshake to refuse"),
    }
}

/// Opens a RawSocket connection over an already connected stream, asking for `serializer` and
/// announcing the largest length not above `max_message_size` (2^9 to 2^24 octets; longer
/// messages are refused on receipt). The router's error reply gives
/// [`HandshakeError::RawSocketRefused`].
pub async fn connect_rawsocket(
    mut io: BoxedIo,
    serializer: Serializer,
    max_message_size: usize,
) -> Result<Connection, HandshakeError> {
    let exponent = length_exponent(max_message_size);
    let id = serializer.rawsocket_id();
    io.write_all(&[MAGIC, exponent << 4 | id, 0, 0]).await?;
    io.flush().await?;
    let mut reply = [0u8; 4];
    io.read_exact(&mut reply).await.map_err(closed_or_io)?;
    let [magic, second, r1, r2] = reply;
    if magic != MAGIC {
        return Err(HandshakeError::Protocol(format!(
            "the router answered 0x{magic:02x}, not a RawSocket handshake"
        )));
    }
    if second & 0x0F == 0 {
        return Err(HandshakeError::RawSocketRefused(RawSocketError::from_code(
            second >> 4,
        )));
    }
    if second & 0x0F != id {
        return Err(HandshakeError::Protocol(format!(
            "the router chose serializer {}, not the requested {id}",
            second & 0x0F
        )));
    }
    if r1 != 0 || r2 != 0 {
        return Err(HandshakeError::Protocol(
            "the router set reserved bits in its handshake reply".to_owned(),
        ));
    }
    Ok(connection(
        io,
        serializer,
        length_of(exponent),
        length_of(second >> 4),
    ))
}

/// A connection over a stream whose RawSocket handshake is done: `max` is the longest message
/// this side accepts, `peer_max` the longest the peer does.
fn connection(io: BoxedIo, serializer: Serializer, max: usize, peer_max: usize) -> Connection {
    let (rx, tx) = io.split();
    let write = WriteState::shared(tx);
    Connection::new(
        FrameReader::rawsocket(RsReader::new(rx, Arc::clone(&write), max, peer_max)),
        FrameWriter::rawsocket(RsWriter::new(write, peer_max)),
        serializer,
        Framing::RawSocket,
    )
}

/// [`accept_rawsocket`] when the first `consumed` octets (the magic octet, for a universal
/// endpoint) have been read already.
pub(crate) async fn accept_after(
    mut io: BoxedIo,
    consumed: usize,
    cfg: &RawSocketServerConfig,
) -> Result<Connection, HandshakeError> {
    let [_, second, r1, r2] = read_handshake(&mut io, consumed).await?;
    if r1 != 0 || r2 != 0 {
        return Err(refuse(io, RawSocketError::ReservedBits).await);
    }
    let id = second & 0x0F;
    let Some(serializer) =
        Serializer::from_rawsocket_id(id).filter(|s| cfg.serializers.contains(s))
    else {
        return Err(refuse(io, RawSocketError::SerializerUnsupported).await);
    };
    let exponent = length_exponent(cfg.max_message_size);
    io.write_all(&[MAGIC, exponent << 4 | id, 0, 0]).await?;
    io.flush().await?;
    Ok(connection(
        io,
        serializer,
        length_of(exponent),
        length_of(second >> 4),
    ))
}

/// Reads the 4 handshake octets, of which the first `consumed` (0 or 1) were read already and
/// were the magic octet. A wrong first octet closes the stream at once.
async fn read_handshake(io: &mut BoxedIo, consumed: usize) -> Result<[u8; 4], HandshakeError> {
    let mut hs = [MAGIC, 0, 0, 0];
    let mut got = consumed.min(1);
    while let Some(room) = hs.get_mut(got..).filter(|r| !r.is_empty()) {
        let n = io.read(room).await?;
        if n == 0 {
            return Err(HandshakeError::Closed);
        }
        got += n;
        if hs[0] != MAGIC {
            let _ = io.close().await;
            return Err(HandshakeError::Protocol(format!(
                "not a RawSocket handshake: first octet 0x{:02x}",
                hs[0]
            )));
        }
    }
    Ok(hs)
}

/// Sends the error reply, closes, and gives the error to return.
async fn refuse(mut io: BoxedIo, error: RawSocketError) -> HandshakeError {
    tracing::debug!(%error, "refusing a RawSocket client");
    let sent = async {
        io.write_all(&[MAGIC, (error.code() & 0x0F) << 4, 0, 0])
            .await?;
        io.flush().await?;
        io.close().await
    }
    .await;
    match sent {
        Ok(()) => linger(&mut io).await,
        Err(e) => tracing::debug!(error = %e, "could not send the RawSocket error reply"),
    }
    HandshakeError::RawSocketRefused(error)
}

/// After closing our direction: reads and drops what the client still sends, until it closes
/// or [`LINGER`] passes, so that the close does not reset the connection before the client has
/// read our reply.
async fn linger(io: &mut BoxedIo) {
    let drained = rt::timeout(LINGER, async {
        let mut sink = [0u8; 512];
        let mut total = 0;
        while total < LINGER_BYTES {
            match io.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
    })
    .await;
    if drained.is_err() {
        tracing::debug!("refused RawSocket client did not close in time");
    }
}

/// The exponent `LLLL` of the largest length 2^(9+LLLL) not above `max` (0 if `max` < 512).
fn length_exponent(max: usize) -> u8 {
    (0..=15u8).rev().find(|&e| length_of(e) <= max).unwrap_or(0)
}

/// The length of an exponent `LLLL`: 2^(9+LLLL).
fn length_of(exponent: u8) -> usize {
    MIN_LENGTH << (exponent & 0x0F)
}

/// Maps an early end of the stream to [`HandshakeError::Closed`].
fn closed_or_io(e: std::io::Error) -> HandshakeError {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        HandshakeError::Closed
    } else {
        HandshakeError::Io(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_down_to_a_power_of_two() {
        assert_eq!(length_exponent(0), 0);
        assert_eq!(length_exponent(511), 0);
        assert_eq!(length_exponent(512), 0);
        assert_eq!(length_exponent(1023), 0);
        assert_eq!(length_exponent(1024), 1);
        assert_eq!(length_exponent(1 << 20), 11);
        assert_eq!(length_exponent(1_000_000), 10);
        assert_eq!(length_exponent(MAX_LENGTH), 15);
        assert_eq!(length_exponent(usize::MAX), 15);
        assert_eq!(length_of(0), 512);
        assert_eq!(length_of(15), MAX_LENGTH);
    }

    #[test]
    fn error_codes_round_trip() {
        for code in 0..=15 {
            assert_eq!(RawSocketError::from_code(code).code(), code);
        }
        assert_eq!(RawSocketError::MaxConnections.code(), 4);
        assert_eq!(
            RawSocketError::from_code(1),
            RawSocketError::SerializerUnsupported
        );
    }
}
