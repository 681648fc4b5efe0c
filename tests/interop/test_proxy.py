"""Behind real proxies: HAProxy (`send-proxy-v2`, `send-proxy`) in front of RawSocket,
WebSocket and universal endpoints, nginx terminating TLS with X-Forwarded-For in front of a
WebSocket endpoint. autobahn-python clients bind distinct loopback sources (127.0.0.2, ...); the
node must report them (the "session joined" line's `peer`), not the proxy (its `proxy`), and
throttle them apart; what a client or an untrusted peer says about addresses changes nothing.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from autobahn.wamp.types import PublishOptions

from auth_clients import Credentials, authenticate
from certs import client_context, make_certs
from clients import Target, joined, try_session, wait
from node import Endpoint, Node
from proxies import HAProxy, Nginx

TICKET = "the right ticket"
DELAY = 0.6
TRUSTED = "127.0.0.1/32"


def proxy_yaml(**keys: str) -> str:
    body = "".join(f"      {k}: {v}\n" for k, v in keys.items())
    return f"    proxy:\n      trusted: [{TRUSTED}]\n{body}"


FWD_AUTH = """\
    auth:
      anonymous: { role: anonymous }
      ticket:
        principals:
          alice: { ticket: "${ALICE_TICKET}", role: user }
"""

# endpoint name -> (transport, PROXY version) behind HAProxy
HAPROXIED = {
    "rs-v2": ("rawsocket", 2),
    "ws-v2": ("websocket", 2),
    "rs-v1": ("rawsocket", 1),
    "uni-v1": ("universal", 1),
}


@dataclass
class Setup:
    node: Node
    haproxy: HAProxy
    nginx: Nginx
    tls: object

    def via_haproxy(self, endpoint: str, source: str) -> Target:
        transport, _ = HAPROXIED[endpoint]
        framing = "rawsocket" if transport == "rawsocket" else "websocket"
        return Target(framing, port=self.haproxy.port(endpoint), source=source)

    def via_nginx(self, source: str, headers: dict[str, str] | None = None) -> Target:
        return Target(
            "websocket", port=self.nginx.port, tls=self.tls, source=source, headers=headers
        )

    def joined_lines(self, endpoint: str, source: str) -> list[str]:
        """The node's "session joined" lines for `endpoint` whose session's peer is `source`."""
        lines = self.node.wait_for_log(JOINED)
        return [
            line
            for line in lines
            if f" endpoint={endpoint} " in line and peer_of(line).startswith(f"{source}:")
        ]


# The router's line for each session that joins: its fields are the session's transport
# details (`peer`), the connection's span before it adds the socket's address (`proxy`).
JOINED = "session joined session="


def peer_of(line: str) -> str:
    """The `peer` of the session (the event's field, from its transport details)."""
    m = re.search(r"\bpeer=([0-9a-f.:\[\]]+)", line.split(JOINED, 1)[-1])
    return m.group(1) if m else ""


def proxy_of(line: str) -> str:
    """The socket's address, where a proxy named the client (the span's `proxy`)."""
    m = re.search(r"\bproxy=([0-9a-f.:\[\]]+)", line)
    return m.group(1) if m else ""


@pytest.fixture(scope="module")
def setup(crossway_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    folder = tmp_path_factory.mktemp("proxy")
    endpoints = [
        Endpoint(name, transport=transport, extra=proxy_yaml(protocol=f"v{version}"))
        for name, (transport, version) in HAPROXIED.items()
    ]
    endpoints.append(Endpoint("fwd", extra=proxy_yaml(forwarded_headers="true") + FWD_AUTH))
    node = Node(
        crossway_bin,
        folder,
        "proxy-node",
        endpoints,
        extra=f"limits:\n  auth_delay: {DELAY}\n  auth_delay_max: {4 * DELAY}\n",
        env={"ALICE_TICKET": TICKET},
    )
    node.start()
    certs = make_certs(crossway_bin, folder / "certs")
    haproxy = HAProxy(
        folder,
        {name: (node.endpoint(name).port, version) for name, (_, version) in HAPROXIED.items()},
    )
    nginx = Nginx(folder, node.endpoint("fwd").port, certs.server_cert, certs.server_key)
    try:
        haproxy.start()
        nginx.start()
        yield Setup(node, haproxy, nginx, client_context(certs))
        node.assert_no_panic()
    finally:
        haproxy.stop()
        nginx.stop()
        node.stop()


async def pubsub(sub_target: Target, pub_target: Target, topic: str) -> None:
    """A subscriber and a publisher join; an acknowledged event reaches the subscriber."""
    async with (
        joined(sub_target, "realm1", "json", "subscriber") as sub,
        joined(pub_target, "realm1", "json", "publisher") as pub,
    ):
        _, inbox = await sub.subscribe_inbox(topic)
        await wait(pub.publish(topic, "hi", options=PublishOptions(acknowledge=True)), "PUBLISHED")
        event = await inbox.next()
        assert event.args == ["hi"], event


@pytest.mark.parametrize("endpoint", list(HAPROXIED))
def test_haproxy_names_each_client(setup: Setup, endpoint: str) -> None:
    asyncio.run(
        pubsub(
            setup.via_haproxy(endpoint, "127.0.0.2"),
            setup.via_haproxy(endpoint, "127.0.0.3"),
            f"com.crossway.test.proxy.{endpoint}",
        )
    )
    for source in ("127.0.0.2", "127.0.0.3"):
        lines = setup.joined_lines(endpoint, source)
        assert lines, f"no session of {source} on {endpoint}\n{setup.node.describe()}"
        for line in lines:
            # The client's own port, as HAProxy saw it; the socket's peer is HAProxy.
            assert not peer_of(line).endswith(":0"), line
            assert proxy_of(line).startswith("127.0.0.1:"), line


def test_nginx_terminates_tls_and_names_each_client(setup: Setup) -> None:
    asyncio.run(
        pubsub(
            setup.via_nginx("127.0.0.2"),
            setup.via_nginx("127.0.0.3"),
            "com.crossway.test.proxy.nginx",
        )
    )
    for source in ("127.0.0.2", "127.0.0.3"):
        lines = setup.joined_lines("fwd", source)
        assert lines, f"no session of {source} through nginx\n{setup.node.describe()}"
        for line in lines:
            # X-Forwarded-For has no port.
            assert peer_of(line) == f"{source}:0", line
            assert proxy_of(line).startswith("127.0.0.1:"), line


def test_through_nginx_one_address_is_throttled_and_no_other(setup: Setup) -> None:
    wrong = Credentials(["ticket"], "alice", ticket="wrong")
    right = Credentials(["ticket"], "alice", ticket=TICKET)

    async def scenario() -> None:
        guesser = setup.via_nginx("127.0.0.4")
        times = []
        for _ in range(2):
            attempt = await authenticate(guesser, "realm1", "json", wrong)
            assert attempt.reason == "wamp.error.authentication_failed"
            times.append(attempt.seconds)
        assert times[1] >= DELAY, times
        other = await authenticate(setup.via_nginx("127.0.0.5"), "realm1", "json", right)
        assert other.joined and other.seconds < DELAY, other.seconds
        await other.session.close()

    asyncio.run(scenario())
    lines = setup.node.wait_for_log("authentication failed")
    assert any("peer=127.0.0.4:0" in line and "failures=2" in line for line in lines), lines


def test_forwarding_headers_from_an_untrusted_peer_change_nothing(setup: Setup) -> None:
    spoof = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
    direct = Target(
        "websocket", port=setup.node.endpoint("fwd").port, source="127.0.0.6", headers=spoof
    )

    async def scenario() -> None:
        async with joined(direct, "realm1", "json", "spoofer"):
            pass

    asyncio.run(scenario())
    lines = setup.joined_lines("fwd", "127.0.0.6")
    assert lines and all(proxy_of(line) == "" for line in lines), lines
    assert "198.51.100.7" not in setup.node.stderr()


def test_a_client_cannot_prepend_addresses_through_nginx(setup: Setup) -> None:
    spoof = {"X-Forwarded-For": "198.51.100.8", "Forwarded": "for=198.51.100.9"}

    async def scenario() -> None:
        async with joined(setup.via_nginx("127.0.0.7", spoof), "realm1", "json", "spoofer"):
            pass

    asyncio.run(scenario())
    lines = setup.joined_lines("fwd", "127.0.0.7")
    assert lines and all(peer_of(line) == "127.0.0.7:0" for line in lines), lines
    log = setup.node.stderr()
    assert "198.51.100.8" not in log and "198.51.100.9" not in log


def raw_exchange(port: int, source: str, data: bytes) -> bytes:
    """Sends `data` from `source` and reads until the node closes the connection."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(5.0)
        s.bind((source, 0))
        s.connect(("127.0.0.1", port))
        try:
            s.sendall(data)
        except OSError:
            pass
        got = b""
        try:
            while chunk := s.recv(4096):
                got += chunk
        except ConnectionResetError:
            pass
        return got


V2_HEADER = (
    b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c"
    + bytes([192, 0, 2, 1, 127, 0, 0, 1])
    + (5000).to_bytes(2, "big")
    + (8081).to_bytes(2, "big")
)
RS_HANDSHAKE = b"\x7f\xf1\x00\x00"


def test_a_proxy_header_is_required_and_only_from_trusted_peers(setup: Setup) -> None:
    port = setup.node.endpoint("rs-v2").port

    async def scenario() -> None:
        async with joined(setup.via_haproxy("rs-v2", "127.0.0.2"), "realm1", "json", "bystander") as b:
            # An untrusted peer's header: closed before anything is answered.
            assert raw_exchange(port, "127.0.0.8", V2_HEADER + RS_HANDSHAKE) == b""
            # A trusted peer without a header (a client that bypasses the proxy): refused.
            how, why = await try_session(
                Target("rawsocket", port=port), "realm1", "json", "no header"
            )
            assert how == "refused", why
            # A v1 header where v2 is required, and garbage: closed.
            v1 = b"PROXY TCP4 192.0.2.1 127.0.0.1 5000 8081\r\n"
            assert raw_exchange(port, "127.0.0.1", v1 + RS_HANDSHAKE) == b""
            assert raw_exchange(port, "127.0.0.1", b"\r\n\r\n\x00\r\nQUIT\n\x21\x41\xff\xff") == b""
            # The session through HAProxy goes on.
            await wait(
                b.publish("com.crossway.test.proxy.alive", options=PublishOptions(acknowledge=True)),
                "PUBLISHED after the refusals",
            )

    asyncio.run(scenario())
    log = setup.node.stderr()
    assert re.search(r"peer=127\.0\.0\.8:\d+.*is not a trusted proxy", log), log[-3000:]
    assert "does not begin with a PROXY header" in log
    assert "a PROXY v1 header where v2 is required" in log
    assert "PROXY v2 header longer than" in log
    setup.node.assert_running()
