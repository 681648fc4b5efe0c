"""RawSocket at the octet level, with plain TCP sockets: the handshake reply and its error codes,
PING/PONG, the length limit, reserved frame types and bits, undecodable frames.

The `rs` endpoint has max_message_size 1 MiB = 2^(9+11): the router announces LLLL = 11.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from endpoints import TransportNode
from rawrs import (
    MAGIC,
    MESSAGE,
    PING,
    PONG,
    SERIALIZER_IDS,
    frame,
    header,
    raw_rawsocket,
)
from rawws import ABORT, PUBLISH, PUBLISHED, SUBSCRIBE, SUBSCRIBED, UNDECODABLE

ANNOUNCED_EXP = 11
ANNOUNCED_MAX = 1 << (9 + ANNOUNCED_EXP)
PROTOCOL_VIOLATION = "wamp.error.protocol_violation"


def rs_port(tn: TransportNode) -> int:
    return tn.node.endpoint("rs").port


@pytest.mark.parametrize("client_exp", [0, 9, 15])
def test_handshake_reply(live_transport: TransportNode, serializer: str, client_exp: int) -> None:
    """0x7F, LLLL SSSS, 0, 0: the router's own length (whatever the client asked) and the same
    serializer; then the serializer really is in use (HELLO, WELCOME)."""

    async def scenario() -> None:
        sid = SERIALIZER_IDS[serializer]
        async with raw_rawsocket(rs_port(live_transport)) as peer:
            reply = await peer.handshake(sid, client_exp)
            expected = bytes([MAGIC, (ANNOUNCED_EXP << 4) | sid, 0, 0])
            assert reply == expected, f"reply {reply.hex(' ')}, expected {expected.hex(' ')}"
            peer.serializer = serializer
            welcome = await peer.hello()
            assert type(welcome[1]) is int and 1 <= welcome[1] <= 2**53, welcome

    asyncio.run(scenario())


@pytest.mark.parametrize("serializer_id", [4, 5, 6, 15])
def test_unsupported_serializer(live_transport: TransportNode, serializer_id: int) -> None:
    """UBJSON (4), FlatBuffers (5) and reserved ids: error 1 (serializer unsupported), closed."""

    async def scenario() -> None:
        async with raw_rawsocket(rs_port(live_transport)) as peer:
            reply = await peer.handshake(serializer_id)
            assert reply == bytes([MAGIC, 1 << 4, 0, 0]), f"reply {reply.hex(' ')}"
            assert await peer.expect_closed("the error reply") == []

    asyncio.run(scenario())


def test_illegal_serializer_zero(live_transport: TransportNode) -> None:
    """Serializer 0 is illegal: the router fails the connection (with error 1 or no reply)."""

    async def scenario() -> None:
        async with raw_rawsocket(rs_port(live_transport)) as peer:
            await peer.send(bytes([MAGIC, 0xF0, 0, 0]))
            reply = await peer.reply_or_close("the answer to serializer 0")
            assert reply in (b"", bytes([MAGIC, 1 << 4, 0, 0])), f"reply {reply.hex(' ')}"
            assert await peer.expect_closed("a handshake with serializer 0") == []

    asyncio.run(scenario())


@pytest.mark.parametrize("reserved", [b"\x01\x00", b"\x00\x01", b"\x80\x80"])
def test_reserved_handshake_octets(live_transport: TransportNode, reserved: bytes) -> None:
    """Non-zero reserved octets: error 3 (use of reserved bits), closed."""

    async def scenario() -> None:
        async with raw_rawsocket(rs_port(live_transport)) as peer:
            reply = await peer.handshake(SERIALIZER_IDS["json"], 15, reserved)
            assert reply == bytes([MAGIC, 3 << 4, 0, 0]), f"reply {reply.hex(' ')}"
            assert await peer.expect_closed("the error reply") == []

    asyncio.run(scenario())


def test_not_a_rawsocket_handshake(live_transport: TransportNode) -> None:
    """A first octet other than 0x7F on a RawSocket-only endpoint: closed, nothing sent."""

    async def scenario() -> None:
        async with raw_rawsocket(rs_port(live_transport)) as peer:
            await peer.send(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert await peer.expect_closed("an HTTP request") == []

    asyncio.run(scenario())


def test_ping_is_answered_with_pong(live_transport: TransportNode, serializer: str) -> None:
    """Each PING gets one PONG with its payload and nothing else; an unsolicited PONG gets
    nothing. Checked by the next frame after each being the expected one."""

    async def scenario() -> None:
        async with raw_rawsocket(rs_port(live_transport)) as peer:
            await peer.open(serializer)
            for payload in (b"before hello \x00\xff", b""):
                await peer.send(frame(PING, payload))
                assert await peer.recv_frame("PONG") == (PONG, payload)
            await peer.send(frame(PONG, b"unsolicited"))
            await peer.hello()
            big = bytes(range(256)) * 40  # 10 KiB: more than one read
            await peer.send(frame(PING, big))
            kind, echoed = await peer.recv_frame("PONG for a 10 KiB PING")
            assert kind == PONG and echoed == big, f"type {kind}, {len(echoed)} octets"
            await peer.send(frame(PONG, b"unsolicited"))
            await peer.send_msg([SUBSCRIBE, 7, {}, "com.crossway.rawsocket.ping"])
            reply = await peer.recv_msg("SUBSCRIBED")
            assert reply[0] == SUBSCRIBED and reply[1] == 7, reply

    asyncio.run(scenario())


def test_length_limit(live_transport: TransportNode) -> None:
    """A message of exactly the announced maximum is accepted; a header announcing one octet
    more closes the connection (at most an ABORT first)."""

    async def scenario() -> None:
        async with raw_rawsocket(rs_port(live_transport)) as peer:
            await peer.open("json")
            await peer.hello()

            def publish(pad: int) -> bytes:
                msg = [PUBLISH, 1, {"acknowledge": True}, "com.crossway.rs.limit", ["x" * pad]]
                return json.dumps(msg).encode()

            pad = ANNOUNCED_MAX - len(publish(0))
            data = publish(pad)
            assert len(data) == ANNOUNCED_MAX
            await peer.send(frame(MESSAGE, data))
            reply = await peer.recv_msg("PUBLISHED for a message of exactly the limit")
            assert reply[0] == PUBLISHED and reply[1] == 1, reply

            await peer.send(header(MESSAGE, ANNOUNCED_MAX + 1) + b"x" * 1024)
            sent = await peer.expect_closed(f"a header announcing {ANNOUNCED_MAX + 1} octets")
            assert all(m[0] == ABORT for m in sent), f"before closing the router sent {sent!r}"

    asyncio.run(scenario())


@pytest.mark.parametrize("kind", [3, 5, 7])
def test_reserved_frame_type(live_transport: TransportNode, kind: int) -> None:
    async def scenario() -> None:
        async with raw_rawsocket(rs_port(live_transport)) as peer:
            await peer.open("json")
            await peer.hello()
            await peer.send(frame(kind, b"abc"))
            sent = await peer.expect_closed(f"a frame of reserved type {kind}")
            assert all(m[0] == ABORT for m in sent), f"before closing the router sent {sent!r}"

    asyncio.run(scenario())


@pytest.mark.parametrize("reserved", [0x1, 0x8])
def test_reserved_header_bits(live_transport: TransportNode, reserved: int) -> None:
    async def scenario() -> None:
        async with raw_rawsocket(rs_port(live_transport)) as peer:
            await peer.open("json")
            await peer.hello()
            await peer.send(header(MESSAGE, 3, reserved) + b"abc")
            sent = await peer.expect_closed(f"a header with RRRR = {reserved:04b}")
            assert all(m[0] == ABORT for m in sent), f"before closing the router sent {sent!r}"

    asyncio.run(scenario())


@pytest.mark.parametrize("joined_first", [False, True], ids=["before_hello", "after_welcome"])
def test_undecodable_frame(
    live_transport: TransportNode, serializer: str, joined_first: bool
) -> None:
    """ABORT wamp.error.protocol_violation, then the connection closes; the endpoint serves on."""

    async def scenario() -> None:
        async with raw_rawsocket(rs_port(live_transport)) as peer:
            await peer.open(serializer)
            if joined_first:
                await peer.hello()
            bad = UNDECODABLE[serializer]
            await peer.send(frame(MESSAGE, bad.encode() if isinstance(bad, str) else bad))
            sent = await peer.expect_closed(f"an undecodable {serializer} frame")
            assert len(sent) == 1, f"expected one ABORT before the close, got {sent!r}"
            abort = sent[0]
            assert abort[0] == ABORT and len(abort) == 3 and isinstance(abort[1], dict), abort
            assert abort[2] == PROTOCOL_VIOLATION, abort
        async with raw_rawsocket(rs_port(live_transport)) as fresh:
            await fresh.open(serializer)
            await fresh.hello()

    asyncio.run(scenario())
