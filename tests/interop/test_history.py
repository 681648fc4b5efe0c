"""Event history with autobahn-python: a realm's `history` rules keep the last events of their
topics; `wamp.subscription.get_events` reads them back per subscription, with the
specification's filters, under permissions."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from autobahn.wamp.types import PublishOptions

from clients import Client, Target, joined, wait
from node import Endpoint, Node
from rpc_clients import expect_error

REALMS = """\
realms:
  - name: realm1
    history:
      - { uri: com.example.log., match: prefix, limit: 3 }
      - { uri: com.example.status }
  - name: secure
    history:
      - { uri: com.example., match: prefix }
    roles:
      - name: user
        permissions:
          - { uri: com.example.open., match: prefix, allow: [publish, subscribe] }
          - { uri: com.example.closed., match: prefix, allow: [publish] }
          - { uri: wamp.subscription.get_events, allow: [call] }
          - { uri: wamp.subscription.lookup, allow: [call] }
      - name: admin
        permissions:
          - { uri: com.example., match: prefix, allow: [publish, subscribe] }
          - { uri: wamp., match: prefix, allow: [call] }
"""

_ids = itertools.count(1)


@pytest.fixture(scope="module")
def history_node(crossway_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    endpoints = [Endpoint("ws")] + [
        Endpoint(role, extra=f"    auth:\n      anonymous: {{ role: {role} }}\n")
        for role in ("user", "admin")
    ]
    node = Node(
        crossway_bin,
        tmp_path_factory.mktemp("history-node"),
        "history-node",
        endpoints,
        realms=REALMS,
    )
    node.start()
    yield node
    node.stop()


@pytest.fixture
def live(history_node: Node) -> Iterator[Node]:
    history_node.assert_running()
    yield history_node
    history_node.assert_running()
    history_node.assert_no_panic()


def url(node: Node, endpoint: str = "ws") -> str:
    return Target("websocket", port=node.endpoint(endpoint).port).url


async def publish(session: Client, topic: str, *args: Any, **kwargs: Any) -> int:
    """An acknowledged publication; its id."""
    published = await wait(
        session.publish(topic, *args, options=PublishOptions(acknowledge=True), **kwargs),
        f"PUBLISHED {topic}",
    )
    return published.id


async def get_events(session: Client, subscription: int, *args: Any, **kwargs: Any) -> list[Any]:
    return await wait(
        session.call("wamp.subscription.get_events", subscription, *args, **kwargs),
        "RESULT of get_events",
    )


def test_events_are_kept_per_rule_and_read_per_subscription(live: Node) -> None:
    """The prefix rule keeps the last 3 events under com.example.log. (published before anyone
    subscribed); an exact subscription reads its topic's, a prefix subscription all of them,
    oldest first, with timestamps, publication ids, payloads and (for a pattern) topics."""

    async def scenario() -> None:
        n = next(_ids)
        auth, basket = f"com.example.log.auth{n}", f"com.example.log.basket{n}"
        async with joined(url(live), "realm1", "cbor", "publisher") as publisher:
            await publish(publisher, auth, "too old")
            ids = [
                await publish(publisher, auth, "a1", user="x"),
                await publish(publisher, basket, "b1"),
                await publish(publisher, basket, "b2", blob=b"\x00\xff"),
            ]
            async with joined(url(live), "realm1", "json", "reader") as reader:
                exact, _ = await reader.subscribe_inbox(basket)
                prefix, _ = await reader.subscribe_inbox(
                    f"com.example.log.basket{n}", match="prefix"
                )
                events = await get_events(reader, exact.id)
                assert [e["args"] for e in events] == [["b1"], ["b2"]]
                assert [e["publication"] for e in events] == ids[1:]
                assert events[1]["kwargs"] == {"blob": b"\x00\xff"}
                assert all(e["subscription"] == exact.id for e in events)
                assert all(isinstance(e["timestamp"], str) for e in events)
                events = await get_events(reader, prefix.id)
                assert [e["details"]["topic"] for e in events] == [basket, basket]
                everything, _ = await reader.subscribe_inbox("com.example.log.", match="prefix")
                events = await get_events(reader, everything.id, topic=auth)
                assert [e["args"] for e in events] == [["a1"]], "the oldest went (limit 3)"

    asyncio.run(scenario())


def test_filters_and_pagination(live: Node) -> None:
    """limit (positional or keyword), reverse, and the *_publication filters page through the
    history of com.example.status (the default limit, 100)."""

    async def scenario() -> None:
        topic = "com.example.status"
        async with (
            joined(url(live), "realm1", "msgpack", "publisher") as publisher,
            joined(url(live), "realm1", "json", "reader") as reader,
        ):
            sub, _ = await reader.subscribe_inbox(topic)
            ids = [await publish(publisher, topic, i) for i in range(5)]
            events = await get_events(reader, sub.id, after_publication=ids[0])
            assert [e["args"] for e in events][:4] == [[1], [2], [3], [4]]
            page = await get_events(reader, sub.id, 2, after_publication=ids[0])
            assert [e["args"] for e in page] == [[1], [2]]
            page = await get_events(reader, sub.id, limit=2, after_publication=page[-1]["publication"])
            assert [e["args"] for e in page] == [[3], [4]]
            page = await get_events(
                reader, sub.id, reverse=True, limit=2, before_publication=ids[4]
            )
            assert [e["args"] for e in page] == [[3], [2]]
            page = await get_events(
                reader, sub.id, from_publication=ids[1], until_publication=ids[3]
            )
            assert [e["args"] for e in page] == [[1], [2], [3]]
            first = page[0]["timestamp"]
            # Timestamps need not be unique (the specification says so): an earlier event
            # stamped the same instant passes `from_time` too, a later instant none.
            page = await get_events(reader, sub.id, from_time=first, until_publication=ids[1])
            assert page[-1]["args"] == [1] and all(e["timestamp"] == first for e in page), page
            assert await get_events(reader, sub.id, after_time="2999-01-01T00:00:00.000Z") == []
            await expect_error(
                get_events(reader, sub.id, limit=0), "wamp.error.invalid_argument", "limit 0"
            )
            other, _ = await reader.subscribe_inbox("com.example.nothing.kept")
            await expect_error(
                get_events(reader, other.id),
                "wamp.error.history_unavailable",
                "a subscription no rule covers",
            )
            await expect_error(
                get_events(reader, 42), "wamp.error.no_such_subscription", "an unknown id"
            )

    asyncio.run(scenario())


def test_permissions_decide_whose_history_a_caller_reads(live: Node) -> None:
    """In realm `secure`, role `user` may subscribe under com.example.open. only: it reads the
    history of its own subscription, and gets not_authorized for a subscription (made by an
    admin) to a topic it may not subscribe to."""

    async def scenario() -> None:
        n = next(_ids)
        open_topic, closed_topic = f"com.example.open.t{n}", f"com.example.closed.t{n}"
        async with (
            joined(url(live, "user"), "secure", "json", "user") as user,
            joined(url(live, "admin"), "secure", "cbor", "admin") as admin,
        ):
            await publish(user, open_topic, "visible")
            await publish(user, closed_topic, "hidden")
            mine, _ = await user.subscribe_inbox(open_topic)
            events = await get_events(user, mine.id)
            assert [e["args"] for e in events] == [["visible"]]
            theirs, _ = await admin.subscribe_inbox(closed_topic)
            assert [e["args"] for e in await get_events(admin, theirs.id)] == [["hidden"]]
            await expect_error(
                get_events(user, theirs.id),
                "wamp.error.not_authorized",
                "the history of a topic the user may not subscribe to",
            )

    asyncio.run(scenario())
