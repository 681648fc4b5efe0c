"""SIGTERM: every session gets GOODBYE wamp.close.system_shutdown and the node exits 0."""

from __future__ import annotations

import asyncio

from autobahn.wamp.types import PublishOptions

from clients import SERIALIZER_NAMES, join, wait
from node import STOP_TIMEOUT, Node


def test_sigterm_sends_system_shutdown_and_exits_0(own_node: Node) -> None:
    async def scenario() -> None:
        sessions = [await join(own_node.url, "realm1", s, f"{s} session") for s in SERIALIZER_NAMES]
        # One of them is busy with a subscription and a publication when the signal comes.
        _, inbox = await sessions[0].subscribe_inbox("com.crossway.shutdown")
        await wait(
            sessions[1].publish(
                "com.crossway.shutdown", "before", options=PublishOptions(acknowledge=True)
            ),
            "PUBLISHED",
        )
        assert (await inbox.next()).args == ["before"]

        own_node.send_sigterm()
        for s in sessions:
            details = await wait(s.left, f"GOODBYE after SIGTERM ({s.label})", STOP_TIMEOUT)
            assert details.reason == "wamp.close.system_shutdown", (
                f"{s.label}: closed with {details.reason!r} ({details.message!r})\n"
                f"{own_node.describe()}"
            )
        for s in sessions:
            await wait(s.disconnected, f"the connection to close after shutdown ({s.label})")
        code = await asyncio.to_thread(own_node.wait_exit, STOP_TIMEOUT)
        assert code == 0, f"the node exited with {code} after SIGTERM\n{own_node.describe()}"

    asyncio.run(scenario())
    own_node.assert_no_panic()


def test_sigterm_without_sessions_exits_0(own_node: Node) -> None:
    own_node.send_sigterm()
    code = own_node.wait_exit()
    assert code == 0, f"the node exited with {code} after SIGTERM\n{own_node.describe()}"
    own_node.assert_no_panic()


def test_a_second_sigterm_exits_at_once(own_node: Node) -> None:
    """A session that never answers GOODBYE holds the drain (5 s); a second signal ends it."""
    import time

    from rawws import raw_peer

    async def scenario() -> None:
        async with raw_peer(own_node.url, "json") as peer:
            await peer.hello()
            # The peer now stops reading: it will never answer the router's GOODBYE.
            own_node.send_sigterm()
            await asyncio.sleep(0.3)
            assert own_node.proc is not None and own_node.proc.poll() is None, (
                "the node should still be draining\n" + own_node.describe()
            )
            started = time.monotonic()
            own_node.send_sigterm()
            code = await asyncio.to_thread(own_node.wait_exit, STOP_TIMEOUT)
            elapsed = time.monotonic() - started
            assert code == 130, f"exit status {code} after a second SIGTERM\n{own_node.describe()}"
            assert elapsed < 1.5, f"the second signal took {elapsed:.2f} s to end the node"

    asyncio.run(scenario())
