"""Keep-alive pings from autobahn-python.

autobahn's WebSocket client pings on its own (`autoPingInterval`, `autoPingTimeout`): a PONG
that does not arrive within the timeout drops the connection. Its asyncio RawSocket client cannot
ping at all (`ping`/`pong` raise NotImplementedError, and its factory has no ping option), so the
RawSocket PING/PONG is probed by hand in test_rawsocket_probes.py.
"""

from __future__ import annotations

import asyncio

from autobahn.wamp.types import PublishOptions

from clients import Client, joined, wait
from endpoints import TransportNode
from test_pubsub import fresh_topic

PING_INTERVAL = 0.2
PING_TIMEOUT = 0.5
# How long each session must stay up while pinging; autobahn's timers fire in 0.2 s buckets,
# so about one ping per 0.2 to 0.4 s: at least MIN_PONGS in the window.
WINDOW = 1.5
MIN_PONGS = 3

WS_OPTIONS = {
    "autoPingInterval": PING_INTERVAL,
    "autoPingTimeout": PING_TIMEOUT,
    # Only PONGs count: other traffic must not stand in for them.
    "autoPingRestartOnAnyTraffic": False,
}

# WebSocket endpoints of the transport node, each with its serializer: all pinged at once.
CASES = [("ws", "json"), ("wss", "cbor"), ("universal", "msgpack")]


async def pongs_during(session: Client, seconds: float) -> list[int]:
    """The sequence numbers of the auto-pongs received in the next `seconds`; fails if the
    session's connection ends meanwhile."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    seqs: list[int] = []
    while (left := deadline - loop.time()) > 0:
        got = asyncio.ensure_future(session.auto_pongs.get())
        done, _ = await asyncio.wait(
            {got, session.disconnected}, timeout=left, return_when=asyncio.FIRST_COMPLETED
        )
        if got in done:
            seqs.append(got.result())
            continue
        got.cancel()
        assert not session.disconnected.done(), (
            f"{session.label}: the connection ended after {len(seqs)} auto-pongs "
            f"({getattr(session.protocol, 'wasNotCleanReason', None)!r})"
        )
    return seqs


def test_websocket_auto_ping(live_transport: TransportNode) -> None:
    async def scenario() -> None:
        async with (
            joined(
                live_transport.target("ws"), "realm1", "json", "plain pinger", ws_options=WS_OPTIONS
            ) as a,
            joined(
                live_transport.target("wss"), "realm1", "cbor", "TLS pinger", ws_options=WS_OPTIONS
            ) as b,
            joined(
                live_transport.target("universal", "websocket"),
                "realm1",
                "msgpack",
                "universal pinger",
                ws_options=WS_OPTIONS,
            ) as c,
        ):
            sessions = [a, b, c]
            results = await asyncio.gather(*(pongs_during(s, WINDOW) for s in sessions))
            for s, seqs in zip(sessions, results):
                assert len(seqs) >= MIN_PONGS, (
                    f"{s.label}: {len(seqs)} auto-pongs in {WINDOW}s "
                    f"(interval {PING_INTERVAL}s): {seqs}"
                )
                assert seqs == list(range(1, len(seqs) + 1)), f"{s.label}: pong sequence {seqs}"
                assert not s.left.done(), f"{s.label} left: {s.left.result()}"
            # Still usable: an event from each session reaches the next one.
            topic = fresh_topic("keepalive")
            inboxes = [(await s.subscribe_inbox(topic))[1] for s in sessions]
            for i, s in enumerate(sessions):
                await wait(
                    s.publish(topic, s.label, options=PublishOptions(acknowledge=True)),
                    f"PUBLISHED after pinging ({s.label})",
                )
                for j, inbox in enumerate(inboxes):
                    if j != i:
                        assert (await inbox.next()).args == [s.label]

    asyncio.run(scenario())
