"""`crossway import-crossbar` on the configuration `crossbar init` writes (Crossbar.io 26.10.1,
kept in crates/node/tests/fixtures/crossbar/init.json) in the folders `crossbar init` makes
(.crossbar/config.json beside web/), with its ports moved to free ones: the command lists what
it could not convert and exits 2, the node run on the result serves the web folder, and
autobahn-python clients publish and subscribe over the converted WebSocket and RawSocket
endpoints."""

from __future__ import annotations

import asyncio
import json
import subprocess
import urllib.request
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
    node_folder = tmp_path / ".crossbar"
    node_folder.mkdir()
    (node_folder / "config.json").write_text(json.dumps(config))
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "index.html").write_text("<h1>hello from crossbar init</h1>")

    done = subprocess.run(
        [str(crossway_bin), "import-crossbar", str(node_folder / "config.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "not converted: workers[0].transports[1].paths.info" in done.stdout
    assert "not converted: workers[0].transports[1].paths[\"/\"]" not in done.stdout
    assert "configuration is valid: 1 realm, 2 endpoints" in done.stdout

    node = Node(
        crossway_bin,
        node_folder,
        "config",
        [
            Endpoint("rawsocket", transport="rawsocket", port=ports["rawsocket"]),
            Endpoint("web", port=ports["web"]),
        ],
    )
    assert node.config_file == node_folder / "config.yaml"
    node.launch()
    try:
        url = f"http://127.0.0.1:{ports['web']}/"
        with urllib.request.urlopen(url, timeout=TIMEOUT) as page:
            assert page.status == 200
            assert page.read() == b"<h1>hello from crossbar init</h1>"
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
