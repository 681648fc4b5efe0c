"""A RawSocket peer written by hand over a plain TCP stream (no autobahn), for the byte-level
probes: the 4-octet handshake, the 4-octet frame header `RRRR XTTT` + 24-bit length, PING/PONG.

Spec: /work/shared/wamp/spec/text/advanced/transport_rawsocket.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import AsyncIterator
from typing import Any

from clients import TIMEOUT, wait
from rawws import HELLO, HELLO_DETAILS, WELCOME, decode, encode

MAGIC = 0x7F
# The serializer ids of the handshake's SSSS nibble.
SERIALIZER_IDS = {"json": 1, "msgpack": 2, "cbor": 3}
# Frame types (TTT).
MESSAGE, PING, PONG = 0, 1, 2

# The most read while waiting for the router to close (a misbehaving router may stream).
DRAIN_LIMIT = 1 << 16


def handshake_request(
    serializer_id: int, length_exp: int = 15, reserved: bytes = b"\0\0"
) -> bytes:
    """The client's handshake: 0x7F, LLLL SSSS, two reserved octets."""
    return bytes([MAGIC, (length_exp << 4) | serializer_id]) + reserved


def frame(kind: int, payload: bytes) -> bytes:
    """A frame: the header (no reserved bits, length below 2^24) and the payload."""
    assert len(payload) < 1 << 24
    return struct.pack(">I", (kind << 24) | len(payload)) + payload


def header(kind: int, length: int, reserved: int = 0) -> bytes:
    """A bare frame header, with `reserved` in the RRRR bits."""
    return struct.pack(">I", (reserved << 28) | (kind << 24) | length)


class RawRsPeer:
    """One TCP connection to a RawSocket endpoint, driven octet by octet."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.serializer: str | None = None

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await wait(self.writer.drain(), "sending to the router")

    async def read_exactly(self, n: int, what: str) -> bytes:
        """`n` octets; fails if the router closes first (naming what it sent) or is silent."""
        try:
            return await wait(self.reader.readexactly(n), what)
        except asyncio.IncompleteReadError as e:
            raise AssertionError(
                f"the router closed the connection while we waited for {what} "
                f"(it sent {e.partial!r} of the {n} octets)"
            ) from None
        except ConnectionResetError:
            raise AssertionError(f"the router reset the connection while we waited for {what}")

    async def handshake(
        self, serializer_id: int, length_exp: int = 15, reserved: bytes = b"\0\0"
    ) -> bytes:
        """Sends a handshake request; returns the router's 4-octet reply."""
        await self.send(handshake_request(serializer_id, length_exp, reserved))
        return await self.read_exactly(4, "the handshake reply")

    async def reply_or_close(self, what: str) -> bytes:
        """Up to 4 octets: fewer (maybe none) only if the router closes first."""
        try:
            return await wait(self.reader.readexactly(4), what)
        except asyncio.IncompleteReadError as e:
            return e.partial
        except ConnectionResetError:
            return b""

    async def open(self, serializer: str, length_exp: int = 15) -> int:
        """A successful handshake for `serializer`; returns the router's LLLL."""
        sid = SERIALIZER_IDS[serializer]
        reply = await self.handshake(sid, length_exp)
        assert reply[0] == MAGIC and reply[1] & 0x0F == sid and reply[2:] == b"\0\0", (
            f"handshake for {serializer} (id {sid}) answered {reply.hex(' ')}"
        )
        self.serializer = serializer
        return reply[1] >> 4

    async def recv_frame(self, what: str) -> tuple[int, bytes]:
        """The next frame as (type, payload)."""
        h = await self.read_exactly(4, f"a frame header ({what})")
        first, length = h[0], int.from_bytes(h[1:], "big")
        assert first >> 4 == 0, f"{what}: the router set reserved bits: header {h.hex(' ')}"
        if first & 0x08:
            assert length == 0, f"{what}: X bit with a length: header {h.hex(' ')}"
            length = 1 << 24
        return first & 0x07, await self.read_exactly(length, f"a {length}-octet payload ({what})")

    async def send_msg(self, msg: list[Any]) -> None:
        assert self.serializer is not None
        data = encode(self.serializer, msg)
        await self.send(frame(MESSAGE, data.encode() if isinstance(data, str) else data))

    async def recv_msg(self, what: str) -> list[Any]:
        """The next frame, which must be a WAMP message; decoded."""
        assert self.serializer is not None
        kind, payload = await self.recv_frame(what)
        assert kind == MESSAGE, f"{what}: expected a message frame, got type {kind} {payload!r}"
        msg = decode(self.serializer, payload.decode() if self.serializer == "json" else payload)
        assert isinstance(msg, list) and msg, f"{what}: not a WAMP message: {msg!r}"
        return msg

    async def hello(self, realm: str = "realm1") -> list[Any]:
        """HELLO; the next frame must be WELCOME."""
        await self.send_msg([HELLO, realm, HELLO_DETAILS])
        msg = await self.recv_msg("WELCOME")
        assert msg[0] == WELCOME, f"expected WELCOME, got {msg!r}"
        return msg

    async def expect_closed(self, after: str) -> list[list[Any]]:
        """The router closes the connection within TIMEOUT; returns the WAMP messages it sent
        before (whole message frames, decoded; anything else fails)."""
        received = b""
        try:
            async with asyncio.timeout(TIMEOUT):
                while len(received) < DRAIN_LIMIT:
                    chunk = await self.reader.read(4096)
                    if not chunk:
                        break
                    received += chunk
        except TimeoutError:
            raise AssertionError(
                f"the router did not close the connection within {TIMEOUT}s after {after} "
                f"(it sent {received[:64]!r})"
            ) from None
        except ConnectionResetError:
            pass
        messages = []
        rest = received
        while rest:
            kind, length = rest[0], int.from_bytes(rest[1:4], "big")
            payload, rest = rest[4 : 4 + length], rest[4 + length :]
            assert kind == MESSAGE and len(payload) == length and self.serializer, (
                f"after {after} the router sent {received[:64]!r} (not whole message frames) "
                "and closed"
            )
            text = payload.decode() if self.serializer == "json" else payload
            messages.append(decode(self.serializer, text))
        return messages

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(ConnectionError):
            await wait(self.writer.wait_closed(), "our side of the connection to close")


@contextlib.asynccontextmanager
async def raw_rawsocket(port: int) -> AsyncIterator[RawRsPeer]:
    """A plain TCP connection to 127.0.0.1:`port`, not yet handshaken."""
    reader, writer = await wait(
        asyncio.open_connection("127.0.0.1", port), f"TCP connection to port {port}"
    )
    peer = RawRsPeer(reader, writer)
    try:
        yield peer
    finally:
        await peer.close()
