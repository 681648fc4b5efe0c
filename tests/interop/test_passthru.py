"""Payload transparency (passthru mode): autobahn-python's end-to-end encryption (a cryptobox key
ring, PyNaCl) through the broker and the dealer, and a raw `ppt_*` publication reaching JSON,
CBOR and MessagePack subscribers byte for byte (JSON with "\\0" + base64)."""

from __future__ import annotations

import asyncio
import base64
import itertools
from typing import Any

import pytest
from autobahn.wamp.cryptobox import Key, KeyRing
from autobahn.wamp.types import CallResult, PublishOptions

from clients import SERIALIZER_NAMES, Client, joined, wait
from node import Node
from rawws import EVENT, PUBLISH, PUBLISHED, SUBSCRIBE, SUBSCRIBED, raw_peer
from rpc_clients import call, register

_ids = itertools.count(1)

# Every byte value, so that a conversion anywhere would show.
BLOB = bytes(range(256))


def fresh(name: str) -> str:
    return f"com.crossway.test.ppt.{name}{next(_ids)}"


class KeyPair:
    """One party's Curve25519 key pair, base64 as autobahn's Key takes it."""

    def __init__(self, ring: KeyRing) -> None:
        self.private, self.public = ring.generate_key()


def rings() -> tuple[KeyRing, KeyRing]:
    """(originator's ring, responder's ring) sharing a box for every URI: the originator
    (publisher, caller) holds its private key and the responder's public key, the responder
    (subscriber, callee) the other two."""
    helper = KeyRing()
    originator, responder = KeyPair(helper), KeyPair(helper)
    return (
        KeyRing(Key(originator_priv=originator.private, responder_pub=responder.public)),
        KeyRing(Key(responder_priv=responder.private, originator_pub=originator.public)),
    )


@pytest.mark.parametrize("publisher_ser", SERIALIZER_NAMES)
def test_cryptobox_publication_reaches_subscribers_of_every_serializer(
    live_node: Node, publisher_ser: str
) -> None:
    """An encrypted publication (autobahn's `enc_algo: cryptobox`) reaches a JSON, a CBOR and a
    MessagePack subscriber, each of which decrypts the payload the publisher encrypted; a
    subscriber without the key cannot read it (the router never could)."""

    async def scenario() -> None:
        topic = fresh("box")
        originator, responder = rings()
        async with (
            joined(live_node.url, "realm1", publisher_ser, "publisher") as publisher,
            joined(live_node.url, "realm1", "json", "json sub") as s_json,
            joined(live_node.url, "realm1", "cbor", "cbor sub") as s_cbor,
            joined(live_node.url, "realm1", "msgpack", "msgpack sub") as s_msgpack,
        ):
            publisher.set_payload_codec(originator)
            subscribers: list[Client] = [s_json, s_cbor, s_msgpack]
            inboxes = []
            for s in subscribers:
                s.set_payload_codec(responder)
                _, inbox = await s.subscribe_inbox(topic)
                inboxes.append(inbox)
            await wait(
                publisher.publish(
                    topic, "secret", {"n": 1}, BLOB.hex(), options=PublishOptions(acknowledge=True)
                ),
                "PUBLISHED (encrypted)",
            )
            for inbox in inboxes:
                event = await inbox.next("the decrypted event")
                assert event.args == ["secret", {"n": 1}, BLOB.hex()], event
                assert event.details.enc_algo == "cryptobox"

    asyncio.run(scenario())


def test_cryptobox_call_and_result(live_node: Node) -> None:
    """An encrypted CALL reaches a callee of another serializer, which decrypts it; its encrypted
    YIELD comes back as a RESULT the caller decrypts."""

    async def scenario() -> None:
        procedure = fresh("proc")
        originator, responder = rings()
        seen: list[Any] = []

        def add(a: int, b: int, details: Any) -> CallResult:
            seen.append(details.enc_algo)
            return CallResult(a + b, note="sum")

        async with (
            joined(live_node.url, "realm1", "cbor", "callee") as callee,
            joined(live_node.url, "realm1", "json", "caller") as caller,
        ):
            callee.set_payload_codec(responder)
            caller.set_payload_codec(originator)
            await register(callee, add, procedure)
            args, kwargs = await call(caller, procedure, 2, 3)
            assert (args, kwargs) == ([5], {"note": "sum"})
            assert seen == ["cryptobox"], "the callee saw no encrypted invocation"

    asyncio.run(scenario())


def test_a_raw_passthru_publication_arrives_byte_for_byte(live_node: Node) -> None:
    """A JSON publisher's `ppt_*` publication: the binary payload reaches a JSON subscriber as
    the same "\\0" + base64 string and CBOR and MessagePack subscribers as the same bytes, with
    the `ppt_*` options in EVENT details, untouched."""

    async def scenario() -> None:
        topic = fresh("raw")
        options = {
            "ppt_scheme": "x_custom",
            "ppt_serializer": "flatbuffers",
            "ppt_cipher": "xsalsa20poly1305",
            "ppt_keyid": "key-7",
        }
        encoded = "\u0000" + base64.b64encode(BLOB).decode("ascii")
        async with (
            raw_peer(live_node.url, "json") as publisher,
            raw_peer(live_node.url, "json") as s_json,
            raw_peer(live_node.url, "cbor") as s_cbor,
            raw_peer(live_node.url, "msgpack") as s_msgpack,
        ):
            await publisher.hello()
            for s in (s_json, s_cbor, s_msgpack):
                await s.hello()
                await s.send([SUBSCRIBE, 1, {}, topic])
                reply = await s.recv("SUBSCRIBED")
                assert reply[0] == SUBSCRIBED, reply
            await publisher.send([PUBLISH, 2, {**options, "acknowledge": True}, topic, [encoded]])
            reply = await publisher.recv("PUBLISHED")
            assert reply[0] == PUBLISHED, reply
            for s, want in ((s_json, encoded), (s_cbor, BLOB), (s_msgpack, BLOB)):
                event = await s.recv(f"the passthru EVENT ({s.serializer})")
                assert event[0] == EVENT and len(event) == 5, event
                assert {k: event[3].get(k) for k in options} == options, event[3]
                assert event[4] == [want], f"{s.serializer}: {event[4]!r}"

    asyncio.run(scenario())
