"""TLS endpoints with autobahn-python: wss:// and rss:// with client certificates (mutual TLS),
refusals (no certificate, a certificate of another CA, plain text, an old TLS version),
`client_auth: optional`, `min_version` and `ciphers`."""

from __future__ import annotations

import asyncio
import ssl

import pytest
from autobahn.wamp.types import PublishOptions

from clients import Client, Target, assert_same, join, joined, try_session, wait
from endpoints import WSS13_CIPHER_OPENSSL, TransportNode
from test_pubsub import PAYLOAD_ARGS, PAYLOAD_KWARGS, fresh_topic

MUTUAL_ENDPOINTS = ["wss", "rss"]


def tls_info(session: Client) -> tuple[str | None, str | None, dict | None]:
    """(TLS version, cipher suite, server certificate) of the session's connection."""
    assert session.connection is not None
    ssl_object = session.connection.get_extra_info("ssl_object")
    assert ssl_object is not None, f"{session.label}: the connection is not TLS"
    return ssl_object.version(), ssl_object.cipher()[0], ssl_object.getpeercert()


async def round_trip(publisher: Client, subscriber: Client, what: str) -> None:
    """The payload set published by `publisher` arrives intact at `subscriber`."""
    topic = fresh_topic("tls")
    _, inbox = await subscriber.subscribe_inbox(topic)
    await wait(
        publisher.publish(
            topic, *PAYLOAD_ARGS, options=PublishOptions(acknowledge=True), **PAYLOAD_KWARGS
        ),
        f"PUBLISHED ({what})",
    )
    event = await inbox.next(what)
    assert_same(PAYLOAD_ARGS, event.args, f"args {what}")
    assert_same(PAYLOAD_KWARGS, event.kwargs, f"kwargs {what}")


async def expect_refused(target: Target, what: str) -> None:
    outcome, detail = await try_session(target, "realm1", "json", what)
    assert outcome == "refused", (
        f"{what} at {target.url}: expected the connection to be refused before WELCOME, "
        f"got {outcome} ({detail})"
    )


@pytest.mark.parametrize("endpoint", MUTUAL_ENDPOINTS)
def test_join_with_client_certificate(
    live_transport: TransportNode, serializer: str, endpoint: str
) -> None:
    async def scenario() -> None:
        target = live_transport.target(endpoint)
        async with (
            joined(target, "realm1", serializer, f"{endpoint} subscriber") as sub,
            joined(target, "realm1", serializer, f"{endpoint} publisher") as pub,
        ):
            version, _, server_cert = tls_info(pub)
            assert version in ("TLSv1.2", "TLSv1.3"), version
            names = [v for k, v in server_cert.get("subjectAltName", ()) if k == "IP Address"]
            assert "127.0.0.1" in names, f"server certificate SANs: {server_cert!r}"
            await round_trip(pub, sub, f"{serializer} over {endpoint}")

    asyncio.run(scenario())


def test_pubsub_between_tls_and_plain_websocket(
    live_transport: TransportNode, serializer: str
) -> None:
    """One realm across two endpoints of one node: wss -> ws and ws -> wss."""

    async def scenario() -> None:
        async with (
            joined(live_transport.target("wss"), "realm1", serializer, "wss client") as secure,
            joined(live_transport.target("ws"), "realm1", serializer, "ws client") as plain,
        ):
            await round_trip(secure, plain, f"wss publisher -> ws subscriber ({serializer})")
            await round_trip(plain, secure, f"ws publisher -> wss subscriber ({serializer})")

    asyncio.run(scenario())


@pytest.mark.parametrize("endpoint", MUTUAL_ENDPOINTS)
def test_no_client_certificate_is_refused(live_transport: TransportNode, endpoint: str) -> None:
    async def scenario() -> None:
        await expect_refused(
            live_transport.target(endpoint, client=None), "a client without a certificate"
        )
        # The endpoint still serves clients with a certificate.
        async with joined(live_transport.target(endpoint), "realm1", "json", "certified client"):
            pass

    asyncio.run(scenario())


@pytest.mark.parametrize("endpoint", MUTUAL_ENDPOINTS)
def test_certificate_of_another_ca_is_refused(
    live_transport: TransportNode, endpoint: str
) -> None:
    async def scenario() -> None:
        await expect_refused(
            live_transport.target(endpoint, client=live_transport.other),
            "a client with a certificate of a CA the endpoint does not list",
        )

    asyncio.run(scenario())


@pytest.mark.parametrize("endpoint", MUTUAL_ENDPOINTS)
def test_plain_text_on_a_tls_endpoint_is_refused(
    live_transport: TransportNode, endpoint: str
) -> None:
    async def scenario() -> None:
        e = live_transport.node.endpoint(endpoint)
        plain = Target(e.transport, port=e.port)
        await expect_refused(plain, "a client without TLS")

    asyncio.run(scenario())


def test_client_auth_optional(live_transport: TransportNode, serializer: str) -> None:
    """Without a certificate a client joins; with one of the listed CA too; a certificate of
    another CA is still refused (optional means the client may send none, not any)."""

    async def scenario() -> None:
        async with (
            joined(
                live_transport.target("wss_optional", client=None),
                "realm1",
                serializer,
                "client without a certificate",
            ) as anonymous,
            joined(
                live_transport.target("wss_optional"),
                "realm1",
                serializer,
                "client with a certificate",
            ) as certified,
        ):
            await round_trip(anonymous, certified, f"anonymous -> certified ({serializer})")
        await expect_refused(
            live_transport.target("wss_optional", client=live_transport.other),
            "a client with a certificate of a CA the endpoint does not list (client_auth optional)",
        )

    asyncio.run(scenario())


def test_min_version_and_ciphers(live_transport: TransportNode) -> None:
    """`min_version: "1.3"` refuses a TLS 1.2 client; `ciphers` decides the suite."""

    async def scenario() -> None:
        await expect_refused(
            live_transport.target("wss13", max_version=ssl.TLSVersion.TLSv1_2),
            "a TLS 1.2 client (min_version 1.3)",
        )
        session = await join(live_transport.target("wss13"), "realm1", "cbor", "TLS 1.3 client")
        try:
            version, cipher, _ = tls_info(session)
            assert version == "TLSv1.3", version
            assert cipher == WSS13_CIPHER_OPENSSL, f"negotiated {cipher}"
        finally:
            await session.close()

    asyncio.run(scenario())
