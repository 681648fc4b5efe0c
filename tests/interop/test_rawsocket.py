"""WAMP over RawSocket with autobahn-python's asyncio RawSocket client: over TCP (rs://), TLS with a
client certificate (rss://) and a Unix socket; across transports (RawSocket <-> WebSocket); and a
universal endpoint serving both framings on one port."""

from __future__ import annotations

import asyncio
import os
import stat

import pytest
from autobahn.asyncio.rawsocket import WampRawSocketClientProtocol
from autobahn.wamp.types import PublishOptions

from clients import SERIALIZER_NAMES, Client, assert_same, join, joined, wait
from endpoints import UNIX_MODE, TransportNode
from test_pubsub import PAYLOAD_ARGS, PAYLOAD_KWARGS, fresh_topic

RAWSOCKET_ENDPOINTS = ["rs", "rss", "unix"]


async def publish_payload(publisher: Client, topic: str, what: str) -> None:
    await wait(
        publisher.publish(
            topic, *PAYLOAD_ARGS, options=PublishOptions(acknowledge=True), **PAYLOAD_KWARGS
        ),
        f"PUBLISHED ({what})",
    )


async def expect_payload(subscriber_inbox, what: str) -> None:  # noqa: ANN001 (clients.Inbox)
    event = await subscriber_inbox.next(what)
    assert_same(PAYLOAD_ARGS, event.args, f"args {what}")
    assert_same(PAYLOAD_KWARGS, event.kwargs, f"kwargs {what}")


@pytest.mark.parametrize("endpoint", RAWSOCKET_ENDPOINTS)
def test_join(live_transport: TransportNode, serializer: str, endpoint: str) -> None:
    async def scenario() -> None:
        target = live_transport.target(endpoint)
        async with joined(target, "realm1", serializer, f"{endpoint} client") as session:
            assert isinstance(session.protocol, WampRawSocketClientProtocol), session.protocol
            welcome = await wait(session.welcome, "WELCOME")
            assert type(welcome.session) is int and 1 <= welcome.session <= 2**53, welcome.session
            assert "broker" in welcome.roles, f"WELCOME roles lack broker: {welcome.roles!r}"

    asyncio.run(scenario())


@pytest.mark.parametrize("endpoint", RAWSOCKET_ENDPOINTS)
def test_event_payload_round_trip(
    live_transport: TransportNode, serializer: str, endpoint: str
) -> None:
    async def scenario() -> None:
        topic = fresh_topic(f"rs_roundtrip_{endpoint}")
        target = live_transport.target(endpoint)
        async with (
            joined(target, "realm1", serializer, f"{endpoint} subscriber") as sub,
            joined(target, "realm1", serializer, f"{endpoint} publisher") as pub,
        ):
            _, inbox = await sub.subscribe_inbox(topic)
            await publish_payload(pub, topic, f"{serializer} over {endpoint}")
            await expect_payload(inbox, f"{serializer} over {endpoint}")

    asyncio.run(scenario())


@pytest.mark.parametrize("direction", ["rs_to_ws", "ws_to_rs"])
def test_cross_transport(live_transport: TransportNode, serializer: str, direction: str) -> None:
    """A publisher using `serializer` on one framing reaches subscribers of every serializer on
    the other framing, payloads equal."""

    async def scenario() -> None:
        pub_ep, sub_ep = ("rs", "ws") if direction == "rs_to_ws" else ("ws", "rs")
        topic = fresh_topic(f"cross_{direction}")
        subs = [
            await join(live_transport.target(sub_ep), "realm1", s, f"{s} subscriber on {sub_ep}")
            for s in SERIALIZER_NAMES
        ]
        try:
            inboxes = [(await s.subscribe_inbox(topic))[1] for s in subs]
            async with joined(
                live_transport.target(pub_ep), "realm1", serializer, f"publisher on {pub_ep}"
            ) as pub:
                await publish_payload(pub, topic, direction)
                for name, inbox in zip(SERIALIZER_NAMES, inboxes):
                    await expect_payload(inbox, f"{serializer} on {pub_ep} -> {name} on {sub_ep}")
        finally:
            for s in subs:
                await s.close()

    asyncio.run(scenario())


def test_large_binary_payload(live_transport: TransportNode, serializer: str) -> None:
    """A 512 KiB blob (a frame far larger than one socket read) arrives intact over RawSocket."""

    async def scenario() -> None:
        topic = fresh_topic("rs_large")
        blob = bytes(range(256)) * 2048
        target = live_transport.target("rs")
        async with (
            joined(target, "realm1", serializer, "subscriber") as sub,
            joined(target, "realm1", serializer, "publisher") as pub,
        ):
            _, inbox = await sub.subscribe_inbox(topic)
            await wait(
                pub.publish(topic, blob, options=PublishOptions(acknowledge=True)), "PUBLISHED"
            )
            event = await inbox.next()
            assert len(event.args) == 1 and type(event.args[0]) is bytes, type(event.args[0])
            assert event.args[0] == blob, "blob differs"

    asyncio.run(scenario())


def test_many_events_arrive_in_order(live_transport: TransportNode, serializer: str) -> None:
    """Many small frames, several per socket read, none lost or reordered."""

    async def scenario() -> None:
        topic = fresh_topic("rs_order")
        count = 300
        target = live_transport.target("rs")
        async with (
            joined(target, "realm1", serializer, "subscriber") as sub,
            joined(target, "realm1", serializer, "publisher") as pub,
        ):
            _, inbox = await sub.subscribe_inbox(topic)
            for i in range(count):
                pub.publish(topic, i)
            received = [(await inbox.next(f"event {i} of {count}")).args for i in range(count)]
            assert received == [[i] for i in range(count)], "events lost, duplicated or reordered"

    asyncio.run(scenario())


def test_unix_socket_file(live_transport: TransportNode) -> None:
    """The socket file is where the config says (relative to its folder), with `unix_mode`."""
    path = live_transport.node.unix_path("unix")
    st = os.stat(path)
    assert stat.S_ISSOCK(st.st_mode), f"{path} is not a socket"
    assert stat.S_IMODE(st.st_mode) == UNIX_MODE, (
        f"{path} has mode {stat.S_IMODE(st.st_mode):04o}, the config says {UNIX_MODE:04o}"
    )


def test_universal_port_serves_both_framings(
    live_transport: TransportNode, serializer: str
) -> None:
    """A WebSocket client and a RawSocket client on the same port at the same time exchange
    events both ways."""

    async def scenario() -> None:
        topic = fresh_topic("universal")
        ws_target = live_transport.target("universal", "websocket")
        rs_target = live_transport.target("universal", "rawsocket")
        assert ws_target.port == rs_target.port
        async with (
            joined(ws_target, "realm1", serializer, "WebSocket client") as ws,
            joined(rs_target, "realm1", serializer, "RawSocket client") as rs,
        ):
            assert isinstance(rs.protocol, WampRawSocketClientProtocol), rs.protocol
            assert not isinstance(ws.protocol, WampRawSocketClientProtocol), ws.protocol
            _, ws_inbox = await ws.subscribe_inbox(topic)
            _, rs_inbox = await rs.subscribe_inbox(topic)
            await publish_payload(rs, topic, "RawSocket -> WebSocket")
            await expect_payload(ws_inbox, "RawSocket -> WebSocket")
            await publish_payload(ws, topic, "WebSocket -> RawSocket")
            await expect_payload(rs_inbox, "WebSocket -> RawSocket")
            assert ws_inbox.pending() == [] and rs_inbox.pending() == [], "unexpected extra events"

    asyncio.run(scenario())
