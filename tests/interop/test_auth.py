"""Authentication and authorization with autobahn-python: every method succeeding and failing,
over WebSocket and RawSocket, and the permissions of a realm's roles.

One node serves the cases (throttling off, so that failures do not slow the other cases; the
throttle has its own node in test_auth_throttle.py). Its secrets come from the environment
(`${VAR}` in the config), as an operator would keep them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import PublishOptions

from auth_clients import Attempt, Credentials, authenticate, cryptosign_key
from certs import CertSet, client_context, make_certs
from clients import Target, try_session, wait
from node import Endpoint, Node

ALICE_TICKET = "alice's ticket: 7f3c"
BOB_SECRET = "bob's secret"
CAROL_PASSWORD = "carol's password"
DAVE = cryptosign_key(bytes([3] * 32))
MALLORY = cryptosign_key(bytes([4] * 32))

AUTH_YAML = f"""\
    auth:
      ticket:
        principals:
          alice: {{ ticket: "${{ALICE_TICKET}}", role: user }}
      wampcra:
        principals:
          bob: {{ secret: "${{BOB_SECRET}}", role: user }}
          carol: {{ secret: "${{CAROL_PASSWORD}}", role: user, salt: "sel-de-mer", iterations: 100, keylen: 32 }}
      cryptosign:
        principals:
          dave: {{ authorized_keys: ["{DAVE.public_key(binary=False)}"], role: device }}
"""

TLS_AUTH_YAML = """\
    auth:
      tls:
        authid: common_name
        role: device
"""

ANONYMOUS_YAML = """\
    auth:
      anonymous: { role: guest }
"""

REALMS = """\
realms:
  - name: realm1
  - name: secure
    roles:
      - name: user
        permissions:
          - { uri: com.example., match: prefix, allow: [publish, subscribe] }
          - { uri: com.example.admin, allow: [] }
      - name: device
        permissions:
          - { uri: com.example..status, match: wildcard, allow: [publish] }
          - { uri: com.example.news, match: prefix, allow: [subscribe] }
"""

_MUTUAL = {
    "certificate": "certs/server.pem",
    "key": "certs/server.key",
    "ca_certificates": ["certs/ca.pem"],
}


class AuthNode:
    """The started node and its certificates."""

    def __init__(self, node: Node, certs: CertSet, other: CertSet) -> None:
        self.node = node
        self.certs = certs
        self.other = other

    def target(self, endpoint: str, client: CertSet | None = None) -> Target:
        e = self.node.endpoint(endpoint)
        tls = client_context(self.certs, client) if e.tls is not None else None
        return Target(e.transport, port=e.port, tls=tls, path=e.path)


@pytest.fixture(scope="module")
def auth_node(crossway_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthNode]:
    workdir = tmp_path_factory.mktemp("auth-node")
    certs = make_certs(crossway_bin, workdir / "certs")
    other = make_certs(crossway_bin, workdir / "other-ca")
    endpoints = [
        Endpoint("ws", extra=AUTH_YAML),
        Endpoint("rs", transport="rawsocket", extra=AUTH_YAML),
        Endpoint("wss", tls=dict(_MUTUAL), extra=TLS_AUTH_YAML),
        Endpoint("wss_optional", tls={**_MUTUAL, "client_auth": "optional"}, extra=TLS_AUTH_YAML),
        Endpoint("anon", extra=ANONYMOUS_YAML),
    ]
    env = {
        "ALICE_TICKET": ALICE_TICKET,
        "BOB_SECRET": BOB_SECRET,
        "CAROL_PASSWORD": CAROL_PASSWORD,
    }
    node = Node(
        crossway_bin,
        workdir,
        "auth-node",
        endpoints,
        realms=REALMS,
        extra="limits:\n  auth_delay: 0\n",
        env=env,
    )
    node.start()
    yield AuthNode(node, certs, other)
    node.stop()
    # No secret ever reaches the log.
    log = node.stderr()
    for secret in (ALICE_TICKET, BOB_SECRET, CAROL_PASSWORD):
        assert secret not in log


@pytest.fixture
def live_auth(auth_node: AuthNode) -> Iterator[AuthNode]:
    auth_node.node.assert_running()
    yield auth_node
    auth_node.node.assert_running()
    auth_node.node.assert_no_panic()


def identity(attempt: Attempt) -> tuple[str, str, str, str]:
    assert attempt.joined, f"refused: {attempt.reason}"
    d = attempt.details
    return (d.authid, d.authrole, d.authmethod, d.authprovider)


async def closed(attempt: Attempt) -> Attempt:
    if attempt.joined:
        await attempt.session.close()
    return attempt


GOOD = {
    "ticket": Credentials(["ticket"], "alice", ticket=ALICE_TICKET),
    "wampcra": Credentials(["wampcra"], "bob", secret=BOB_SECRET),
    "wampcra-salted": Credentials(["wampcra"], "carol", secret=CAROL_PASSWORD),
    "cryptosign": Credentials(["cryptosign"], "dave", key=DAVE),
    "cryptosign-by-key": Credentials(["cryptosign"], None, key=DAVE),
}

EXPECTED = {
    "ticket": ("alice", "user", "ticket", "static"),
    "wampcra": ("bob", "user", "wampcra", "static"),
    "wampcra-salted": ("carol", "user", "wampcra", "static"),
    "cryptosign": ("dave", "device", "cryptosign", "static"),
    "cryptosign-by-key": ("dave", "device", "cryptosign", "static"),
}


@pytest.mark.parametrize("endpoint", ["ws", "rs"])
@pytest.mark.parametrize("case", list(GOOD))
def test_each_method_succeeds(live_auth: AuthNode, case: str, endpoint: str, serializer: str) -> None:
    async def scenario() -> None:
        attempt = await authenticate(live_auth.target(endpoint), "realm1", serializer, GOOD[case])
        assert identity(attempt) == EXPECTED[case]
        assert len(attempt.session.challenges) == 1
        await closed(attempt)

    asyncio.run(scenario())


BAD = {
    "wrong ticket": Credentials(["ticket"], "alice", ticket=ALICE_TICKET + "x"),
    "unknown ticket authid": Credentials(["ticket"], "zoe", ticket=ALICE_TICKET),
    "wrong wampcra secret": Credentials(["wampcra"], "bob", secret=BOB_SECRET + "x"),
    "unknown wampcra authid": Credentials(["wampcra"], "zoe", secret=BOB_SECRET),
    "wrong salted password": Credentials(["wampcra"], "carol", secret=BOB_SECRET),
    "wrong cryptosign key": Credentials(["cryptosign"], "dave", key=MALLORY),
    "unknown cryptosign key": Credentials(["cryptosign"], None, key=MALLORY),
    "unknown cryptosign authid": Credentials(["cryptosign"], "zoe", key=DAVE),
}


@pytest.mark.parametrize("endpoint", ["ws", "rs"])
@pytest.mark.parametrize("case", list(BAD))
def test_each_method_fails_alike(live_auth: AuthNode, case: str, endpoint: str) -> None:
    """A wrong secret and an unknown authid get the same ABORT, after a CHALLENGE."""

    async def scenario() -> None:
        attempt = await authenticate(live_auth.target(endpoint), "realm1", "json", BAD[case])
        assert not attempt.joined
        assert attempt.reason == "wamp.error.authentication_failed"
        assert len(attempt.session.challenges) == 1
        message = attempt.session.left.result().message
        assert message == "authentication failed", message

    asyncio.run(scenario())


def test_no_offered_method_is_no_auth_method(live_auth: AuthNode) -> None:
    async def scenario() -> None:
        for creds in (Credentials(["anonymous"]), Credentials(["scram", "tls"], "alice")):
            attempt = await authenticate(live_auth.target("ws"), "realm1", "json", creds)
            assert attempt.reason == "wamp.error.no_auth_method"
            assert not attempt.session.challenges

    asyncio.run(scenario())


def test_the_first_offered_method_the_endpoint_enables_is_used(live_auth: AuthNode) -> None:
    creds = Credentials(
        ["scram", "wampcra", "ticket"], "bob", ticket="not used", secret=BOB_SECRET
    )

    async def scenario() -> None:
        attempt = await closed(await authenticate(live_auth.target("ws"), "realm1", "json", creds))
        assert identity(attempt)[2] == "wampcra"
        assert [c.method for c in attempt.session.challenges] == ["wampcra"]

    asyncio.run(scenario())


def test_tls_certificate_names_the_session(live_auth: AuthNode) -> None:
    async def scenario() -> None:
        for endpoint in ("wss", "wss_optional"):
            target = live_auth.target(endpoint, client=live_auth.certs)
            attempt = await closed(
                await authenticate(target, "realm1", "cbor", Credentials(["tls"]))
            )
            assert identity(attempt) == ("crossway-dev-client", "device", "tls", "static")
            assert not attempt.session.challenges
        # The certificate's authid, asked for explicitly, is fine; another one is not.
        target = live_auth.target("wss", client=live_auth.certs)
        ok = await closed(
            await authenticate(target, "realm1", "json", Credentials(["tls"], "crossway-dev-client"))
        )
        assert ok.joined
        other = await authenticate(target, "realm1", "json", Credentials(["tls"], "somebody"))
        assert other.reason == "wamp.error.authentication_failed"

    asyncio.run(scenario())


def test_tls_without_a_certificate_or_from_an_unlisted_ca_is_refused(live_auth: AuthNode) -> None:
    async def scenario() -> None:
        # client_auth: optional lets the connection in; authentication has no certificate.
        target = live_auth.target("wss_optional", client=None)
        attempt = await authenticate(target, "realm1", "json", Credentials(["tls"]))
        assert attempt.reason == "wamp.error.authentication_failed"
        # A certificate from a CA the endpoint does not list never gets past TLS.
        foreign = live_auth.target("wss", client=live_auth.other)
        outcome, how = await try_session(foreign, "realm1", "json", "foreign certificate")
        assert outcome == "refused", how

    asyncio.run(scenario())


def test_a_role_the_realm_lacks_is_refused(live_auth: AuthNode) -> None:
    async def scenario() -> None:
        creds = Credentials(["anonymous"])
        ok = await closed(await authenticate(live_auth.target("anon"), "realm1", "json", creds))
        assert identity(ok)[1:3] == ("guest", "anonymous")
        refused = await authenticate(live_auth.target("anon"), "secure", "json", creds)
        assert refused.reason == "wamp.error.no_such_role"

    asyncio.run(scenario())


def test_permissions_of_roles(live_auth: AuthNode) -> None:
    """`user` publishes and subscribes under com.example. but not com.example.admin; `device`
    subscribes under com.example.news and publishes only com.example.<x>.status (a wildcard
    rule: a prefix rule matching the topic would decide first)."""

    async def scenario() -> None:
        user = (
            await authenticate(live_auth.target("ws"), "secure", "json", GOOD["ticket"])
        ).session
        device = (
            await authenticate(live_auth.target("rs"), "secure", "msgpack", GOOD["cryptosign"])
        ).session
        try:
            _, inbox = await device.subscribe_inbox("com.example.news")
            _, status = await user.subscribe_inbox("com.example.pump.status")
            ack = PublishOptions(acknowledge=True)
            await wait(user.publish("com.example.news", "hello", options=ack), "PUBLISHED")
            assert (await inbox.next()).args == ["hello"]
            await wait(
                device.publish("com.example.pump.status", "on", options=ack), "PUBLISHED"
            )
            assert (await status.next()).args == ["on"]
            for session, topic in (
                (user, "com.example.admin"),
                (user, "org.other"),
                (device, "com.example.news"),
                (user, "wamp.session.on_join"),
            ):
                with pytest.raises(ApplicationError) as refused:
                    await wait(session.publish(topic, 1, options=ack), f"ERROR for {topic}")
                assert refused.value.error == "wamp.error.not_authorized", topic
            for topic in ("com.example.admin", "org.other", "wamp.session.on_join"):
                with pytest.raises(ApplicationError) as refused:
                    await wait(user.subscribe(lambda *a: None, topic), f"ERROR for {topic}")
                assert refused.value.error == "wamp.error.not_authorized", topic
            # A refused publication without acknowledge reaches nobody and costs nothing else.
            device.publish("com.example.news", "dropped")
            await wait(user.publish("com.example.news", "after", options=ack), "PUBLISHED")
            assert (await inbox.next()).args == ["after"]
            assert inbox.pending() == []
        finally:
            await user.close()
            await device.close()

    asyncio.run(scenario())


def test_a_failed_authentication_is_logged_with_the_authid_tried(live_auth: AuthNode) -> None:
    async def scenario() -> None:
        creds = Credentials(["ticket"], "trudy-the-guesser", ticket="guess")
        attempt = await authenticate(live_auth.target("ws"), "realm1", "json", creds)
        assert attempt.reason == "wamp.error.authentication_failed"

    asyncio.run(scenario())
    lines = live_auth.node.wait_for_log("trudy-the-guesser")
    assert any("WARN" in line and "authentication failed" in line for line in lines), lines
