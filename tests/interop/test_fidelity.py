"""Payload fidelity: a subscriber of the publisher's serializer receives the publisher's payload
bytes exactly, whoever encoded them (by hand, or autobahn-python's own serializers): dictionary
keys in the publisher's order, numbers as it wrote them (1.0, 1E2, integers beyond 2^53), and
lengths in whatever form it chose. The EVENT frame is looked at as it arrives, undecoded."""

from __future__ import annotations

import asyncio
import base64
import itertools
from typing import Any

import cbor2
import msgpack
from autobahn.wamp.types import PublishOptions

from clients import SERIALIZERS, joined, wait
from node import Node
from rawws import EVENT, PUBLISH, SUBSCRIBE, SUBSCRIBED, RawPeer, decode, raw_peer

_topic_ids = itertools.count(1)


def fresh_topic(name: str) -> str:
    """A topic no other test uses (the node is shared by the whole run)."""
    return f"com.crossway.fidelity.{name}.t{next(_topic_ids)}"


# Per serializer: `Arguments|list` and `ArgumentsKw|dict` as a publisher might encode them, in
# forms a re-encoding would change: keys out of order, 1.0 and 1E2, 2^53 + 1, spaces in JSON,
# doubles where a shorter float would do, integers and lists in longer forms than needed.
HAND_MADE: dict[str, tuple[str | bytes, str | bytes]] = {
    "json": (
        '[1.0, 9007199254740993, -0.0, 1E2, {"z": "last", "a": "first"}, "\\u00e9"]',
        '{"zeta":1,"alpha":[true,null],"mid":{"y":1,"x":2}}',
    ),
    "cbor": (
        bytes(
            [0x9F]  # an indefinite-length list
            + [0xFB, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0]  # 1.0 as a double
            + [0x1B, 0x00, 0x20, 0, 0, 0, 0, 0, 0x01]  # 2^53 + 1
            + [0x1B, 0, 0, 0, 0, 0, 0, 0, 0x05]  # 5 in nine bytes
            + [0xA2, 0x61, ord("z"), 0x01, 0x61, ord("a"), 0x02]  # {"z": 1, "a": 2}
            + [0xFF]
        ),
        bytes([0xA2, 0x64]) + b"zeta" + bytes([0xF6, 0x65]) + b"alpha" + bytes([0x41, 0x07]),
    ),
    "msgpack": (
        bytes(
            [0x95]  # a list of five
            + [0xCB, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0]  # 1.0 as a double
            + [0xCF, 0x00, 0x20, 0, 0, 0, 0, 0, 0x01]  # 2^53 + 1
            + [0xCD, 0x00, 0x05]  # 5 in three bytes
            + [0xCA, 0x3F, 0xC0, 0, 0]  # 1.5 as a float32
            + [0x82, 0xA1, ord("z"), 0x01, 0xA1, ord("a"), 0x02]  # {"z": 1, "a": 2}
        ),
        bytes([0x82, 0xA4]) + b"zeta" + bytes([0xC0, 0xD9, 0x05]) + b"alpha" + bytes([0x07]),
    ),
}


def publish_frame(
    serializer: str, topic: str, args: str | bytes, kwargs: str | bytes
) -> str | bytes:
    """`[PUBLISH, 1, {}, topic, args, kwargs]` with the payload spliced in as given."""
    if serializer == "json":
        assert isinstance(args, str) and isinstance(kwargs, str)
        return f'[{PUBLISH},1,{{}},"{topic}",{args},{kwargs}]'
    assert isinstance(args, bytes) and isinstance(kwargs, bytes)
    if serializer == "cbor":
        head = [cbor2.dumps(x) for x in (PUBLISH, 1, {}, topic)]
        return bytes([0x86]) + b"".join(head) + args + kwargs
    head = [msgpack.packb(x, use_bin_type=True) for x in (PUBLISH, 1, {}, topic)]
    return bytes([0x96]) + b"".join(head) + args + kwargs


def payload_tail(serializer: str, args: str | bytes, kwargs: str | bytes) -> str | bytes:
    """How an EVENT frame carrying exactly these elements ends."""
    if serializer == "json":
        return f",{args},{kwargs}]"
    assert isinstance(args, bytes) and isinstance(kwargs, bytes)
    return args + kwargs


async def subscribed_peer(peer: RawPeer, topic: str) -> None:
    await peer.hello()
    await peer.send([SUBSCRIBE, 1, {}, topic])
    reply = await peer.recv("SUBSCRIBED")
    assert reply[0] == SUBSCRIBED, reply


async def event_frame(peer: RawPeer) -> str | bytes:
    """The next frame, which must be an EVENT."""
    frame = await peer.recv_frame("EVENT")
    msg = decode(peer.serializer, frame)
    assert msg[0] == EVENT, msg
    return frame


def test_hand_encoded_payload_arrives_byte_for_byte(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        topic = fresh_topic("hand")
        args, kwargs = HAND_MADE[serializer]
        async with (
            raw_peer(live_node.url, serializer) as sub,
            raw_peer(live_node.url, serializer) as pub,
        ):
            await subscribed_peer(sub, topic)
            await pub.hello()
            await pub.send_frame(publish_frame(serializer, topic, args, kwargs))
            frame = await event_frame(sub)
            tail = payload_tail(serializer, args, kwargs)
            assert frame.endswith(tail), f"EVENT {frame!r} does not end with {tail!r}"

    asyncio.run(scenario())


def test_hand_encoded_payload_reaches_other_serializers_as_values(
    live_node: Node, serializer: str
) -> None:
    """Converted for the other serializers, the values are the same, keys in the sender's order."""

    async def scenario() -> None:
        topic = fresh_topic("cross")
        args, kwargs = HAND_MADE[serializer]
        expected = decode(serializer, publish_frame(serializer, topic, args, kwargs))[4:]
        others = [s for s in SERIALIZERS if s != serializer]
        async with (
            raw_peer(live_node.url, others[0]) as first,
            raw_peer(live_node.url, others[1]) as second,
            raw_peer(live_node.url, serializer) as pub,
        ):
            for peer in (first, second):
                await subscribed_peer(peer, topic)
            await pub.hello()
            await pub.send_frame(publish_frame(serializer, topic, args, kwargs))
            for peer in (first, second):
                got = decode(peer.serializer, await event_frame(peer))[4:]
                assert same_values(expected, got), f"{serializer} -> {peer.serializer}: {got!r}"

    asyncio.run(scenario())


def test_autobahn_publisher_payload_arrives_byte_for_byte(live_node: Node, serializer: str) -> None:
    """autobahn-python publishes; a subscriber of its serializer gets the elements exactly as
    autobahn's own serializer encodes them."""

    async def scenario() -> None:
        topic = fresh_topic("autobahn")
        args = [1.0, 2**53 + 1, -(2**63), {"z": "last", "a": "first"}, "é", 3.25]
        kwargs = {"zeta": 1, "alpha": [True, None], "mid": {"y": 1.0, "x": 2}}
        encode = SERIALIZERS[serializer]()._serializer.serialize
        tail = payload_tail(serializer, encode(args), encode(kwargs))
        if serializer == "json":
            tail = payload_tail(serializer, encode(args).decode(), encode(kwargs).decode())
        async with (
            raw_peer(live_node.url, serializer) as sub,
            joined(live_node.url, "realm1", serializer, "publisher") as pub,
        ):
            await subscribed_peer(sub, topic)
            await wait(
                pub.publish(topic, *args, options=PublishOptions(acknowledge=True), **kwargs),
                "PUBLISHED",
            )
            frame = await event_frame(sub)
            assert frame.endswith(tail), f"EVENT {frame!r} does not end with {tail!r}"

    asyncio.run(scenario())


def same_values(a: Any, b: Any) -> bool:
    """Equal values across serializers: numbers by value, maps by content and key order, JSON's
    "\\0" + base64 strings as the bytes they carry."""
    a, b = unwrap_binary(a), unwrap_binary(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same_values(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_values(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def unwrap_binary(value: Any) -> Any:
    """A JSON string that starts with "\\0": the bytes its base64 carries."""
    if isinstance(value, str) and value.startswith("\0"):
        return base64.b64decode(value[1:] + "=" * (-len(value[1:]) % 4))
    return value
