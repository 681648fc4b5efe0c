"""Session life cycle with autobahn-python: HELLO/WELCOME, ABORT for an unknown realm, GOODBYE."""

from __future__ import annotations

import asyncio

from clients import join, open_session, wait
from node import Node


def test_join_realm_welcome(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        session = await join(live_node.url, "realm1", serializer)
        try:
            welcome = await wait(session.welcome, "WELCOME")
            details = session.joined.result()
            assert type(welcome.session) is int, f"session id {welcome.session!r} is not an int"
            assert 1 <= welcome.session <= 2**53, f"session id {welcome.session} out of 1..2^53"
            assert details.session == welcome.session
            assert details.realm == "realm1"
            assert "broker" in welcome.roles, f"WELCOME roles lack broker: {welcome.roles!r}"
        finally:
            await session.close()

    asyncio.run(scenario())


def test_two_sessions_get_different_ids(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        a = await join(live_node.url, "realm1", serializer, "a")
        b = await join(live_node.url, "realm1", serializer, "b")
        try:
            assert a.joined.result().session != b.joined.result().session
        finally:
            await a.close()
            await b.close()

    asyncio.run(scenario())


def test_unknown_realm_is_aborted(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        session = await open_session(live_node.url, "com.example.no_such_realm", serializer)
        assert not session.joined.done(), "the router welcomed a session to an unknown realm"
        details = session.left.result()
        assert (
            details.reason == "wamp.error.no_such_realm"
        ), f"ABORT reason {details.reason!r} ({details.message!r})"
        await wait(session.disconnected, "the connection to close after ABORT")

    asyncio.run(scenario())


def test_goodbye_is_answered_goodbye_and_out(live_node: Node, serializer: str) -> None:
    async def scenario() -> None:
        session = await join(live_node.url, "realm1", serializer)
        session.leave("wamp.close.normal")
        details = await wait(session.left, "the router's GOODBYE")
        assert (
            details.reason == "wamp.close.goodbye_and_out"
        ), f"GOODBYE reason {details.reason!r} ({details.message!r})"
        await wait(session.disconnected, "the connection to close after GOODBYE")

    asyncio.run(scenario())
