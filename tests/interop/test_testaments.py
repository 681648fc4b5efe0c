"""Testaments with autobahn-python: `wamp.session.add_testament` and `flush_testaments`, published
when a session goes without GOODBYE (a dropped connection, `wamp.session.kill`), never after its
GOODBYE.

A watcher shows that nothing was published without waiting: the router publishes a leaving
session's testaments before its `wamp.session.on_leave`, so once the watcher sees that meta event
for the session, every testament it left has come before it."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clients import Client, Event, Inbox, Target, join, joined, wait
from node import Endpoint, Node
from rpc_clients import call, expect_error

REALMS = """\
realms:
  - name: realm1
    testaments: { max_count: 2, max_bytes: 1024 }
  - name: secure
    roles:
      - name: user
        permissions:
          - { uri: com.example.status., match: prefix, allow: [publish, subscribe] }
          - { uri: com.example.other, allow: [subscribe] }
          - { uri: wamp.session.add_testament, allow: [call] }
          - { uri: wamp.session.flush_testaments, allow: [call] }
          - { uri: wamp.session.on_leave, allow: [subscribe] }
"""

_ids = itertools.count(1)


@pytest.fixture(scope="module")
def testament_node(
    crossway_bin: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Node]:
    endpoints = [
        Endpoint("ws"),
        Endpoint("user", extra="    auth:\n      anonymous: { role: user }\n"),
    ]
    node = Node(
        crossway_bin,
        tmp_path_factory.mktemp("testament-node"),
        "testament-node",
        endpoints,
        realms=REALMS,
    )
    node.start()
    yield node
    node.stop()


@pytest.fixture
def live(testament_node: Node) -> Iterator[Node]:
    testament_node.assert_running()
    yield testament_node
    testament_node.assert_running()
    testament_node.assert_no_panic()


def url(node: Node, endpoint: str = "ws") -> str:
    return Target("websocket", port=node.endpoint(endpoint).port).url


class Watcher:
    """One queue for the testament topic's events and `wamp.session.on_leave`, in arrival
    order."""

    def __init__(self, session: Client) -> None:
        self.session = session
        self.inbox = Inbox(f"testaments at {session.label}")

    async def watch(self, topic: str, **options: Any) -> None:
        await self.session.subscribe_into(self.inbox, topic, **options)
        await self.session.subscribe_into(self.inbox, "wamp.session.on_leave")

    async def until_left(self, session_id: int) -> list[Event]:
        """The events before `on_leave` of `session_id` (other sessions' on_leave skipped)."""
        got: list[Event] = []
        for _ in range(32):
            event = await self.inbox.next(f"events up to on_leave of {session_id}")
            if event.details.topic == "wamp.session.on_leave":
                if event.args and event.args[0] == session_id:
                    return got
                continue
            got.append(event)
        raise AssertionError(f"no on_leave of {session_id} among 32 events: {got!r}")


async def add_testament(session: Client, topic: str, *args: Any, **kw: Any) -> None:
    await call(session, "wamp.session.add_testament", topic, list(args), kw.pop("kwargs", {}), **kw)


def abort(session: Client) -> None:
    """Drops the connection at once: no GOODBYE, no WebSocket closing handshake."""
    assert session.connection is not None
    session.connection.abort()  # type: ignore[attr-defined]


@pytest.mark.parametrize("serializer_of_dropped", ["json", "cbor", "msgpack"])
def test_a_dropped_connection_publishes_the_testaments(
    live: Node, serializer_of_dropped: str
) -> None:
    """A session that adds two testaments (one `detached`, one `destroyed`) and then loses its
    connection has both published, detached first, payload and topic intact; the watcher sees
    them before the session's on_leave."""

    async def scenario() -> None:
        topic = f"com.example.status.t{next(_ids)}"
        async with joined(url(live), "realm1", "json", "watcher") as w:
            watcher = Watcher(w)
            await watcher.watch(topic)
            dropped = await join(url(live), "realm1", serializer_of_dropped, "dropped")
            sid = dropped.joined.result().session
            await add_testament(dropped, topic, "gone", sid, kwargs={"why": "destroyed"})
            await add_testament(
                dropped, topic, "detached", kwargs={"why": "detached"}, scope="detached"
            )
            abort(dropped)
            events = await watcher.until_left(sid)
            assert [(e.args, e.kwargs) for e in events] == [
                (["detached"], {"why": "detached"}),
                (["gone", sid], {"why": "destroyed"}),
            ]
            assert all(e.details.topic in (None, topic) for e in events)

    asyncio.run(scenario())


def test_goodbye_publishes_nothing_and_flush_takes_them_back(live: Node) -> None:
    """A session that leaves with GOODBYE has no testament published; one that flushed its
    testaments before dropping has none published either (flush by scope)."""

    async def scenario() -> None:
        topic = f"com.example.status.t{next(_ids)}"
        async with joined(url(live), "realm1", "cbor", "watcher") as w:
            watcher = Watcher(w)
            await watcher.watch(topic)
            polite = await join(url(live), "realm1", "json", "polite")
            sid = polite.joined.result().session
            await add_testament(polite, topic, "should not be seen")
            await polite.close()
            assert await watcher.until_left(sid) == []

            flushed = await join(url(live), "realm1", "json", "flushed")
            sid = flushed.joined.result().session
            await add_testament(flushed, topic, "flushed destroyed")
            await add_testament(flushed, topic, "kept detached", scope="detached")
            await call(flushed, "wamp.session.flush_testaments")
            abort(flushed)
            events = await watcher.until_left(sid)
            assert [e.args for e in events] == [["kept detached"]]

    asyncio.run(scenario())


def test_kill_publishes_the_testaments_of_the_killed_session(live: Node) -> None:
    """`wamp.session.kill` ends a session with GOODBYE `wamp.close.killed`; it did not say
    GOODBYE itself, so its testament is published."""

    async def scenario() -> None:
        topic = f"com.example.status.t{next(_ids)}"
        async with (
            joined(url(live), "realm1", "json", "watcher") as w,
            joined(url(live), "realm1", "msgpack", "killer") as killer,
        ):
            watcher = Watcher(w)
            await watcher.watch(topic)
            victim = await join(url(live), "realm1", "cbor", "victim")
            sid = victim.joined.result().session
            await add_testament(victim, topic, "killed")
            await call(killer, "wamp.session.kill", sid)
            closed = await wait(victim.left, "GOODBYE to the killed session")
            assert closed.reason == "wamp.close.killed"
            events = await watcher.until_left(sid)
            assert [e.args for e in events] == [["killed"]]
            await wait(victim.disconnected, "the killed session's connection to close")

    asyncio.run(scenario())


def test_bounds_arguments_and_permissions(live: Node) -> None:
    """realm1 keeps at most 2 testaments of 1,024 bytes per session; a bad scope or topic is an
    error. In realm `secure` the publish permission when adding decides; the testament is
    published with it even so."""

    async def scenario() -> None:
        topic = f"com.example.status.t{next(_ids)}"
        async with joined(url(live), "realm1", "json", "many") as many:
            await add_testament(many, topic, 1)
            await add_testament(many, topic, 2)
            await expect_error(
                call(many, "wamp.session.add_testament", topic, [3], {}),
                "crossway.error.too_many_testaments",
                "a third testament",
            )
            await expect_error(
                call(many, "wamp.session.add_testament", topic, ["x" * 2000], {}),
                "crossway.error.too_many_testaments",
                "a testament beyond max_bytes",
            )
            await expect_error(
                call(many, "wamp.session.add_testament", topic, [], {}, scope="forever"),
                "wamp.error.invalid_argument",
                "an unknown scope",
            )
            await expect_error(
                call(many, "wamp.session.add_testament", "bad uri#", [], {}),
                "wamp.error.invalid_uri",
                "an invalid topic",
            )
        async with joined(url(live, "user"), "secure", "json", "watcher") as w:
            watcher = Watcher(w)
            await watcher.watch("com.example.status.", match="prefix")
            user = await join(url(live, "user"), "secure", "cbor", "user")
            sid = user.joined.result().session
            await expect_error(
                call(user, "wamp.session.add_testament", "com.example.other", [], {}),
                "wamp.error.not_authorized",
                "a testament on a topic the session may not publish to",
            )
            await add_testament(user, topic, "allowed")
            abort(user)
            events = await watcher.until_left(sid)
            assert [e.args for e in events] == [["allowed"]]

    asyncio.run(scenario())
