"""autobahn-js (under Node) against the node: ticket and WAMP-CRA authentication succeeding and
failing, and publish/subscribe with autobahn-python in both directions, over WebSocket with each
serializer autobahn-js has and over RawSocket (JSON, its only serializer there).

Each autobahn-js session is a client.mjs process (see js_clients.py). One node serves the module,
with its secrets from the environment and throttling off so that failures do not slow the others.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from autobahn.wamp.types import PublishOptions

from clients import Target, assert_same, joined, wait
from js_clients import JsResult, js_client, run_js, scenario, ticket, wampcra
from node import Endpoint, Node

ALICE_TICKET = "alice's ticket: 7f3c"
# Not ASCII: the client and the router must both key the HMAC with the secret's UTF-8 octets.
BOB_SECRET = "bob's secret, süß"
CAROL_PASSWORD = "carol's password"

AUTH_YAML = """\
    auth:
      ticket:
        principals:
          alice: { ticket: "${ALICE_TICKET}", role: user }
      wampcra:
        principals:
          bob: { secret: "${BOB_SECRET}", role: user }
          carol: { secret: "${CAROL_PASSWORD}", role: user, salt: "sel-de-mer", iterations: 100, keylen: 32 }
"""


@pytest.fixture(scope="module")
def js_node(crossway_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """`ws` and `rs` authenticate (ticket, WAMP-CRA); `open` and `open_rs` are anonymous."""
    endpoints = [
        Endpoint("ws", extra=AUTH_YAML),
        Endpoint("rs", transport="rawsocket", extra=AUTH_YAML),
        Endpoint("open"),
        Endpoint("open_rs", transport="rawsocket"),
    ]
    env = {
        "ALICE_TICKET": ALICE_TICKET,
        "BOB_SECRET": BOB_SECRET,
        "CAROL_PASSWORD": CAROL_PASSWORD,
    }
    node = Node(
        crossway_bin,
        tmp_path_factory.mktemp("js-node"),
        "js-node",
        endpoints,
        extra="limits:\n  auth_delay: 0\n",
        env=env,
    )
    node.start()
    yield node
    node.stop()


@pytest.fixture
def live_js_node(js_node: Node) -> Iterator[Node]:
    """The module's node, checked to be alive (and not panicked) before and after each test."""
    js_node.assert_running()
    yield js_node
    js_node.assert_running()
    js_node.assert_no_panic()


def url(node: Node, endpoint: str) -> str:
    """The client.mjs URL of `endpoint`: ws://... or rs://..."""
    e = node.endpoint(endpoint)
    if e.transport == "rawsocket":
        return f"rs://127.0.0.1:{e.port}"
    return f"ws://127.0.0.1:{e.port}{e.path}"


def identity(result: JsResult) -> tuple[str, str, str, str]:
    w = result.welcome
    return (w["authid"], w["authrole"], w["authmethod"], w["authprovider"])


# --- authentication ---------------------------------------------------------------------------

GOOD = {
    "ticket": ticket("alice", ALICE_TICKET),
    "wampcra": wampcra("bob", BOB_SECRET),
    "wampcra-salted": wampcra("carol", CAROL_PASSWORD),
}

EXPECTED = {
    "ticket": ("alice", "user", "ticket", "static"),
    "wampcra": ("bob", "user", "wampcra", "static"),
    "wampcra-salted": ("carol", "user", "wampcra", "static"),
}


@pytest.mark.parametrize("endpoint", ["ws", "rs"])
@pytest.mark.parametrize("case", list(GOOD))
def test_autobahn_js_authenticates(live_js_node: Node, case: str, endpoint: str) -> None:
    result = asyncio.run(run_js(scenario(url(live_js_node, endpoint), "realm1", auth=GOOD[case])))
    assert identity(result) == EXPECTED[case], result.describe()
    [challenge] = result.of("challenge")
    assert challenge["method"] == GOOD[case]["methods"][0]
    if case == "wampcra-salted":
        # The salted principal's parameters reach the client, which derives the key from them.
        extra = challenge["extra"]
        assert (extra["salt"], extra["iterations"], extra["keylen"]) == ("sel-de-mer", 100, 32)
    elif case == "wampcra":
        assert "salt" not in challenge["extra"]
    assert result.one("left")["reason"] == "wamp.close.goodbye_and_out"


@pytest.mark.parametrize("serializer", ["msgpack", "cbor"])
def test_autobahn_js_authenticates_with_binary_serializers(
    live_js_node: Node, serializer: str
) -> None:
    """The CHALLENGE's extra and the answer survive autobahn-js's binary serializers too."""
    for case in ("ticket", "wampcra-salted"):
        result = asyncio.run(
            run_js(scenario(url(live_js_node, "ws"), "realm1", serializer, auth=GOOD[case]))
        )
        assert identity(result) == EXPECTED[case], result.describe()
        assert result.welcome["transport"] == f"wamp.2.{serializer}"


BAD = {
    "wrong ticket": ticket("alice", ALICE_TICKET + "x"),
    "wrong wampcra secret": wampcra("bob", BOB_SECRET + "x"),
    "wrong salted password": wampcra("carol", BOB_SECRET),
}


@pytest.mark.parametrize("case", list(BAD))
def test_autobahn_js_wrong_secret_is_refused(live_js_node: Node, case: str) -> None:
    result = asyncio.run(run_js(scenario(url(live_js_node, "ws"), "realm1", auth=BAD[case])))
    abort = result.abort
    assert abort["reason"] == "wamp.error.authentication_failed", result.describe()
    assert abort["message"] == "authentication failed"
    assert len(result.of("challenge")) == 1


# --- publish and subscribe with autobahn-python -----------------------------------------------

_topic_ids = itertools.count(1)


def fresh_topic(name: str) -> str:
    """A topic no other test uses."""
    return f"com.crossway.js.{name}.t{next(_topic_ids)}"


TEXT = "grüße 🎉 中文"

# Values every serializer carries between JavaScript and Python unchanged: JavaScript has one
# number type, so no integral float (3.0 arrives as 3) and no integer beyond 2**53 - 1; and no
# binary (autobahn-js's JSON serializer does not know autobahn's binary-in-JSON convention).
PAYLOAD_ARGS: list[Any] = [
    TEXT,
    0,
    -1,
    2**53 - 1,
    -(2**53 - 1),
    1.5,
    -0.25,
    1e300,
    True,
    False,
    None,
    "",
    [],
    {},
    [1, [2, [3, []]], {"in": [None]}],
]

PAYLOAD_KWARGS: dict[str, Any] = {
    "text": TEXT,
    "ints": [0, -1, 2**32, -(2**31) - 1],
    "floats": [1.5, -0.25, 1e300],
    "bools": [True, False],
    "nothing": None,
    "map": {"ü": {"deep": [{"x": None, "y": [TEXT, {}]}]}},
    "中文": "unicode key",
}

# (endpoint, serializer): WebSocket with each serializer autobahn-js has, RawSocket with JSON.
PUBSUB_CASES = [("open", "json"), ("open", "msgpack"), ("open", "cbor"), ("open_rs", "json")]


def python_target(node: Node, endpoint: str) -> Target:
    e = node.endpoint(endpoint)
    return Target(e.transport, port=e.port, path=e.path)


@pytest.mark.parametrize(("endpoint", "serializer"), PUBSUB_CASES)
def test_autobahn_js_publishes_to_autobahn_python(
    live_js_node: Node, endpoint: str, serializer: str
) -> None:
    topic = fresh_topic("js-to-py")
    publish = {
        "op": "publish",
        "topic": topic,
        "args": PAYLOAD_ARGS,
        "kwargs": PAYLOAD_KWARGS,
        "options": {"acknowledge": True},
    }

    async def run() -> None:
        target = python_target(live_js_node, endpoint)
        async with joined(target, "realm1", serializer, "python subscriber") as sub:
            _, inbox = await sub.subscribe_inbox(topic)
            result = await run_js(
                scenario(url(live_js_node, endpoint), "realm1", serializer, steps=[publish])
            )
            assert result.welcome["transport"] == f"wamp.2.{serializer}", result.describe()
            assert result.welcome["authmethod"] == "anonymous"
            published = result.one("published")
            event = await inbox.next("the event autobahn-js published")
            assert_same(PAYLOAD_ARGS, event.args, f"args from autobahn-js over {serializer}")
            assert_same(PAYLOAD_KWARGS, event.kwargs, f"kwargs from autobahn-js over {serializer}")
            assert event.details.publication == published["publication"]
            assert inbox.pending() == []

    asyncio.run(run())


@pytest.mark.parametrize(("endpoint", "serializer"), PUBSUB_CASES)
def test_autobahn_python_publishes_to_autobahn_js(
    live_js_node: Node, endpoint: str, serializer: str
) -> None:
    topic = fresh_topic("py-to-js")
    steps = [{"op": "subscribe", "topic": topic}, {"op": "events", "count": 1}]

    async def run() -> None:
        target = python_target(live_js_node, endpoint)
        js_scenario = scenario(url(live_js_node, endpoint), "realm1", serializer, steps=steps)
        async with (
            js_client(js_scenario) as js,
            joined(target, "realm1", serializer, "python publisher") as pub,
        ):
            await js.next("subscribed")
            publication = await wait(
                pub.publish(
                    topic,
                    *PAYLOAD_ARGS,
                    options=PublishOptions(acknowledge=True),
                    **PAYLOAD_KWARGS,
                ),
                "PUBLISHED",
            )
            result = await js.finish()
        assert result.welcome["transport"] == f"wamp.2.{serializer}", result.describe()
        [event] = result.events
        assert_same(PAYLOAD_ARGS, event["args"], f"args at autobahn-js over {serializer}")
        assert_same(PAYLOAD_KWARGS, event["kwargs"], f"kwargs at autobahn-js over {serializer}")
        assert event["details"]["publication"] == publication.id

    asyncio.run(run())


# --- the harness itself -----------------------------------------------------------------------


def test_autobahn_js_client_reports_a_wait_that_expires(live_js_node: Node) -> None:
    """A step that never completes ends the client with a failure naming it (status 1), so a
    test waiting on autobahn-js cannot pass by accident."""
    steps = [{"op": "subscribe", "topic": fresh_topic("silent")}, {"op": "events", "count": 1}]
    result = asyncio.run(
        run_js(scenario(url(live_js_node, "open"), "realm1", steps=steps, timeout=0.5))
    )
    assert result.status == 1, result.describe()
    assert "timed out after 0.5s waiting for 1 event(s)" in result.one("failure")["message"]
    assert not result.of("left")


def test_autobahn_js_client_reports_an_error_reply_and_goes_on(live_js_node: Node) -> None:
    """A router ERROR for a step is reported, and the session carries on with the next steps."""
    topic = fresh_topic("after-error")
    steps = [
        {"op": "publish", "topic": "wamp.crossway.js", "options": {"acknowledge": True}},
        {"op": "publish", "topic": topic, "args": [1], "options": {"acknowledge": True}},
    ]
    result = asyncio.run(run_js(scenario(url(live_js_node, "open"), "realm1", steps=steps)))
    assert result.welcome, result.describe()
    refused = result.one("error_reply")
    assert (refused["op"], refused["topic"]) == ("publish", "wamp.crossway.js")
    assert refused["error"] == "wamp.error.not_authorized", result.describe()
    assert result.one("published")["topic"] == topic
