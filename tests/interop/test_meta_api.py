"""The WAMP meta API with autobahn-python: session, subscription and registration procedures and
meta events, as a watcher sees them; the permissions they need in a realm with roles; the realm
option that turns them off; the features WELCOME announces."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clients import Client, Inbox, Target, join, joined, wait
from node import Endpoint, Node
from rawws import EVENT, raw_peer
from rpc_clients import RawRpc, call, echo, expect_error, register

REALMS = """\
realms:
  - name: realm1
  - name: nometa
    meta_api: false
  - name: guarded
    roles:
      - name: admin
        permissions:
          - { uri: wamp., match: prefix, allow: [call, subscribe] }
          - { uri: com.example., match: prefix, allow: [publish, subscribe, call, register] }
      - name: user
        permissions:
          - { uri: com.example., match: prefix, allow: [publish, subscribe, call, register] }
          - { uri: wamp.session.count, allow: [call] }
"""

META_EVENTS = [
    "wamp.session.on_join",
    "wamp.session.on_leave",
    "wamp.subscription.on_create",
    "wamp.subscription.on_subscribe",
    "wamp.subscription.on_unsubscribe",
    "wamp.subscription.on_delete",
    "wamp.registration.on_create",
    "wamp.registration.on_register",
    "wamp.registration.on_unregister",
    "wamp.registration.on_delete",
]

# UNSUBSCRIBED (rawws names the messages its tests use).
UNSUBSCRIBED = 35

_ids = itertools.count(1)


def fresh(name: str) -> str:
    return f"com.example.{name}{next(_ids)}"


@pytest.fixture(scope="module")
def meta_node(crossway_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    endpoints = [Endpoint("ws")] + [
        Endpoint(role, extra=f"    auth:\n      anonymous: {{ role: {role} }}\n")
        for role in ("admin", "user")
    ]
    node = Node(
        crossway_bin, tmp_path_factory.mktemp("meta-node"), "meta-node", endpoints, realms=REALMS
    )
    node.start()
    yield node
    node.stop()


@pytest.fixture
def live(meta_node: Node) -> Iterator[Node]:
    meta_node.assert_running()
    yield meta_node
    meta_node.assert_running()
    meta_node.assert_no_panic()


def url(node: Node, endpoint: str = "ws") -> str:
    return Target("websocket", port=node.endpoint(endpoint).port).url


def sid(session: Client) -> int:
    return session.joined.result().session


async def one(session: Client, procedure: str, *args: Any, **kwargs: Any) -> Any:
    """The single value a meta procedure returns (autobahn gives it as the call's result)."""
    return await wait(session.call(procedure, *args, **kwargs), f"RESULT of {procedure}")


class Watcher:
    """Every meta event, in arrival order, as (topic, args)."""

    def __init__(self, session: Client) -> None:
        self.session = session
        self.inbox = Inbox(f"meta events at {session.label}")

    async def watch(self) -> None:
        for topic in META_EVENTS:
            await self.session.subscribe_into(self.inbox, topic)

    async def next(self, what: str) -> tuple[str, list[Any]]:
        event = await self.inbox.next(what)
        return event.details.topic, event.args


def test_a_watcher_sees_meta_events_in_order(live: Node) -> None:
    """One session joins, subscribes (creating a subscription), registers (creating a
    registration), a second subscriber joins the subscription, then everything is undone and the
    session leaves: the watcher sees each step's events in that order, with the spec's
    arguments."""

    async def scenario() -> None:
        topic, procedure = fresh("watched"), fresh("proc")
        async with joined(url(live), "realm1", "json", "watcher") as w:
            watcher = Watcher(w)
            await watcher.watch()
            actor = await join(url(live), "realm1", "cbor", "actor")
            a = sid(actor)
            name, args = await watcher.next("on_join")
            assert name == "wamp.session.on_join"
            details = args[0]
            assert details["session"] == a
            assert details["authrole"] == "anonymous"
            assert details["transport"]["serializer"] == "cbor"
            assert details["transport"]["peer"].startswith("tcp4:127.0.0.1:")

            sub, _ = await actor.subscribe_inbox(topic)
            name, args = await watcher.next("on_create")
            assert name == "wamp.subscription.on_create"
            assert args[0] == a and args[1]["uri"] == topic and args[1]["match"] == "exact"
            assert args[1]["id"] == sub.id
            assert await watcher.next("on_subscribe") == (
                "wamp.subscription.on_subscribe",
                [a, sub.id],
            )
            reg = await register(actor, echo, procedure)
            name, args = await watcher.next("registration on_create")
            assert name == "wamp.registration.on_create"
            assert args[0] == a and args[1]["uri"] == procedure and args[1]["id"] == reg.id
            assert args[1]["invoke"] == "single"
            assert await watcher.next("on_register") == (
                "wamp.registration.on_register",
                [a, reg.id],
            )
            async with joined(url(live), "realm1", "msgpack", "second") as second:
                b = sid(second)
                assert (await watcher.next("second on_join"))[0] == "wamp.session.on_join"
                await second.subscribe_inbox(topic)
                assert await watcher.next("second on_subscribe") == (
                    "wamp.subscription.on_subscribe",
                    [b, sub.id],
                )
            # The second session left with its subscription: on_unsubscribe, then on_leave.
            assert await watcher.next("second on_unsubscribe") == (
                "wamp.subscription.on_unsubscribe",
                [b, sub.id],
            )
            name, args = await watcher.next("second on_leave")
            assert (name, args[0]) == ("wamp.session.on_leave", b)

            await wait(reg.unregister(), "UNREGISTERED")
            assert await watcher.next("on_unregister") == (
                "wamp.registration.on_unregister",
                [a, reg.id],
            )
            assert await watcher.next("registration on_delete") == (
                "wamp.registration.on_delete",
                [a, reg.id],
            )
            await wait(sub.unsubscribe(), "UNSUBSCRIBED")
            assert await watcher.next("on_unsubscribe") == (
                "wamp.subscription.on_unsubscribe",
                [a, sub.id],
            )
            assert await watcher.next("on_delete") == ("wamp.subscription.on_delete", [a, sub.id])
            await actor.close()
            name, args = await watcher.next("on_leave")
            assert name == "wamp.session.on_leave"
            assert args == [a, details["authid"], "anonymous"]
            assert watcher.inbox.pending() == []

    asyncio.run(scenario())


def test_session_procedures_and_kill(live: Node) -> None:
    """count, list (with `filter_authroles`), get; kill ends another session with GOODBYE and the
    reason and message given; a session cannot kill itself; kill_by_authid and kill_by_authrole
    leave the caller out."""

    async def scenario() -> None:
        async with joined(url(live, "admin"), "guarded", "json", "admin") as admin:
            before = await one(admin, "wamp.session.count")
            async with (
                joined(url(live, "user"), "guarded", "cbor", "user 1") as u1,
                joined(url(live, "user"), "guarded", "msgpack", "user 2") as u2,
            ):
                assert await one(admin, "wamp.session.count") == before + 2
                assert await one(admin, "wamp.session.count", ["user"]) == 2
                assert await one(admin, "wamp.session.count", ["nobody"]) == 0
                users = await one(admin, "wamp.session.list", ["user"])
                assert sorted(users) == sorted([sid(u1), sid(u2)])
                assert sid(admin) in await one(admin, "wamp.session.list")
                info = await one(admin, "wamp.session.get", sid(u1))
                assert info["session"] == sid(u1) and info["authrole"] == "user"
                assert info["realm"] == "guarded"
                assert info["transport"]["serializer"] == "cbor"
                await expect_error(
                    call(admin, "wamp.session.get", 1), "wamp.error.no_such_session", "get 1"
                )
                await expect_error(
                    call(admin, "wamp.session.kill", sid(admin)),
                    "wamp.error.no_such_session",
                    "kill oneself",
                )
                await call(
                    admin,
                    "wamp.session.kill",
                    sid(u1),
                    reason="com.example.maintenance",
                    message="bye for now",
                )
                closed = await wait(u1.left, "GOODBYE to the killed session")
                assert closed.reason == "com.example.maintenance"
                assert closed.message == "bye for now"
                await wait(u1.disconnected, "the killed session's connection to close")
                assert await one(admin, "wamp.session.count", ["user"]) == 1
                killed = await one(admin, "wamp.session.kill_by_authrole", "user")
                assert killed == 1
                closed = await wait(u2.left, "GOODBYE after kill_by_authrole")
                assert closed.reason == "wamp.close.killed"
            async with joined(url(live), "realm1", "json", "a") as a:
                async with joined(url(live), "realm1", "json", "b") as b:
                    authid = (await one(a, "wamp.session.get", sid(b)))["authid"]
                    assert await one(a, "wamp.session.kill_by_authid", authid) == [sid(b)]
                    await wait(b.left, "GOODBYE after kill_by_authid")
                own = (await one(a, "wamp.session.get", sid(a)))["authid"]
                assert await one(a, "wamp.session.kill_by_authid", own) == []
                assert not a.left.done()

    asyncio.run(scenario())


def test_subscription_procedures(live: Node) -> None:
    """list, lookup, match, get, list_subscribers, count_subscribers, and remove_subscriber (the
    removed session receives nothing more from it)."""

    async def scenario() -> None:
        base = fresh("subs")
        topic = f"{base}.temp"
        async with (
            joined(url(live), "realm1", "json", "meta") as meta,
            joined(url(live), "realm1", "cbor", "s1") as s1,
            joined(url(live), "realm1", "msgpack", "s2") as s2,
        ):
            exact, _ = await s1.subscribe_inbox(topic)
            await s2.subscribe_inbox(topic)
            prefix, _ = await s2.subscribe_inbox(f"{base}.", match="prefix")
            listed = await one(meta, "wamp.subscription.list")
            assert exact.id in listed["exact"] and prefix.id in listed["prefix"]
            assert await one(meta, "wamp.subscription.lookup", topic) == exact.id
            assert (
                await one(meta, "wamp.subscription.lookup", f"{base}.", {"match": "prefix"})
                == prefix.id
            )
            assert await one(meta, "wamp.subscription.lookup", f"{base}.none") is None
            assert sorted(await one(meta, "wamp.subscription.match", topic)) == sorted(
                [exact.id, prefix.id]
            )
            got = await one(meta, "wamp.subscription.get", exact.id)
            assert (got["id"], got["uri"], got["match"]) == (exact.id, topic, "exact")
            assert isinstance(got["created"], str) and got["created"].endswith("Z")
            assert sorted(await one(meta, "wamp.subscription.list_subscribers", exact.id)) == sorted(
                [sid(s1), sid(s2)]
            )
            assert await one(meta, "wamp.subscription.count_subscribers", exact.id) == 2
            await expect_error(
                call(meta, "wamp.subscription.get", 7),
                "wamp.error.no_such_subscription",
                "get of an unknown subscription",
            )

            await expect_error(
                call(meta, "wamp.subscription.remove_subscriber", exact.id, sid(meta)),
                "wamp.error.no_such_subscription",
                "removing a session that is not subscribed",
            )

    asyncio.run(scenario())


@pytest.mark.parametrize("revocation", [True, False])
def test_remove_subscriber(live: Node, revocation: bool) -> None:
    """remove_subscriber takes a session off a subscription: the session is told with
    UNSUBSCRIBED (request 0, the subscription and reason in its details) if it announced
    `subscription_revocation`, and receives no more events from it either way. (A raw peer:
    autobahn-python 26 announces `subscription_revocation` but fails on the UNSUBSCRIBED.)"""

    async def scenario() -> None:
        base = fresh("removed")
        topic, marker = f"{base}.t", f"{base}.marker"
        features = {"subscription_revocation": True} if revocation else {}
        details = {"roles": {"subscriber": {"features": features}, "publisher": {}}}
        async with (
            joined(url(live), "realm1", "json", "meta") as meta,
            raw_peer(url(live), "cbor") as raw,
        ):
            peer = RawRpc(raw, "subscriber", await raw.hello("realm1", details))
            subscription = await peer.subscribe(topic)
            await peer.subscribe(marker)
            await call(
                meta,
                "wamp.subscription.remove_subscriber",
                subscription,
                peer.session,
                reason="com.example.enough",
            )
            if revocation:
                told = await peer.expect(UNSUBSCRIBED, "the revocation")
                assert told == [
                    UNSUBSCRIBED,
                    0,
                    {"subscription": subscription, "reason": "com.example.enough"},
                ], told
            await expect_error(
                call(meta, "wamp.subscription.get", subscription),
                "wamp.error.no_such_subscription",
                "the subscription, now without subscribers",
            )
            meta.publish(topic, "after removal")
            meta.publish(marker, "marker")
            event = await peer.expect(EVENT, "the marker")
            assert event[4] == ["marker"], f"the removed subscriber got {event!r}"
    asyncio.run(scenario())


def test_registration_procedures(live: Node) -> None:
    """list, lookup, match, get, list_callees, count_callees, remove_callee (calls then find no
    callee)."""

    async def scenario() -> None:
        base = fresh("regs")
        procedure = f"{base}.add"
        async with (
            joined(url(live), "realm1", "json", "meta") as meta,
            joined(url(live), "realm1", "cbor", "c1") as c1,
            joined(url(live), "realm1", "msgpack", "c2") as c2,
        ):
            shared1 = await register(c1, echo, procedure, invoke="roundrobin")
            await register(c2, echo, procedure, invoke="roundrobin")
            pattern = await register(c2, echo, f"{base}.", match="prefix")
            listed = await one(meta, "wamp.registration.list")
            assert shared1.id in listed["exact"] and pattern.id in listed["prefix"]
            assert await one(meta, "wamp.registration.lookup", procedure) == shared1.id
            assert (
                await one(meta, "wamp.registration.lookup", f"{base}.", {"match": "prefix"})
                == pattern.id
            )
            assert await one(meta, "wamp.registration.match", procedure) == shared1.id
            assert await one(meta, "wamp.registration.match", f"{base}.sub") == pattern.id
            assert await one(meta, "wamp.registration.match", f"{base}x") is None
            got = await one(meta, "wamp.registration.get", shared1.id)
            assert (got["uri"], got["match"], got["invoke"]) == (procedure, "exact", "roundrobin")
            assert sorted(await one(meta, "wamp.registration.list_callees", shared1.id)) == sorted(
                [sid(c1), sid(c2)]
            )
            assert await one(meta, "wamp.registration.count_callees", shared1.id) == 2
            await call(meta, "wamp.registration.remove_callee", shared1.id, sid(c1))
            await call(meta, "wamp.registration.remove_callee", shared1.id, sid(c2))
            # The exact registration is gone: the prefix one answers now.
            assert await one(meta, "wamp.registration.match", procedure) == pattern.id
            await call(meta, "wamp.registration.remove_callee", pattern.id, sid(c2))
            await expect_error(
                call(meta, procedure, 1), "wamp.error.no_such_procedure", "after remove_callee"
            )
            await expect_error(
                call(meta, "wamp.registration.get", shared1.id),
                "wamp.error.no_such_registration",
                "get of a deleted registration",
            )

    asyncio.run(scenario())


def test_permissions_apply_to_meta_procedures_and_events(live: Node) -> None:
    """In realm `guarded`, role `user` may call wamp.session.count and nothing else under
    wamp.; `admin` may call and subscribe to all of it."""

    async def scenario() -> None:
        async with (
            joined(url(live, "user"), "guarded", "json", "user") as user,
            joined(url(live, "admin"), "guarded", "cbor", "admin") as admin,
        ):
            assert await one(user, "wamp.session.count") >= 2
            for procedure in (
                "wamp.session.list",
                "wamp.session.kill_all",
                "wamp.subscription.list",
                "wamp.registration.list",
            ):
                await expect_error(
                    call(user, procedure), "wamp.error.not_authorized", f"user calls {procedure}"
                )
            with pytest.raises(Exception) as caught:
                await user.subscribe_inbox("wamp.session.on_join")
            assert "wamp.error.not_authorized" in str(caught.value)
            watcher = Watcher(admin)
            await watcher.watch()
            async with joined(url(live, "user"), "guarded", "json", "late"):
                name, args = await watcher.next("on_join in guarded")
                assert name == "wamp.session.on_join" and args[0]["authrole"] == "user"
            assert await one(admin, "wamp.registration.list") == {
                "exact": [],
                "prefix": [],
                "wildcard": [],
            }

    asyncio.run(scenario())


def test_the_realm_option_turns_the_meta_api_off(live: Node) -> None:
    """With `meta_api: false` the meta procedures are unknown and no meta event is published;
    testaments stay."""

    async def scenario() -> None:
        async with joined(url(live), "nometa", "json", "watcher") as w:
            inbox = Inbox("on_join")
            await w.subscribe_into(inbox, "wamp.session.on_join")
            marker = fresh("marker")
            await w.subscribe_into(inbox, marker)
            for procedure in ("wamp.session.count", "wamp.subscription.list",
                              "wamp.registration.list"):
                await expect_error(
                    call(w, procedure), "wamp.error.no_such_procedure", f"{procedure} when off"
                )
            async with joined(url(live), "nometa", "cbor", "other") as other:
                await call(other, "wamp.session.add_testament", marker, ["testament"], {})
                other.publish(marker, "marker")
                event = await inbox.next("the marker")
                assert event.args == ["marker"], f"a meta event when off: {event!r}"

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("realm", "meta"), [("realm1", True), ("nometa", False)]
)
def test_welcome_announces_what_works(live: Node, realm: str, meta: bool) -> None:
    """WELCOME's broker and dealer features list the meta API only where it is on, and retention
    and payload transparency everywhere (history only where a realm keeps some)."""

    async def scenario() -> None:
        async with raw_peer(url(live), "json") as peer:
            welcome = await peer.hello(realm)
            roles = welcome[2]["roles"]
            broker = roles["broker"]["features"]
            dealer = roles["dealer"]["features"]
            assert broker.get("event_retention") is True
            assert broker.get("payload_passthru_mode") is True
            assert dealer.get("payload_passthru_mode") is True
            assert dealer.get("testament_meta_api") is True
            assert "event_history" not in broker
            for key in ("session_meta_api", "subscription_meta_api"):
                assert (key in broker) is meta, key
            for key in ("session_meta_api", "registration_meta_api"):
                assert (key in dealer) is meta, key
            assert all(v is True for v in list(broker.values()) + list(dealer.values()))

    asyncio.run(scenario())
