"""Dynamic authentication with autobahn-python: an authenticator procedure, registered by a
trusted session in its own realm, decides about principals the configuration does not list.

The `auth` realm admits its callee only through the `service` endpoint (ticket, a configured
principal), whose role alone may register the authenticator; the `app` endpoint's ticket,
WAMP-CRA and cryptosign ask the authenticator.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from autobahn.wamp.exception import ApplicationError

from auth_clients import Attempt, Credentials, authenticate, cryptosign_key
from clients import Target, wait
from node import Endpoint, Node

PROCEDURE = "com.example.authenticate"
SERVICE_TICKET = "the service's ticket"
KEY = cryptosign_key(bytes([8] * 32))

REALMS = """\
realms:
  - name: realm1
  - name: auth
    roles:
      - name: service
        permissions:
          - { uri: com.example.authenticate, allow: [register] }
"""

APP_AUTH = f"""\
    auth:
      ticket:
        authenticator: {PROCEDURE}
        authenticator_realm: auth
        authenticator_timeout: 1
      wampcra:
        authenticator: {PROCEDURE}
        authenticator_realm: auth
        authenticator_timeout: 1
      cryptosign:
        authenticator: {PROCEDURE}
        authenticator_realm: auth
        authenticator_timeout: 1
"""

SERVICE_AUTH = """\
    auth:
      ticket:
        principals:
          service: { ticket: "${SERVICE_TICKET}", role: service, realm: auth }
"""


@pytest.fixture
def dynamic_node(crossway_bin: Path, tmp_path: Path) -> Iterator[Node]:
    node = Node(
        crossway_bin,
        tmp_path,
        "dynamic-node",
        [Endpoint("app", extra=APP_AUTH), Endpoint("service", extra=SERVICE_AUTH)],
        realms=REALMS,
        extra="limits:\n  auth_delay: 0\n",
        env={"SERVICE_TICKET": SERVICE_TICKET},
    )
    node.start()
    try:
        yield node
    finally:
        node.stop()


def target(node: Node, endpoint: str) -> Target:
    return Target("websocket", port=node.endpoint(endpoint).port)


class Authenticator:
    """What the authenticator was asked, and what it answers."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str | None, dict[str, Any]]] = []
        self.delay = 0.0

    async def __call__(self, realm: str, authid: str | None, details: dict[str, Any]) -> Any:
        self.asked.append((realm, authid, details))
        if self.delay:
            await asyncio.sleep(self.delay)
        method = details["authmethod"]
        if method == "ticket":
            if details.get("ticket") != f"{authid}'s ticket":
                raise ApplicationError("com.example.invalid_ticket", "no such ticket")
            return {"role": "user", "authid": authid.upper()} if authid else "user"
        if method == "wampcra":
            if authid != "bob":
                raise ApplicationError("com.example.no_such_user")
            return {"secret": "bob's password", "role": "user", "salt": "pepper", "iterations": 50}
        if method == "cryptosign":
            return {"pubkey": details["authextra"]["pubkey"], "role": "device", "authid": "keyholder"}
        raise ApplicationError("com.example.unexpected")


@asynccontextmanager
async def serving(node: Node, authenticator: Authenticator) -> AsyncIterator[None]:
    """The trusted session, registered as the authenticator, for the duration."""
    creds = Credentials(["ticket"], "service", ticket=SERVICE_TICKET)
    attempt = await authenticate(target(node, "service"), "auth", "json", creds)
    assert attempt.joined, attempt.reason
    session = attempt.session

    await wait(session.register(authenticator, PROCEDURE), "REGISTERED")
    try:
        yield
    finally:
        await session.close()


def identity(attempt: Attempt) -> tuple[str, str, str, str]:
    assert attempt.joined, attempt.reason
    d = attempt.details
    return (d.authid, d.authrole, d.authmethod, d.authprovider)


def test_each_method_asks_the_authenticator(dynamic_node: Node) -> None:
    authenticator = Authenticator()

    async def scenario() -> None:
        async with serving(dynamic_node, authenticator):
            app = target(dynamic_node, "app")
            for creds, expected in (
                (Credentials(["ticket"], "alice", ticket="alice's ticket"),
                 ("ALICE", "user", "ticket", "dynamic")),
                (Credentials(["wampcra"], "bob", secret="bob's password"),
                 ("bob", "user", "wampcra", "dynamic")),
                (Credentials(["cryptosign"], None, key=KEY),
                 ("keyholder", "device", "cryptosign", "dynamic")),
            ):
                attempt = await authenticate(app, "realm1", "json", creds)
                assert identity(attempt) == expected
                await attempt.session.close()
            realm, authid, details = authenticator.asked[0]
            assert (realm, authid) == ("realm1", "alice")
            assert details["ticket"] == "alice's ticket"
            assert details["transport"]["peer"].startswith("tcp4:127.0.0.1:")
            assert authenticator.asked[2][2]["authextra"]["pubkey"] == KEY.public_key(binary=False)

    asyncio.run(scenario())


def test_refusals_look_like_wrong_secrets(dynamic_node: Node) -> None:
    authenticator = Authenticator()

    async def scenario() -> None:
        async with serving(dynamic_node, authenticator):
            app = target(dynamic_node, "app")
            for creds in (
                Credentials(["ticket"], "alice", ticket="guess"),
                Credentials(["wampcra"], "bob", secret="guess"),
                Credentials(["wampcra"], "mallory", secret="guess"),
            ):
                attempt = await authenticate(app, "realm1", "json", creds)
                assert attempt.reason == "wamp.error.authentication_failed", creds
        lines = dynamic_node.wait_for_log("com.example.invalid_ticket")
        assert any("WARN" in line for line in lines), lines

    asyncio.run(scenario())


def test_no_or_a_slow_authenticator_refuses_in_bounded_time(dynamic_node: Node) -> None:
    async def scenario() -> None:
        app = target(dynamic_node, "app")
        creds = Credentials(["ticket"], "alice", ticket="alice's ticket")
        nobody = await authenticate(app, "realm1", "json", creds)
        assert nobody.reason == "wamp.error.authentication_failed"
        slow = Authenticator()
        slow.delay = 3.0
        async with serving(dynamic_node, slow):
            attempt = await authenticate(app, "realm1", "json", creds)
            assert attempt.reason == "wamp.error.authentication_failed"
            # The authenticator_timeout is 1 s: refused after it, well before the answer.
            assert 1.0 <= attempt.seconds < 3.0, attempt.seconds

    asyncio.run(scenario())


def test_only_the_trusted_role_registers_the_authenticator(dynamic_node: Node) -> None:
    async def scenario() -> None:
        creds = Credentials(["ticket"], "alice", ticket="alice's ticket")
        # No authenticator yet: an app session cannot get into `auth` to register one either.
        attempt = await authenticate(target(dynamic_node, "app"), "auth", "json", creds)
        assert attempt.reason == "wamp.error.authentication_failed"

    asyncio.run(scenario())
