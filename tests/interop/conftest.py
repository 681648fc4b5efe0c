"""Fixtures: the `crossway` binary, one node shared by the whole run, the transport node (an
endpoint of every kind, shared too), the serializer parameter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clients import SERIALIZER_NAMES
from endpoints import TransportNode
from node import Node, node_binary


@pytest.fixture(scope="session")
def crossway_bin() -> Path:
    """The binary under test; a missing binary fails the run (it is never a skip)."""
    return node_binary()


@pytest.fixture(scope="session")
def node(crossway_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """One node for every test that does not stop it; stopped with SIGTERM at the end (exit 0)."""
    n = Node(crossway_bin, tmp_path_factory.mktemp("node"), "shared-node")
    n.start()
    yield n
    n.stop()


@pytest.fixture
def live_node(node: Node) -> Iterator[Node]:
    """The shared node, checked to be alive (and not panicked) before and after each test."""
    node.assert_running()
    yield node
    node.assert_running()
    node.assert_no_panic()


@pytest.fixture(scope="session")
def transport_node(
    crossway_bin: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TransportNode]:
    """The node with WebSocket, TLS, RawSocket, Unix and universal endpoints (see endpoints.py);
    stopped with SIGTERM at the end (exit 0)."""
    tn = TransportNode.create(crossway_bin, tmp_path_factory.mktemp("transport-node"))
    tn.node.start()
    yield tn
    tn.node.stop()


@pytest.fixture
def live_transport(transport_node: TransportNode) -> Iterator[TransportNode]:
    """The transport node, checked to be alive (and not panicked) before and after each test."""
    transport_node.node.assert_running()
    yield transport_node
    transport_node.node.assert_running()
    transport_node.node.assert_no_panic()


@pytest.fixture
def own_node(crossway_bin: Path, tmp_path: Path) -> Iterator[Node]:
    """A node of the test's own, for tests that stop it."""
    n = Node(crossway_bin, tmp_path, "own-node")
    n.start()
    try:
        yield n
    finally:
        n.kill()


@pytest.fixture(params=SERIALIZER_NAMES)
def serializer(request: pytest.FixtureRequest) -> str:
    """Each WAMP serializer in turn: json, cbor, msgpack."""
    return request.param


def pytest_report_header(config: pytest.Config) -> str:
    try:
        return f"crossway binary: {node_binary()}"
    except AssertionError as e:
        return f"crossway binary: {e}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    """A failed test's report carries the tail of its node's log."""
    report = yield
    if report.when == "call" and report.failed:
        for name in ("live_node", "own_node", "live_transport"):
            n = getattr(item, "funcargs", {}).get(name)
            if isinstance(n, TransportNode):
                n = n.node
            if isinstance(n, Node):
                report.sections.append((f"{n.name} stderr", n.describe()))
    return report
