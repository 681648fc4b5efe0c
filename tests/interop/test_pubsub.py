"""Publish and subscribe with autobahn-python: payload round trips, cross-serializer delivery,
publisher exclusion, shared subscriptions, acknowledged publications."""

from __future__ import annotations

import asyncio
import itertools

from autobahn.wamp.request import Publication
from autobahn.wamp.types import PublishOptions

from clients import SERIALIZER_NAMES, assert_same, join, joined, wait
from node import Node

_topic_ids = itertools.count(1)


def fresh_topic(name: str) -> str:
    """A topic no other test uses (the node is shared by the whole run)."""
    return f"com.crossway.test.{name}.t{next(_topic_ids)}"


TEXT = "grüße 🎉 中文"
BLOB = b"\x00\x01\xffbinary"

PAYLOAD_ARGS = [
    TEXT,
    0,
    -1,
    2**53,
    -(2**53),
    1.5,
    -0.25,
    1e300,
    3.0,
    True,
    False,
    None,
    BLOB,
    b"",
    "",
    [],
    {},
    [1, [2, [3, []]], {"in": [None]}],
    {"nested": {"list": [1, "two", 3.5, BLOB], "empty": {}}},
]

PAYLOAD_KWARGS = {
    "text": TEXT,
    "ints": [0, -1, 2**53, -(2**53)],
    "floats": [1.5, -0.25, 1e300],
    "bools": [True, False],
    "nothing": None,
    "blob": BLOB,
    "map": {"ü": {"deep": [{"x": None, "y": [BLOB, TEXT]}]}},
    "中文": "unicode key",
}


def test_event_payload_round_trip(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        topic = fresh_topic("roundtrip")
        async with (
            joined(live_node.url, "realm1", serializer, "subscriber") as sub,
            joined(live_node.url, "realm1", serializer, "publisher") as pub,
        ):
            _, inbox = await sub.subscribe_inbox(topic)
            await wait(
                pub.publish(
                    topic, *PAYLOAD_ARGS, options=PublishOptions(acknowledge=True), **PAYLOAD_KWARGS
                ),
                "PUBLISHED",
            )
            event = await inbox.next()
            assert_same(PAYLOAD_ARGS, event.args, f"args over {serializer}")
            assert_same(PAYLOAD_KWARGS, event.kwargs, f"kwargs over {serializer}")
            assert event.details.topic in (None, topic)

    asyncio.run(scenario())


def test_event_without_payload(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        topic = fresh_topic("empty")
        async with (
            joined(live_node.url, "realm1", serializer, "subscriber") as sub,
            joined(live_node.url, "realm1", serializer, "publisher") as pub,
        ):
            _, inbox = await sub.subscribe_inbox(topic)
            await wait(pub.publish(topic, options=PublishOptions(acknowledge=True)), "PUBLISHED")
            event = await inbox.next()
            assert event.args == [] and event.kwargs == {}, event

    asyncio.run(scenario())


def test_cross_serializer_delivery(live_node: Node, serializer: str) -> None:
    """A publisher using `serializer` reaches subscribers of every serializer, payloads equal."""

    async def scenario() -> None:
        topic = fresh_topic("cross")
        subs = [await join(live_node.url, "realm1", s, f"{s} subscriber") for s in SERIALIZER_NAMES]
        try:
            inboxes = [(await s.subscribe_inbox(topic))[1] for s in subs]
            async with joined(
                live_node.url, "realm1", serializer, f"{serializer} publisher"
            ) as pub:
                await wait(
                    pub.publish(
                        topic,
                        *PAYLOAD_ARGS,
                        options=PublishOptions(acknowledge=True),
                        **PAYLOAD_KWARGS,
                    ),
                    "PUBLISHED",
                )
                for name, inbox in zip(SERIALIZER_NAMES, inboxes):
                    event = await inbox.next()
                    assert_same(PAYLOAD_ARGS, event.args, f"args {serializer} -> {name}")
                    assert_same(PAYLOAD_KWARGS, event.kwargs, f"kwargs {serializer} -> {name}")
        finally:
            for s in subs:
                await s.close()

    asyncio.run(scenario())


def test_exclude_me(live_node: Node, serializer: str) -> None:
    """By default the publisher gets no copy of its own event; with exclude_me=False it does.

    Events from one publisher on one topic arrive in order, so receiving the second publication
    (exclude_me=False) first proves the first one (default) was not sent to the publisher.
    """

    async def scenario() -> None:
        topic = fresh_topic("exclude_me")
        async with (
            joined(live_node.url, "realm1", serializer, "publisher") as pub,
            joined(live_node.url, "realm1", serializer, "observer") as obs,
        ):
            _, own = await pub.subscribe_inbox(topic)
            _, other = await obs.subscribe_inbox(topic)
            pub.publish(topic, "default")
            pub.publish(topic, "included", options=PublishOptions(exclude_me=False))
            first = await own.next("the publisher's own event")
            assert first.args == [
                "included"
            ], f"the publisher received its own event published with default exclude_me: {first}"
            assert (await other.next()).args == ["default"]
            assert (await other.next()).args == ["included"]

    asyncio.run(scenario())


def test_two_subscribers_share_subscription(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        topic = fresh_topic("two_subs")
        async with (
            joined(live_node.url, "realm1", serializer, "subscriber a") as a,
            joined(live_node.url, "realm1", serializer, "subscriber b") as b,
            joined(live_node.url, "realm1", serializer, "publisher") as pub,
        ):
            sub_a, inbox_a = await a.subscribe_inbox(topic)
            sub_b, inbox_b = await b.subscribe_inbox(topic)
            assert type(sub_a.id) is int and 1 <= sub_a.id <= 2**53, sub_a.id
            assert (
                sub_a.id == sub_b.id
            ), f"two subscriptions to one topic got different ids: {sub_a.id} and {sub_b.id}"
            await wait(
                pub.publish(topic, 42, options=PublishOptions(acknowledge=True)), "PUBLISHED"
            )
            ev_a = await inbox_a.next()
            ev_b = await inbox_b.next()
            assert ev_a.args == [42] and ev_b.args == [42]
            assert (
                ev_a.details.publication == ev_b.details.publication
            ), "one publication delivered with two publication ids"

    asyncio.run(scenario())


def test_unsubscribed_session_gets_no_more_events(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        topic = fresh_topic("unsub")
        async with (
            joined(live_node.url, "realm1", serializer, "leaver") as leaver,
            joined(live_node.url, "realm1", serializer, "stayer") as stayer,
            joined(live_node.url, "realm1", serializer, "publisher") as pub,
        ):
            sub, gone = await leaver.subscribe_inbox(topic)
            _, kept = await stayer.subscribe_inbox(topic)
            await wait(sub.unsubscribe(), "UNSUBSCRIBED")
            await wait(pub.publish(topic, 1, options=PublishOptions(acknowledge=True)), "PUBLISHED")
            assert (await kept.next()).args == [1]
            # The leaver re-subscribes: the next event it receives must be the second one.
            _, again = await leaver.subscribe_inbox(topic)
            await wait(pub.publish(topic, 2, options=PublishOptions(acknowledge=True)), "PUBLISHED")
            assert (await again.next()).args == [2]
            assert gone.pending() == [], "an event reached a handler after UNSUBSCRIBED"

    asyncio.run(scenario())


def test_acknowledged_publish_returns_publication(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        topic = fresh_topic("ack")
        async with joined(live_node.url, "realm1", serializer, "publisher") as pub:
            first = await wait(
                pub.publish(topic, "x", options=PublishOptions(acknowledge=True)), "PUBLISHED"
            )
            second = await wait(
                pub.publish(topic, "y", options=PublishOptions(acknowledge=True)), "PUBLISHED"
            )
            for p in (first, second):
                assert isinstance(p, Publication), f"expected a Publication, got {p!r}"
                assert type(p.id) is int and 1 <= p.id <= 2**53, f"publication id {p.id!r}"
            assert first.id != second.id, "two publications got the same id"

    asyncio.run(scenario())


def test_integer_range(live_node: Node, serializer: str) -> None:
    """The whole i64 and u64 range survives every serializer pair (design: integers are exact)."""

    async def scenario() -> None:
        topic = fresh_topic("ints")
        values = [2**63 - 1, -(2**63), 2**64 - 1, 2**53 + 1, -(2**53) - 1, 255, -256, 65536]
        subs = [await join(live_node.url, "realm1", s, f"{s} subscriber") for s in SERIALIZER_NAMES]
        try:
            inboxes = [(await s.subscribe_inbox(topic))[1] for s in subs]
            async with joined(live_node.url, "realm1", serializer, "publisher") as pub:
                await wait(
                    pub.publish(topic, *values, options=PublishOptions(acknowledge=True), n=values),
                    "PUBLISHED",
                )
                for name, inbox in zip(SERIALIZER_NAMES, inboxes):
                    event = await inbox.next()
                    assert_same(values, event.args, f"args {serializer} -> {name}")
                    assert_same({"n": values}, event.kwargs, f"kwargs {serializer} -> {name}")
        finally:
            for s in subs:
                await s.close()

    asyncio.run(scenario())


def test_large_binary_payload(live_node: Node, serializer: str) -> None:
    """A 512 KiB blob (about 700 KB as JSON base64) fits the 1 MiB limit and arrives intact."""

    async def scenario() -> None:
        topic = fresh_topic("large")
        blob = bytes(range(256)) * 2048
        subs = [await join(live_node.url, "realm1", s, f"{s} subscriber") for s in SERIALIZER_NAMES]
        try:
            inboxes = [(await s.subscribe_inbox(topic))[1] for s in subs]
            async with joined(live_node.url, "realm1", serializer, "publisher") as pub:
                await wait(
                    pub.publish(topic, blob, options=PublishOptions(acknowledge=True)), "PUBLISHED"
                )
                for name, inbox in zip(SERIALIZER_NAMES, inboxes):
                    event = await inbox.next()
                    assert (
                        len(event.args) == 1 and type(event.args[0]) is bytes
                    ), f"{serializer} -> {name}: {type(event.args[0]) if event.args else None}"
                    assert event.args[0] == blob, f"{serializer} -> {name}: blob differs"
        finally:
            for s in subs:
                await s.close()

    asyncio.run(scenario())


def test_many_events_arrive_in_order(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        topic = fresh_topic("order")
        count = 300
        async with (
            joined(live_node.url, "realm1", serializer, "subscriber") as sub,
            joined(live_node.url, "realm1", serializer, "publisher") as pub,
        ):
            _, inbox = await sub.subscribe_inbox(topic)
            for i in range(count):
                pub.publish(topic, i)
            received = [(await inbox.next(f"event {i} of {count}")).args for i in range(count)]
            assert received == [[i] for i in range(count)], "events lost, duplicated or reordered"

    asyncio.run(scenario())


def test_subscriber_that_drops_its_connection(live_node: Node, serializer: str) -> None:
    """A subscriber whose transport goes away without GOODBYE is cleaned up; others go on."""

    async def scenario() -> None:
        topic = fresh_topic("dropped")
        async with (
            joined(live_node.url, "realm1", serializer, "stayer") as stayer,
            joined(live_node.url, "realm1", serializer, "publisher") as pub,
        ):
            dropper = await join(live_node.url, "realm1", serializer, "dropper")
            await dropper.subscribe_inbox(topic)
            _, kept = await stayer.subscribe_inbox(topic)
            dropper.disconnect()
            await wait(dropper.disconnected, "the dropper's transport to close")
            for i in range(3):
                await wait(
                    pub.publish(topic, i, options=PublishOptions(acknowledge=True)), "PUBLISHED"
                )
                assert (await kept.next()).args == [i]

    asyncio.run(scenario())
