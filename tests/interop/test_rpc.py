"""Remote procedure calls with autobahn-python, Basic Profile: REGISTER, CALL, INVOCATION, YIELD,
RESULT and ERROR over every serializer and across serializers, over WebSocket and RawSocket;
UNREGISTER; the errors the dealer answers (no_such_procedure, no_such_registration,
procedure_already_exists, invalid_uri, not_authorized under `wamp.`); WELCOME's dealer role."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import CallDetails, CallResult

from clients import SERIALIZER_NAMES, Client, assert_same, join, joined, wait
from endpoints import TransportNode
from node import Node
from rawws import CALL, ERROR, INVOCATION, REGISTER, RESULT, UNREGISTERED, raw_peer
from rpc_clients import (
    Procedure,
    call,
    echo,
    expect_error,
    fresh_procedure,
    raw_rpc,
    register,
)
from test_pubsub import PAYLOAD_ARGS, PAYLOAD_KWARGS

# Integers at the edges of what each serializer carries (design: integers are exact).
INTEGERS = [2**63 - 1, -(2**63), 2**64 - 1, 2**53 + 1, -(2**53) - 1]

DEALER_FEATURES = {
    "call_canceling",
    "call_timeout",
    "caller_identification",
    "pattern_based_registration",
    "payload_passthru_mode",
    "payload_transparency",
    "progressive_call_invocations",
    "progressive_call_results",
    "registration_meta_api",
    "registration_revocation",
    "session_meta_api",
    "shared_registration",
    "testament_meta_api",
}
# The dealer features autobahn-python has no name for.
UNNAMED_BY_AUTOBAHN = {"payload_passthru_mode", "progressive_call_invocations"}


class Recorder:
    """An echo handler that also keeps what the callee was given."""

    def __init__(self) -> None:
        self.seen: list[tuple[list[Any], dict[str, Any]]] = []

    def handler(self, *args: Any, details: CallDetails, **kwargs: Any) -> CallResult:
        self.seen.append((list(args), kwargs))
        return CallResult(*args, **kwargs)


async def round_trip(caller: Client, procedure: str, recorder: Recorder, what: str) -> None:
    """One call with the full payload: the callee gets it, and the caller gets it back, equal."""
    args, kwargs = await call(caller, procedure, *PAYLOAD_ARGS, *INTEGERS, **PAYLOAD_KWARGS)
    callee_args, callee_kwargs = recorder.seen.pop(0)
    assert_same(PAYLOAD_ARGS + INTEGERS, callee_args, f"INVOCATION args {what}")
    assert_same(PAYLOAD_KWARGS, callee_kwargs, f"INVOCATION kwargs {what}")
    assert_same(PAYLOAD_ARGS + INTEGERS, args, f"RESULT args {what}")
    assert_same(PAYLOAD_KWARGS, kwargs, f"RESULT kwargs {what}")


def test_call_payload_round_trip(live_node: Node, serializer: str) -> None:
    """CALL -> INVOCATION -> YIELD -> RESULT keeps every value and type, both ways."""

    async def scenario() -> None:
        procedure = fresh_procedure("roundtrip")
        recorder = Recorder()
        async with (
            joined(live_node.url, "realm1", serializer, "callee") as callee,
            joined(live_node.url, "realm1", serializer, "caller") as caller,
        ):
            await register(callee, recorder.handler, procedure)
            await round_trip(caller, procedure, recorder, f"over {serializer}")
            # No payload at all, and a single value (autobahn returns it bare).
            assert await call(caller, procedure) == ([], {})
            assert await call(caller, procedure, "one") == (["one"], {})
            assert recorder.seen == [([], {}), (["one"], {})]

    asyncio.run(scenario())


def test_cross_serializer_calls(live_node: Node, serializer: str) -> None:
    """A callee using `serializer` serves callers of every serializer, payloads equal both ways."""

    async def scenario() -> None:
        procedure = fresh_procedure("cross")
        recorder = Recorder()
        async with joined(live_node.url, "realm1", serializer, f"{serializer} callee") as callee:
            await register(callee, recorder.handler, procedure)
            for name in SERIALIZER_NAMES:
                async with joined(live_node.url, "realm1", name, f"{name} caller") as caller:
                    await round_trip(
                        caller, procedure, recorder, f"{name} caller -> {serializer} callee"
                    )

    asyncio.run(scenario())


def test_calls_in_flight_are_answered_by_their_own_results(
    live_node: Node, serializer: str
) -> None:
    """Several calls in flight at once, answered in the reverse order: each caller request gets
    its own result (the router maps invocation ids back to request ids)."""

    async def scenario() -> None:
        procedure = fresh_procedure("many")
        proc = Procedure("callee")
        async with (
            joined(live_node.url, "realm1", serializer, "callee") as callee,
            joined(live_node.url, "realm1", serializer, "caller") as caller,
        ):
            await register(callee, proc.handler, procedure)
            calls = [caller.call(procedure, i) for i in range(5)]
            invocations = [await proc.next(f"invocation {i}") for i in range(5)]
            assert [inv.args for inv in invocations] == [[i] for i in range(5)]
            for inv in reversed(invocations):
                inv.answer(inv.args[0] * 10)
            results = [await wait(c, f"RESULT of call {i}") for i, c in enumerate(calls)]
            assert results == [0, 10, 20, 30, 40]

    asyncio.run(scenario())


def test_callee_error_reaches_the_caller(live_node: Node, serializer: str) -> None:
    """A callee's ERROR reaches the caller with its URI, args and kwargs."""

    async def scenario() -> None:
        procedure = fresh_procedure("error")

        def fails(*args: Any, details: CallDetails, **kwargs: Any) -> None:
            raise ApplicationError("com.example.error.write_protected", "read only", 3, level=2)

        async with (
            joined(live_node.url, "realm1", serializer, "callee") as callee,
            joined(live_node.url, "realm1", serializer, "caller") as caller,
        ):
            await register(callee, fails, procedure)
            error = await expect_error(
                caller.call(procedure, 1), "com.example.error.write_protected", "callee's ERROR"
            )
            assert list(error.args) == ["read only", 3], error.args
            assert error.kwargs == {"level": 2}, error.kwargs
            # The call is over: the session goes on calling.
            await register(callee, echo, procedure + ".ok")
            assert await call(caller, procedure + ".ok", "fine") == (["fine"], {})

    asyncio.run(scenario())


def test_callee_error_details_are_passed_on(live_node: Node) -> None:
    """The callee's ERROR details reach the caller as the callee sent them (autobahn drops
    details it does not know, hence raw peers)."""

    async def scenario() -> None:
        procedure = fresh_procedure("error_details")
        async with (
            raw_rpc(live_node.url, "callee") as callee,
            raw_rpc(live_node.url, "caller", "msgpack") as caller,
        ):
            await callee.register(procedure)
            request = await caller.call(procedure, [1], {"k": 2})
            invocation = await callee.expect(INVOCATION, "INVOCATION")
            assert invocation[4:] == [[1], {"k": 2}], invocation
            await callee.error(
                invocation[1], "com.example.oops", ["a", 1], {"x": True}, {"note": "why"}
            )
            reply = await caller.expect(ERROR, "the callee's ERROR")
            assert reply == [
                ERROR,
                CALL,
                request,
                {"note": "why"},
                "com.example.oops",
                ["a", 1],
                {"x": True},
            ], reply

    asyncio.run(scenario())


def test_register_and_unregister(live_node: Node, serializer: str) -> None:
    """REGISTERED gives an id; after UNREGISTERED calls fail, and the procedure is free again."""

    async def scenario() -> None:
        procedure = fresh_procedure("unregister")
        async with (
            joined(live_node.url, "realm1", serializer, "callee") as callee,
            joined(live_node.url, "realm1", serializer, "caller") as caller,
        ):
            registration = await register(callee, echo, procedure)
            assert type(registration.id) is int and 1 <= registration.id <= 2**53, registration.id
            assert await call(caller, procedure, 1) == ([1], {})
            await wait(registration.unregister(), "UNREGISTERED")
            await expect_error(
                caller.call(procedure, 2), "wamp.error.no_such_procedure", "CALL after UNREGISTER"
            )
            # The procedure is free again, for any session.
            again = await register(caller, echo, procedure)
            assert await call(callee, procedure, 3) == ([3], {})
            await wait(again.unregister(), "UNREGISTERED")

    asyncio.run(scenario())


def test_unregister_of_a_registration_not_held(live_node: Node) -> None:
    """UNREGISTER of an unknown id, or of another session's registration, is
    no_such_registration; the other session's registration stays."""

    async def scenario() -> None:
        procedure = fresh_procedure("not_mine")
        async with (
            raw_rpc(live_node.url, "owner") as owner,
            raw_rpc(live_node.url, "stranger") as stranger,
        ):
            registration = await owner.register(procedure)
            for target in (registration, 2**53 - 7):
                reply = await stranger.unregister(target)
                assert reply[0] == ERROR and reply[4] == "wamp.error.no_such_registration", reply
            request = await stranger.call(procedure, ["still served"])
            invocation = await owner.expect(INVOCATION, "INVOCATION after the refused UNREGISTER")
            await owner.yield_(invocation[1], ["yes"])
            result = await stranger.expect(RESULT, "RESULT")
            assert result[1] == request and result[3] == ["yes"], result
            # Unregistering twice: the second is no_such_registration.
            assert (await owner.unregister(registration))[0] == UNREGISTERED
            reply = await owner.unregister(registration)
            assert reply[0] == ERROR and reply[4] == "wamp.error.no_such_registration", reply

    asyncio.run(scenario())


def test_call_of_an_unregistered_procedure(live_node: Node, serializer: str) -> None:
    """no_such_procedure, naming the procedure."""

    async def scenario() -> None:
        async with joined(live_node.url, "realm1", serializer, "caller") as caller:
            procedure = fresh_procedure("nobody")
            error = await expect_error(
                caller.call(procedure), "wamp.error.no_such_procedure", "CALL of nobody"
            )
            assert procedure in str(error.args), error.args

    asyncio.run(scenario())


def test_second_single_registration_is_refused(live_node: Node, serializer: str) -> None:
    """A procedure registered (invoke single) cannot be registered again, by another session or
    the same one; calls still reach the first callee; once it unregisters, another may register."""

    async def scenario() -> None:
        procedure = fresh_procedure("single")
        async with (
            joined(live_node.url, "realm1", serializer, "first") as first,
            joined(live_node.url, "realm1", serializer, "second") as second,
        ):
            registration = await register(first, lambda *a, details: "first", procedure)
            for session in (second, first):
                await expect_error(
                    session.register(lambda *a: "other", procedure),
                    "wamp.error.procedure_already_exists",
                    f"second REGISTER by {session.label}",
                )
            assert await call(second, procedure) == (["first"], {})
            await wait(registration.unregister(), "UNREGISTERED")
            await register(second, lambda *a, details: "second", procedure)
            assert await call(first, procedure) == (["second"], {})

    asyncio.run(scenario())


INVALID_PROCEDURES = ["com.my proc", "com..x", "com.x.", ".com.x", "com.x#y", ""]


@pytest.mark.parametrize("procedure", INVALID_PROCEDURES)
def test_invalid_procedure_uri(live_node: Node, procedure: str) -> None:
    """REGISTER and CALL of an invalid URI are invalid_uri, and the session goes on (raw: autobahn
    refuses to send them)."""

    async def scenario() -> None:
        async with raw_rpc(live_node.url, "peer") as peer:
            request = peer.next_id()
            await peer.send([REGISTER, request, {}, procedure])
            reply = await peer.expect(ERROR, f"ERROR for REGISTER {procedure!r}")
            assert reply[1:5] == [REGISTER, request, {}, "wamp.error.invalid_uri"], reply
            request = await peer.call(procedure)
            reply = await peer.expect(ERROR, f"ERROR for CALL {procedure!r}")
            assert reply[1:5] == [CALL, request, {}, "wamp.error.invalid_uri"], reply
            await peer.register(fresh_procedure("after_invalid"))

    asyncio.run(scenario())


def test_uri_rules_of_the_realm_apply(live_node: Node) -> None:
    """A strict realm refuses what a loose one takes; a pattern may have empty components."""

    async def scenario() -> None:
        upper = fresh_procedure("rules") + ".Upper-Case"
        pattern = fresh_procedure("rules") + "..any"
        async with raw_rpc(live_node.url, "loose", realm="realm1") as loose:
            await loose.register(upper)
            await loose.register(pattern, match="wildcard")
        async with raw_rpc(live_node.url, "strict", realm="strict1") as strict:
            request = strict.next_id()
            await strict.send([REGISTER, request, {}, upper])
            reply = await strict.expect(ERROR, "ERROR for an uppercase URI in a strict realm")
            assert reply[4] == "wamp.error.invalid_uri", reply
            await strict.call(upper)
            reply = await strict.expect(ERROR, "ERROR for CALL of an uppercase URI")
            assert reply[4] == "wamp.error.invalid_uri", reply
            # Empty components: a wildcard pattern, but not an exact procedure.
            await strict.register(pattern, match="wildcard")
            request = strict.next_id()
            await strict.send([REGISTER, request, {}, pattern])
            reply = await strict.expect(ERROR, "ERROR for an exact URI with an empty component")
            assert reply[4] == "wamp.error.invalid_uri", reply

    asyncio.run(scenario())


@pytest.mark.parametrize("match", ["exact", "prefix", "wildcard"])
def test_register_under_wamp_is_not_authorized(live_node: Node, match: str) -> None:
    """URIs under `wamp.` are the router's: no session registers there (a realm without roles
    allows everything else)."""

    async def scenario() -> None:
        procedure = {"exact": "wamp.my.proc", "prefix": "wamp.", "wildcard": "wamp..count"}[match]
        async with raw_rpc(live_node.url, "peer") as peer:
            request = peer.next_id()
            await peer.send([REGISTER, request, {"match": match}, procedure])
            reply = await peer.expect(ERROR, f"ERROR for REGISTER {procedure}")
            assert reply[1:5] == [REGISTER, request, {}, "wamp.error.not_authorized"], reply

    asyncio.run(scenario())


def test_welcome_announces_the_dealer(live_node: Node, serializer: str) -> None:
    """WELCOME roles.dealer.features lists exactly the dealer features implemented."""

    async def scenario() -> None:
        async with raw_peer(live_node.url, serializer) as peer:
            welcome = await peer.hello()
            dealer = welcome[2]["roles"].get("dealer")
            assert dealer is not None, f"no dealer role in WELCOME: {welcome!r}"
            assert dealer["features"] == {f: True for f in DEALER_FEATURES}, dealer
        # autobahn reads the same announcement (but for the names it does not know).
        async with joined(live_node.url, "realm1", serializer, "autobahn") as session:
            features = (await wait(session.welcome, "WELCOME")).roles["dealer"]
            for name in DEALER_FEATURES - UNNAMED_BY_AUTOBAHN:
                assert getattr(features, name) is True, (
                    f"autobahn sees no dealer {name}: {features}"
                )

    asyncio.run(scenario())


RAWSOCKET_ENDPOINTS = ["rs", "rss", "unix"]


@pytest.mark.parametrize("endpoint", RAWSOCKET_ENDPOINTS)
def test_call_over_rawsocket(live_transport: TransportNode, serializer: str, endpoint: str) -> None:
    """The full payload both ways with autobahn's RawSocket client (TCP, TLS, Unix socket)."""

    async def scenario() -> None:
        procedure = fresh_procedure(f"rs_{endpoint}")
        recorder = Recorder()
        target = live_transport.target(endpoint)
        async with (
            joined(target, "realm1", serializer, f"callee on {endpoint}") as callee,
            joined(target, "realm1", serializer, f"caller on {endpoint}") as caller,
        ):
            await register(callee, recorder.handler, procedure)
            await round_trip(caller, procedure, recorder, f"{serializer} over {endpoint}")

    asyncio.run(scenario())


TRANSPORT_PAIRS = {
    # name: (callee endpoint, callee framing, caller endpoint, caller framing)
    "rs_callee_ws_caller": ("rs", None, "ws", None),
    "ws_callee_rs_caller": ("ws", None, "rs", None),
    "universal_ws_callee_rs_caller": ("universal", "websocket", "universal", "rawsocket"),
}


@pytest.mark.parametrize("pair", list(TRANSPORT_PAIRS))
def test_call_across_transports(live_transport: TransportNode, serializer: str, pair: str) -> None:
    """A callee on one framing serves callers of every serializer on the other, payloads equal."""

    async def scenario() -> None:
        callee_ep, callee_framing, caller_ep, caller_framing = TRANSPORT_PAIRS[pair]
        procedure = fresh_procedure(f"across_{pair}")
        recorder = Recorder()
        callee_target = live_transport.target(callee_ep, callee_framing)
        caller_target = live_transport.target(caller_ep, caller_framing)
        async with joined(callee_target, "realm1", serializer, f"callee on {callee_ep}") as callee:
            await register(callee, recorder.handler, procedure)
            for name in SERIALIZER_NAMES:
                caller = await join(caller_target, "realm1", name, f"{name} caller on {caller_ep}")
                try:
                    await round_trip(caller, procedure, recorder, f"{pair}, {name} -> {serializer}")
                finally:
                    await caller.close()

    asyncio.run(scenario())


def test_calls_in_flight_outlive_unregister(live_node: Node) -> None:
    """UNREGISTER stops new calls; a call already in flight still gets the callee's answer."""

    async def scenario() -> None:
        procedure = fresh_procedure("unregister_in_flight")
        async with (
            raw_rpc(live_node.url, "callee") as callee,
            raw_rpc(live_node.url, "caller") as caller,
        ):
            registration = await callee.register(procedure)
            request = await caller.call(procedure, ["before"])
            invocation = await callee.expect(INVOCATION, "INVOCATION")
            assert (await callee.unregister(registration))[0] == UNREGISTERED
            later = await caller.call(procedure, ["after"])
            reply = await caller.expect(ERROR, "ERROR for a call after UNREGISTER")
            assert reply[2] == later and reply[4] == "wamp.error.no_such_procedure", reply
            await callee.yield_(invocation[1], ["answered anyway"])
            result = await caller.expect(RESULT, "RESULT of the call in flight")
            assert result == [RESULT, request, {}, ["answered anyway"]], result

    asyncio.run(scenario())


BAD_OPTIONS = {
    "invoke_unknown": (REGISTER, {"invoke": "sometimes"}),
    "invoke_not_a_string": (REGISTER, {"invoke": 1}),
    "match_unknown": (REGISTER, {"match": "regex"}),
    "forward_timeout_not_a_bool": (REGISTER, {"forward_timeout": "yes"}),
    "timeout_negative": (CALL, {"timeout": -5}),
    "timeout_not_an_integer": (CALL, {"timeout": 1.5}),
    "timeout_a_string": (CALL, {"timeout": "soon"}),
    "receive_progress_not_a_bool": (CALL, {"receive_progress": 1}),
}


@pytest.mark.parametrize("case", list(BAD_OPTIONS))
def test_invalid_options_are_invalid_argument(live_node: Node, case: str) -> None:
    """An option of the wrong type or value is ERROR wamp.error.invalid_argument for that request,
    and the session goes on (Crossbar.io closes the connection with a protocol error instead)."""

    async def scenario() -> None:
        kind, options = BAD_OPTIONS[case]
        procedure = fresh_procedure(f"bad_{case}")
        async with raw_rpc(live_node.url, "peer") as peer:
            request = peer.next_id()
            await peer.send([kind, request, options, procedure])
            reply = await peer.expect(ERROR, f"ERROR for {options}")
            assert reply[1:5] == [kind, request, {}, "wamp.error.invalid_argument"], reply
            await peer.register(fresh_procedure("after_bad_options"))

    asyncio.run(scenario())


DEFAULT_BOUND = 1024


def test_default_bounds_on_calls_in_flight(live_node: Node) -> None:
    """Without a `limits` entry a session may have 1024 calls in flight as caller, and 1024
    invocations as callee: the 1025th call of a caller is refused, and so is any other caller's
    call to that callee."""

    async def scenario() -> None:
        procedure = fresh_procedure("default_bounds")
        proc = Procedure("callee")
        async with (
            joined(live_node.url, "realm1", "msgpack", "callee") as callee,
            joined(live_node.url, "realm1", "msgpack", "caller") as caller,
            joined(live_node.url, "realm1", "json", "other caller") as other,
        ):
            await register(callee, proc.handler, procedure)
            held = [caller.call(procedure, i) for i in range(DEFAULT_BOUND)]
            invocations = [await proc.next(f"invocation {i}") for i in range(DEFAULT_BOUND)]
            error = await expect_error(
                caller.call(procedure, "1025th"),
                "crossway.error.too_many_calls",
                "the caller's call over the default bound",
            )
            assert "1024 calls in flight" in str(error.args), error.args
            error = await expect_error(
                other.call(procedure, "another caller"),
                "crossway.error.too_many_calls",
                "another caller's call to the callee at its default bound",
            )
            assert "1024 invocations in flight" in str(error.args), error.args
            for inv in invocations:
                inv.answer(inv.args[0])
            results = await wait(asyncio.gather(*held), "1024 RESULTs")
            assert results == list(range(DEFAULT_BOUND))

    asyncio.run(scenario())
