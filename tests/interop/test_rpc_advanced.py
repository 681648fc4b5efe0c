"""Remote procedure calls, Advanced Profile: pattern-based registrations and which one a call
goes to, shared registrations and their invocation policies, progressive call results,
progressive call invocations (raw peers: autobahn-python sends none), caller identification."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from autobahn.wamp import message
from autobahn.wamp.types import CallDetails, CallOptions, RegisterOptions

from clients import joined, wait
from node import Node
from rawws import CALL, ERROR, INVOCATION, RESULT
from rpc_clients import (
    CALLEE_WITHOUT_CANCELING,
    CALLER_FEATURES,
    Procedure,
    RpcClient,
    call,
    echo,
    expect_error,
    fresh_procedure,
    raw_rpc,
    register,
    rpc_join,
    rpc_joined,
)

# ------------------------------------------------------------------------------------------------
# Pattern-based registrations


def answers(label: Any) -> Any:
    """A handler that answers `label`: which registration served a call."""

    def handler(*args: Any, details: CallDetails, **kwargs: Any) -> Any:
        return label

    return handler


def test_prefix_registration(live_node: Node, serializer: str) -> None:
    """A prefix registration takes every URI that starts with it (a string prefix, as the
    specification's `com.myapp.myobject1-mysubobject1` example has it); INVOCATION
    details.procedure names the URI called."""

    async def scenario() -> None:
        base = fresh_procedure("prefix")
        async with (
            rpc_joined(live_node.url, "realm1", serializer, "callee") as callee,
            joined(live_node.url, "realm1", serializer, "caller") as caller,
        ):
            await register(callee, echo, base, match="prefix")
            for uri in (base, f"{base}.a", f"{base}.a.b.c", f"{base}-sub"):
                assert await call(caller, uri, uri) == ([uri], {})
                invocation = await callee.expect(message.Invocation, f"INVOCATION for {uri}")
                assert invocation.procedure == uri, (uri, invocation.procedure)
            await expect_error(
                caller.call(base[:-1] + "x"),
                "wamp.error.no_such_procedure",
                "a URI beside the prefix",
            )

    asyncio.run(scenario())


def test_wildcard_registration(live_node: Node, serializer: str) -> None:
    """An empty component of a wildcard registration matches one whole component, no more."""

    async def scenario() -> None:
        base = fresh_procedure("wildcard")
        async with (
            rpc_joined(live_node.url, "realm1", serializer, "callee") as callee,
            joined(live_node.url, "realm1", serializer, "caller") as caller,
        ):
            await register(callee, echo, f"{base}..get", match="wildcard")
            for uri in (f"{base}.a.get", f"{base}.other-thing.get"):
                assert await call(caller, uri, 1) == ([1], {})
                invocation = await callee.expect(message.Invocation, f"INVOCATION for {uri}")
                assert invocation.procedure == uri, (uri, invocation.procedure)
            for uri in (f"{base}.a.b.get", f"{base}.a.put", f"{base}.get"):
                await expect_error(caller.call(uri), "wamp.error.no_such_procedure", uri)

    asyncio.run(scenario())


def test_exact_then_longest_prefix_then_wildcard(live_node: Node) -> None:
    """A call goes to one registration: the exact one, else the longest matching prefix, else a
    matching wildcard; an exact registration's INVOCATION carries no details.procedure."""

    async def scenario() -> None:
        b = fresh_procedure("precedence")
        registrations = {
            "exact": (f"{b}.a.b.c", "exact"),
            "short prefix": (f"{b}.a", "prefix"),
            "long prefix": (f"{b}.a.b", "prefix"),
            "wildcard": (f"{b}..b.c", "wildcard"),
        }
        expected = {
            f"{b}.a.b.c": "exact",
            f"{b}.a.b.x": "long prefix",
            f"{b}.a.bc": "long prefix",
            f"{b}.a.x.c": "short prefix",
            f"{b}.z.b.c": "wildcard",
        }
        async with (
            rpc_joined(live_node.url, "realm1", "json", "callee") as callee,
            joined(live_node.url, "realm1", "cbor", "caller") as caller,
        ):
            for label, (uri, match) in registrations.items():
                await register(callee, answers(label), uri, match=match)
            for uri, label in expected.items():
                assert await call(caller, uri) == ([label], {}), uri
                invocation = await callee.expect(message.Invocation, f"INVOCATION for {uri}")
                want = None if label == "exact" else uri
                assert invocation.procedure == want, (uri, invocation.procedure)
            await expect_error(
                caller.call(f"{b}.z.z.c"), "wamp.error.no_such_procedure", "no registration matches"
            )

    asyncio.run(scenario())


# The specification's example (Pattern-based Registrations, "Calls matching multiple
# registrations"), under a fresh prefix. Its fifth call, `a1.b2.c33.d4.e5`, is said to match no
# prefix, but `a1.b2.c3` is a string prefix of it, and the same section defines prefix matching
# on strings (`com.myapp.myobject1-mysubobject1` matches `com.myapp.myobject1`): Crossbar.io and
# Crossway route it to RPC 2, the prefix registration, and so does this table.
SPEC_REGISTRATIONS = [
    ("a1.b2.c3.d4.e55", "exact"),
    ("a1.b2.c3", "prefix"),
    ("a1.b2.c3.d4", "prefix"),
    ("a1.b2..d4.e5", "wildcard"),
    ("a1.b2.c33..e5", "wildcard"),
    ("a1.b2..d4.e5..g7", "wildcard"),
    ("a1.b2..d4..f6.g7", "wildcard"),
]
SPEC_CALLS = {
    "a1.b2.c3.d4.e55": 1,
    "a1.b2.c3.d98.e74": 2,
    "a1.b2.c3.d4.e325": 3,
    "a1.b2.c55.d4.e5": 4,
    "a1.b2.c33.d4.e5": 2,
    # Equal first portions (a1.b2); RPC 6 has the longer second one (d4.e5): whatever the order
    # of registration.
    "a1.b2.c88.d4.e5.f6.g7": 6,
}


@pytest.mark.parametrize("order", ["as_listed", "reversed"])
def test_wildcard_precedence_of_the_specification(live_node: Node, order: str) -> None:
    """The specification's example: the registration with the longer portions of components
    before each wildcard wins, whatever the order of registration."""

    async def scenario() -> None:
        base = fresh_procedure("spec")
        numbered = list(enumerate(SPEC_REGISTRATIONS, 1))
        if order == "reversed":
            numbered.reverse()
        async with (
            joined(live_node.url, "realm1", "json", "callee") as callee,
            joined(live_node.url, "realm1", "json", "caller") as caller,
        ):
            for number, (uri, match) in numbered:
                await register(callee, answers(number), f"{base}.{uri}", match=match)
            routed = {}
            for uri in SPEC_CALLS:
                routed[uri] = (await call(caller, f"{base}.{uri}"))[0][0]
            assert routed == SPEC_CALLS, f"registered {order}: routed {routed}"
            await expect_error(
                caller.call(f"{base}.a2.b2.c2.d2.e2"), "wamp.error.no_such_procedure", "no match"
            )

    asyncio.run(scenario())


@pytest.mark.parametrize("order", ["portions_first", "length_first"])
def test_wildcard_precedence_counts_components_not_characters(live_node: Node, order: str) -> None:
    """`x.a.b.` has two components before its wildcard, `x.a..verylongcomponent` one: the first
    wins for `x.a.b.verylongcomponent` (the specification's rule; Crossbar.io routes it so),
    although the second pattern is the longer string."""

    async def scenario() -> None:
        base = fresh_procedure("portions")
        patterns = [f"{base}.a.b.", f"{base}.a..verylongcomponent"]
        if order == "length_first":
            patterns.reverse()
        async with (
            joined(live_node.url, "realm1", "json", "callee") as callee,
            joined(live_node.url, "realm1", "json", "caller") as caller,
        ):
            for pattern in patterns:
                await register(callee, answers(pattern), pattern, match="wildcard")
            served = (await call(caller, f"{base}.a.b.verylongcomponent"))[0][0]
            assert served == f"{base}.a.b.", f"routed to {served}"

    asyncio.run(scenario())


# ------------------------------------------------------------------------------------------------
# Shared registrations


async def shared_callees(
    url: str, procedure: str, invoke: str, count: int
) -> tuple[list[RpcClient], list[Any]]:
    """`count` sessions registering `procedure` with `invoke`, each answering its index; returns
    (sessions, registrations). The caller closes the sessions."""
    sessions, registrations = [], []
    for i in range(count):
        session = await rpc_join(url, "realm1", "json", f"callee {i}")
        sessions.append(session)
        registrations.append(await register(session, answers(i), procedure, invoke=invoke))
    return sessions, registrations


async def served_by(caller: Any, procedure: str, n: int) -> list[int]:
    """Which callee answered each of `n` calls, in order."""
    return [(await call(caller, procedure))[0][0] for _ in range(n)]


def test_roundrobin(live_node: Node) -> None:
    """Callees take turns in the order they registered; all share one registration id."""

    async def scenario() -> None:
        procedure = fresh_procedure("roundrobin")
        callees, registrations = await shared_callees(live_node.url, procedure, "roundrobin", 3)
        try:
            assert len({r.id for r in registrations}) == 1, [r.id for r in registrations]
            async with joined(live_node.url, "realm1", "json", "caller") as caller:
                order = await served_by(caller, procedure, 7)
                assert order == [(order[0] + i) % 3 for i in range(7)], order
                # A callee leaves the set: the others go on taking turns.
                await wait(registrations[1].unregister(), "UNREGISTERED")
                order = await served_by(caller, procedure, 4)
                assert set(order) == {0, 2} and all(a != b for a, b in zip(order, order[1:])), order
        finally:
            for session in callees:
                await session.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("invoke", ["first", "last"])
def test_first_and_last(live_node: Node, invoke: str) -> None:
    """Hot standby: every call goes to the first (last) callee registered; when it leaves, to the
    next one."""

    async def scenario() -> None:
        procedure = fresh_procedure(invoke)
        callees, _ = await shared_callees(live_node.url, procedure, invoke, 3)
        try:
            async with joined(live_node.url, "realm1", "json", "caller") as caller:
                active = 0 if invoke == "first" else 2
                assert await served_by(caller, procedure, 3) == [active] * 3
                await callees[active].close()
                standby = 1
                assert await served_by(caller, procedure, 3) == [standby] * 3
        finally:
            for session in callees:
                await session.close()

    asyncio.run(scenario())


def test_random(live_node: Node) -> None:
    """Every callee of a `random` registration gets calls (60 calls miss one of three callees with
    probability 3 * (2/3)^60, about 1e-10)."""

    async def scenario() -> None:
        procedure = fresh_procedure("random")
        callees, _ = await shared_callees(live_node.url, procedure, "random", 3)
        try:
            async with joined(live_node.url, "realm1", "json", "caller") as caller:
                order = await served_by(caller, procedure, 60)
                assert set(order) == {0, 1, 2}, order
        finally:
            for session in callees:
                await session.close()

    asyncio.run(scenario())


def test_shared_registration_conflicts(live_node: Node) -> None:
    """Joining a shared registration needs its invocation policy; a session joins it once."""

    async def scenario() -> None:
        shared = fresh_procedure("shared_conflict")
        single = fresh_procedure("single_conflict")
        async with (
            joined(live_node.url, "realm1", "json", "a") as a,
            joined(live_node.url, "realm1", "json", "b") as b,
        ):
            await register(a, echo, shared, invoke="roundrobin")
            for invoke in ("random", "single", "first"):
                await expect_error(
                    b.register(echo, shared, options=RegisterOptions(invoke=invoke)),
                    "wamp.error.procedure_exists_with_different_invocation_policy",
                    f"REGISTER {invoke} over roundrobin",
                )
            await expect_error(
                a.register(echo, shared, options=RegisterOptions(invoke="roundrobin")),
                "wamp.error.procedure_already_exists",
                "the same session joining its own shared registration again",
            )
            # Over a `single` registration, the router answers with the policy conflict
            # (Crossbar.io answers procedure_already_exists here).
            await register(a, echo, single)
            await expect_error(
                b.register(echo, single, options=RegisterOptions(invoke="roundrobin")),
                "wamp.error.procedure_exists_with_different_invocation_policy",
                "REGISTER roundrobin over single",
            )

    asyncio.run(scenario())


# ------------------------------------------------------------------------------------------------
# Progressive call results


def test_progressive_results(live_node: Node, serializer: str) -> None:
    """The callee's progressive YIELDs reach the caller's on_progress in order, before the final
    RESULT; an empty progressive result is passed on too."""

    async def scenario() -> None:
        procedure = fresh_procedure("progress")

        async def counts(n: int, details: CallDetails) -> str:
            assert details.progress is not None, "INVOCATION lacked receive_progress"
            for i in range(n):
                details.progress(i, of=n)
            details.progress()
            return "done"

        received: list[tuple[list[Any], dict[str, Any]]] = []
        async with (
            joined(live_node.url, "realm1", serializer, "callee") as callee,
            joined(live_node.url, "realm1", serializer, "caller") as caller,
        ):
            await register(callee, counts, procedure)
            options = CallOptions(on_progress=lambda *a, **k: received.append((list(a), k)))
            assert await call(caller, procedure, 3, options=options) == (["done"], {})
            assert received == [([0], {"of": 3}), ([1], {"of": 3}), ([2], {"of": 3}), ([], {})]

    asyncio.run(scenario())


def test_progressive_results_not_asked_for_are_dropped(live_node: Node) -> None:
    """A caller that did not ask for progressive results gets none, only the final RESULT."""

    async def scenario() -> None:
        procedure = fresh_procedure("unwanted_progress")
        async with (
            raw_rpc(live_node.url, "callee") as callee,
            rpc_joined(live_node.url, "realm1", "cbor", "caller") as caller,
        ):
            await callee.register(procedure)
            pending = caller.call(procedure)
            invocation = await callee.expect(INVOCATION, "INVOCATION")
            assert "receive_progress" not in invocation[3], invocation
            await callee.yield_(invocation[1], ["partial"], progress=True)
            await callee.yield_(invocation[1], ["final"])
            assert await wait(pending, "RESULT") == "final"
            # Messages from one callee reach the caller in order: a forwarded progressive result
            # would have arrived before the final one.
            results = caller.received(message.Result)
            assert [r.args for r in results] == [["final"]], results

    asyncio.run(scenario())


def test_progressive_results_need_a_callee_with_call_canceling(live_node: Node) -> None:
    """A callee that announces progressive results without call canceling is not asked for them
    (the specification: the dealer disregards its progressive results feature)."""

    async def scenario() -> None:
        procedure = fresh_procedure("progress_needs_canceling")
        async with (
            raw_rpc(live_node.url, "callee", callee=CALLEE_WITHOUT_CANCELING) as callee,
            raw_rpc(live_node.url, "caller") as caller,
        ):
            await callee.register(procedure)
            request = await caller.call(procedure, receive_progress=True)
            invocation = await callee.expect(INVOCATION, "INVOCATION")
            assert "receive_progress" not in invocation[3], invocation
            await callee.yield_(invocation[1], ["final"])
            result = await caller.expect(RESULT, "RESULT")
            assert result[1:] == [request, {}, ["final"]], result

    asyncio.run(scenario())


# ------------------------------------------------------------------------------------------------
# Progressive call invocations


def test_progressive_call_invocations(live_node: Node, serializer: str) -> None:
    """Chunks of one call (same CALL request id, progress) reach the callee as INVOCATIONs with
    one invocation id, progress on all but the last; progressive results flow back meanwhile."""

    async def scenario() -> None:
        procedure = fresh_procedure("upload")
        async with (
            raw_rpc(live_node.url, "callee", serializer) as callee,
            raw_rpc(live_node.url, "caller", "json") as caller,
        ):
            registration = await callee.register(procedure)
            request = await caller.call(
                procedure, ["chunk 0"], progress=True, receive_progress=True
            )
            first = await callee.expect(INVOCATION, "INVOCATION of chunk 0")
            invocation = first[1]
            assert first[2] == registration and first[3].get("progress") is True, first
            assert first[3].get("receive_progress") is True and first[4] == ["chunk 0"], first
            await callee.yield_(invocation, ["got 0"], progress=True)
            assert await caller.expect(RESULT, "progressive RESULT") == [
                RESULT,
                request,
                {"progress": True},
                ["got 0"],
            ]
            await caller.call(procedure, ["chunk 1"], {"n": 1}, request=request, progress=True)
            await caller.call(procedure, ["chunk 2"], request=request)
            second = await callee.expect(INVOCATION, "INVOCATION of chunk 1")
            last = await callee.expect(INVOCATION, "INVOCATION of chunk 2")
            assert second[1:3] == [invocation, registration] and second[3].get("progress") is True
            assert second[4:] == [["chunk 1"], {"n": 1}], second
            assert last[1:3] == [invocation, registration] and not last[3].get("progress"), last
            assert last[4] == ["chunk 2"], last
            await callee.yield_(invocation, ["all 3 chunks"])
            result = await caller.expect(RESULT, "the final RESULT")
            assert result == [RESULT, request, {}, ["all 3 chunks"]], result

    asyncio.run(scenario())


def test_progressive_call_invocations_stay_with_one_callee(live_node: Node) -> None:
    """Every chunk goes to the callee the first one went to, whatever the invocation policy
    (roundrobin here: the next call goes to the other callee)."""

    async def scenario() -> None:
        procedure = fresh_procedure("sticky")
        async with (
            raw_rpc(live_node.url, "callee a") as a,
            raw_rpc(live_node.url, "callee b") as b,
            raw_rpc(live_node.url, "caller") as caller,
        ):
            await a.register(procedure, invoke="roundrobin")
            await b.register(procedure, invoke="roundrobin")
            request = await caller.call(procedure, [0], progress=True)
            first = await a.expect(INVOCATION, "chunk 0")
            for i in (1, 2):
                await caller.call(procedure, [i], request=request, progress=True)
            await caller.call(procedure, [3], request=request)
            chunks = [await a.expect(INVOCATION, f"chunk {i}") for i in (1, 2, 3)]
            assert all(c[1] == first[1] for c in chunks), chunks
            await a.yield_(first[1], ["a"])
            assert (await caller.expect(RESULT, "RESULT"))[3] == ["a"]
            # The policy went on: the next call is b's, and b got nothing before it.
            await caller.call(procedure, ["next"])
            nxt = await b.expect(INVOCATION, "the next call")
            assert nxt[4] == ["next"], nxt

    asyncio.run(scenario())


def test_progressive_call_invocations_keep_the_first_calls_details(live_node: Node) -> None:
    """The options of the first CALL hold for the whole call, and every INVOCATION's details are
    those of the first (the specification: with disclose_me, "all INVOCATION messages associated
    with the overall request shall contain caller identify information")."""

    async def scenario() -> None:
        base = fresh_procedure("frozen")
        uri = f"{base}.file"
        async with (
            raw_rpc(live_node.url, "callee") as callee,
            raw_rpc(live_node.url, "caller") as caller,
        ):
            await callee.register(base, match="prefix")
            request = await caller.call(uri, [0], progress=True, disclose_me=True)
            first = await callee.expect(INVOCATION, "chunk 0")
            assert first[3].get("caller") == caller.session, first
            assert first[3].get("procedure") == uri, first
            await caller.call(uri, [1], request=request, progress=True)
            await caller.call(uri, [2], request=request)
            for i in (1, 2):
                chunk = await callee.expect(INVOCATION, f"chunk {i}")
                for key in ("caller", "caller_authid", "caller_authrole", "procedure"):
                    assert chunk[3].get(key) == first[3][key], (
                        f"chunk {i}: details.{key} {chunk[3].get(key)!r}, the first INVOCATION "
                        f"had {first[3][key]!r}: {chunk}"
                    )
            await callee.yield_(first[1], ["ok"])
            await caller.expect(RESULT, "RESULT")

    asyncio.run(scenario())


def test_progressive_call_to_a_callee_without_the_feature(live_node: Node) -> None:
    """A callee that cannot take progressive invocations (autobahn-python announces none; a raw
    one without call canceling) is not invoked: the caller gets feature_not_supported."""

    async def scenario() -> None:
        plain = fresh_procedure("no_progressive_invocations")
        no_cancel = fresh_procedure("progressive_without_canceling")
        async with (
            joined(live_node.url, "realm1", "json", "autobahn callee") as autobahn_callee,
            raw_rpc(live_node.url, "raw callee", callee=CALLEE_WITHOUT_CANCELING) as raw_callee,
            raw_rpc(live_node.url, "caller") as caller,
        ):
            proc = Procedure("autobahn callee")
            await register(autobahn_callee, proc.handler, plain)
            await raw_callee.register(no_cancel)
            for procedure in (plain, no_cancel):
                request = await caller.call(procedure, ["chunk"], progress=True)
                reply = await caller.expect(ERROR, f"ERROR for a progressive call of {procedure}")
                assert reply[1:5] == [CALL, request, {}, "wamp.error.feature_not_supported"], reply
            # Neither callee was invoked: the raw one's next message is the next plain call.
            await caller.call(no_cancel, ["plain"])
            assert (await raw_callee.expect(INVOCATION, "the plain call"))[4] == ["plain"]
            assert proc.pending() == []

    asyncio.run(scenario())


def test_progressive_call_without_announcing_it_is_a_protocol_violation(live_node: Node) -> None:
    """The specification: CALL with progress from a caller that did not announce
    progressive_call_invocations aborts the session."""

    async def scenario() -> None:
        procedure = fresh_procedure("unannounced")
        features = {k: v for k, v in CALLER_FEATURES.items() if k != "progressive_call_invocations"}
        async with (
            raw_rpc(live_node.url, "callee") as callee,
            raw_rpc(live_node.url, "caller", caller=features) as caller,
        ):
            await callee.register(procedure)
            await caller.call(procedure, ["chunk"], progress=True)
            await caller.peer.expect_abort("wamp.error.protocol_violation", "CALL with progress")

    asyncio.run(scenario())


def test_continuation_of_an_ended_progressive_call_is_dropped(live_node: Node) -> None:
    """A chunk that arrives after the call ended (the callee failed it) is dropped: no answer to
    the caller, nothing to the callee."""

    async def scenario() -> None:
        procedure = fresh_procedure("ended_stream")
        async with (
            raw_rpc(live_node.url, "callee") as callee,
            raw_rpc(live_node.url, "caller") as caller,
        ):
            await callee.register(procedure)
            request = await caller.call(procedure, [0], progress=True)
            invocation = await callee.expect(INVOCATION, "chunk 0")
            await callee.error(invocation[1], "com.example.error.too_big", ["stop"])
            reply = await caller.expect(ERROR, "the callee's ERROR")
            assert reply[1:6] == [CALL, request, {}, "com.example.error.too_big", ["stop"]], reply
            await caller.call(procedure, [1], request=request, progress=True)
            # The next new call is answered, and it is the next thing either side sees.
            after = await caller.call(procedure, ["new call"])
            nxt = await callee.expect(INVOCATION, "the new call")
            assert nxt[4] == ["new call"] and nxt[1] != invocation[1], nxt
            await callee.yield_(nxt[1], ["answered"])
            result = await caller.expect(RESULT, "RESULT of the new call")
            assert result[1] == after and result[3] == ["answered"], result

    asyncio.run(scenario())


def test_call_reusing_the_id_of_a_call_in_flight_is_a_protocol_violation(live_node: Node) -> None:
    """A CALL with the request id of a (not progressive) call still in flight aborts the caller."""

    async def scenario() -> None:
        procedure = fresh_procedure("reused_id")
        async with (
            raw_rpc(live_node.url, "callee") as callee,
            raw_rpc(live_node.url, "caller") as caller,
        ):
            await callee.register(procedure)
            request = await caller.call(procedure, [1])
            await callee.expect(INVOCATION, "INVOCATION")
            await caller.call(procedure, [2], request=request)
            await caller.peer.expect_abort("wamp.error.protocol_violation", "a reused request id")

    asyncio.run(scenario())


# ------------------------------------------------------------------------------------------------
# Caller identification


def test_caller_identification(live_node: Node) -> None:
    """With disclose_me the callee learns the caller's session id, authid and authrole; without,
    nothing. (autobahn-python has no disclose_me call option: the caller is raw.)"""

    async def scenario() -> None:
        procedure = fresh_procedure("who")
        proc = Procedure("callee")
        async with (
            joined(live_node.url, "realm1", "cbor", "callee") as callee,
            raw_rpc(live_node.url, "caller") as caller,
            joined(live_node.url, "realm1", "json", "autobahn caller") as autobahn_caller,
        ):
            await register(callee, proc.handler, procedure)
            await caller.call(procedure, ["disclosed"], disclose_me=True)
            inv = await proc.next("the disclosed call")
            welcome = caller.welcome[2]
            assert (inv.details.caller, inv.details.caller_authid, inv.details.caller_authrole) == (
                caller.session,
                welcome["authid"],
                welcome["authrole"],
            ), inv.details
            assert welcome["authrole"] == "anonymous", welcome
            inv.answer()
            await caller.expect(RESULT, "RESULT")
            await caller.call(procedure, ["anonymous"])
            inv = await proc.next("the undisclosed call")
            assert (inv.details.caller, inv.details.caller_authid, inv.details.caller_authrole) == (
                None,
                None,
                None,
            ), inv.details
            inv.answer()
            await caller.expect(RESULT, "RESULT")
            pending = autobahn_caller.call(procedure)
            inv = await proc.next("autobahn's call")
            assert inv.details.caller is None, inv.details
            inv.answer()
            await wait(pending, "RESULT")

    asyncio.run(scenario())
