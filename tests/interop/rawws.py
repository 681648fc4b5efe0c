"""A raw WAMP-over-WebSocket peer (the `websockets` package) for what autobahn will not send.

Messages are plain lists, encoded with the connection's serializer: JSON in text frames, CBOR and
MessagePack in binary frames. No "\\0"+base64 handling: the raw cases carry no bytes.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import cbor2
import msgpack
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from clients import TIMEOUT, wait

HELLO, WELCOME, ABORT, GOODBYE, ERROR = 1, 2, 3, 6, 8
PUBLISH, PUBLISHED, SUBSCRIBE, SUBSCRIBED, EVENT = 16, 17, 32, 33, 36
CALL, CANCEL, RESULT = 48, 49, 50
REGISTER, REGISTERED, UNREGISTER, UNREGISTERED = 64, 65, 66, 67
INVOCATION, INTERRUPT, YIELD = 68, 69, 70

HELLO_DETAILS = {"roles": {"publisher": {}, "subscriber": {}}}

# Frames that no decoder of that serializer accepts.
UNDECODABLE = {
    "json": "not json",
    "cbor": b"\xff\xff\xff",  # a "break" outside any indefinite-length item
    "msgpack": b"\xc1",  # a type byte MessagePack reserves and never uses
}


def encode(serializer: str, msg: list[Any]) -> str | bytes:
    if serializer == "json":
        return json.dumps(msg)
    if serializer == "cbor":
        return cbor2.dumps(msg)
    if serializer == "msgpack":
        return msgpack.packb(msg, use_bin_type=True)
    raise ValueError(serializer)


def decode(serializer: str, frame: str | bytes) -> list[Any]:
    if serializer == "json":
        assert isinstance(frame, str), f"JSON arrived in a binary frame: {frame!r}"
        return json.loads(frame)
    assert isinstance(frame, bytes), f"{serializer} arrived in a text frame: {frame!r}"
    if serializer == "cbor":
        return cbor2.loads(frame)
    return msgpack.unpackb(frame, raw=False)


class RawPeer:
    """One WebSocket connection speaking `wamp.2.<serializer>` by hand."""

    def __init__(self, ws: ClientConnection, serializer: str) -> None:
        self.ws = ws
        self.serializer = serializer

    async def send(self, msg: list[Any]) -> None:
        await self.ws.send(encode(self.serializer, msg))

    async def send_frame(self, frame: str | bytes) -> None:
        await self.ws.send(frame)

    async def recv_frame(self, what: str) -> str | bytes:
        """The next frame as it arrived: text for JSON, bytes otherwise."""
        try:
            return await wait(self.ws.recv(), what)
        except ConnectionClosed as e:
            raise AssertionError(f"the connection closed while waiting for {what}: {e}") from None

    async def recv(self, what: str) -> list[Any]:
        frame = await self.recv_frame(what)
        msg = decode(self.serializer, frame)
        assert isinstance(msg, list) and msg, f"{what}: not a WAMP message: {msg!r}"
        return msg

    async def hello(
        self, realm: str = "realm1", details: dict[str, Any] | None = None
    ) -> list[Any]:
        """Sends HELLO (with `details`, by default a publisher and subscriber's) and returns the
        WELCOME."""
        await self.send([HELLO, realm, HELLO_DETAILS if details is None else details])
        msg = await self.recv("WELCOME")
        assert msg[0] == WELCOME, f"expected WELCOME, got {msg!r}"
        return msg

    async def expect_abort(self, reason: str, what: str) -> list[Any]:
        """The next message is ABORT with `reason`; then the router closes the connection."""
        msg = await self.recv(f"ABORT after {what}")
        assert msg[0] == ABORT, f"after {what}: expected ABORT {reason}, got {msg!r}"
        assert len(msg) == 3 and isinstance(msg[1], dict), f"malformed ABORT: {msg!r}"
        assert msg[2] == reason, f"after {what}: ABORT reason {msg[2]!r}, expected {reason!r}"
        await self.expect_closed(f"ABORT after {what}")
        return msg

    async def expect_closed(self, after: str) -> None:
        """The router closes the connection (within TIMEOUT) and sends nothing else first."""
        try:
            extra = await wait(self.ws.recv(), f"the router to close the connection after {after}")
        except ConnectionClosed:
            return
        raise AssertionError(f"after {after} the router sent {extra!r} instead of closing")


@contextlib.asynccontextmanager
async def raw_peer(url: str, serializer: str) -> AsyncIterator[RawPeer]:
    """A WebSocket connection that offered (and got) only `wamp.2.<serializer>`."""
    protocol = f"wamp.2.{serializer}"
    async with connect(
        url,
        subprotocols=[protocol],
        compression=None,
        proxy=None,
        open_timeout=TIMEOUT,
        close_timeout=TIMEOUT,
        ping_interval=None,
    ) as ws:
        assert ws.subprotocol == protocol, f"offered {protocol}, server chose {ws.subprotocol!r}"
        yield RawPeer(ws, serializer)
