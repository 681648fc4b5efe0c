"""The `call` and `register` permissions of a realm's roles, and the `disclose` of a caller's
rule, on a node of its own. Each endpoint admits anonymous sessions with one role, so that a
test picks a role by picking an endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from clients import Target, joined, wait
from node import Endpoint, Node
from rawws import CALL, ERROR, REGISTER, RESULT
from rpc_clients import Procedure, echo, expect_error, raw_rpc, register

REALMS = """\
realms:
  - name: secure
    roles:
      - name: service
        permissions:
          - { uri: com.example.svc., match: prefix, allow: [register] }
          - { uri: com.example.svc.admin, allow: [] }
      - name: client
        permissions:
          - { uri: com.example.svc., match: prefix, allow: [call], disclose: true }
          - { uri: com.example.svc.quiet, allow: [call] }
"""

NOT_AUTHORIZED = "wamp.error.not_authorized"


@pytest.fixture(scope="module")
def roles_node(crossway_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    endpoints = [
        Endpoint(role, extra=f"    auth:\n      anonymous: {{ role: {role} }}\n")
        for role in ("service", "client")
    ]
    node = Node(
        crossway_bin,
        tmp_path_factory.mktemp("rpc-roles-node"),
        "rpc-roles-node",
        endpoints,
        realms=REALMS,
    )
    node.start()
    yield node
    node.stop()


@pytest.fixture
def live_roles(roles_node: Node) -> Iterator[Node]:
    roles_node.assert_running()
    yield roles_node
    roles_node.assert_running()
    roles_node.assert_no_panic()


def url(node: Node, role: str) -> str:
    """The WebSocket URL of the endpoint that admits sessions with `role`."""
    return Target("websocket", port=node.endpoint(role).port).url


def test_register_permission(live_roles: Node) -> None:
    """`service` registers under com.example.svc. (a pattern too), except com.example.svc.admin;
    `client` registers nothing; nobody registers under wamp."""

    async def scenario() -> None:
        async with (
            joined(url(live_roles, "service"), "secure", "json", "service") as service,
            joined(url(live_roles, "client"), "secure", "cbor", "client") as client,
        ):
            await register(service, echo, "com.example.svc.add")
            await register(service, echo, "com.example.svc.", match="prefix")
            for procedure in ("com.example.svc.admin", "com.example.other", "wamp.svc.add"):
                await expect_error(
                    service.register(echo, procedure), NOT_AUTHORIZED, f"REGISTER {procedure}"
                )
            await expect_error(
                client.register(echo, "com.example.svc.mine"),
                NOT_AUTHORIZED,
                "REGISTER by a role without register",
            )

    asyncio.run(scenario())


def test_call_permission(live_roles: Node) -> None:
    """`client` calls under com.example.svc.; elsewhere, and `service` anywhere, the call is
    refused before any callee is looked for (not_authorized even for a procedure nobody
    registered)."""

    async def scenario() -> None:
        async with (
            joined(url(live_roles, "service"), "secure", "json", "service") as service,
            joined(url(live_roles, "client"), "secure", "msgpack", "client") as client,
        ):
            await register(service, echo, "com.example.svc.echo")
            assert await wait(client.call("com.example.svc.echo", 7), "RESULT") == 7
            for procedure in ("com.example.other", "wamp.session.count", "com.example.svcx"):
                await expect_error(client.call(procedure), NOT_AUTHORIZED, f"CALL {procedure}")
            await expect_error(
                service.call("com.example.svc.echo", 1),
                NOT_AUTHORIZED,
                "CALL by a role without call",
            )

    asyncio.run(scenario())


def test_the_rule_decides_disclosure(live_roles: Node) -> None:
    """In a realm with roles the caller's rule decides whether the callee learns who called:
    disclosed under com.example.svc. (disclose: true) without asking, not disclosed for
    com.example.svc.quiet even with disclose_me."""

    async def scenario() -> None:
        proc = Procedure("service")
        async with (
            joined(url(live_roles, "service"), "secure", "json", "service") as service,
            raw_rpc(url(live_roles, "client"), "client", realm="secure") as client,
        ):
            await register(service, proc.handler, "com.example.svc.who")
            await register(service, proc.handler, "com.example.svc.quiet")
            welcome = client.welcome[2]
            assert welcome["authrole"] == "client", welcome
            await client.call("com.example.svc.who")
            inv = await proc.next("the call under a disclosing rule")
            details = inv.details
            assert (details.caller, details.caller_authid, details.caller_authrole) == (
                client.session,
                welcome["authid"],
                "client",
            ), details
            inv.answer()
            await client.expect(RESULT, "RESULT")
            await client.call("com.example.svc.quiet", disclose_me=True)
            inv = await proc.next("the call under a rule that does not disclose")
            assert inv.details.caller is None, inv.details
            inv.answer()
            await client.expect(RESULT, "RESULT")

    asyncio.run(scenario())


def test_refused_register_and_call_leave_the_session_usable(live_roles: Node) -> None:
    """A refusal is an ERROR for that request only (raw: the exact ERROR message)."""

    async def scenario() -> None:
        async with raw_rpc(url(live_roles, "client"), "client", realm="secure") as client:
            request = client.next_id()
            await client.send([REGISTER, request, {}, "com.example.svc.mine"])
            reply = await client.expect(ERROR, "ERROR for REGISTER")
            assert reply[1:5] == [REGISTER, request, {}, NOT_AUTHORIZED], reply
            assert reply[5] == ["session is not authorized to register 'com.example.svc.mine'"]
            request = await client.call("com.example.other")
            reply = await client.expect(ERROR, "ERROR for CALL")
            assert reply[1:5] == [CALL, request, {}, NOT_AUTHORIZED], reply
            request = await client.call("com.example.svc.nobody")
            reply = await client.expect(ERROR, "ERROR for an allowed CALL of nobody")
            assert reply[1:5] == [CALL, request, {}, "wamp.error.no_such_procedure"], reply

    asyncio.run(scenario())
