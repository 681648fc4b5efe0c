//! An established connection: a reader, a writer and the serializer agreed in the handshake.

use std::fmt;

use crate::forwarding::ForwardingHeaders;
use crate::frame::{FrameReader, FrameWriter};
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
    /// A connection from the two halves a framing's handshake built.
    pub(crate) fn new(
        reader: FrameReader,
        writer: FrameWriter,
        serializer: Serializer,
        framing: Framing,
    ) -> Self {
        Connection {
            reader,
            writer,
            serializer,
            framing,
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
