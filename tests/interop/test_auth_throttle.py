"""Authentication throttling, seen from clients on different addresses: failed tickets from one
address slow every later attempt from it; another address is not slowed.

Clients bind distinct loopback sources (127.0.0.2, 127.0.0.3) so that the node tells them apart.
The waits asserted are lower bounds the node guarantees (it holds the verdict back); the one
upper bound (an address with no failures is not held back) leaves the whole delay as margin.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from auth_clients import Credentials, authenticate
from clients import Target
from node import Endpoint, Node

TICKET = "the right ticket"
DELAY = 1.0

AUTH_YAML = """\
    auth:
      ticket:
        principals:
          alice: { ticket: "${ALICE_TICKET}", role: user }
"""


@pytest.fixture
def throttle_node(crossway_bin: Path, tmp_path: Path) -> Iterator[Node]:
    node = Node(
        crossway_bin,
        tmp_path,
        "throttle-node",
        [Endpoint("ws", extra=AUTH_YAML)],
        extra=f"limits:\n  auth_delay: {DELAY}\n  auth_delay_max: {4 * DELAY}\n",
        env={"ALICE_TICKET": TICKET},
    )
    node.start()
    try:
        yield node
    finally:
        node.stop()


def test_failures_from_one_address_slow_it_and_no_other(throttle_node: Node) -> None:
    def target(source: str) -> Target:
        return Target("websocket", port=throttle_node.port, source=source)

    wrong = Credentials(["ticket"], "alice", ticket="wrong")
    right = Credentials(["ticket"], "alice", ticket=TICKET)

    async def scenario() -> None:
        guesser = target("127.0.0.2")
        times = []
        for _ in range(3):
            attempt = await authenticate(guesser, "realm1", "json", wrong)
            assert attempt.reason == "wamp.error.authentication_failed"
            times.append(attempt.seconds)
        # The first failure costs nothing; then DELAY, doubled for each further failure.
        assert times[1] >= DELAY, times
        assert times[2] >= 2 * DELAY, times
        # Even the right ticket waits, from that address: a guesser cannot tell by speed.
        held = await authenticate(guesser, "realm1", "json", right)
        assert held.joined and held.seconds >= 4 * DELAY, held.seconds
        await held.session.close()
        # Another address is not slowed, for a right or a wrong ticket.
        other = target("127.0.0.3")
        fine = await authenticate(other, "realm1", "json", right)
        assert fine.joined and fine.seconds < DELAY, fine.seconds
        await fine.session.close()
        first_miss = await authenticate(other, "realm1", "json", wrong)
        assert first_miss.reason == "wamp.error.authentication_failed"
        assert first_miss.seconds < DELAY, first_miss.seconds

    asyncio.run(scenario())
    lines = throttle_node.wait_for_log("authentication failed")
    assert any("127.0.0.2" in line and "failures=3" in line for line in lines), lines
