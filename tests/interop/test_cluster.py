"""Clustering over NATS with autobahn-python: three nodes A, B and C of one realm, joined through a
`nats-server` on loopback (cluster.py), clients on different nodes.

Covered: publish/subscribe across nodes exactly once (exact, prefix and wildcard subscriptions),
one publication id for local and remote subscribers, publisher disclosure, payloads through every
serializer, exclude_me, exclude/eligible by session id, authid and authrole; meta events across
nodes; remote procedure calls across nodes (payloads, errors, progressive results), shared
registrations of every policy across nodes, a `single` registration refused on another node, a
call in flight to the callee of a killed node canceled, call timeouts and cancels across nodes;
retained events and the event history on every node (retained events also on a node started
afterwards); a node started while NATS is away; the meta API counting and listing the
whole realm; a node killed with SIGKILL in the middle of a stream (nothing lost, its sessions,
subscriptions and registrations gone within node_timeout); NATS stopped and started again (local
routing goes on, cross-node routing comes back); the cluster counters on /metrics; NATS with a
token, a user and password, mutual TLS; two clusters on one NATS kept apart by subject_prefix;
`crossway check` of the cluster block.

A node learns of another's subscriptions and registrations through NATS, some time after
SUBSCRIBED or REGISTERED: each test first waits, with bounded retries, until its route works
(`routed`, `callable_from`), and counts exactly from then on. "Exactly once" is checked after a
settle window (`SETTLE`) in which a duplicate would have arrived. Tests that kill a node or NATS
have a cluster of their own; the others share one.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import subprocess
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from autobahn.wamp import message
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import CallDetails, CallOptions, PublishOptions

from auth_clients import Credentials, authenticate
from certs import make_certs
from clients import SERIALIZER_NAMES, Client, Event, Inbox, assert_same, join, wait
from cluster import (
    CONNECTED,
    LOST,
    NODE_TIMEOUT,
    PRINCIPALS,
    RESTORED,
    Cluster,
    ClusterNode,
    NatsServer,
)
from node import Endpoint, free_port, node_config
from rpc_clients import Procedure, call, echo, expect_error, register
from test_meta_api import META_EVENTS
from test_ops import scrape
from test_pubsub import PAYLOAD_ARGS, PAYLOAD_KWARGS

# After the last expected event: how long a duplicate (or a stray event) has to show up.
SETTLE = 0.5
# Beyond node_timeout: how late the cluster may notice that a node is gone (heartbeats are
# checked periodically, and this machine may be busy).
MARGIN = 2.0
# Bounded retries while a route is being set up across nodes: attempts and the wait per attempt.
ROUTE_ATTEMPTS = 60
ROUTE_WAIT = 0.2
# How long the NATS client of a node may take to notice a lost server and a restored one.
NATS_LOST_TIMEOUT = 15.0
NATS_BACK_TIMEOUT = 30.0

# What probes carry (and procedures answering probes answer).
PROBE = "cluster-probe"

_ids = itertools.count(1)


def fresh(name: str) -> str:
    """A URI no other test uses (the shared cluster lives for the whole module)."""
    return f"com.crossway.test.cluster.{name}.u{next(_ids)}"


def sid(session: Client) -> int:
    return session.joined.result().session


# ------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def cluster(crossway_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """NATS and nodes A, B, C for every test that kills nothing; stopped with SIGTERM at the end
    (every node exits 0)."""
    c = Cluster(crossway_bin, tmp_path_factory.mktemp("cluster"))
    c.start()
    yield c
    c.stop()


@pytest.fixture
def live(cluster: Cluster) -> Iterator[Cluster]:
    """The shared cluster, checked to be alive (no node exited or panicked) before and after."""
    cluster.assert_running()
    yield cluster
    cluster.assert_running()


@pytest.fixture
def own_cluster(crossway_bin: Path, tmp_path: Path) -> Iterator[Cluster]:
    """A cluster of the test's own, for tests that kill a node or NATS."""
    c = Cluster(crossway_bin, tmp_path)
    c.start()
    try:
        yield c
        c.stop()
    finally:
        c.kill()


def run(cluster: Cluster, scenario: Coroutine[Any, Any, None]) -> None:
    """Runs `scenario`; a failure carries the logs of every node and of NATS."""
    try:
        asyncio.run(scenario)
    except AssertionError as e:
        raise AssertionError(f"{e}\n{cluster.describe()}") from e


# ------------------------------------------------------------------------------------------------
# Sessions


class Sessions:
    """Every session a scenario opens, closed at its end (those on a killed node only waited
    for: their connection is gone)."""

    def __init__(self) -> None:
        self.open: list[Client] = []

    async def join(
        self, node: ClusterNode, serializer: str = "json", label: str = "", kind: str = "ws"
    ) -> Client:
        """An anonymous session on `node`'s `kind` endpoint (`ws` or `rs`)."""
        label = label or f"{serializer} session on {node.name}"
        session = await join(node.target(kind), "realm1", serializer, f"{label} ({node.name})")
        self.open.append(session)
        return session

    async def join_as(self, node: ClusterNode, authid: str, serializer: str = "json") -> Client:
        """A session of principal `authid` (ticket, see cluster.PRINCIPALS) on `node`."""
        ticket, _ = PRINCIPALS[authid]
        attempt = await authenticate(
            node.target("auth"),
            "realm1",
            serializer,
            Credentials(["ticket"], authid, ticket=ticket),
            f"{authid} on {node.name}",
        )
        assert attempt.joined, f"{authid} was refused on {node.name}: {attempt.reason}"
        self.open.append(attempt.session)
        return attempt.session

    async def close(self, quiet: bool = False) -> None:
        """Closes every session still connected; `quiet`: a session that fails to close (its
        node was killed, say) is left alone, so that an earlier failure is the one reported."""
        for session in self.open:
            if session.disconnected.done():
                continue
            try:
                await session.close()
            except (AssertionError, OSError):
                if not quiet:
                    raise


async def scenario_with(body: Callable[[Sessions], Awaitable[None]]) -> None:
    """Runs `body` with a `Sessions`, closing them afterwards (also after a failure)."""
    sessions = Sessions()
    try:
        await body(sessions)
    except BaseException:
        await sessions.close(quiet=True)
        raise
    await sessions.close()


# ------------------------------------------------------------------------------------------------
# Routes across nodes, and exact counting


async def routed(
    publisher: Client,
    topic: str,
    inboxes: list[Inbox],
    attempts: int = ROUTE_ATTEMPTS,
    stray: tuple[Any, ...] = (),
) -> None:
    """Publishes probes on `topic` until every inbox has received one (at most `attempts`, each
    waiting ROUTE_WAIT: the subscriptions may not have reached the publisher's node yet), then a
    fence, and takes every inbox's events up to the fence. Afterwards every inbox is empty and
    the route works. Events other than probes before the fence fail, except those whose single
    argument is in `stray` (publications the test let go astray)."""
    for attempt in range(attempts):
        await wait(
            publisher.publish(topic, PROBE, options=PublishOptions(acknowledge=True), n=attempt),
            f"PUBLISHED probe {attempt} on {topic}",
        )
        deadline = time.monotonic() + ROUTE_WAIT
        while time.monotonic() < deadline and any(i.queue.empty() for i in inboxes):
            await asyncio.sleep(0.02)
        if not any(i.queue.empty() for i in inboxes):
            break
    else:
        missing = [i.name for i in inboxes if i.queue.empty()]
        raise AssertionError(
            f"no probe on {topic} reached {missing} after {attempts} attempts "
            f"({attempts * ROUTE_WAIT:.0f} s)"
        )
    fence = f"fence {next(_ids)}"
    await wait(
        publisher.publish(topic, fence, options=PublishOptions(acknowledge=True)),
        f"PUBLISHED {fence}",
    )
    for inbox in inboxes:
        for _ in range(attempts + len(stray) + 1):
            event = await inbox.next(f"the fence after the probes on {topic}")
            if event.args == [fence]:
                break
            allowed = event.args == [PROBE] or (len(event.args) == 1 and event.args[0] in stray)
            assert allowed, f"{inbox.name}: expected probes, got {event}"
        else:
            raise AssertionError(f"{inbox.name}: more probes than were published")


async def take(inbox: Inbox, n: int, what: str) -> list[Event]:
    """The next `n` events of `inbox`."""
    return [await inbox.next(f"{what} ({i + 1} of {n})") for i in range(n)]


async def nothing_more(inboxes: list[Inbox], what: str) -> None:
    """After SETTLE, no inbox has an event left: each event arrived exactly once."""
    await asyncio.sleep(SETTLE)
    for inbox in inboxes:
        extra = inbox.pending()
        assert extra == [], f"{inbox.name} received more than once ({what}): {extra}"


def answers_probes(handler: Callable[..., Any]) -> Callable[..., Any]:
    """A procedure handler that answers a PROBE call at once and passes other calls on."""

    async def wrapped(*args: Any, details: CallDetails, **kwargs: Any) -> Any:
        if args == (PROBE,) and not kwargs:
            return PROBE
        result = handler(*args, details=details, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result

    return wrapped


async def callable_from(caller: Client, procedure: str) -> None:
    """Calls `procedure` with PROBE until it no longer answers wamp.error.no_such_procedure
    (bounded retries: the registration may not have reached the caller's node yet)."""
    for _ in range(ROUTE_ATTEMPTS):
        try:
            await wait(caller.call(procedure, PROBE), f"RESULT of the probe of {procedure}")
            return
        except ApplicationError as e:
            if e.error != "wamp.error.no_such_procedure":
                raise
        await asyncio.sleep(ROUTE_WAIT)
    raise AssertionError(
        f"{procedure} was still wamp.error.no_such_procedure for {caller.label} after "
        f"{ROUTE_ATTEMPTS} attempts"
    )


async def one(session: Client, procedure: str, *args: Any, **kwargs: Any) -> Any:
    """The single value a meta procedure returns."""
    return await wait(session.call(procedure, *args, **kwargs), f"RESULT of {procedure}")


async def until(
    probe: Callable[[], Awaitable[Any]],
    done: Callable[[Any], bool],
    what: str,
    timeout: float,
    interval: float = 0.1,
) -> tuple[Any, float]:
    """Calls `probe` every `interval` until `done(result)`; returns the result and how long that
    took. Fails with the last result after `timeout` seconds."""
    start = time.monotonic()
    last: Any = None
    for _ in range(int(timeout / interval) + 2):
        last = await probe()
        if done(last):
            return last, time.monotonic() - start
        if time.monotonic() - start > timeout:
            break
        await asyncio.sleep(interval)
    raise AssertionError(f"{what}: not within {timeout}s; last {last!r}")


class _DisclosingPublish(message.Publish):
    """PUBLISH with `disclose_me` (autobahn 26's PublishOptions has no such option any more)."""

    def marshal(self) -> list[Any]:
        msg = super().marshal()
        msg[2]["disclose_me"] = True
        return msg


def publish_disclosed(session: Client, topic: str, *args: Any) -> None:
    """PUBLISH asking for disclosure, without acknowledgement."""
    assert session._transport is not None, "not connected"
    request = session._request_id_gen.next()
    session._transport.send(_DisclosingPublish(request, topic, args=list(args)))


# ------------------------------------------------------------------------------------------------
# Publish and subscribe


@pytest.mark.parametrize(
    "match,pattern", [("exact", "{b}.x.y"), ("prefix", "{b}.x"), ("wildcard", "{b}..y")]
)
def test_pubsub_across_nodes_exactly_once(live: Cluster, match: str, pattern: str) -> None:
    """A publisher on A, subscribers (one `match` subscription each) on A, B and C over
    WebSocket and RawSocket: each gets every publication once, in order, with the topic
    published to in details for pattern subscriptions."""

    async def body(s: Sessions) -> None:
        base = fresh(f"once.{match}")
        topic = f"{base}.x.y"
        pub = await s.join(live["a"], "json", "publisher", kind="rs")
        inboxes = []
        for node, kind, ser in (
            ("a", "ws", "cbor"),
            ("b", "ws", "json"),
            ("b", "rs", "msgpack"),
            ("c", "rs", "cbor"),
            ("c", "ws", "json"),
        ):
            sub = await s.join(live[node], ser, f"{match} subscriber over {kind}", kind=kind)
            inboxes.append((await sub.subscribe_inbox(pattern.format(b=base), match=match))[1])
        await routed(pub, topic, inboxes)
        n = 20
        for i in range(n):
            pub.publish(topic, i)
        for inbox in inboxes:
            events = await take(inbox, n, f"publication on {topic}")
            assert [e.args for e in events] == [[i] for i in range(n)], inbox.name
            if match != "exact":
                topics = {e.details.topic for e in events}
                assert topics == {topic}, f"{inbox.name}: details.topic {topics}"
        await nothing_more(inboxes, f"{n} publications")

    run(live, scenario_with(body))


def test_one_publishers_order_across_topics(live: Cluster) -> None:
    """A publisher on A alternates between two topics; a subscriber to both on B (one queue for
    the two subscriptions) receives every publication in the order published, as WAMP orders
    the events of one publisher for one subscriber, across topics too."""

    async def body(s: Sessions) -> None:
        topics = [fresh("order.one"), fresh("order.two")]
        pub = await s.join(live["a"], "json", "publisher")
        sub = await s.join(live["b"], "cbor", "subscriber")
        inbox = Inbox("the subscriber to both topics on B")
        for topic in topics:
            await sub.subscribe_into(inbox, topic)
            await routed(pub, topic, [inbox])
        n = 60
        for i in range(n):
            pub.publish(topics[i % 2], i)
        got = [e.args[0] for e in await take(inbox, n, "publications on both topics")]
        assert got == list(range(n)), f"not in publication order: {got}"
        await nothing_more([inbox], f"{n} publications")

    run(live, scenario_with(body))


def test_one_publication_one_id_everywhere(live: Cluster) -> None:
    """The publication id PUBLISHED gives the publisher on A is the one subscribers on A (local),
    B and C see."""

    async def body(s: Sessions) -> None:
        topic = fresh("pubid")
        pub = await s.join(live["a"], "json", "publisher")
        inboxes = []
        for node in ("a", "b", "c"):
            sub = await s.join(live[node], "msgpack", "subscriber")
            inboxes.append((await sub.subscribe_inbox(topic))[1])
        await routed(pub, topic, inboxes)
        for i in range(3):
            publication = await wait(
                pub.publish(topic, i, options=PublishOptions(acknowledge=True)), "PUBLISHED"
            )
            ids = [(await inbox.next()).details.publication for inbox in inboxes]
            assert ids == [publication.id] * 3, (publication.id, ids)
        await nothing_more(inboxes, "three publications")

    run(live, scenario_with(body))


@pytest.mark.parametrize("serializer", SERIALIZER_NAMES)
def test_payload_identical_across_nodes(live: Cluster, serializer: str) -> None:
    """Arguments and keyword arguments of every type (binary too) published on A with
    `serializer` reach subscribers of every serializer on A, B and C unchanged."""

    async def body(s: Sessions) -> None:
        topic = fresh("payload")
        pub = await s.join(live["a"], serializer, "publisher", kind="rs")
        inboxes = []
        for node, kind, ser in (
            ("a", "ws", "cbor"),
            ("b", "ws", "json"),
            ("b", "rs", "cbor"),
            ("b", "ws", "msgpack"),
            ("c", "rs", "msgpack"),
            ("c", "ws", "json"),
        ):
            sub = await s.join(live[node], ser, f"{ser} subscriber", kind=kind)
            inboxes.append((await sub.subscribe_inbox(topic))[1])
        await routed(pub, topic, inboxes)
        await wait(
            pub.publish(
                topic, *PAYLOAD_ARGS, options=PublishOptions(acknowledge=True), **PAYLOAD_KWARGS
            ),
            "PUBLISHED",
        )
        for inbox in inboxes:
            event = await inbox.next()
            assert_same(PAYLOAD_ARGS, event.args, f"args {serializer} -> {inbox.name}")
            assert_same(PAYLOAD_KWARGS, event.kwargs, f"kwargs {serializer} -> {inbox.name}")
        await nothing_more(inboxes, "one publication")

    run(live, scenario_with(body))


def test_disclose_me_across_nodes(live: Cluster) -> None:
    """alice (role alpha) publishes on A with disclose_me: subscribers on A, B and C learn her
    session id, authid and authrole alike; without disclose_me none of them does."""

    async def body(s: Sessions) -> None:
        topic = fresh("disclose")
        alice = await s.join_as(live["a"], "alice", "cbor")
        inboxes = []
        for node, ser in (("a", "json"), ("b", "msgpack"), ("c", "cbor")):
            sub = await s.join(live[node], ser, "subscriber")
            inboxes.append((await sub.subscribe_inbox(topic))[1])
        await routed(alice, topic, inboxes)
        publish_disclosed(alice, topic, "disclosed")
        alice.publish(topic, "anonymous")
        for inbox in inboxes:
            disclosed = await inbox.next("the disclosed publication")
            assert disclosed.args == ["disclosed"], disclosed
            d = disclosed.details
            assert (d.publisher, d.publisher_authid, d.publisher_authrole) == (
                sid(alice),
                "alice",
                "alpha",
            ), f"{inbox.name}: {d}"
            plain = await inbox.next("the publication without disclose_me")
            assert plain.args == ["anonymous"], plain
            d = plain.details
            assert (d.publisher, d.publisher_authid, d.publisher_authrole) == (
                None,
                None,
                None,
            ), f"{inbox.name}: publisher disclosed without disclose_me: {d}"
        await nothing_more(inboxes, "two publications")

    run(live, scenario_with(body))


def test_exclude_me_across_nodes(live: Cluster) -> None:
    """The publisher on A, subscribed itself, gets no copy of its own publication by default and
    exactly one (not a second one back from NATS) with exclude_me=False; subscribers on B and C
    get both, once."""

    async def body(s: Sessions) -> None:
        topic = fresh("exclude_me")
        pub = await s.join(live["a"], "msgpack", "publisher")
        _, own = await pub.subscribe_inbox(topic)
        others = []
        for node in ("b", "c"):
            sub = await s.join(live[node], "json", "observer")
            others.append((await sub.subscribe_inbox(topic))[1])
        helper = await s.join(live["a"], "json", "route helper")
        await routed(helper, topic, [own, *others])
        pub.publish(topic, "default")
        pub.publish(topic, "included", options=PublishOptions(exclude_me=False))
        first = await own.next("the publisher's own event")
        assert first.args == ["included"], f"the publisher received its excluded event: {first}"
        for inbox in others:
            assert [e.args for e in await take(inbox, 2, "both")] == [["default"], ["included"]]
        await nothing_more([own, *others], "two publications")

    run(live, scenario_with(body))


async def deliveries(
    publisher: Client,
    topic: str,
    cases: list[tuple[str, PublishOptions]],
    inboxes: dict[str, Inbox],
) -> dict[str, list[str]]:
    """Publishes each case's label with its options, each followed by an unrestricted marker;
    returns what each inbox received up to the last marker (labels and markers), after
    checking that nothing more arrives. One publisher's events reach a subscriber in order, so
    a marker received shows that the case before it was either delivered or not sent."""
    last = f"end {next(_ids)}"
    for label, options in cases:
        publisher.publish(topic, label, options=options)
        publisher.publish(topic, f"after {label}")
    publisher.publish(topic, last)
    got: dict[str, list[str]] = {}
    for name, inbox in inboxes.items():
        got[name] = []
        for _ in range(2 * len(cases) + 2):
            event = await inbox.next(f"the publications of {[c[0] for c in cases]}")
            if event.args == [last]:
                break
            got[name].append(event.args[0])
        else:
            raise AssertionError(f"{name}: more events than were published: {got[name]}")
    await nothing_more(list(inboxes.values()), "after the last marker")
    return got


def expected_deliveries(cases: list[str], receivers: dict[str, set[str]]) -> dict[str, list[str]]:
    """What each subscriber should see: every marker, and each case it is among the receivers
    of."""
    return {
        name: [x for label in cases for x in ([label] if label in got else []) + [f"after {label}"]]
        for name, got in receivers.items()
    }


def test_exclude_and_eligible_by_session_across_nodes(live: Cluster) -> None:
    """exclude and eligible by session id pick subscribers on A, B and C alike."""

    async def body(s: Sessions) -> None:
        topic = fresh("by_session")
        pub = await s.join(live["a"], "json", "publisher")
        subs = {
            "a1": await s.join(live["a"], "cbor", "a1"),
            "b1": await s.join(live["b"], "msgpack", "b1", kind="rs"),
            "b2": await s.join(live["b"], "json", "b2"),
            "c1": await s.join(live["c"], "json", "c1"),
        }
        inboxes = {name: (await sub.subscribe_inbox(topic))[1] for name, sub in subs.items()}
        await routed(pub, topic, list(inboxes.values()))
        ids = {name: sid(sub) for name, sub in subs.items()}
        cases = [
            ("exclude b1 c1", PublishOptions(exclude=[ids["b1"], ids["c1"]])),
            ("eligible b1 c1", PublishOptions(eligible=[ids["b1"], ids["c1"]])),
            (
                "eligible a1 b2 c1 exclude b2",
                PublishOptions(eligible=[ids["a1"], ids["b2"], ids["c1"]], exclude=[ids["b2"]]),
            ),
            ("exclude a1", PublishOptions(exclude=[ids["a1"]])),
        ]
        got = await deliveries(pub, topic, cases, inboxes)
        receivers = {
            "a1": {"exclude b1 c1", "eligible a1 b2 c1 exclude b2"},
            "b1": {"eligible b1 c1", "exclude a1"},
            "b2": {"exclude b1 c1", "exclude a1"},
            "c1": {"eligible b1 c1", "eligible a1 b2 c1 exclude b2", "exclude a1"},
        }
        assert got == expected_deliveries([c[0] for c in cases], receivers)

    run(live, scenario_with(body))


def test_exclude_and_eligible_by_authid_and_authrole_across_nodes(live: Cluster) -> None:
    """exclude_authid, eligible_authid, exclude_authrole and eligible_authrole pick subscribers
    on A, B and C by who they are: carol (alpha) on A, alice (alpha) on B, bob (beta) on C and
    an anonymous session on B."""

    async def body(s: Sessions) -> None:
        topic = fresh("by_auth")
        pub = await s.join(live["a"], "cbor", "publisher")
        subs = {
            "carol": await s.join_as(live["a"], "carol", "json"),
            "alice": await s.join_as(live["b"], "alice", "msgpack"),
            "bob": await s.join_as(live["c"], "bob", "cbor"),
            "anon": await s.join(live["b"], "json", "anonymous"),
        }
        inboxes = {name: (await sub.subscribe_inbox(topic))[1] for name, sub in subs.items()}
        await routed(pub, topic, list(inboxes.values()))
        cases = [
            ("exclude_authid alice", PublishOptions(exclude_authid=["alice"])),
            ("eligible_authid alice bob", PublishOptions(eligible_authid=["alice", "bob"])),
            ("exclude_authrole alpha", PublishOptions(exclude_authrole=["alpha"])),
            ("eligible_authrole alpha", PublishOptions(eligible_authrole=["alpha"])),
            (
                "eligible_authrole alpha beta exclude_authid carol",
                PublishOptions(eligible_authrole=["alpha", "beta"], exclude_authid=["carol"]),
            ),
        ]
        got = await deliveries(pub, topic, cases, inboxes)
        receivers = {
            "carol": {"exclude_authid alice", "eligible_authrole alpha"},
            "alice": {
                "eligible_authid alice bob",
                "eligible_authrole alpha",
                "eligible_authrole alpha beta exclude_authid carol",
            },
            "bob": {
                "exclude_authid alice",
                "eligible_authid alice bob",
                "exclude_authrole alpha",
                "eligible_authrole alpha beta exclude_authid carol",
            },
            "anon": {"exclude_authid alice", "exclude_authrole alpha"},
        }
        assert got == expected_deliveries([c[0] for c in cases], receivers)

    run(live, scenario_with(body))


# ------------------------------------------------------------------------------------------------
# Meta events and the meta API



def _about(topic: str, args: list[Any]) -> int | None:
    """The session a meta event is about."""
    if not args:
        return None
    if topic == "wamp.session.on_join":
        return args[0].get("session") if isinstance(args[0], dict) else None
    return args[0] if isinstance(args[0], int) else None


async def watched(
    watcher: Inbox, session: int, count: int, limit: int = 100
) -> list[tuple[str, list[Any]]]:
    """The first `count` meta events about `session`, in arrival order (events about other
    sessions skipped; at most `limit` events read)."""
    out: list[tuple[str, list[Any]]] = []
    for _ in range(limit):
        event = await watcher.next(f"meta event {len(out) + 1} of {count} of session {session}")
        topic = event.details.topic
        if _about(topic, event.args) == session:
            out.append((topic, event.args))
            if len(out) == count:
                return out
    raise AssertionError(
        f"fewer than {count} meta events of session {session} among {limit}: {out}"
    )


async def life_cycle(session: Client, topic: str, procedure: str) -> tuple[Any, Any]:
    """`session` subscribes to `topic`, registers `procedure`, undoes both and leaves; returns
    the Subscription and the Registration."""
    sub, _ = await session.subscribe_inbox(topic)
    reg = await register(session, echo, procedure)
    await wait(sub.unsubscribe(), "UNSUBSCRIBED")
    await wait(reg.unregister(), "UNREGISTERED")
    await session.close()
    return sub, reg


def test_meta_events_across_nodes(live: Cluster) -> None:
    """A watcher on A sees every meta event of a session on C once, in order: on_join,
    subscription on_create and on_subscribe, registration on_create and on_register, then
    on_unsubscribe, on_delete, on_unregister, on_delete and on_leave."""

    async def body(s: Sessions) -> None:
        topic, procedure = fresh("meta.topic"), fresh("meta.proc")
        w = await s.join(live["a"], "json", "watcher")
        watcher = Inbox("meta events at the watcher on A")
        for meta in META_EVENTS:
            await w.subscribe_into(watcher, meta)
        # The watcher's subscriptions reach C some time after SUBSCRIBED: probe sessions on C
        # go through the whole life cycle until the watcher sees all ten events of one.
        for _ in range(ROUTE_ATTEMPTS):
            probe = await join(live["c"].target(), "realm1", "json", "probe on C")
            await life_cycle(probe, fresh("meta.probe"), fresh("meta.probe"))
            try:
                await wait(
                    watched(watcher, sid(probe), len(META_EVENTS)),
                    "the probe's meta events",
                    ROUTE_WAIT * 5,
                )
                break
            except AssertionError:
                continue
        else:
            raise AssertionError("the meta events of sessions on C did not reach the watcher on A")

        actor = await s.join(live["c"], "cbor", "actor")
        a = sid(actor)
        sub, reg = await life_cycle(actor, topic, procedure)
        expected = [
            "wamp.session.on_join",
            "wamp.subscription.on_create",
            "wamp.subscription.on_subscribe",
            "wamp.registration.on_create",
            "wamp.registration.on_register",
            "wamp.subscription.on_unsubscribe",
            "wamp.subscription.on_delete",
            "wamp.registration.on_unregister",
            "wamp.registration.on_delete",
            "wamp.session.on_leave",
        ]
        events = await watched(watcher, a, len(expected))
        await asyncio.sleep(SETTLE)
        again = [(e.details.topic, e.args) for e in watcher.pending()]
        dup = [(t, args) for t, args in again if _about(t, args) == a]
        assert dup == [], f"meta events of the actor arrived twice: {dup}"
        topics = [t for t, _ in events]
        assert sorted(topics) == sorted(expected), f"not each meta event once: {topics}"
        by_topic = dict(events)
        assert by_topic["wamp.session.on_join"][0]["authrole"] == "anonymous"
        assert by_topic["wamp.session.on_join"][0]["transport"]["serializer"] == "cbor"
        created = by_topic["wamp.subscription.on_create"][1]
        assert (created["uri"], created["match"], created["id"]) == (topic, "exact", sub.id)
        assert by_topic["wamp.subscription.on_subscribe"] == [a, sub.id]
        assert by_topic["wamp.registration.on_create"][1]["uri"] == procedure
        assert by_topic["wamp.registration.on_register"] == [a, reg.id]
        # One node publishes them all: WAMP orders the events of one publisher for one
        # subscriber, across topics too (see test_one_publishers_order_across_topics).
        assert topics == expected, f"meta events out of the order they happened: {topics}"

    run(live, scenario_with(body))


def test_session_count_and_list_cover_every_node(live: Cluster) -> None:
    """wamp.session.count and wamp.session.list on each node count the sessions of all three:
    dora's sessions (role `counted`, used by no other test) on A, B and C, then fewer when those
    on B leave; unfiltered, every session open in the realm."""

    async def body(s: Sessions) -> None:
        meta = {n: await s.join(live[n], "json", "meta caller") for n in ("a", "b", "c")}
        doras = {
            "a": [await s.join_as(live["a"], "dora")],
            "b": [
                await s.join_as(live["b"], "dora", "cbor"),
                await s.join_as(live["b"], "dora", "msgpack"),
            ],
            "c": [await s.join_as(live["c"], "dora")],
        }
        all_ids = sorted(sid(d) for ds in doras.values() for d in ds)
        for n, caller in meta.items():
            await until(
                lambda caller=caller: one(caller, "wamp.session.count", ["counted"]),
                lambda c: c == 4,
                f"wamp.session.count(['counted']) on {n} to be 4",
                NODE_TIMEOUT + MARGIN,
            )
            listed = await one(caller, "wamp.session.list", ["counted"])
            assert sorted(listed) == all_ids, (n, listed, all_ids)
        everyone = sorted(sid(x) for x in s.open)
        for n, caller in meta.items():
            await until(
                lambda caller=caller: one(caller, "wamp.session.list"),
                lambda got: sorted(got) == everyone,
                f"wamp.session.list on {n} to name the {len(everyone)} sessions open",
                NODE_TIMEOUT + MARGIN,
            )
            assert await one(caller, "wamp.session.count") == len(everyone)
        for d in doras["b"]:
            await d.close()
        left = sorted(sid(d) for d in doras["a"] + doras["c"])
        for n, caller in meta.items():
            await until(
                lambda caller=caller: one(caller, "wamp.session.list", ["counted"]),
                lambda got: sorted(got) == left,
                f"wamp.session.list(['counted']) on {n} without the sessions that left B",
                NODE_TIMEOUT + MARGIN,
            )
            assert await one(caller, "wamp.session.count", ["counted"]) == 2

    run(live, scenario_with(body))


def test_subscription_lists_include_remote_ones(live: Cluster) -> None:
    """A subscription made on B (and on no other node) shows on A: lookup finds it, list names
    it, list_subscribers names the session on B."""

    async def body(s: Sessions) -> None:
        topic = fresh("listed.topic")
        remote = await s.join(live["b"], "json", "remote")
        await remote.subscribe_inbox(topic)
        meta = await s.join(live["a"], "cbor", "meta caller")
        sub_id, _ = await until(
            lambda: one(meta, "wamp.subscription.lookup", topic),
            lambda got: got is not None,
            f"wamp.subscription.lookup on A to find B's subscription to {topic}",
            NODE_TIMEOUT + MARGIN,
        )
        assert sub_id in (await one(meta, "wamp.subscription.list"))["exact"]
        assert sid(remote) in await one(meta, "wamp.subscription.list_subscribers", sub_id)

    run(live, scenario_with(body))


def test_subscribers_on_other_nodes_are_listed(live: Cluster) -> None:
    """Subscribers to one topic on A, B and C: list_subscribers and count_subscribers of A's
    subscription name all three."""

    async def body(s: Sessions) -> None:
        topic = fresh("listed.subscribers")
        subs = [await s.join(live[n], "json", "subscriber") for n in ("a", "b", "c")]
        for sub in subs:
            await sub.subscribe_inbox(topic)
        meta = await s.join(live["a"], "cbor", "meta caller")
        sub_id = await one(meta, "wamp.subscription.lookup", topic)
        assert sub_id is not None
        want = sorted(sid(x) for x in subs)
        await until(
            lambda: one(meta, "wamp.subscription.list_subscribers", sub_id),
            lambda got: sorted(got) == want,
            f"list_subscribers on A to name the subscribers on A, B and C {want}",
            NODE_TIMEOUT + MARGIN,
        )
        assert await one(meta, "wamp.subscription.count_subscribers", sub_id) == 3

    run(live, scenario_with(body))


def test_registration_lists_include_remote_ones(live: Cluster) -> None:
    """A registration made on B (and on no other node) shows on A: lookup finds it, list names
    it, list_callees names the session on B."""

    async def body(s: Sessions) -> None:
        procedure = fresh("listed.proc")
        remote = await s.join(live["b"], "json", "remote")
        await register(remote, echo, procedure)
        meta = await s.join(live["a"], "cbor", "meta caller")
        reg_id, _ = await until(
            lambda: one(meta, "wamp.registration.lookup", procedure),
            lambda got: got is not None,
            f"wamp.registration.lookup on A to find B's registration of {procedure}",
            NODE_TIMEOUT + MARGIN,
        )
        assert reg_id in (await one(meta, "wamp.registration.list"))["exact"]
        assert sid(remote) in await one(meta, "wamp.registration.list_callees", reg_id)

    run(live, scenario_with(body))


def test_cluster_counters_on_metrics(live: Cluster) -> None:
    """After publications from A reach B, A's /metrics counts messages sent to the cluster, B's
    messages received from it, and both have a counter of dropped ones (crossway_cluster_*)."""

    async def body(s: Sessions) -> None:
        topic = fresh("metrics")
        pub = await s.join(live["a"], "json", "publisher")
        sub = await s.join(live["b"], "json", "subscriber")
        _, inbox = await sub.subscribe_inbox(topic)
        await routed(pub, topic, [inbox])
        for i in range(10):
            pub.publish(topic, i)
        await take(inbox, 10, "publications")

    run(live, scenario_with(body))

    def cluster_counters(node: ClusterNode) -> dict[str, float]:
        out: dict[str, float] = {}
        for (name, _labels), v in scrape(node.metrics_port).items():
            if name.startswith("crossway_cluster_"):
                out[name] = out.get(name, 0.0) + v
        return out

    a, b = cluster_counters(live["a"]), cluster_counters(live["b"])
    for node, counters in (("A", a), ("B", b)):
        for word in ("sent", "received", "dropped"):
            assert any(
                word in name for name in counters
            ), f"{node}'s /metrics has no crossway_cluster_* counter of {word}: {sorted(counters)}"
    assert sum(v for k, v in a.items() if "sent" in k) >= 10, a
    assert sum(v for k, v in b.items() if "received" in k) >= 10, b


# ------------------------------------------------------------------------------------------------
# Remote procedure calls


@pytest.mark.parametrize("serializer", SERIALIZER_NAMES)
def test_call_across_nodes_round_trip(live: Cluster, serializer: str) -> None:
    """A caller on A (`serializer`) and one on C call a callee on B (RawSocket, msgpack): every
    argument and keyword argument comes back unchanged."""

    async def body(s: Sessions) -> None:
        procedure = fresh("echo")
        callee = await s.join(live["b"], "msgpack", "callee", kind="rs")
        await register(callee, echo, procedure)
        for node in ("a", "c"):
            caller = await s.join(live[node], serializer, "caller")
            await callable_from(caller, procedure)
            args, kwargs = await call(caller, procedure, *PAYLOAD_ARGS, **PAYLOAD_KWARGS)
            assert_same(PAYLOAD_ARGS, args, f"args {serializer} via B from {node}")
            assert_same(PAYLOAD_KWARGS, kwargs, f"kwargs {serializer} via B from {node}")

    run(live, scenario_with(body))


def test_callee_error_across_nodes(live: Cluster) -> None:
    """An error the callee on C raises reaches the caller on A with its URI, args and kwargs."""

    async def body(s: Sessions) -> None:
        procedure = fresh("oops")

        def oops(*args: Any, details: CallDetails, **kwargs: Any) -> None:
            raise ApplicationError("com.example.cluster.oops", "no", 42, reason="on C")

        callee = await s.join(live["c"], "cbor", "callee")
        await register(callee, answers_probes(oops), procedure)
        caller = await s.join(live["a"], "json", "caller")
        await callable_from(caller, procedure)
        error = await expect_error(
            caller.call(procedure, 1), "com.example.cluster.oops", "the callee's error"
        )
        assert list(error.args) == ["no", 42] and error.kwargs == {"reason": "on C"}, (
            error.args,
            error.kwargs,
        )

    run(live, scenario_with(body))


def test_call_timeout_and_cancel_across_nodes(live: Cluster) -> None:
    """A call from A to a callee on B: with a timeout the caller's node ends it at the deadline
    (ERROR wamp.error.canceled, "the call timed out") and B's callee is interrupted; canceled
    by the caller (autobahn's future.cancel: CANCEL killnowait), B's callee is interrupted too;
    the callee answers the next call."""

    async def body(s: Sessions) -> None:
        procedure = fresh("slow")
        proc = Procedure("callee on B")
        callee = await s.join(live["b"], "cbor", "callee")
        await register(callee, answers_probes(proc.handler), procedure)
        caller = await s.join(live["a"], "json", "caller")
        await callable_from(caller, procedure)

        loop = asyncio.get_running_loop()
        start = loop.time()
        pending = caller.call(procedure, "too slow", options=CallOptions(timeout=300))
        inv = await proc.next("the call with a timeout")
        error = await expect_error(pending, "wamp.error.canceled", "the call to time out")
        assert list(error.args) == ["the call timed out"], error.args
        assert loop.time() - start >= 0.3
        await wait(inv.interrupted, "B's handler interrupted at the deadline")

        pending = caller.call(procedure, "canceled")
        inv = await proc.next("the call to cancel")
        pending.cancel()
        await wait(inv.interrupted, "B's handler interrupted by the caller's CANCEL")

        again = caller.call(procedure, "next")
        (await proc.next("the next call")).answer("done")
        assert await wait(again, "RESULT of the next call") == "done"

    run(live, scenario_with(body))


def test_progressive_results_across_nodes(live: Cluster) -> None:
    """Progressive results of a callee on B reach the caller on A in order, before the final
    RESULT."""

    async def body(s: Sessions) -> None:
        procedure = fresh("progress")

        async def counts(n: int, details: CallDetails) -> str:
            assert details.progress is not None, "INVOCATION lacked receive_progress"
            for i in range(n):
                details.progress(i, of=n)
            return "done"

        callee = await s.join(live["b"], "json", "callee")
        await register(callee, answers_probes(counts), procedure)
        caller = await s.join(live["a"], "msgpack", "caller")
        await callable_from(caller, procedure)
        received: list[tuple[list[Any], dict[str, Any]]] = []
        options = CallOptions(on_progress=lambda *a, **k: received.append((list(a), k)))
        assert await call(caller, procedure, 5, options=options) == (["done"], {})
        assert received == [([i], {"of": 5}) for i in range(5)], received

    run(live, scenario_with(body))


def labelled(label: str) -> Callable[..., Any]:
    """A handler that answers `label`: which callee served a call."""

    def handler(*args: Any, details: CallDetails, **kwargs: Any) -> str:
        return label

    return handler


def test_shared_roundrobin_across_nodes(live: Cluster) -> None:
    """Callees on A, B and C of one roundrobin registration take turns, for a caller on A and
    one on C alike."""

    async def body(s: Sessions) -> None:
        procedure = fresh("roundrobin")
        callees = []
        for node in ("a", "b", "c"):
            callee = await s.join(live[node], "json", f"callee {node}")
            await register(callee, labelled(node), procedure, invoke="roundrobin")
            callees.append(callee)
        meta = await s.join(live["b"], "json", "meta caller")
        await one_registration(meta, procedure, callees)
        for node in ("a", "c"):
            caller = await s.join(live[node], "cbor", "caller")
            seen: set[str] = set()
            for _ in range(ROUTE_ATTEMPTS):
                seen.add((await call(caller, procedure))[0][0])
                if seen == {"a", "b", "c"}:
                    break
                await asyncio.sleep(ROUTE_WAIT / 4)
            else:
                raise AssertionError(f"calls from {node} reached only the callees on {seen}")
            order = [(await call(caller, procedure))[0][0] for _ in range(9)]
            assert set(order[:3]) == {"a", "b", "c"}, f"not every callee in a round: {order}"
            assert order == order[:3] * 3, f"callees did not take turns (from {node}): {order}"

    run(live, scenario_with(body))


async def one_registration(meta: Client, procedure: str, callees: list[Client]) -> int:
    """Waits (bounded) until `meta`'s node knows one registration of `procedure` whose callees
    are exactly `callees`, wherever they are; returns its id."""

    async def callees_listed() -> list[int] | None:
        reg = await one(meta, "wamp.registration.lookup", procedure)
        return None if reg is None else await one(meta, "wamp.registration.list_callees", reg)

    want = sorted(sid(c) for c in callees)
    await until(
        callees_listed,
        lambda got: got is not None and sorted(got) == want,
        f"one registration of {procedure} on {meta.label}'s node listing callees {want}",
        NODE_TIMEOUT + MARGIN,
    )
    return await one(meta, "wamp.registration.lookup", procedure)


def test_shared_random_across_nodes(live: Cluster) -> None:
    """Calls from A to a `random` registration with callees on A, B and C reach all three (60
    calls: that one callee gets none has a chance of 3 * (2/3)^60, about 1e-10)."""

    async def body(s: Sessions) -> None:
        procedure = fresh("random")
        callees = []
        for node in ("a", "b", "c"):
            callee = await s.join(live[node], "cbor", f"callee {node}")
            await register(callee, labelled(node), procedure, invoke="random")
            callees.append(callee)
        caller = await s.join(live["a"], "json", "caller")
        await one_registration(caller, procedure, callees)
        served = [(await call(caller, procedure))[0][0] for _ in range(60)]
        assert set(served) == {"a", "b", "c"}, f"calls reached only {set(served)}"

    run(live, scenario_with(body))


@pytest.mark.parametrize("invoke", ["first", "last"])
def test_shared_first_and_last_across_nodes(live: Cluster, invoke: str) -> None:
    """Callees register on A, then B, then C (each known everywhere before the next): with
    `first` every call from C goes to A's callee, with `last` to C's; when that one leaves, to
    B's."""

    async def body(s: Sessions) -> None:
        procedure = fresh(invoke)
        caller = await s.join(live["c"], "msgpack", "caller")
        callees: list[Client] = []
        for node in ("a", "b", "c"):
            callee = await s.join(live[node], "json", f"callee {node}")
            await register(callee, labelled(node), procedure, invoke=invoke)
            callees.append(callee)
            await one_registration(caller, procedure, callees)
        active, standby = ("a", "b") if invoke == "first" else ("c", "b")
        assert [(await call(caller, procedure))[0] for _ in range(3)] == [[active]] * 3
        await callees["abc".index(active)].close()
        await one_registration(caller, procedure, [callees[1], callees[2 if active == "a" else 0]])
        assert [(await call(caller, procedure))[0] for _ in range(3)] == [[standby]] * 3

    run(live, scenario_with(body))


def test_single_registration_conflicts_across_nodes(live: Cluster) -> None:
    """Once a `single` registration on A is known on B, REGISTER of the same procedure on B gets
    wamp.error.procedure_already_exists, and calls still go to A."""

    async def body(s: Sessions) -> None:
        procedure = fresh("single")
        first = await s.join(live["a"], "json", "first callee")
        await register(first, labelled("a"), procedure)
        second = await s.join(live["b"], "msgpack", "second callee")
        await callable_from(second, procedure)
        await expect_error(
            second.register(labelled("b"), procedure),
            "wamp.error.procedure_already_exists",
            "REGISTER on B of a procedure registered on A",
        )
        caller = await s.join(live["c"], "json", "caller")
        await callable_from(caller, procedure)
        assert [(await call(caller, procedure))[0] for _ in range(3)] == [["a"]] * 3

    run(live, scenario_with(body))


# ------------------------------------------------------------------------------------------------
# A node dies


def test_call_in_flight_to_a_killed_node_is_canceled(own_cluster: Cluster) -> None:
    """A call from A held by a callee on C: when C is SIGKILLed the caller gets
    wamp.error.canceled within node_timeout (+ MARGIN); the registration is gone (calls get
    wamp.error.no_such_procedure), and a callee on B may register the procedure."""
    cluster = own_cluster

    async def body(s: Sessions) -> None:
        procedure = fresh("doomed")
        held = Procedure("the callee on C")
        callee = await s.join(cluster["c"], "json", "callee")
        await register(callee, answers_probes(held.handler), procedure)
        caller = await s.join(cluster["a"], "cbor", "caller")
        await callable_from(caller, procedure)
        pending = asyncio.ensure_future(caller.call(procedure, "hold"))
        invocation = await held.next("the held call")
        assert invocation.args == ["hold"]
        killed = time.monotonic()
        await asyncio.to_thread(cluster["c"].sigkill)
        bound = NODE_TIMEOUT + MARGIN
        await expect_error(pending, "wamp.error.canceled", "the call held on the killed node")
        took = time.monotonic() - killed
        assert took <= bound, f"canceled {took:.2f}s after the kill (bound {bound}s)"
        await until(
            lambda: _call_error(caller, procedure),
            lambda e: e == "wamp.error.no_such_procedure",
            "the killed callee's registration to disappear",
            bound,
        )
        # B forgets C on its own clock: REGISTER there may meet C's registration until then.
        heir = await s.join(cluster["b"], "msgpack", "heir")
        await until(
            lambda: _register_error(heir, procedure),
            lambda e: e is None,
            "REGISTER on B of the killed callee's procedure to succeed",
            max(0.2, bound - (time.monotonic() - killed)),
        )
        await callable_from(caller, procedure)
        assert await call(caller, procedure) == (["b"], {})
        await wait(callee.disconnected, "the end of the killed node's connection")

    run(cluster, scenario_with(body))


async def _register_error(callee: Client, procedure: str) -> str | None:
    """The error URI REGISTER of `procedure` (answering `b`) gets, None if it succeeds."""
    try:
        await register(callee, labelled("b"), procedure)
        return None
    except ApplicationError as e:
        return e.error


async def _call_error(caller: Client, procedure: str) -> str | None:
    """The error URI a call of `procedure` gets, None if it succeeds."""
    try:
        await wait(caller.call(procedure, PROBE), f"answer from {procedure}")
        return None
    except ApplicationError as e:
        return e.error


def test_sigkill_mid_stream(own_cluster: Cluster) -> None:
    """A publisher on A publishes a numbered stream while C (which has subscribers to it, and
    sessions of its own) is SIGKILLed: the subscriber on B receives every number once, in order;
    wamp.session.count on A loses C's sessions within node_timeout (+ MARGIN) of the kill."""
    cluster = own_cluster

    async def body(s: Sessions) -> None:
        topic = fresh("stream")
        pub = await s.join(cluster["a"], "json", "publisher", kind="rs")
        meta = await s.join(cluster["a"], "json", "meta caller")
        sub_b = await s.join(cluster["b"], "msgpack", "subscriber")
        _, inbox_b = await sub_b.subscribe_inbox(topic)
        doomed = [await s.join(cluster["c"], ser, "doomed") for ser in ("json", "cbor")]
        _, inbox_c = await doomed[0].subscribe_inbox(topic)
        # A subscription on C to a topic A's meta caller subscribes to as well: A lists C's
        # session among its subscribers until C is gone.
        watched_topic = fresh("watched")
        await doomed[1].subscribe_inbox(watched_topic)
        local_sub, _ = await meta.subscribe_inbox(watched_topic)
        await until(
            lambda: one(meta, "wamp.subscription.list_subscribers", local_sub.id),
            lambda got: sid(doomed[1]) in got,
            f"list_subscribers on A to name C's subscriber to {watched_topic}",
            NODE_TIMEOUT + MARGIN,
        )
        survivors = 3
        await until(
            lambda: one(meta, "wamp.session.count"),
            lambda c: c == survivors + len(doomed),
            "wamp.session.count on A to count the sessions of A, B and C",
            NODE_TIMEOUT + MARGIN,
        )
        await routed(pub, topic, [inbox_b, inbox_c])

        sent = 0
        stop = asyncio.Event()

        async def stream() -> None:
            nonlocal sent
            deadline = time.monotonic() + 30
            while not stop.is_set() and time.monotonic() < deadline:
                pub.publish(topic, sent)
                sent += 1
                await asyncio.sleep(0.002)

        streaming = asyncio.ensure_future(stream())
        await asyncio.sleep(0.5)
        assert not streaming.done(), streaming
        killed = time.monotonic()
        await asyncio.to_thread(cluster["c"].sigkill)
        bound = NODE_TIMEOUT + MARGIN
        _, took = await until(
            lambda: one(meta, "wamp.session.count"),
            lambda c: c == survivors,
            "wamp.session.count on A to lose the killed node's sessions",
            bound + 1.0,
        )
        took = time.monotonic() - killed
        assert took <= bound, f"C's sessions counted {took:.2f}s after the kill (bound {bound}s)"
        listed = await one(meta, "wamp.session.list")
        assert not {sid(d) for d in doomed} & set(listed), listed
        await until(
            lambda: one(meta, "wamp.subscription.list_subscribers", local_sub.id),
            lambda got: sid(doomed[1]) not in got,
            "C's subscriber to disappear from A's list_subscribers",
            max(0.2, bound - (time.monotonic() - killed)),
        )
        # The stream goes on a while after C is known to be gone.
        await asyncio.sleep(0.5)
        stop.set()
        await wait(streaming, "the end of the stream")
        last = f"last {sent}"
        await wait(pub.publish(topic, last, options=PublishOptions(acknowledge=True)), "PUBLISHED")
        got: list[Any] = []
        for _ in range(sent + 1):
            event = await inbox_b.next(f"number {len(got)} of {sent}")
            if event.args == [last]:
                break
            got.append(event.args[0])
        missing = sorted(set(range(sent)) - set(got))
        assert got == list(range(sent)), (
            f"B received {len(got)} of {sent} numbers; missing {missing[:20]}; "
            f"out of order or repeated: {[x for i, x in enumerate(got) if x != i][:20]}"
        )
        await nothing_more([inbox_b], "the stream")
        for d in doomed:
            await wait(d.disconnected, "the end of the killed node's connection")

    run(cluster, scenario_with(body))


def cluster_gauge(node: ClusterNode, name: str) -> float:
    """One crossway_cluster_* sample of `node`'s /metrics (labels summed)."""
    return sum(v for (n, _labels), v in scrape(node.metrics_port).items() if n == name)


def test_sigterm_says_goodbye(own_cluster: Cluster) -> None:
    """A node stopped with SIGTERM exits 0 and says goodbye: A counts one node fewer
    (crossway_cluster_nodes) and none of its sessions well within node_timeout, not after it."""
    cluster = own_cluster

    async def body(s: Sessions) -> None:
        meta = await s.join(cluster["a"], "json", "meta caller")
        leaving = await s.join(cluster["c"], "json", "session on C")
        await until(
            lambda: asyncio.to_thread(cluster_gauge, cluster["a"], "crossway_cluster_nodes"),
            lambda n: n == 2,
            "A to hear B and C (crossway_cluster_nodes 2)",
            NODE_TIMEOUT + MARGIN,
        )
        await until(
            lambda: one(meta, "wamp.session.list"),
            lambda got: sid(leaving) in got,
            "A to list the session on C",
            NODE_TIMEOUT + MARGIN,
        )
        stopped = time.monotonic()
        await asyncio.to_thread(cluster["c"].stop)
        bound = NODE_TIMEOUT / 2
        _, took = await until(
            lambda: asyncio.to_thread(cluster_gauge, cluster["a"], "crossway_cluster_nodes"),
            lambda n: n == 1,
            "A to drop C after its goodbye (crossway_cluster_nodes 1)",
            NODE_TIMEOUT + MARGIN,
        )
        took = time.monotonic() - stopped
        assert took < bound, f"C dropped {took:.2f}s after SIGTERM: as if silent, not gone"
        assert sid(leaving) not in await one(meta, "wamp.session.list")
        await wait(leaving.disconnected, "the end of the stopped node's connection")

    run(cluster, scenario_with(body))


# ------------------------------------------------------------------------------------------------
# NATS goes away and comes back


def test_nats_restart(own_cluster: Cluster) -> None:
    """NATS stops: every node logs that it lost NATS and goes on routing locally. NATS starts
    again on the same port: cross-node routing works again (for a subscription made before the
    outage and one made during it) within NATS_BACK_TIMEOUT, every node logs that NATS is
    restored, and no node crashed."""
    cluster = own_cluster

    async def body(s: Sessions) -> None:
        topic = fresh("outage")
        pub = await s.join(cluster["a"], "json", "publisher")
        sub_b = await s.join(cluster["b"], "cbor", "subscriber before the outage")
        _, inbox_b = await sub_b.subscribe_inbox(topic)
        await routed(pub, topic, [inbox_b])

        marks = {name: node.log_mark() for name, node in cluster.nodes.items()}
        await asyncio.to_thread(cluster.nats.stop)
        for name, node in cluster.nodes.items():
            await asyncio.to_thread(node.wait_for_log_after, marks[name], LOST, NATS_LOST_TIMEOUT)

        # Local routing on each node while NATS is away.
        for name in ("a", "b", "c"):
            local = fresh(f"local.{name}")
            p = await s.join(cluster[name], "json", "local publisher")
            q = await s.join(cluster[name], "msgpack", "local subscriber", kind="rs")
            _, inbox = await q.subscribe_inbox(local)
            await wait(
                p.publish(local, name, options=PublishOptions(acknowledge=True)),
                f"PUBLISHED on {name} without NATS",
            )
            assert (await inbox.next(f"a local event on {name} without NATS")).args == [name]
        sub_c = await s.join(cluster["c"], "json", "subscriber during the outage")
        _, inbox_c = await sub_c.subscribe_inbox(topic)
        # What the publisher sends now may be lost: nobody counts it.
        pub.publish(topic, "during the outage")

        await asyncio.to_thread(cluster.nats.start)
        # Bounded retries: the nodes reconnect with back-off.
        await routed(
            pub,
            topic,
            [inbox_b, inbox_c],
            attempts=int(NATS_BACK_TIMEOUT / ROUTE_WAIT),
            stray=("during the outage",),
        )
        for i in range(10):
            pub.publish(topic, i)
        for inbox in (inbox_b, inbox_c):
            assert [e.args for e in await take(inbox, 10, "after NATS came back")] == [
                [i] for i in range(10)
            ]
        await nothing_more([inbox_b, inbox_c], "after NATS came back")
        for name, node in cluster.nodes.items():
            await asyncio.to_thread(
                node.wait_for_log_after, marks[name], RESTORED, NATS_BACK_TIMEOUT
            )
        cluster.assert_running()

    run(cluster, scenario_with(body))


# ------------------------------------------------------------------------------------------------
# The NATS connection (authentication, TLS, subject prefixes) and the checks of the cluster block


async def across(cluster: Cluster, s: Sessions, source: str = "a", dest: str = "b") -> None:
    """Five publications on node `source` reach a subscriber on node `dest` once each, in
    order."""
    topic = fresh("across")
    pub = await s.join(cluster[source], "json", "publisher")
    sub = await s.join(cluster[dest], "cbor", "subscriber", kind="rs")
    _, inbox = await sub.subscribe_inbox(topic)
    await routed(pub, topic, [inbox])
    for i in range(5):
        pub.publish(topic, i)
    assert [e.args for e in await take(inbox, 5, "publications")] == [[i] for i in range(5)]
    await nothing_more([inbox], "five publications")


def started(cluster: Cluster) -> Cluster:
    """`cluster`, started."""
    cluster.start()
    return cluster


@pytest.mark.parametrize(
    "nats_args,nats_extra",
    [
        (["--auth", "cluster-token-7"], '    token: "cluster-token-7"\n'),
        (
            ["--user", "crossway", "--pass", "cluster-pass-7"],
            '    user: crossway\n    password: "cluster-pass-7"\n',
        ),
    ],
    ids=["token", "user-password"],
)
def test_nats_authentication(
    crossway_bin: Path, tmp_path: Path, nats_args: list[str], nats_extra: str
) -> None:
    """Nodes authenticate to a nats-server that requires a token (or a user and password), join
    the cluster and route across it."""
    c = Cluster(crossway_bin, tmp_path, ("a", "b"), nats_args=nats_args, nats_extra=nats_extra)
    try:
        started(c)
        run(c, scenario_with(lambda s: across(c, s)))
        c.stop()
    finally:
        c.kill()


def test_nats_over_mutual_tls(crossway_bin: Path, tmp_path: Path) -> None:
    """Nodes reach a nats-server that speaks TLS only and verifies client certificates (a
    tls:// URL, the block's ca_certificates, certificate and key), join the cluster and route
    across it."""
    certs = make_certs(crossway_bin, tmp_path / "certs")
    nats_args = [
        "--tlsverify",
        "--tlscert",
        str(certs.server_cert),
        "--tlskey",
        str(certs.server_key),
        "--tlscacert",
        str(certs.ca),
    ]
    nats_extra = (
        "    tls:\n"
        f'      ca_certificates: ["{certs.ca}"]\n'
        f'      certificate: "{certs.client_cert}"\n'
        f'      key: "{certs.client_key}"\n'
    )
    c = Cluster(crossway_bin, tmp_path, ("a", "b"), nats_args=nats_args, nats_extra=nats_extra)
    assert c.nats.url.startswith("tls://"), c.nats.url
    try:
        started(c)
        run(c, scenario_with(lambda s: across(c, s)))
        c.stop()
    finally:
        c.kill()


def test_subject_prefix_separates_clusters(crossway_bin: Path, tmp_path: Path) -> None:
    """Two clusters of two nodes each on one nats-server, subject_prefix `one` and `two`, the
    same realm and topic: each cluster's publications reach its own nodes only."""
    names = ("one-a", "one-b", "two-a", "two-b")
    c = Cluster(crossway_bin, tmp_path, names)
    for name in names:
        node = c[name]
        c.nodes[name] = ClusterNode(
            node.binary,
            node.workdir,
            node.name,
            [c.nats.url],
            cluster_extra=f"  subject_prefix: {name.split('-')[0]}\n",
        )

    async def body(s: Sessions) -> None:
        topic = fresh("prefixed")
        inboxes = {}
        for name in ("one-b", "two-b"):
            sub = await s.join(c[name], "json", "subscriber")
            inboxes[name] = (await sub.subscribe_inbox(topic))[1]
        pubs = {p: await s.join(c[f"{p}-a"], "msgpack", "publisher") for p in ("one", "two")}
        # Probes that leak into the other cluster are taken as probes; the numbers below are not.
        for p, pub in pubs.items():
            await routed(pub, topic, [inboxes[f"{p}-b"]])
        for i in range(5):
            for p, pub in pubs.items():
                pub.publish(topic, f"{p} {i}")
        for p in pubs:
            got = [e.args[0] for e in await take(inboxes[f"{p}-b"], 5, "publications")]
            assert got == [f"{p} {i}" for i in range(5)], f"cluster {p}'s node b got {got}"
        await nothing_more(list(inboxes.values()), "one cluster's publications")

    try:
        started(c)
        run(c, scenario_with(body))
        c.stop()
    finally:
        c.kill()


CLUSTER_PROBLEMS = {
    "node name with a space": (
        '  node: "node a"\n  nats:\n    servers: [nats://127.0.0.1:4222]\n',
        "cluster.node",
    ),
    "no NATS server": ("  node: node-a\n  nats:\n    servers: []\n", "cluster.nats.servers"),
    "unknown key": (
        "  node: node-a\n  colour: blue\n  nats:\n    servers: [nats://127.0.0.1:4222]\n",
        "cluster.colour",
    ),
}


@pytest.mark.parametrize("case", list(CLUSTER_PROBLEMS))
def test_cluster_block_is_checked(crossway_bin: Path, tmp_path: Path, case: str) -> None:
    """`crossway check` refuses a cluster block with a node name outside [A-Za-z0-9_-], no NATS
    server or an unknown key, naming the key; the same block made right passes."""
    block, key = CLUSTER_PROBLEMS[case]
    config = tmp_path / "node.yaml"

    def check(cluster_block: str) -> tuple[int, str]:
        config.write_text(node_config([Endpoint("ws", port=free_port())], extra=cluster_block))
        done = subprocess.run(
            [str(crossway_bin), "check", "--config", str(config)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=30,
            check=False,
        )
        return done.returncode, (done.stdout + done.stderr).decode(errors="replace")

    code, out = check("cluster:\n" + block)
    assert code == 1 and key in out, f"{case}: exit {code}, expected 1 naming {key}:\n{out}"
    good = "cluster:\n  node: node-a\n  nats:\n    servers: [nats://127.0.0.1:4222]\n"
    code, out = check(good)
    assert code == 0, f"a right cluster block: exit {code}\n{out}"


# ------------------------------------------------------------------------------------------------
# Retained events and the event history across nodes; a node that starts while NATS is away

KEPT = "com.crossway.test.cluster.kept."
HISTORY_REALMS = f"""\
realms:
  - name: realm1
    history:
      - {{ uri: {KEPT}, match: prefix, limit: 10 }}
"""


async def retained_events(session: Client, topic: str, what: str) -> list[list[Any]]:
    """The retained events a subscription with get_retained gets on `topic`; subscribes again
    (bounded retries) until there is one: the event may still be crossing to this node."""
    for _ in range(ROUTE_ATTEMPTS):
        sub, inbox = await session.subscribe_inbox(topic, get_retained=True)
        await asyncio.sleep(ROUTE_WAIT)
        events = inbox.pending()
        await wait(sub.unsubscribe(), f"UNSUBSCRIBED from {topic}")
        if events:
            return [e.args for e in events]
    raise AssertionError(f"no retained event on {topic} for {what} after {ROUTE_ATTEMPTS} tries")


def test_retained_events_and_history_reach_every_node(crossway_bin: Path, tmp_path: Path) -> None:
    """A retained event published on A is B's retained event too, and C, started afterwards,
    takes it from the others; publications a history rule keeps, published on A, are in B's
    history with their ids."""
    cluster = Cluster(crossway_bin, tmp_path, realms=HISTORY_REALMS)

    async def body(s: Sessions) -> None:
        topic = fresh("retained")
        pub = await s.join(cluster["a"], "json", "publisher")
        for value in ("v1", "v2"):
            await wait(
                pub.publish(topic, value, options=PublishOptions(retain=True, acknowledge=True)),
                f"PUBLISHED retained {value}",
            )
        reader_b = await s.join(cluster["b"], "msgpack", "reader on B")
        assert await retained_events(reader_b, topic, "B") == [["v2"]]

        kept = f"{KEPT}log{next(_ids)}"
        ids = []
        for i in range(3):
            published = await wait(
                pub.publish(kept, i, options=PublishOptions(acknowledge=True)), "PUBLISHED"
            )
            ids.append(published.id)
        sub, _ = await reader_b.subscribe_inbox(kept)
        events, _ = await until(
            lambda: one(reader_b, "wamp.subscription.get_events", sub.id),
            lambda got: len(got) == 3,
            f"B's history of {kept}",
            NODE_TIMEOUT + MARGIN,
        )
        assert [e["args"] for e in events] == [[0], [1], [2]], events
        assert [e["publication"] for e in events] == ids, events

        await asyncio.to_thread(cluster["c"].start)
        reader_c = await s.join(cluster["c"], "cbor", "reader on C")
        assert await retained_events(reader_c, topic, "C, started afterwards") == [["v2"]]

    try:
        cluster.nats.start()
        cluster["a"].start()
        cluster["b"].start()
        run(cluster, scenario_with(body))
        cluster.stop()
    finally:
        cluster.kill()


def test_a_node_starts_while_nats_is_away(crossway_bin: Path, tmp_path: Path) -> None:
    """A node whose NATS is not running starts, routes its own sessions, says that NATS is not
    reachable, and joins the cluster once NATS starts."""
    nats = NatsServer(tmp_path)
    folder = tmp_path / "node-a"
    folder.mkdir()
    node = ClusterNode(crossway_bin, folder, "node-a", [nats.url])
    node.wait_joined = False

    async def local(s: Sessions) -> None:
        topic = fresh("alone")
        pub = await s.join(node, "json", "publisher")
        sub = await s.join(node, "cbor", "subscriber")
        _, inbox = await sub.subscribe_inbox(topic)
        pub.publish(topic, "here")
        assert (await inbox.next("a local event without NATS")).args == ["here"]

    try:
        node.start()
        asyncio.run(scenario_with(local))
        node.wait_for_log("cluster: NATS not reachable yet", 15)
        assert CONNECTED not in node.stderr()
        nats.start()
        node.wait_for_log(CONNECTED, NATS_BACK_TIMEOUT)
        node.assert_running()
        node.stop()
    finally:
        node.kill()
        nats.kill()
