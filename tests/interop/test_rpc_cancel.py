"""Ending calls early: call timeouts (the router's timer, or the callee's with forward_timeout)
and call canceling (CANCEL skip, kill, killnowait and autobahn-python's own `future.cancel()`),
with INTERRUPT to callees that announced call canceling and late answers dropped."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from autobahn.wamp import message
from autobahn.wamp.types import CallOptions

from clients import wait
from node import Node
from rawws import CALL, ERROR, INTERRUPT, INVOCATION, RESULT
from rpc_clients import (
    CALLEE_WITHOUT_CANCELING,
    Procedure,
    RawRpc,
    expect_error,
    fresh_procedure,
    raw_rpc,
    register,
    rpc_joined,
)

CANCELED = "wamp.error.canceled"
BY_CALLER = "the call was canceled by its caller"


async def answered_in_order(caller: RawRpc, callee: RawRpc, procedure: str, what: str) -> None:
    """A new call from `caller` is the next thing `callee` receives, and its RESULT the next thing
    `caller` receives. Run after a late answer or a CANCEL: the router handles each session's
    messages in order, so an INTERRUPT owed to the callee, or a late answer wrongly forwarded to
    the caller, would have come first."""
    request = await caller.call(procedure, [what])
    invocation = await callee.expect(INVOCATION, f"the INVOCATION of a new call ({what})")
    assert invocation[4] == [what], invocation
    await callee.yield_(invocation[1], [f"answer to {what}"])
    result = await caller.expect(RESULT, f"the RESULT of the new call ({what})")
    assert result == [RESULT, request, {}, [f"answer to {what}"]], result


# ------------------------------------------------------------------------------------------------
# Call timeouts


def test_call_timeout(live_node: Node) -> None:
    """With CALL timeout the router cancels the call at the deadline: ERROR wamp.error.canceled
    to the caller, INTERRUPT killnowait to the callee (autobahn cancels the handler)."""

    async def scenario() -> None:
        procedure = fresh_procedure("timeout")
        proc = Procedure("callee")
        timeout_ms = 300
        loop = asyncio.get_running_loop()
        async with (
            rpc_joined(live_node.url, "realm1", "msgpack", "callee") as callee,
            rpc_joined(live_node.url, "realm1", "json", "caller") as caller,
        ):
            await register(callee, proc.handler, procedure)
            start = loop.time()
            pending = caller.call(procedure, options=CallOptions(timeout=timeout_ms))
            inv = await proc.next()
            invocation = await callee.expect(message.Invocation, "INVOCATION")
            assert invocation.timeout is None, "the router keeps the timer: no timeout forwarded"
            error = await expect_error(pending, CANCELED, "the call to time out")
            elapsed = loop.time() - start
            assert list(error.args) == ["the call timed out"], error.args
            # Not before the deadline (the router starts its clock after we started ours), and
            # at it, not at some later sweep.
            assert timeout_ms / 1000 <= elapsed < timeout_ms / 1000 + 1.0, elapsed
            interrupt = await callee.expect(
                message.Interrupt, "INTERRUPT", lambda m: m.request == invocation.request
            )
            assert interrupt.mode == "killnowait", interrupt
            await wait(inv.interrupted, "autobahn to cancel the timed-out handler")

    asyncio.run(scenario())


def test_call_timeout_with_a_callee_without_call_canceling(live_node: Node) -> None:
    """The caller's ERROR says why in details.reason (wamp.error.timeout, as the specification
    asks); a callee that does not understand INTERRUPT gets none, and its late YIELD is dropped."""

    async def scenario() -> None:
        procedure = fresh_procedure("timeout_plain")
        async with (
            raw_rpc(live_node.url, "callee", callee=CALLEE_WITHOUT_CANCELING) as callee,
            raw_rpc(live_node.url, "caller", "cbor") as caller,
        ):
            await callee.register(procedure)
            request = await caller.call(procedure, ["slow"], timeout=200)
            invocation = await callee.expect(INVOCATION, "INVOCATION")
            assert "timeout" not in invocation[3], invocation
            reply = await caller.expect(ERROR, "the timeout's ERROR")
            assert reply == [
                ERROR,
                CALL,
                request,
                {"reason": "wamp.error.timeout"},
                CANCELED,
                ["the call timed out"],
            ], reply
            await callee.yield_(invocation[1], ["too late"])
            await answered_in_order(caller, callee, procedure, "after the timeout")

    asyncio.run(scenario())


def test_forward_timeout(live_node: Node) -> None:
    """A registration with forward_timeout gets the timeout in INVOCATION details and handles it
    itself: the router keeps no timer, and an answer after the deadline is the call's RESULT."""

    async def scenario() -> None:
        procedure = fresh_procedure("forward_timeout")
        timeout_ms = 200
        async with (
            raw_rpc(live_node.url, "callee") as callee,
            rpc_joined(live_node.url, "realm1", "json", "caller") as caller,
        ):
            await callee.register(procedure, forward_timeout=True)
            pending = caller.call(procedure, options=CallOptions(timeout=timeout_ms))
            invocation = await callee.expect(INVOCATION, "INVOCATION")
            assert invocation[3].get("timeout") == timeout_ms, invocation
            # Three times the timeout without an answer: what the router must not do is what
            # this waits for (a bounded wait for something that must not happen).
            done, _ = await asyncio.wait({asyncio.ensure_future(pending)}, timeout=0.6)
            assert not done, f"the router ended a forward_timeout call: {done}"
            await callee.yield_(invocation[1], ["late but fine"])
            assert await wait(pending, "RESULT") == "late but fine"
            assert caller.received(message.Error) == []

    asyncio.run(scenario())


def test_timeout_restarts_with_each_progressive_result(live_node: Node) -> None:
    """The specification (Progressive Call Results, Timeouts): with progressive results the
    timeout limits the time to the first result and between results, not the whole call. Results
    come every 250 ms for 1.25 s under a 600 ms timeout: the call completes."""

    async def scenario() -> None:
        procedure = fresh_procedure("timeout_progress")
        async with (
            raw_rpc(live_node.url, "callee") as callee,
            raw_rpc(live_node.url, "caller") as caller,
        ):
            await callee.register(procedure)
            request = await caller.call(procedure, timeout=600, receive_progress=True)
            invocation = await callee.expect(INVOCATION, "INVOCATION")
            for i in range(5):
                # The gaps between results are the scenario itself, not a synchronisation.
                await asyncio.sleep(0.25)
                await callee.yield_(invocation[1], [i], progress=True)
                got = await caller.expect(RESULT, f"progressive RESULT {i}")
                assert got == [RESULT, request, {"progress": True}, [i]], got
            await callee.yield_(invocation[1], ["done"])
            final = await caller.expect(RESULT, "the final RESULT")
            assert final == [RESULT, request, {}, ["done"]], final

    asyncio.run(scenario())


# ------------------------------------------------------------------------------------------------
# Call canceling


def test_cancel_from_autobahn(live_node: Node) -> None:
    """autobahn-python cancels a call when its future is canceled: it sends CANCEL without a
    mode, so the router's default, killnowait, applies: ERROR to the caller at once, INTERRUPT
    killnowait to the callee, whose handler autobahn then cancels."""

    async def scenario() -> None:
        procedure = fresh_procedure("autobahn_cancel")
        proc = Procedure("callee")
        async with (
            rpc_joined(live_node.url, "realm1", "cbor", "callee") as callee,
            rpc_joined(live_node.url, "realm1", "json", "caller") as caller,
        ):
            await register(callee, proc.handler, procedure)
            sent: list[Any] = []
            transport = caller._transport
            assert transport is not None
            send = transport.send
            transport.send = lambda msg: (sent.append(msg), send(msg))[1]  # type: ignore[method-assign]
            pending = caller.call(procedure, "long job")
            inv = await proc.next()
            invocation = await callee.expect(message.Invocation, "INVOCATION")
            pending.cancel()
            error = await caller.expect(
                message.Error, "ERROR for the canceled call", lambda m: m.request_type == CALL
            )
            # txaio sends CANCEL from the future's done callback, so it was sent by now.
            cancels = [m for m in sent if isinstance(m, message.Cancel)]
            assert len(cancels) == 1 and cancels[0].mode is None, cancels
            assert (error.error, error.args) == (CANCELED, [BY_CALLER]), error
            interrupt = await callee.expect(
                message.Interrupt, "INTERRUPT", lambda m: m.request == invocation.request
            )
            assert interrupt.mode == "killnowait", interrupt
            await wait(inv.interrupted, "autobahn to cancel the handler")
            # Both sessions go on.
            again = caller.call(procedure, "next job")
            (await proc.next()).answer("done")
            assert await wait(again, "RESULT") == "done"

    asyncio.run(scenario())


# mode sent -> (INTERRUPT mode the callee gets, or None for no INTERRUPT)
IMMEDIATE_MODES = {None: "killnowait", "killnowait": "killnowait", "skip": None}


@pytest.mark.parametrize("mode", list(IMMEDIATE_MODES), ids=lambda m: m or "default")
def test_cancel_answers_the_caller_at_once(live_node: Node, mode: str | None) -> None:
    """skip and killnowait (the default): ERROR to the caller at once; INTERRUPT killnowait (not
    for skip) to the callee; the callee's late answer is dropped."""

    async def scenario() -> None:
        procedure = fresh_procedure(f"cancel_{mode}")
        async with (
            raw_rpc(live_node.url, "callee", "msgpack") as callee,
            raw_rpc(live_node.url, "caller") as caller,
        ):
            await callee.register(procedure)
            request = await caller.call(procedure, ["job"])
            invocation = await callee.expect(INVOCATION, "INVOCATION")
            await caller.cancel(request, mode)
            reply = await caller.expect(ERROR, "ERROR for the canceled call")
            assert reply == [ERROR, CALL, request, {}, CANCELED, [BY_CALLER]], reply
            interrupt_mode = IMMEDIATE_MODES[mode]
            if interrupt_mode is not None:
                interrupt = await callee.expect(INTERRUPT, "INTERRUPT")
                assert interrupt == [INTERRUPT, invocation[1], {"mode": interrupt_mode}], interrupt
                await callee.error(invocation[1], CANCELED, ["stopped"])
            else:
                await callee.yield_(invocation[1], ["finished anyway"])
            await answered_in_order(caller, callee, procedure, f"after CANCEL {mode}")

    asyncio.run(scenario())


@pytest.mark.parametrize("answer", ["error", "yield"])
def test_cancel_kill_waits_for_the_callee(live_node: Node, answer: str) -> None:
    """kill: INTERRUPT kill to the callee, and the caller gets whatever the callee answers last
    (its ERROR, or a RESULT if it finished first), nothing before; progressive results stop."""

    async def scenario() -> None:
        procedure = fresh_procedure(f"cancel_kill_{answer}")
        async with (
            raw_rpc(live_node.url, "callee") as callee,
            raw_rpc(live_node.url, "caller", "cbor") as caller,
        ):
            await callee.register(procedure)
            request = await caller.call(procedure, ["job"], receive_progress=True)
            invocation = await callee.expect(INVOCATION, "INVOCATION")
            await caller.cancel(request, "kill")
            interrupt = await callee.expect(INTERRUPT, "INTERRUPT")
            assert interrupt == [INTERRUPT, invocation[1], {"mode": "kill"}], interrupt
            # Nothing for the caller yet: its next request is answered first.
            probe = await caller.call(fresh_procedure("nobody"))
            reply = await caller.expect(ERROR, "ERROR for a call of nobody")
            assert reply[2] == probe and reply[4] == "wamp.error.no_such_procedure", reply
            await callee.yield_(invocation[1], ["partial"], progress=True)
            if answer == "error":
                await callee.error(invocation[1], CANCELED, ["stopped"], {"at": 3})
                final = await caller.expect(ERROR, "the callee's ERROR")
                assert final == [ERROR, CALL, request, {}, CANCELED, ["stopped"], {"at": 3}], final
            else:
                await callee.yield_(invocation[1], ["finished first"])
                final = await caller.expect(RESULT, "the callee's RESULT")
                assert final == [RESULT, request, {}, ["finished first"]], final
            await answered_in_order(caller, callee, procedure, "after CANCEL kill")

    asyncio.run(scenario())


def test_cancel_of_a_call_to_a_callee_without_call_canceling_is_skip(live_node: Node) -> None:
    """A callee that does not understand INTERRUPT gets none: whatever the mode asked, the call
    is canceled as with skip (the caller answered at once, the callee's answer dropped)."""

    async def scenario() -> None:
        procedure = fresh_procedure("cancel_plain_callee")
        async with (
            raw_rpc(live_node.url, "callee", callee=CALLEE_WITHOUT_CANCELING) as callee,
            raw_rpc(live_node.url, "caller") as caller,
        ):
            await callee.register(procedure)
            for mode in ("kill", "killnowait"):
                request = await caller.call(procedure, [mode])
                invocation = await callee.expect(INVOCATION, "INVOCATION")
                await caller.cancel(request, mode)
                reply = await caller.expect(ERROR, f"ERROR for CANCEL {mode}")
                assert reply == [ERROR, CALL, request, {}, CANCELED, [BY_CALLER]], reply
                await callee.yield_(invocation[1], ["finished anyway"])
                await answered_in_order(caller, callee, procedure, f"after CANCEL {mode}")

    asyncio.run(scenario())


def test_cancel_of_an_ended_call_is_ignored(live_node: Node) -> None:
    """CANCEL after the RESULT (the two crossed) gets no answer and reaches no callee."""

    async def scenario() -> None:
        procedure = fresh_procedure("cancel_late")
        async with (
            raw_rpc(live_node.url, "callee") as callee,
            raw_rpc(live_node.url, "caller") as caller,
        ):
            await callee.register(procedure)
            request = await caller.call(procedure, ["quick"])
            invocation = await callee.expect(INVOCATION, "INVOCATION")
            await callee.yield_(invocation[1], ["done"])
            assert (await caller.expect(RESULT, "RESULT"))[1] == request
            await caller.cancel(request, "kill")
            await answered_in_order(caller, callee, procedure, "after a late CANCEL")

    asyncio.run(scenario())
