"""Calls whose caller or callee goes away (GOODBYE, a closed transport without GOODBYE, a
dropped TCP connection; over WebSocket and RawSocket), late and forged answers, and the bounds on
calls in flight (a node of its own with small limits)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from autobahn.wamp import message

from clients import Client, join, joined, wait
from endpoints import TransportNode
from node import Node
from rawws import ERROR, INTERRUPT, INVOCATION, RESULT
from rpc_clients import (
    CALLEE_WITHOUT_CANCELING,
    Procedure,
    RawRpc,
    barrier,
    expect_error,
    fresh_procedure,
    raw_rpc,
    register,
    rpc_join,
)

CANCELED = "wamp.error.canceled"
TOO_MANY_CALLS = "crossway.error.too_many_calls"

LEAVE_HOW = ["goodbye", "close", "drop"]


async def leave(session: Client, how: str) -> None:
    """`session` goes away: GOODBYE; the transport closed without GOODBYE (a WebSocket close
    frame, or the RawSocket's TCP close); or the TCP connection aborted (no close of any kind)."""
    if how == "goodbye":
        await session.close()
        return
    if how == "close":
        session.disconnect()
    else:
        assert session.connection is not None
        session.connection.abort()  # type: ignore[attr-defined]
    await wait(session.disconnected, f"{session.label}'s transport to close")


@pytest.mark.parametrize("how", LEAVE_HOW)
@pytest.mark.parametrize("endpoint", ["ws", "rs"])
def test_callee_leaving_ends_its_calls(
    live_transport: TransportNode, endpoint: str, how: str
) -> None:
    """Every call in flight to a callee that goes away ends at once with ERROR
    wamp.error.canceled, for each of its callers; its registration goes with it."""

    async def scenario() -> None:
        procedure = fresh_procedure(f"callee_{how}_{endpoint}")
        target = live_transport.target(endpoint)
        proc = Procedure("callee")
        callee = await join(target, "realm1", "cbor", f"callee on {endpoint}")
        try:
            async with (
                joined(target, "realm1", "json", "caller a") as a,
                joined(live_transport.target("ws"), "realm1", "msgpack", "caller b") as b,
            ):
                await register(callee, proc.handler, procedure)
                pending = [a.call(procedure, 1), a.call(procedure, 2), b.call(procedure, 3)]
                for i in range(3):
                    await proc.next(f"invocation {i}")
                await leave(callee, how)
                for i, p in enumerate(pending):
                    error = await expect_error(p, CANCELED, f"call {i} after the callee left")
                    assert list(error.args) == ["the callee left"], error.args
                await expect_error(
                    a.call(procedure), "wamp.error.no_such_procedure", "a call after it left"
                )
        finally:
            await callee.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("how", LEAVE_HOW)
@pytest.mark.parametrize("endpoint", ["ws", "rs"])
def test_caller_leaving_interrupts_its_callees(
    live_transport: TransportNode, endpoint: str, how: str
) -> None:
    """Each invocation of a caller that goes away gets INTERRUPT killnowait (autobahn cancels the
    handler); the callee goes on serving others."""

    async def scenario() -> None:
        procedure = fresh_procedure(f"caller_{how}_{endpoint}")
        target = live_transport.target(endpoint)
        proc = Procedure("callee")
        callee = await rpc_join(target, "realm1", "json", f"callee on {endpoint}")
        try:
            await register(callee, proc.handler, procedure)
            caller = await join(target, "realm1", "msgpack", f"caller on {endpoint}")
            try:
                pending = [caller.call(procedure, i) for i in range(2)]
                invocations = [await proc.next(f"invocation {i}") for i in range(2)]
                ids = [
                    (await callee.expect(message.Invocation, f"INVOCATION {i}")).request
                    for i in range(2)
                ]
                await leave(caller, how)
                for i, request in enumerate(ids):
                    interrupt = await callee.expect(
                        message.Interrupt, f"INTERRUPT {i}", lambda m, r=request: m.request == r
                    )
                    assert interrupt.mode == "killnowait", interrupt
                    await wait(invocations[i].interrupted, f"autobahn to cancel handler {i}")
                # autobahn fails the calls of a closed session itself; none got an answer.
                outcomes = await wait(
                    asyncio.gather(*pending, return_exceptions=True), "the orphaned calls to end"
                )
                assert all(isinstance(o, Exception) for o in outcomes), outcomes
            finally:
                await caller.close()
            async with joined(target, "realm1", "cbor", "another caller") as other:
                again = other.call(procedure, "still here")
                (await proc.next("the next caller's invocation")).answer("yes")
                assert await wait(again, "RESULT") == "yes"
        finally:
            await callee.close()

    asyncio.run(scenario())


async def until_left(observer: RawRpc, marker: str) -> None:
    """Waits (each try a round trip, bounded) until the router has removed the registration of
    `marker`, which the leaving session held: its leaving has been handled."""

    async def poll() -> None:
        while True:
            await observer.call(marker)
            reply = await observer.expect(ERROR, f"ERROR for {marker}")
            if reply[4] == "wamp.error.no_such_procedure":
                return

    await wait(poll(), "the router to handle the caller leaving")


@pytest.mark.parametrize("canceling", [True, False], ids=["call_canceling", "no_call_canceling"])
def test_late_yield_after_the_caller_left(live_node: Node, canceling: bool) -> None:
    """A caller drops its connection mid-call: a callee with call canceling gets INTERRUPT
    killnowait, one without gets nothing; either's late YIELD is dropped, and the callee serves
    the next caller as usual."""

    async def scenario() -> None:
        procedure = fresh_procedure(f"late_yield_{canceling}")
        marker = fresh_procedure("leaving_marker")
        features = None if canceling else CALLEE_WITHOUT_CANCELING
        async with (
            raw_rpc(live_node.url, "callee", callee=features) as callee,
            raw_rpc(live_node.url, "observer") as observer,
        ):
            await callee.register(procedure)
            async with raw_rpc(live_node.url, "caller") as caller:
                await caller.register(marker)
                await caller.call(procedure, ["orphan"])
                invocation = await callee.expect(INVOCATION, "INVOCATION")
                await caller.drop()
            if canceling:
                interrupt = await callee.expect(INTERRUPT, "INTERRUPT")
                assert interrupt == [INTERRUPT, invocation[1], {"mode": "killnowait"}], interrupt
            else:
                await until_left(observer, marker)
            await callee.yield_(invocation[1], ["nobody waits for this"])
            # The callee's next message is the next call's INVOCATION (no INTERRUPT, no ABORT),
            # and the next caller gets its own answer.
            request = await observer.call(procedure, ["next"])
            nxt = await callee.expect(INVOCATION, "the next call")
            assert nxt[4] == ["next"], nxt
            await callee.yield_(nxt[1], ["fresh"])
            assert await observer.expect(RESULT, "RESULT") == [RESULT, request, {}, ["fresh"]]

    asyncio.run(scenario())


def test_forged_yield_and_error_are_dropped(live_node: Node) -> None:
    """Only the session an invocation was sent to can answer it: YIELD and ERROR from another
    session with that invocation id are dropped, and the real answer still arrives."""

    async def scenario() -> None:
        procedure = fresh_procedure("forged")
        topic = fresh_procedure("forged_barrier")
        async with (
            raw_rpc(live_node.url, "callee") as callee,
            raw_rpc(live_node.url, "impostor") as impostor,
            raw_rpc(live_node.url, "caller") as caller,
        ):
            await callee.register(procedure)
            await caller.subscribe(topic)
            request = await caller.call(procedure, ["genuine?"])
            invocation = await callee.expect(INVOCATION, "INVOCATION")
            await impostor.yield_(invocation[1], ["forged"])
            await impostor.error(invocation[1], "com.example.forged", ["forged"])
            await barrier(impostor, caller, topic, "the forged YIELD and ERROR")
            await callee.yield_(invocation[1], ["genuine"])
            assert await caller.expect(RESULT, "RESULT") == [RESULT, request, {}, ["genuine"]]
            # The impostor was not thrown out for it.
            await impostor.register(fresh_procedure("impostor_still_here"))

    asyncio.run(scenario())


def test_yield_for_no_invocation_is_dropped(live_node: Node) -> None:
    """YIELD and ERROR for an invocation that never existed, or has ended, change nothing."""

    async def scenario() -> None:
        procedure = fresh_procedure("stray_yield")
        async with (
            raw_rpc(live_node.url, "callee") as callee,
            raw_rpc(live_node.url, "caller") as caller,
        ):
            await callee.register(procedure)
            request = await caller.call(procedure, [1])
            invocation = await callee.expect(INVOCATION, "INVOCATION")
            await callee.yield_(invocation[1], ["once"])
            assert await caller.expect(RESULT, "RESULT") == [RESULT, request, {}, ["once"]]
            await callee.yield_(invocation[1], ["twice"])
            await callee.error(invocation[1], "com.example.twice")
            await callee.yield_(2**53 - 1, ["never invoked"])
            request = await caller.call(procedure, [2])
            nxt = await callee.expect(INVOCATION, "the next call")
            await callee.yield_(nxt[1], ["second"])
            assert await caller.expect(RESULT, "RESULT") == [RESULT, request, {}, ["second"]]

    asyncio.run(scenario())


# ------------------------------------------------------------------------------------------------
# Bounds on calls in flight

PER_CALLER = 2
PER_CALLEE = 3


@pytest.fixture(scope="module")
def limits_node(crossway_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """A node with small bounds on calls in flight."""
    node = Node(
        crossway_bin,
        tmp_path_factory.mktemp("limits-node"),
        "limits-node",
        extra=(
            f"limits:\n  calls_per_caller: {PER_CALLER}\n  invocations_per_callee: {PER_CALLEE}\n"
        ),
    )
    node.start()
    yield node
    node.stop()


@pytest.fixture
def live_limits(limits_node: Node) -> Iterator[Node]:
    limits_node.assert_running()
    yield limits_node
    limits_node.assert_running()
    limits_node.assert_no_panic()


def test_calls_per_caller(live_limits: Node) -> None:
    """A caller with `calls_per_caller` calls in flight gets crossway.error.too_many_calls (the
    callee never sees the refused call); other callers are not affected; a call that ends, by
    its result or by CANCEL, frees its place."""

    async def scenario() -> None:
        procedure = fresh_procedure("per_caller")
        proc = Procedure("callee")
        async with (
            joined(live_limits.url, "realm1", "json", "callee") as callee,
            joined(live_limits.url, "realm1", "json", "caller") as caller,
            joined(live_limits.url, "realm1", "cbor", "other caller") as other,
        ):
            await register(callee, proc.handler, procedure)
            held = [caller.call(procedure, i) for i in range(PER_CALLER)]
            invocations = [await proc.next(f"invocation {i}") for i in range(PER_CALLER)]
            error = await expect_error(
                caller.call(procedure, "one too many"), TOO_MANY_CALLS, "a call over the bound"
            )
            assert list(error.args) == [
                f"this session has {PER_CALLER} calls in flight, the most it may"
            ], error.args
            # Another caller is not bound by this caller's calls.
            pending = other.call(procedure, "other")
            inv = await proc.next("the other caller's invocation")
            assert inv.args == ["other"], "the refused call reached the callee"
            inv.answer("ok")
            assert await wait(pending, "the other caller's RESULT") == "ok"
            # A result frees a place...
            invocations[0].answer("first")
            assert await wait(held[0], "RESULT") == "first"
            freed = caller.call(procedure, "after a result")
            inv = await proc.next("the call after a result")
            assert inv.args == ["after a result"], inv.args
            # ... and so does CANCEL (autobahn cancels through its future).
            held[1].cancel()
            await wait(invocations[1].interrupted, "the INTERRUPT of the canceled call")
            after_cancel = caller.call(procedure, "after a cancel")
            nxt = await proc.next("the call after a cancel")
            assert nxt.args == ["after a cancel"], nxt.args
            inv.answer(1)
            nxt.answer(2)
            assert [await wait(freed, "RESULT"), await wait(after_cancel, "RESULT")] == [1, 2]

    asyncio.run(scenario())


def test_invocations_per_callee(live_limits: Node) -> None:
    """A callee with `invocations_per_callee` invocations in flight (from any callers) is not
    invoked again: the caller gets crossway.error.too_many_calls, until one ends."""

    async def scenario() -> None:
        procedure = fresh_procedure("per_callee")
        proc = Procedure("callee")
        async with (
            joined(live_limits.url, "realm1", "json", "callee") as callee,
            joined(live_limits.url, "realm1", "json", "caller a") as a,
            joined(live_limits.url, "realm1", "msgpack", "caller b") as b,
        ):
            await register(callee, proc.handler, procedure)
            held = [a.call(procedure, "a0"), a.call(procedure, "a1"), b.call(procedure, "b0")]
            invocations = [await proc.next(f"invocation {i}") for i in range(PER_CALLEE)]
            error = await expect_error(
                b.call(procedure, "b1"), TOO_MANY_CALLS, "a call to a callee at its bound"
            )
            assert list(error.args) == [
                f"the callee has {PER_CALLEE} invocations in flight, the most it may"
            ], error.args
            # The two callers' calls may reach the callee in either order: end b0's.
            b0 = next(i for i in invocations if i.args == ["b0"])
            b0.answer("b0 done")
            assert await wait(held[2], "RESULT") == "b0 done"
            pending = b.call(procedure, "b2")
            inv = await proc.next("the call after one ended")
            assert inv.args == ["b2"], f"the refused call reached the callee: {inv.args}"
            for i in [i for i in invocations if i is not b0] + [inv]:
                i.answer(i.args[0])
            assert [await wait(h, "RESULT") for h in held[:2]] == ["a0", "a1"]
            assert await wait(pending, "RESULT") == "b2"

    asyncio.run(scenario())


def test_calls_ended_by_a_leaving_callee_free_the_callers_places(live_limits: Node) -> None:
    """When a callee drops, its callers' calls end, and their places with them."""

    async def scenario() -> None:
        gone = fresh_procedure("gone")
        stays = fresh_procedure("stays")
        proc = Procedure("second callee")
        async with (
            joined(live_limits.url, "realm1", "json", "second callee") as second,
            joined(live_limits.url, "realm1", "json", "caller") as caller,
        ):
            first = await join(live_limits.url, "realm1", "json", "first callee")
            try:
                await register(first, Procedure("first callee").handler, gone)
                held = [caller.call(gone, i) for i in range(PER_CALLER)]
                await register(second, proc.handler, stays)
                # Both of the caller's places are taken: a call to the other callee is refused.
                await expect_error(caller.call(stays), TOO_MANY_CALLS, "a call over the bound")
                await leave(first, "drop")
                for h in held:
                    await expect_error(h, CANCELED, "a call to the dropped callee")
            finally:
                await first.close()
            pending = [caller.call(stays, i) for i in range(PER_CALLER)]
            for i in range(PER_CALLER):
                (await proc.next(f"invocation {i}")).answer(i)
            assert [await wait(p, "RESULT") for p in pending] == list(range(PER_CALLER))

    asyncio.run(scenario())
