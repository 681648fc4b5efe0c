"""Running it in production: /metrics scraped and parsed as Prometheus text while autobahn
clients publish, `crossway pub`, `sub` and `call` against autobahn peers, /health through a shutdown, the HTTP publish bridge from Python, JSON log lines,
and a device certificate signed from an OpenSSL CSR admitted by a mutual-TLS endpoint with `tls`
authentication.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import http.client
import json
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from typing import Any
from pathlib import Path

import pytest
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import PublishOptions
from prometheus_client.parser import text_string_to_metric_families

from auth_clients import Credentials, authenticate
from certs import make_certs
from clients import Target, join, wait
from node import STOP_TIMEOUT, Endpoint, Node, free_port
from rawws import raw_peer
from rpc_clients import register

PUBLISH_SECRET = "interop-publish-key"


def scrape(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """GET /metrics, parsed by the Prometheus client's text parser: every sample by name and
    labels."""
    status, headers, body = get(port, "/metrics")
    assert status == 200, body
    assert headers.get("content-type", "").startswith("text/plain; version=0.0.4"), headers
    samples = {}
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    """The sample `name` with exactly `labels` (0 when absent: series appear when first used)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def get(port: int, path: str) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read().decode()
    finally:
        conn.close()


def post(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", path, body=body, headers=headers)
        r = conn.getresponse()
        raw = r.read()
        return r.status, (json.loads(raw) if raw else {})
    finally:
        conn.close()


def signed(body: bytes) -> dict[str, str]:
    sig = hmac.new(PUBLISH_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Signature": sig}


@pytest.fixture(scope="module")
def ops_node(crossway_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """A node with metrics, an HTTP publish bridge and JSON logs."""
    metrics_port = free_port()
    node = Node(
        crossway_bin,
        tmp_path_factory.mktemp("ops-node"),
        "ops-node",
        [
            Endpoint(
                "web",
                extra=(
                    "    http_publish:\n"
                    "      path: /publish\n"
                    '      secret: "${PUBLISH_SECRET}"\n'
                    "      max_body: 1024\n"
                ),
            )
        ],
        extra=f"log_format: json\nmetrics:\n  listen: 127.0.0.1:{metrics_port}\n",
        env={"PUBLISH_SECRET": PUBLISH_SECRET},
    )
    node.metrics_port = metrics_port  # type: ignore[attr-defined]
    node.start()
    yield node
    node.stop()


def test_metrics_move_with_traffic(ops_node: Node) -> None:
    port = ops_node.metrics_port  # type: ignore[attr-defined]
    before = scrape(port)
    n = 7

    async def scenario() -> None:
        sub = await join(ops_node.url, "realm1", "cbor", "metrics subscriber")
        pub = await join(ops_node.url, "realm1", "json", "metrics publisher")
        _, inbox = await sub.subscribe_inbox("com.crossway.metrics")
        during = scrape(port)
        assert value(during, "crossway_sessions_open", endpoint="web", realm="realm1") >= 2
        for i in range(n):
            await wait(
                pub.publish("com.crossway.metrics", i, options=PublishOptions(acknowledge=True)),
                "PUBLISHED",
            )
        for _ in range(n):
            await inbox.next()
        await sub.close()
        await pub.close()

    asyncio.run(scenario())
    after = scrape(port)
    moved = lambda name, **labels: value(after, name, **labels) - value(before, name, **labels)  # noqa: E731
    assert moved("crossway_messages_in_total", endpoint="web", serializer="json", type="PUBLISH") == n
    assert moved("crossway_messages_out_total", endpoint="web", serializer="json", type="PUBLISHED") == n
    assert moved("crossway_messages_out_total", endpoint="web", serializer="cbor", type="EVENT") == n
    assert moved("crossway_messages_in_total", endpoint="web", serializer="cbor", type="SUBSCRIBE") == 1
    assert moved("crossway_events_delivered_total", realm="realm1") == n
    assert moved("crossway_publications_total", realm="realm1") == n
    assert moved("crossway_connections_accepted_total", endpoint="web") >= 2
    assert moved("crossway_authentication_successes_total", endpoint="web", method="anonymous") == 2
    assert moved("crossway_bytes_in_total", endpoint="web") > 0
    assert moved("crossway_bytes_out_total", endpoint="web") > 0
    assert [v for (name, _), v in after.items() if name == "crossway_build_info"] == [1.0]
    # The sessions left again (the gauge is read live).
    deadline = time.monotonic() + 5
    while value(scrape(port), "crossway_sessions_open", endpoint="web", realm="realm1") != 0:
        assert time.monotonic() < deadline, "the sessions-open gauge did not go back to 0"
        time.sleep(0.05)


def test_bridge_statuses_from_python(ops_node: Node) -> None:
    port = ops_node.port
    body = json.dumps(
        {"realm": "realm1", "topic": "com.crossway.bridge", "args": [1], "options": {"acknowledge": True}}
    ).encode()

    async def scenario() -> None:
        sub = await join(ops_node.url, "realm1", "msgpack", "bridge subscriber")
        _, inbox = await sub.subscribe_inbox("com.crossway.bridge")
        status, answer = await asyncio.to_thread(post, port, "/publish", body, signed(body))
        assert status == 200 and isinstance(answer.get("id"), int), (status, answer)
        assert (await inbox.next()).args == [1]
        await sub.close()

    asyncio.run(scenario())
    plain = {"Content-Type": "application/json"}
    assert post(port, "/publish", body, plain)[0] == 401
    assert post(port, "/publish", body, {**plain, "X-Signature": "00" * 32})[0] == 403
    bad = b"{oops"
    assert post(port, "/publish", bad, signed(bad))[0] == 400
    big = json.dumps({"realm": "realm1", "topic": "t", "args": ["x" * 2000]}).encode()
    assert post(port, "/publish", big, signed(big))[0] == 413
    assert post(port, "/publish", body, {**signed(body), "Content-Type": "text/plain"})[0] == 415
    nowhere = json.dumps({"realm": "nowhere", "topic": "t"}).encode()
    assert post(port, "/publish", nowhere, signed(nowhere))[0] == 404
    samples = scrape(ops_node.metrics_port)  # type: ignore[attr-defined]
    for status in ("200", "401", "403", "400", "413", "415", "404"):
        assert value(samples, "crossway_http_publish_requests_total", endpoint="web", status=status) >= 1


def test_json_log_lines_parse_with_span_fields(ops_node: Node) -> None:
    async def scenario() -> None:
        s = await join(ops_node.url, "realm1", "json", "logged session")
        await s.close()

    asyncio.run(scenario())
    lines = [line for line in ops_node.stderr().splitlines() if line.strip()]
    assert lines, "the node logged nothing"
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            raise AssertionError(f"not a JSON log line: {line!r}") from None
    for r in records:
        assert {"timestamp", "level", "target"} <= r.keys(), r
    joined = [
        r for r in records
        if r.get("span", {}).get("endpoint") == "web" and r.get("span", {}).get("realm") == "realm1"
    ]
    assert joined, "no log line in a joined session's span"
    span = joined[-1]["span"]
    assert span.get("authid") and span.get("peer", "").startswith("127.0.0.1"), span
    assert isinstance(span.get("id"), int), span


def test_health_is_503_while_draining(crossway_bin: Path, tmp_path: Path) -> None:
    metrics_port = free_port()
    node = Node(
        crossway_bin,
        tmp_path,
        "health-node",
        extra=f"limits:\n  shutdown_timeout: 3\nmetrics:\n  listen: 127.0.0.1:{metrics_port}\n",
    )
    node.start()
    try:
        assert get(metrics_port, "/health")[:1] == (200,)
        assert get(metrics_port, "/health")[2] == "serving\n"

        async def scenario() -> None:
            async with raw_peer(node.url, "json") as peer:
                await peer.hello()
                # The peer never answers GOODBYE: the drain lasts shutdown_timeout.
                node.send_sigterm()
                deadline = time.monotonic() + 2
                while True:
                    status, _, body = await asyncio.to_thread(get, metrics_port, "/health")
                    if status == 503:
                        assert body == "draining\n", body
                        break
                    assert time.monotonic() < deadline, f"/health still {status} while draining"
                    await asyncio.sleep(0.05)
                code = await asyncio.to_thread(node.wait_exit, STOP_TIMEOUT)
                assert code == 0, node.describe()

        asyncio.run(scenario())
        node.assert_no_panic()
    finally:
        node.kill()


def test_a_device_csr_from_openssl_is_signed_and_admitted(
    crossway_bin: Path, tmp_path: Path
) -> None:
    openssl = shutil.which("openssl")
    assert openssl, "the interop suite needs the openssl command (Debian: apt-get install openssl)"
    ca = make_certs(crossway_bin, tmp_path / "certs")
    device = tmp_path / "device"
    device.mkdir()
    run([
        openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", str(device / "device.key"), "-out", str(device / "device.csr"),
        "-subj", "/CN=sensor-7",
    ])
    run([
        str(crossway_bin), "certs", "sign", "--ca", str(ca.folder), "--csr",
        str(device / "device.csr"), "--days", "30", "--out", str(device / "device.pem"),
    ])
    text = run([openssl, "x509", "-in", str(device / "device.pem"), "-noout", "-text"])
    assert "TLS Web Client Authentication" in text and "CN = sensor-7" in text, text
    # The certificate holds the CSR's public key: the device's own key works with it.
    node = Node(
        crossway_bin,
        tmp_path,
        "mtls-node",
        [
            Endpoint(
                "devices",
                tls={
                    "certificate": "certs/server.pem",
                    "key": "certs/server.key",
                    "ca_certificates": ["certs/ca.pem"],
                },
                extra="    auth:\n      tls: { authid: common_name, role: device }\n",
            )
        ],
    )
    node.start()
    try:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cafile=str(ca.ca))
        ctx.load_cert_chain(str(device / "device.pem"), str(device / "device.key"))
        target = Target("websocket", port=node.port, tls=ctx, path="/ws")

        async def scenario() -> None:
            attempt = await authenticate(target, "realm1", "json", Credentials(["tls"]))
            assert attempt.joined, f"refused: {attempt.reason}\n{node.describe()}"
            d = attempt.details
            assert (d.authid, d.authrole, d.authmethod) == ("sensor-7", "device", "tls"), d
            await attempt.session.close()

        asyncio.run(scenario())
    finally:
        node.stop()


def test_certs_request_makes_a_key_that_never_leaves(crossway_bin: Path, tmp_path: Path) -> None:
    ca = make_certs(crossway_bin, tmp_path / "certs")
    run([
        str(crossway_bin), "certs", "request", "--key-out", str(tmp_path / "k.pem"),
        "--csr-out", str(tmp_path / "r.csr"), "--name", "pump-3",
    ])
    assert (tmp_path / "k.pem").stat().st_mode & 0o077 == 0, "the key is readable by others"
    pem = run([str(crossway_bin), "certs", "sign", "--ca", str(ca.folder), "--csr", str(tmp_path / "r.csr")])
    assert pem.startswith("-----BEGIN CERTIFICATE-----"), pem
    again = subprocess.run(
        [str(crossway_bin), "certs", "request", "--key-out", str(tmp_path / "k.pem"),
         "--csr-out", str(tmp_path / "r2.csr"), "--name", "pump-3"],
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert again.returncode == 1 and "not replacing a private key" in again.stderr, again


async def crossway_cli(crossway_bin: Path, *args: str) -> tuple[int, str, str]:
    """Runs `crossway ARGS...` (bounded in time); its exit status, stdout and stderr."""
    proc = await asyncio.create_subprocess_exec(
        str(crossway_bin),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await wait(proc.communicate(), f"crossway {args[0]} to exit")
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def test_cli_against_autobahn_peers(ops_node: Node, crossway_bin: Path) -> None:
    url = ops_node.url

    async def scenario() -> None:
        peer = await join(url, "realm1", "msgpack", "cli peer")
        _, inbox = await peer.subscribe_inbox("com.crossway.cli.in")

        def add(a: int, b: int, details: Any = None) -> int:
            return a + b

        def refuse(details: Any = None) -> None:
            raise ApplicationError("com.crossway.cli.refused", "no")

        await register(peer, add, "com.crossway.cli.add")
        await register(peer, refuse, "com.crossway.cli.refuse")

        # crossway pub -> an autobahn subscriber: arguments as JSON, strings otherwise.
        code, _, err = await crossway_cli(
            crossway_bin, "pub", url, "com.crossway.cli.in", "1", "two", "--kwargs", '{"k": null}'
        )
        assert code == 0, err
        event = await inbox.next("the CLI's event")
        assert list(event.args) == [1, "two"] and event.kwargs == {"k": None}, event

        # crossway call -> an autobahn callee: the result as a JSON line; its error exits 1.
        code, out, err = await crossway_cli(crossway_bin, "call", url, "com.crossway.cli.add", "2", "40")
        assert (code, json.loads(out)) == (0, {"args": [42], "kwargs": {}}), err
        code, out, err = await crossway_cli(crossway_bin, "call", url, "com.crossway.cli.refuse")
        assert (code, out) == (1, ""), err
        assert "com.crossway.cli.refused" in err, err

        # An autobahn publisher -> crossway sub --count 2, which says when it has subscribed.
        proc = await asyncio.create_subprocess_exec(
            str(crossway_bin), "sub", url, "com.crossway.cli.", "--match", "prefix", "--count", "2",
            "--serializer", "cbor",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert proc.stderr is not None and proc.stdout is not None
        line = await wait(proc.stderr.readline(), "crossway sub to subscribe")
        assert line.startswith(b"crossway sub: subscribed to"), line
        for i in range(2):
            await wait(
                peer.publish("com.crossway.cli.out", i, {"n": [i]}, options=PublishOptions(acknowledge=True)),
                "PUBLISHED",
            )
        out, _ = await wait(proc.communicate(), "crossway sub to exit after 2 events")
        assert proc.returncode == 0
        events = [json.loads(line) for line in out.decode().splitlines()]
        assert [(e["topic"], e["args"]) for e in events] == [
            ("com.crossway.cli.out", [0, {"n": [0]}]),
            ("com.crossway.cli.out", [1, {"n": [1]}]),
        ], events
        await peer.close()

    asyncio.run(scenario())


def run(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, f"{cmd} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout
