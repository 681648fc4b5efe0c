"""`crossway import-crossbar` on the configuration `crossbar init` writes (Crossbar.io 26.10.1,
kept in crates/node/tests/fixtures/crossbar/init.json), with its ports moved to free ones: the
command lists what it could not convert and exits 2, and autobahn-python clients then publish
and subscribe over the converted WebSocket and RawSocket endpoints of a node run on the result."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path

from autobahn.wamp.types import PublishOptions

from clients import Target, joined
from node import Endpoint, Node, free_port

FIXTURE = Path(__file__).resolve().parents[2] / "crates/node/tests/fixtures/crossbar/init.json"
TIMEOUT = 10.0


def test_a_crossbar_init_configuration_serves_autobahn_clients(
    crossway_bin: Path, tmp_path: Path
) -> None:
    config = json.loads(FIXTURE.read_text())
    ports: dict[str, int] = {}
    for transport in config["workers"][0]["transports"]:
        port = free_port()
        transport["endpoint"].update({"port": port, "interface": "127.0.0.1"})
        ports[transport["type"]] = port
    (tmp_path / "config.json").write_text(json.dumps(config))

    done = subprocess.run(
        [str(crossway_bin), "import-crossbar", str(tmp_path / "config.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert 'not converted: workers[0].transports[1].paths["/"]: a web path of type static' in done.stdout
    assert "configuration is valid: 1 realm, 2 endpoints" in done.stdout

    node = Node(
        crossway_bin,
        tmp_path,
        "config",
        [
            Endpoint("rawsocket", transport="rawsocket", port=ports["rawsocket"]),
            Endpoint("web", port=ports["web"]),
        ],
    )
    assert node.config_file == tmp_path / "config.yaml"
    node.launch()
    try:
        asyncio.run(round_trip(ports))
    finally:
        node.stop()
    node.assert_no_panic()


async def round_trip(ports: dict[str, int]) -> None:
    """A WebSocket subscriber gets what a RawSocket publisher sends, through the imported node."""
    ws = Target("websocket", port=ports["web"], path="/ws")
    rs = Target("rawsocket", port=ports["rawsocket"])
    async with joined(ws, "realm1", "json", "websocket subscriber") as sub:
        got: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        await sub.subscribe(lambda text: got.done() or got.set_result(text), "com.example.imported")
        async with joined(rs, "realm1", "msgpack", "rawsocket publisher") as pub:
            await pub.publish(
                "com.example.imported", "hello", options=PublishOptions(acknowledge=True)
            )
            assert await asyncio.wait_for(got, TIMEOUT) == "hello"
