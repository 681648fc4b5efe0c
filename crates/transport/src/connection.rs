//! An established connection: a reader, a writer and the serializer agreed in the handshake.

use async_tungstenite::WebSocketStream;

use crate::frame::{FrameReader, FrameWriter};
use crate::io::BoxedIo;
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
}

impl Connection {
    /// A connection over an upgraded WebSocket.
    pub(crate) fn websocket(ws: WebSocketStream<BoxedIo>, serializer: Serializer) -> Self {
        let (tx, rx) = ws.split();
        Connection {
            reader: FrameReader::websocket(rx),
            writer: FrameWriter::websocket(tx, serializer.is_text()),
            serializer,
        }
    }
}
