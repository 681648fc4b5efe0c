"""Event retention with autobahn-python: PUBLISH `retain`, SUBSCRIBE `get_retained`, on every
serializer, for pattern subscriptions, within the realm's bounds, and under permissions.

Whether a subscriber got nothing retained is shown without waiting: retained events come right
after SUBSCRIBED and before any live event, so a live marker published after the subscription
must be the first event it sees."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from autobahn.wamp.types import PublishOptions

from clients import SERIALIZER_NAMES, Client, Inbox, Target, joined, wait
from node import Endpoint, Node

REALMS = """\
realms:
  - name: realm1
  - name: small
    retention: { max_topics: 2, max_bytes: 2048 }
  - name: off
    retention: { max_topics: 0 }
  - name: secure
    roles:
      - name: reader
        permissions:
          - { uri: com.example., match: prefix, allow: [subscribe] }
          - { uri: com.example.secret., match: prefix, allow: [] }
      - name: writer
        permissions:
          - { uri: com.example., match: prefix, allow: [publish] }
"""

_ids = itertools.count(1)


def fresh(name: str) -> str:
    """A topic prefix no other test uses."""
    return f"com.example.{name}{next(_ids)}"


@pytest.fixture(scope="module")
def retention_node(
    crossway_bin: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Node]:
    endpoints = [Endpoint("ws")] + [
        Endpoint(role, extra=f"    auth:\n      anonymous: {{ role: {role} }}\n")
        for role in ("reader", "writer")
    ]
    node = Node(
        crossway_bin,
        tmp_path_factory.mktemp("retention-node"),
        "retention-node",
        endpoints,
        realms=REALMS,
    )
    node.start()
    yield node
    node.stop()


@pytest.fixture
def live(retention_node: Node) -> Iterator[Node]:
    retention_node.assert_running()
    yield retention_node
    retention_node.assert_running()
    retention_node.assert_no_panic()


def url(node: Node, endpoint: str = "ws") -> str:
    return Target("websocket", port=node.endpoint(endpoint).port).url


async def retain(publisher: Client, topic: str, *args: object, **kwargs: object) -> None:
    """PUBLISH with `retain` and `acknowledge`: retained once PUBLISHED arrives."""
    await wait(
        publisher.publish(
            topic, *args, options=PublishOptions(retain=True, acknowledge=True), **kwargs
        ),
        f"PUBLISHED {topic}",
    )


async def retained_then_marker(
    inbox: Inbox, publisher: Client, topic: str, what: str
) -> list[list[object]]:
    """The args of the retained events `inbox` got, in order, ended by a live marker that
    `publisher` sends to `topic` (which the inbox's subscription must match)."""
    await wait(
        publisher.publish(topic, "marker", options=PublishOptions(acknowledge=True)),
        f"marker on {topic}",
    )
    got = []
    for _ in range(16):
        event = await inbox.next(f"{what}: a retained event or the marker")
        if event.args == ["marker"]:
            assert not event.details.retained, f"{what}: the live marker came as retained"
            return got
        assert event.details.retained is True, f"{what}: {event!r} is not marked retained"
        got.append(event.args)
    raise AssertionError(f"{what}: no marker among 16 events: {got!r}")


@pytest.mark.parametrize("publisher_ser", SERIALIZER_NAMES)
def test_a_late_subscriber_gets_the_last_retained_event(
    live: Node, serializer: str, publisher_ser: str
) -> None:
    """The last event published with `retain` reaches a subscriber that subscribes later with
    `get_retained`, on every pair of serializers, payload and topic intact; a subscriber that
    does not ask gets nothing retained."""

    async def scenario() -> None:
        topic = fresh("late")
        async with joined(url(live), "realm1", publisher_ser, "publisher") as publisher:
            await retain(publisher, topic, 1, "old")
            await retain(publisher, topic, 2, b"\x00bin", key={"nested": [1.5, None]})
            async with joined(url(live), "realm1", serializer, "subscriber") as sub:
                _, inbox = await sub.subscribe_inbox(topic, get_retained=True)
                event = await inbox.next("the retained event")
                assert event.details.retained is True
                assert event.details.topic in (None, topic)
                assert event.args == [2, b"\x00bin"]
                assert event.kwargs == {"key": {"nested": [1.5, None]}}
                rest = await retained_then_marker(inbox, publisher, topic, serializer)
                assert rest == [], "only the last retained event is kept"
            async with joined(url(live), "realm1", serializer, "no-ask") as plain:
                _, inbox = await plain.subscribe_inbox(topic)
                got = await retained_then_marker(inbox, publisher, topic, "without get_retained")
                assert got == []

    asyncio.run(scenario())


def test_pattern_subscriptions_get_every_matching_topic(live: Node) -> None:
    """A prefix and a wildcard subscription with `get_retained` get the retained event of every
    topic they match (each named in `details.topic`), and nothing of others."""

    async def scenario() -> None:
        base = fresh("pattern")
        async with joined(url(live), "realm1", "json", "publisher") as publisher:
            await retain(publisher, f"{base}.a.temp", "a")
            await retain(publisher, f"{base}.b.temp", "b")
            await retain(publisher, f"{base}.b.other", "other")
            await retain(publisher, f"{base}x.c.temp", "outside")
            async with joined(url(live), "realm1", "cbor", "prefix") as sub:
                _, inbox = await sub.subscribe_inbox(f"{base}.", match="prefix", get_retained=True)
                events = [await inbox.next("retained (prefix)") for _ in range(3)]
                assert all(e.details.retained for e in events)
                by_topic = {e.details.topic: e.args for e in events}
                assert by_topic == {
                    f"{base}.a.temp": ["a"],
                    f"{base}.b.temp": ["b"],
                    f"{base}.b.other": ["other"],
                }
                rest = await retained_then_marker(inbox, publisher, f"{base}.m", "prefix")
                assert rest == []
            async with joined(url(live), "realm1", "msgpack", "wildcard") as sub:
                _, inbox = await sub.subscribe_inbox(
                    f"{base}..temp", match="wildcard", get_retained=True
                )
                events = [await inbox.next("retained (wildcard)") for _ in range(2)]
                assert sorted(e.args[0] for e in events) == ["a", "b"]
                rest = await retained_then_marker(inbox, publisher, f"{base}.z.temp", "wildcard")
                assert rest == []

    asyncio.run(scenario())


def test_retention_bounds_and_a_realm_without_retention(live: Node) -> None:
    """Realm `small` retains 2 topics in 2,048 bytes: a third topic is not retained, a retained
    topic may still be replaced, a replacement too large drops the topic's old event too (nobody
    gets a value its publisher has replaced). Realm `off` retains nothing."""

    async def scenario() -> None:
        base = fresh("bounds")
        async with joined(url(live), "small", "json", "publisher") as publisher:
            await retain(publisher, f"{base}.t1", "one")
            await retain(publisher, f"{base}.t2", "two")
            await retain(publisher, f"{base}.t3", "three")
            await retain(publisher, f"{base}.t1", "one again")
            async with joined(url(live), "small", "cbor", "subscriber") as sub:
                _, inbox = await sub.subscribe_inbox(f"{base}.", match="prefix", get_retained=True)
                got = await retained_then_marker(inbox, publisher, f"{base}.m", "small")
                assert sorted(got) == [["one again"], ["two"]], got
            await retain(publisher, f"{base}.t2", "x" * 4000)
            async with joined(url(live), "small", "cbor", "subscriber 2") as sub:
                _, inbox = await sub.subscribe_inbox(f"{base}.", match="prefix", get_retained=True)
                got = await retained_then_marker(inbox, publisher, f"{base}.m", "too large")
                assert got == [["one again"]], got
            await retain(publisher, f"{base}.t3", "three, now room")
            async with joined(url(live), "small", "json", "subscriber 3") as sub:
                _, inbox = await sub.subscribe_inbox(f"{base}.t3", get_retained=True)
                got = await retained_then_marker(inbox, publisher, f"{base}.t3", "room again")
                assert got == [["three, now room"]], got
        async with joined(url(live), "off", "json", "publisher") as publisher:
            await retain(publisher, f"{base}.t1", "kept nowhere")
            async with joined(url(live), "off", "json", "subscriber") as sub:
                _, inbox = await sub.subscribe_inbox(f"{base}.t1", get_retained=True)
                got = await retained_then_marker(inbox, publisher, f"{base}.t1", "off")
                assert got == []

    asyncio.run(scenario())


def test_a_subscriber_gets_nothing_retained_from_a_topic_it_may_not_read(live: Node) -> None:
    """Role `reader` may subscribe under com.example. except com.example.secret.: its prefix
    subscription gets the retained event of an open topic, never of a secret one, and its
    SUBSCRIBE to the secret topic itself is refused."""

    async def scenario() -> None:
        name = f"perm{next(_ids)}"
        open_topic = f"com.example.{name}.open"
        secret_topic = f"com.example.secret.{name}"
        async with joined(url(live, "writer"), "secure", "json", "writer") as writer:
            await retain(writer, open_topic, "public")
            await retain(writer, secret_topic, "hidden")
            async with joined(url(live, "reader"), "secure", "cbor", "reader") as reader:
                _, inbox = await reader.subscribe_inbox("com.example.", match="prefix",
                                                        get_retained=True)
                got = await retained_then_marker(inbox, writer, open_topic, "reader")
                assert ["public"] in got, got
                assert ["hidden"] not in got, got
                with pytest.raises(Exception) as caught:
                    await reader.subscribe_inbox(secret_topic, get_retained=True)
                assert "wamp.error.not_authorized" in str(caught.value)

    asyncio.run(scenario())
