//! An established connection: a reader, a writer and the serializer agreed in the handshake.

use std::fmt;
use std::sync::Arc;

use async_tungstenite::WebSocketStream;
use futures_util::io::AsyncReadExt;

use crate::forwarding::ForwardingHeaders;
use crate::frame::{FrameReader, FrameWriter};
use crate::io::BoxedIo;
use crate::rawsocket::{RsReader, RsWriter, WriteState};
use crate::serializer::Serializer;

/// An established connection, split so that reading and writing run concurrently.
#[derive(Debug)]
pub struct Connection {
    /// Receives whole messages.
    pub reader: FrameReader,
    /// Sends whole messages.
    pub writer: FrameWriter,
    /// The serializer the handshake chose.
    pub serializer: Serializer,
    /// The framing the handshake established.
    pub framing: Framing,
    /// The forwarding headers of a WebSocket upgrade request that had any, for the node to
    /// believe or not; `None` otherwise (and always for RawSocket).
    pub forwarding: Option<Box<ForwardingHeaders>>,
}

/// The framing of a connection: what the node reports as its transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Framing {
    /// WAMP over WebSocket.
    WebSocket,
    /// WAMP over RawSocket.
    RawSocket,
}

impl Connection {
    /// A connection over an upgraded WebSocket.
    pub(crate) fn websocket(ws: WebSocketStream<BoxedIo>, serializer: Serializer) -> Self {
        let (tx, rx) = ws.split();
        Connection {
            reader: FrameReader::websocket(rx),
            writer: FrameWriter::websocket(tx, serializer.is_text()),
            serializer,
            framing: Framing::WebSocket,
            forwarding: None,
        }
    }

    /// A connection over a stream whose RawSocket handshake is done: `max` is the longest
    /// message this side accepts, `peer_max` the longest the peer does.
    pub(crate) fn rawsocket(
        io: BoxedIo,
        serializer: Serializer,
        max: usize,
        peer_max: usize,
    ) -> Self {
        let (rx, tx) = io.split();
        let write = WriteState::shared(tx);
        Connection {
            reader: FrameReader::rawsocket(RsReader::new(rx, Arc::clone(&write), max, peer_max)),
            writer: FrameWriter::rawsocket(RsWriter::new(write, peer_max)),
            serializer,
            framing: Framing::RawSocket,
            forwarding: None,
        }
    }
}

impl Framing {
    /// `websocket` or `rawsocket`.
    pub fn name(self) -> &'static str {
        match self {
            Framing::WebSocket => "websocket",
            Framing::RawSocket => "rawsocket",
        }
    }
}

impl fmt::Display for Framing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
