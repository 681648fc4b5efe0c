"""`tls.ciphers` as OpenSSL cipher strings: the endpoint configured with the cipher string of
Crossbar.io's "Secure WebSocket and HTTPS" guide accepts a TLS 1.2 client offering
ECDHE-RSA-AES128-GCM-SHA256, refuses one offering only DHE and CBC suites, prefers its own order,
and still speaks TLS 1.3; `crossway check` lists what it offers. Clients are Python's ssl module
(OpenSSL) and autobahn-python; the RSA certificate is issued by the CA of `crossway certs`."""

from __future__ import annotations

import asyncio
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from certs import CertSet, make_certs
from clients import Target, joined, try_session
from node import Endpoint, Node
from rsa_certs import RsaServer, make_rsa_server

GUIDE_STRING = (
    "ECDH+AESGCM:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:ECDH+3DES:DH+3DES:"
    "RSA+AES:RSA+3DES:!ADH:!AECDH:!MD5:!DSS"
)
GUIDE_DEFAULT = [
    "ECDHE-RSA-AES128-GCM-SHA256",
    "DHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-SHA256",
    "DHE-RSA-AES128-SHA256",
    "ECDHE-RSA-AES128-SHA",
    "DHE-RSA-AES128-SHA",
]
# What a client that rustls cannot serve offers: DHE, CBC and static RSA suites.
DHE_AND_CBC_ONLY = "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA:AES128-SHA"
HANDSHAKE_TIMEOUT = 10.0


@dataclass
class CipherNode:
    node: Node
    certs: CertSet
    rsa: RsaServer


@pytest.fixture(scope="module")
def cipher_node(crossway_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CipherNode]:
    work = tmp_path_factory.mktemp("cipher-node")
    certs = make_certs(crossway_bin, work / "certs")
    rsa = make_rsa_server(certs, work / "rsa")
    rsa_tls = {"certificate": "rsa/server.pem", "key": "rsa/server.key"}
    node = Node(
        crossway_bin,
        work,
        "cipher-node",
        [
            Endpoint("guide", tls={**rsa_tls, "ciphers": GUIDE_STRING}),
            Endpoint("guide_list", tls={**rsa_tls, "ciphers": GUIDE_DEFAULT}),
        ],
    )
    node.start()
    yield CipherNode(node, certs, rsa)
    node.stop()


def context(certs: CertSet, ciphers: str | None = None, tls12: bool = True) -> ssl.SSLContext:
    """A client context trusting the node's CA, offering TLS 1.2 only (`tls12`) and `ciphers`."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=str(certs.ca))
    if tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if ciphers is not None:
        ctx.set_ciphers(ciphers)
    return ctx


def handshake(port: int, ctx: ssl.SSLContext) -> tuple[str | None, str]:
    """A TLS handshake with 127.0.0.1:port: (version, suite), or an ssl.SSLError."""
    with socket.create_connection(("127.0.0.1", port), timeout=HANDSHAKE_TIMEOUT) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            cipher = tls.cipher()
            assert cipher is not None
            return tls.version(), cipher[0]


def test_a_tls12_ecdhe_rsa_gcm_client_joins(cipher_node: CipherNode) -> None:
    port = cipher_node.node.endpoint("guide").port
    ctx = context(cipher_node.certs, "ECDHE-RSA-AES128-GCM-SHA256")
    assert handshake(port, ctx) == ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256")

    async def scenario() -> None:
        target = Target("websocket", port=port, tls=ctx)
        async with joined(target, "realm1", "json", "TLS 1.2 ECDHE-RSA-AES128-GCM client") as s:
            assert s.connection is not None
            info = s.connection.get_extra_info("ssl_object")
            assert info.cipher()[0] == "ECDHE-RSA-AES128-GCM-SHA256"

    asyncio.run(scenario())


def test_a_client_offering_only_dhe_and_cbc_is_refused(cipher_node: CipherNode) -> None:
    for endpoint in ("guide", "guide_list"):
        port = cipher_node.node.endpoint(endpoint).port
        with pytest.raises(ssl.SSLError) as refused:
            handshake(port, context(cipher_node.certs, DHE_AND_CBC_ONLY))
        assert "HANDSHAKE_FAILURE" in str(refused.value).upper(), refused.value

        async def scenario() -> None:
            target = Target("websocket", port=port, tls=context(cipher_node.certs, DHE_AND_CBC_ONLY))
            outcome, detail = await try_session(target, "realm1", "json", "DHE/CBC-only client")
            assert outcome == "refused", detail

        asyncio.run(scenario())


def test_the_servers_order_decides(cipher_node: CipherNode) -> None:
    """The client prefers AES-128; the guide's string puts AES-256 first, and the node follows
    the string's order, as Crossbar.io (OpenSSL with server preference) does."""
    port = cipher_node.node.endpoint("guide").port
    ctx = context(cipher_node.certs, "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384")
    assert handshake(port, ctx) == ("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384")


def test_tls13_is_not_chosen_by_the_string(cipher_node: CipherNode) -> None:
    port = cipher_node.node.endpoint("guide").port
    version, _ = handshake(port, context(cipher_node.certs, tls12=False))
    assert version == "TLSv1.3"
    # A list names its TLS 1.3 suites: the guide's default list names none.
    port = cipher_node.node.endpoint("guide_list").port
    assert handshake(port, context(cipher_node.certs, tls12=False)) == (
        "TLSv1.2",
        "ECDHE-RSA-AES128-GCM-SHA256",
    )


def test_check_lists_the_offered_suites(cipher_node: CipherNode, crossway_bin: Path) -> None:
    done = subprocess.run(
        [str(crossway_bin), "check", "--config", str(cipher_node.node.config_file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    guide = out[out.index('endpoint "guide" ') : out.index('endpoint "guide_list" ')]
    assert (
        "  TLS 1.2:\n"
        "    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (ECDHE-RSA-AES256-GCM-SHA384)\n"
        "    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (ECDHE-RSA-AES128-GCM-SHA256)\n"
    ) in guide, out
    assert "TLS13_AES_256_GCM_SHA384" in guide, out
    warnings = [line for line in done.stderr.splitlines() if "ciphers: skipped" in line]
    assert len(warnings) == 2, done.stderr
    assert "DHE-RSA-AES128-GCM-SHA256 (DHE key exchange)" in warnings[1], warnings[1]
