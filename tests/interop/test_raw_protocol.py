"""Protocol violations and HTTP-level refusals, sent by hand over a plain WebSocket client."""

from __future__ import annotations

import asyncio
from urllib.parse import urlparse

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from clients import TIMEOUT, join, wait
from node import Node
from rawws import HELLO, HELLO_DETAILS, SUBSCRIBE, SUBSCRIBED, UNDECODABLE, raw_peer

PROTOCOL_VIOLATION = "wamp.error.protocol_violation"


def test_raw_hello_welcome(live_node: Node, serializer: str) -> None:
    """The raw client itself works: HELLO, WELCOME, SUBSCRIBE, SUBSCRIBED."""

    async def scenario() -> None:
        async with raw_peer(live_node.url, serializer) as peer:
            welcome = await peer.hello()
            assert type(welcome[1]) is int and 1 <= welcome[1] <= 2**53, welcome
            assert "broker" in welcome[2].get("roles", {}), welcome
            await peer.send([SUBSCRIBE, 1, {}, "com.crossway.raw.topic"])
            reply = await peer.recv("SUBSCRIBED")
            assert reply[0] == SUBSCRIBED and reply[1] == 1, reply

    asyncio.run(scenario())


def test_second_hello_is_a_protocol_violation(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        async with raw_peer(live_node.url, serializer) as peer:
            await peer.hello()
            await peer.send([HELLO, "realm1", HELLO_DETAILS])
            await peer.expect_abort(PROTOCOL_VIOLATION, "a second HELLO")

    asyncio.run(scenario())


def test_subscribe_before_hello_is_a_protocol_violation(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        async with raw_peer(live_node.url, serializer) as peer:
            await peer.send([SUBSCRIBE, 1, {}, "com.crossway.raw.early"])
            await peer.expect_abort(PROTOCOL_VIOLATION, "SUBSCRIBE before HELLO")

    asyncio.run(scenario())


@pytest.mark.parametrize("joined_first", [False, True], ids=["before_hello", "after_welcome"])
def test_undecodable_frame_is_a_protocol_violation(
    live_node: Node, serializer: str, joined_first: bool
) -> None:
    async def scenario() -> None:
        bystander = await join(live_node.url, "realm1", "json", "bystander")
        try:
            async with raw_peer(live_node.url, serializer) as peer:
                if joined_first:
                    await peer.hello()
                await peer.send_frame(UNDECODABLE[serializer])
                await peer.expect_abort(PROTOCOL_VIOLATION, f"an undecodable {serializer} frame")
            # The node still serves: a session open before, and a new one.
            assert not bystander.left.done(), f"bystander lost: {bystander.left.result()}"
            await bystander.subscribe_inbox("com.crossway.raw.alive")
            async with raw_peer(live_node.url, serializer) as fresh:
                await fresh.hello()
        finally:
            await bystander.close()

    asyncio.run(scenario())


def test_message_that_is_not_a_wamp_list(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        async with raw_peer(live_node.url, serializer) as peer:
            await peer.hello()
            await peer.send([])
            await peer.expect_abort(PROTOCOL_VIOLATION, "an empty message")
        async with raw_peer(live_node.url, serializer) as peer:
            await peer.hello()
            await peer.send([999, 1, {}])
            await peer.expect_abort(PROTOCOL_VIOLATION, "an unknown message type")

    asyncio.run(scenario())


def test_wrong_path_is_http_404(live_node: Node) -> None:
    async def scenario() -> None:
        url = f"ws://127.0.0.1:{urlparse(live_node.url).port}/not-the-wamp-path"
        with pytest.raises(InvalidStatus) as caught:
            await wait(
                connect(url, subprotocols=["wamp.2.json"], proxy=None, open_timeout=TIMEOUT),
                "the HTTP answer to a wrong path",
            )
        assert caught.value.response.status_code == 404, caught.value.response

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "offered",
    [None, ["wamp.2.ubjson", "mqtt"]],
    ids=["no_subprotocol", "unsupported_subprotocols"],
)
def test_no_acceptable_subprotocol_is_http_400(live_node: Node, offered: list[str] | None) -> None:
    async def scenario() -> None:
        with pytest.raises(InvalidStatus) as caught:
            await wait(
                connect(live_node.url, subprotocols=offered, proxy=None, open_timeout=TIMEOUT),
                "the HTTP answer to a handshake without an acceptable subprotocol",
            )
        response = caught.value.response
        assert response.status_code == 400, response
        body = response.body.decode("utf-8", errors="replace")
        for name in ("json", "cbor", "msgpack"):
            assert name in body, f"the 400 body does not name {name}: {body!r}"

    asyncio.run(scenario())
