//! The RawSocket targets: the server handshake ([`accept_rawsocket`]) and the frame reader,
//! over a [`MemIo`] whose reads come from the input, checked against a small reference model of
//! the protocol (written from the spec, independent of the transport's code).
//!
//! Input layout (both targets): two control octets, then the octets the client sends.
//!
//! - octet 0: bits 0-2 the serializers the endpoint enables (bit `id - 1` for RawSocket
//!   serializer id 1 JSON, 2 MessagePack, 3 CBOR); bit 3 adds 511 to the configured maximum
//!   message size (which the router must round down to a power of two); bits 4-7 the exponent
//!   `e` of that size, 2^(9+e) octets.
//! - octet 1: bits 0-4 the most octets per read and write (0: no limit); bit 5 every other read
//!   and write is `Pending` first; bit 6 writes fail after the 4-octet handshake reply; bit 7
//!   writes fail from the start.
//!
//! `rawsocket_framing` enables every serializer and puts a valid handshake (JSON, the client
//! accepts 16 MiB) in front of the client's octets, so every input reaches the frame reader.
//!
//! Properties: no panic; the handshake's outcome and reply are the model's; after it, the
//! messages, PONGs counted and the final outcome (clean end, reset, protocol violation, too
//! large, I/O error) are the model's; every PING is answered with a PONG echoing it and nothing
//! else is written; the writer refuses a message longer than the client's length and sends one
//! that fits; the number of `recv` calls is bounded by the input's length.

use bytes::Bytes;
use crossway_transport::rawsocket::MAGIC;
use crossway_transport::{
    BoxedIo, Framing, HandshakeError, RawSocketError, RawSocketServerConfig, Serializer,
    TransportError, accept_rawsocket, rt,
};

use crate::memio::{Behaviour, MemIo, Written};

/// The size of the message the writer is asked to send after the handshake: more than the
/// smallest length a client can announce (512), less than the next (1024).
const PROBE_LEN: usize = 600;
/// The handshake `rawsocket_framing` puts first: JSON, the client accepts 2^24 octets.
const FRAMING_HANDSHAKE: [u8; 4] = [MAGIC, 0xF1, 0, 0];

/// The `rawsocket_handshake` target.
pub fn handshake_target(data: &[u8]) {
    if let Some(script) = Script::parse(data, &[], false) {
        script.run();
    }
}

/// The `rawsocket_framing` target.
pub fn framing_target(data: &[u8]) {
    if let Some(script) = Script::parse(data, &FRAMING_HANDSHAKE, true) {
        script.run();
    }
}

/// One run: the endpoint's configuration, the stream's behaviour, what the client sends.
#[derive(Debug)]
struct Script {
    cfg: RawSocketServerConfig,
    /// The exponent the router must announce.
    exponent: u8,
    how: Behaviour,
    stream: Vec<u8>,
}

/// What the handshake must give.
#[derive(Debug, PartialEq)]
enum Handshake {
    Closed,
    NotRawSocket,
    Io,
    Refused(RawSocketError),
    Accepted(Serializer),
}

/// How the reading of frames must end.
#[derive(Debug, PartialEq)]
enum End {
    Clean,
    Reset,
    Protocol,
    TooLarge { size: usize, max: usize },
    Io,
}

/// What the reference model reads from the client's frames.
#[derive(Debug, Default)]
struct Frames {
    messages: Vec<Vec<u8>>,
    pings: Vec<Vec<u8>>,
    pongs: u64,
}

impl Script {
    /// Reads the control octets; `prefix` goes before the client's octets; `all`: enable every
    /// serializer whatever octet 0 says.
    fn parse(data: &[u8], prefix: &[u8], all: bool) -> Option<Self> {
        let (&[c0, c1], rest) = data.split_first_chunk::<2>()?;
        let serializers = Serializer::ALL
            .into_iter()
            .filter(|s| all || c0 & (1 << (s.rawsocket_id() - 1)) != 0)
            .collect();
        let exponent = c0 >> 4;
        let plus = if c0 & 0x08 != 0 { 511 } else { 0 };
        let write_budget = if c1 & 0x80 != 0 {
            Some(0)
        } else if c1 & 0x40 != 0 {
            Some(4)
        } else {
            None
        };
        Some(Script {
            cfg: RawSocketServerConfig {
                serializers,
                max_message_size: (512usize << exponent) + plus,
            },
            exponent,
            how: Behaviour {
                chunk: usize::from(c1 & 0x1F),
                pending: c1 & 0x20 != 0,
                write_budget,
            },
            stream: [prefix, rest].concat(),
        })
    }

    /// Runs the handshake, and the frames if it succeeds, checking each against the model.
    fn run(&self) {
        let (io, written) = MemIo::new(self.stream.clone(), self.how);
        let io: BoxedIo = Box::new(io);
        rt::block_on(async {
            let expected = self.expected_handshake();
            let got = accept_rawsocket(io, &self.cfg).await;
            let outcome = match &got {
                Ok(conn) => Handshake::Accepted(conn.serializer),
                Err(HandshakeError::Closed) => Handshake::Closed,
                Err(HandshakeError::Protocol(_)) => Handshake::NotRawSocket,
                Err(HandshakeError::Io(_)) => Handshake::Io,
                Err(HandshakeError::RawSocketRefused(e)) => Handshake::Refused(*e),
                Err(e) => panic!("unexpected handshake error: {e:?}"),
            };
            assert_eq!(outcome, expected, "handshake outcome; script {self:?}");
            let reply = self.expected_reply(&expected);
            let out = written.get();
            if self.how.write_budget.is_none() || matches!(expected, Handshake::Accepted(_)) {
                assert_eq!(
                    out.get(..reply.len()),
                    Some(&reply[..]),
                    "handshake reply; script {self:?}"
                );
            }
            if !matches!(expected, Handshake::Accepted(_)) && self.how.write_budget.is_none() {
                assert_eq!(out, reply, "only the reply is written on refusal");
            }
            if let Ok(conn) = got {
                assert_eq!(conn.framing, Framing::RawSocket);
                self.frames(conn, &written, reply.len()).await;
            }
        });
    }

    /// The outcome the model gives for the handshake.
    fn expected_handshake(&self) -> Handshake {
        let s = &self.stream;
        match s.first() {
            None => return Handshake::Closed,
            Some(&b) if b != MAGIC => return Handshake::NotRawSocket,
            Some(_) => {}
        }
        let Some(&[_, second, r1, r2]) = s.first_chunk::<4>() else {
            return Handshake::Closed;
        };
        if r1 != 0 || r2 != 0 {
            return Handshake::Refused(RawSocketError::ReservedBits);
        }
        let Some(ser) = Serializer::from_rawsocket_id(second & 0x0F)
            .filter(|ser| self.cfg.serializers.contains(ser))
        else {
            return Handshake::Refused(RawSocketError::SerializerUnsupported);
        };
        if self.how.write_budget == Some(0) {
            return Handshake::Io;
        }
        Handshake::Accepted(ser)
    }

    /// The octets the router must write for `outcome`, when writes do not fail.
    fn expected_reply(&self, outcome: &Handshake) -> Vec<u8> {
        match outcome {
            Handshake::Refused(e) => vec![MAGIC, e.code() << 4, 0, 0],
            Handshake::Accepted(ser) => vec![MAGIC, self.exponent << 4 | ser.rawsocket_id(), 0, 0],
            Handshake::Closed | Handshake::NotRawSocket | Handshake::Io => Vec::new(),
        }
    }

    /// Reads every frame after the handshake, then sends one message, checking both.
    async fn frames(&self, mut conn: crossway_transport::Connection, written: &Written, at: usize) {
        let after = self.stream.get(4..).unwrap_or_default();
        let max = 512usize << self.exponent;
        let peer_max = 512usize << (self.stream.get(1).copied().unwrap_or(0) >> 4);
        let (model, model_end) = model(after, max, peer_max, self.how.write_budget.is_some());

        let mut messages = Vec::new();
        let bound = after.len() / 4 + 1;
        let end = loop {
            assert!(
                messages.len() <= bound,
                "more messages than the input can hold"
            );
            match conn.reader.recv().await {
                Ok(Some(m)) => {
                    assert!(m.len() <= max, "a message over the limit was delivered");
                    messages.push(m.to_vec());
                }
                Ok(None) => break End::Clean,
                Err(TransportError::Reset) => break End::Reset,
                Err(TransportError::Protocol(_)) => break End::Protocol,
                Err(TransportError::TooLarge { size, max }) => break End::TooLarge { size, max },
                Err(TransportError::Io(_)) => break End::Io,
                Err(e) => panic!("unexpected frame error: {e:?}"),
            }
        };
        assert_eq!(messages, model.messages, "messages; script {self:?}");
        assert_eq!(end, model_end, "end of reading; script {self:?}");
        assert!(
            matches!(conn.reader.recv().await, Ok(None)),
            "recv after the end gives Ok(None)"
        );
        assert_eq!(conn.reader.pongs_received(), model.pongs, "PONGs counted");
        let mut expected_out = written.get().get(..at).unwrap_or_default().to_vec();
        if self.how.write_budget.is_none() {
            for ping in &model.pings {
                expected_out.extend_from_slice(&frame(2, ping));
            }
            assert_eq!(
                written.get(),
                expected_out,
                "only PONGs echoing the PINGs are written"
            );
        }

        let probe: Vec<u8> = (0..PROBE_LEN).map(|i| i as u8).collect();
        let fed = conn.writer.feed(Bytes::from(probe.clone())).await;
        if PROBE_LEN > peer_max {
            assert!(
                matches!(fed, Err(TransportError::TooLarge { size: PROBE_LEN, max }) if max == peer_max),
                "a message over the client's length must be refused: {fed:?}"
            );
            return;
        }
        assert!(fed.is_ok(), "a message that fits is queued: {fed:?}");
        let flushed = conn.writer.flush().await;
        if self.how.write_budget.is_none() {
            assert!(flushed.is_ok(), "flush: {flushed:?}");
            expected_out.extend_from_slice(&frame(0, &probe));
            assert_eq!(
                written.get(),
                expected_out,
                "the message is written as one frame"
            );
        } else {
            assert!(flushed.is_err(), "writes fail, so must the flush");
        }
    }
}

/// The reference model of the frame reader: `stream` after the handshake, `max` the router's
/// length, `peer_max` the client's (a PING longer than that cannot be answered, so it is an
/// error), `pong_fails`: writing a PONG fails.
fn model(stream: &[u8], max: usize, peer_max: usize, pong_fails: bool) -> (Frames, End) {
    let mut frames = Frames::default();
    let mut rest = stream;
    loop {
        if rest.is_empty() {
            return (frames, End::Clean);
        }
        let Some((&[first, a, b, c], body)) = rest.split_first_chunk::<4>() else {
            return (frames, End::Reset);
        };
        if first >> 4 != 0 || first & 0x07 > 2 {
            return (frames, End::Protocol);
        }
        let short = usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
        let len = match (first & 0x08 != 0, short) {
            (false, n) => n,
            (true, 0) => 1 << 24,
            (true, _) => return (frames, End::Protocol),
        };
        if len > max {
            return (frames, End::TooLarge { size: len, max });
        }
        let Some((payload, next)) = body.split_at_checked(len) else {
            return (frames, End::Reset);
        };
        match first & 0x07 {
            0 => frames.messages.push(payload.to_vec()),
            1 if len > peer_max => {
                let end = End::TooLarge {
                    size: len,
                    max: peer_max,
                };
                return (frames, end);
            }
            1 if pong_fails => return (frames, End::Io),
            1 => frames.pings.push(payload.to_vec()),
            _ => frames.pongs += 1,
        }
        rest = next;
    }
}

/// A frame of type `kind` carrying `payload` (shorter than 2^24 octets).
fn frame(kind: u8, payload: &[u8]) -> Vec<u8> {
    let [_, a, b, c] = (payload.len() as u32).to_be_bytes();
    [&[kind, a, b, c][..], payload].concat()
}
