"""Errors the router answers with ERROR while the session stays usable: invalid URIs (loose and
strict realms), unsubscribing twice."""

from __future__ import annotations

import asyncio

import pytest
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import PublishOptions

from clients import Client, joined, wait
from node import Node
from test_pubsub import fresh_topic

INVALID_URIS = ["com.my topic", "com..x", "com.x.", ".com.x", "com.x#y", ""]


async def assert_usable(session: Client, realm_topic: str) -> None:
    """The session can still subscribe, publish and receive its own event."""
    _, inbox = await session.subscribe_inbox(realm_topic)
    await wait(
        session.publish(
            realm_topic, "still here", options=PublishOptions(acknowledge=True, exclude_me=False)
        ),
        "PUBLISHED after an error",
    )
    event = await inbox.next("the event published after an error")
    assert event.args == ["still here"]


async def expect_error(aw, uri: str, what: str) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        await wait(aw, what)
    assert caught.value.error == uri, f"{what}: got {caught.value.error!r} ({caught.value})"
    return caught.value


@pytest.mark.parametrize("topic", INVALID_URIS)
def test_subscribe_invalid_uri(live_node: Node, serializer: str, topic: str) -> None:
    async def scenario() -> None:
        async with joined(live_node.url, "realm1", serializer) as session:
            await expect_error(
                session.subscribe_unchecked(topic),
                "wamp.error.invalid_uri",
                f"SUBSCRIBE {topic!r}",
            )
            assert not session.left.done(), f"the session was closed: {session.left.result()}"
            await assert_usable(session, fresh_topic("after_invalid_sub"))

    asyncio.run(scenario())


@pytest.mark.parametrize("topic", INVALID_URIS)
def test_publish_invalid_uri(live_node: Node, serializer: str, topic: str) -> None:
    async def scenario() -> None:
        async with joined(live_node.url, "realm1", serializer) as session:
            await expect_error(
                session.publish_unchecked(topic, 1, options=PublishOptions(acknowledge=True)),
                "wamp.error.invalid_uri",
                f"PUBLISH {topic!r} acknowledge=True",
            )
            assert not session.left.done(), f"the session was closed: {session.left.result()}"
            await assert_usable(session, fresh_topic("after_invalid_pub"))

    asyncio.run(scenario())


def test_strict_realm_checks_uris(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        async with joined(live_node.url, "strict1", serializer) as session:
            await expect_error(
                session.subscribe_unchecked("com.MyTopic"),
                "wamp.error.invalid_uri",
                "SUBSCRIBE 'com.MyTopic' on a strict realm",
            )
            await expect_error(
                session.publish_unchecked(
                    "com.MyTopic", 1, options=PublishOptions(acknowledge=True)
                ),
                "wamp.error.invalid_uri",
                "PUBLISH 'com.MyTopic' on a strict realm",
            )
            await assert_usable(session, "com.my_topic")

    asyncio.run(scenario())


def test_loose_realm_accepts_mixed_case(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        async with joined(live_node.url, "realm1", serializer) as session:
            await assert_usable(session, "com.MyTopic")

    asyncio.run(scenario())


def test_unsubscribe_twice(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        topic = fresh_topic("unsub_twice")
        async with joined(live_node.url, "realm1", serializer) as session:
            sub, _ = await session.subscribe_inbox(topic)
            await wait(sub.unsubscribe(), "UNSUBSCRIBED")
            await expect_error(
                session.raw_unsubscribe(sub.id),
                "wamp.error.no_such_subscription",
                "the second UNSUBSCRIBE",
            )
            await expect_error(
                session.raw_unsubscribe(987654321),
                "wamp.error.no_such_subscription",
                "UNSUBSCRIBE of an id never issued",
            )
            assert not session.left.done(), f"the session was closed: {session.left.result()}"
            await assert_usable(session, topic)

    asyncio.run(scenario())
