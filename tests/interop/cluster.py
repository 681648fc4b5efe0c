"""Run a Crossway cluster on loopback for the interop tests: one `nats-server` and N nodes whose
`cluster:` block names it (see the README's "Cluster" section).

- `NatsServer` starts `nats-server` on a free port of 127.0.0.1, stops it, and starts it again on
  the same port (the nodes keep its URL), each step bounded in time.
- `ClusterNode` is a `Node` (node.py) with a WebSocket, a RawSocket and a ticket-authenticated
  WebSocket endpoint, a metrics listener, and the `cluster:` block (heartbeat_interval
  `HEARTBEAT_INTERVAL`, node_timeout `NODE_TIMEOUT`). It counts as started only once it has
  logged `CONNECTED` (it joined the cluster), not merely once its ports accept connections.
- `Cluster` is the NATS server and the nodes together.

A missing `nats-server` is an AssertionError naming the package (the run fails; never a skip).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from clients import Target
from node import STOP_TIMEOUT, Endpoint, Node, free_port

# The cluster block of every test node: heartbeats four times a second, a node silent for two
# seconds is gone.
HEARTBEAT_INTERVAL = 0.25
NODE_TIMEOUT = 2.0

# How long nats-server may take to listen, and a node to log that it joined the cluster.
NATS_READY_TIMEOUT = 10.0
CLUSTER_JOIN_TIMEOUT = 10.0
# How many times a node is started on fresh ports when one it was given is taken meanwhile.
PORT_ATTEMPTS = 3

# What a node logs (case-sensitive substrings of its log lines).
CONNECTED = "cluster: connected to NATS"
LOST = "cluster: NATS connection lost"
RESTORED = "cluster: NATS connection restored"

# The tickets of the `auth` endpoint's principals: authid -> (ticket, role). Each role names a
# kind of session the tests pick out with exclude/eligible by authid and authrole; `counted` is
# used by the session-count test alone, so that its counts are exact on a shared cluster.
PRINCIPALS = {
    "alice": ("alice-ticket", "alpha"),
    "bob": ("bob-ticket", "beta"),
    "carol": ("carol-ticket", "alpha"),
    "dora": ("dora-ticket", "counted"),
}

CLUSTER_REALMS = """\
realms:
  - name: realm1
"""


def nats_binary() -> Path:
    """The `nats-server` binary: $XWAY_NATS_SERVER, else the one on PATH or in /usr/sbin (where
    Debian's package puts it). Missing, the test fails saying how to install it."""
    configured = os.environ.get("XWAY_NATS_SERVER")
    found = configured or shutil.which("nats-server") or "/usr/sbin/nats-server"
    path = Path(found).resolve()
    if not path.is_file() or not os.access(path, os.X_OK):
        raise AssertionError(
            f"nats-server not found or not executable: {path}; the cluster tests need it "
            "(on Debian: apt-get install nats-server; or set XWAY_NATS_SERVER)"
        )
    return path


def _accepts(port: int) -> bool:
    """Whether 127.0.0.1:`port` accepts a TCP connection now (closed again at once)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class NatsServer:
    """One `nats-server` process on 127.0.0.1, its port kept across restarts."""

    def __init__(self, workdir: Path, name: str = "nats", args: list[str] | None = None) -> None:
        self.binary = nats_binary()
        self.workdir = workdir
        self.name = name
        # More of the command line: authentication (--auth, --user, --pass), TLS (--tls...).
        self.args = list(args or [])
        self.port = free_port()
        self.log_file = workdir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        """The URL nodes name in `cluster.nats.servers` (tls:// when the server runs TLS)."""
        scheme = "tls" if any(a.startswith("--tls") for a in self.args) else "nats"
        return f"{scheme}://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Starts the server and waits (at most NATS_READY_TIMEOUT) until its port accepts
        connections. The log of every start is kept, one after the other."""
        assert self.proc is None or self.proc.poll() is not None, f"{self.name} is running"
        self.starts += 1
        with open(self.log_file, "ab") as log:
            log.write(f"--- start {self.starts} on port {self.port} ---\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [str(self.binary), "-a", "127.0.0.1", "-p", str(self.port), *self.args],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                cwd=self.workdir,
            )
        deadline = time.monotonic() + NATS_READY_TIMEOUT
        while not _accepts(self.port):
            code = self.proc.poll()
            if code is not None:
                raise AssertionError(
                    f"{self.name} exited with {code} before listening on {self.port}\n"
                    f"{self.describe()}"
                )
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(
                    f"{self.name} did not listen on {self.port} within {NATS_READY_TIMEOUT}s\n"
                    f"{self.describe()}"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM, and waits for the exit (killed after STOP_TIMEOUT) and for the port to
        close."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(
                f"{self.name} did not exit within {STOP_TIMEOUT}s of SIGTERM\n{self.describe()}"
            ) from None
        deadline = time.monotonic() + STOP_TIMEOUT
        while _accepts(self.port):
            assert time.monotonic() < deadline, f"port {self.port} still open after {self.name}"
            time.sleep(0.05)

    def restart(self) -> None:
        """`stop`, then `start` on the same port."""
        self.stop()
        self.start()

    def kill(self) -> None:
        """Ends the process whatever its state (cleanup after a failure)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)

    def assert_running(self) -> None:
        assert self.proc is not None
        code = self.proc.poll()
        assert code is None, f"{self.name} exited unexpectedly with {code}\n{self.describe()}"

    def describe(self, limit: int = 4000) -> str:
        """The server's log, for failure messages (the last `limit` characters)."""
        try:
            text = self.log_file.read_text(errors="replace")
        except FileNotFoundError:
            text = ""
        if len(text) > limit:
            text = "...\n" + text[-limit:]
        return f"--- {self.name} log ({self.log_file}) ---\n{text}--- end of {self.name} log ---"


def cluster_yaml(node: str, servers: list[str], extra: str = "", nats_extra: str = "") -> str:
    """The top-level `cluster:` block of node `node`; `extra` adds keys to it (2-space
    indented), `nats_extra` to its `nats` block (4-space indented: token, user, tls, ...)."""
    listed = ", ".join(servers)
    text = (
        "cluster:\n"
        f"  node: {node}\n"
        "  nats:\n"
        f"    servers: [{listed}]\n"
        f"{nats_extra}"
        f"  heartbeat_interval: {HEARTBEAT_INTERVAL}\n"
        f"  node_timeout: {NODE_TIMEOUT:g}\n"
    )
    return text + extra


def _ticket_auth_yaml() -> str:
    lines = ["    auth:", "      ticket:", "        principals:"]
    for authid, (ticket, role) in PRINCIPALS.items():
        lines.append(f'          {authid}: {{ ticket: "{ticket}", role: {role} }}')
    return "\n".join(lines) + "\n"


class ClusterNode(Node):
    """A node of a test cluster: endpoints `ws` (WebSocket), `rs` (RawSocket) and `auth`
    (WebSocket, ticket authentication of `PRINCIPALS`), metrics on `metrics_port`, and the
    `cluster:` block naming the NATS servers."""

    def __init__(
        self,
        binary: Path,
        workdir: Path,
        name: str,
        nats_urls: list[str],
        *,
        realms: str = CLUSTER_REALMS,
        cluster_extra: str = "",
        nats_extra: str = "",
    ) -> None:
        endpoints = [
            Endpoint("ws"),
            Endpoint("rs", transport="rawsocket"),
            Endpoint("auth", extra=_ticket_auth_yaml()),
        ]
        self.cluster_block = cluster_yaml(name, nats_urls, cluster_extra, nats_extra)
        super().__init__(binary, workdir, name, endpoints, realms=realms)
        self.metrics_port = 0
        # Whether starting waits until the node has joined the cluster (not for a node started
        # while NATS is away).
        self.wait_joined = True
        self._pick_ports()

    def _pick_ports(self) -> None:
        """Free ports for every endpoint and the metrics listener, written into the config."""
        for e in self.endpoints:
            e.port = free_port()
        self.port = self.endpoints[0].port
        self.metrics_port = free_port()
        metrics = f"metrics:\n  listen: 127.0.0.1:{self.metrics_port}\n"
        self.extra = metrics + self.cluster_block

    def start(self) -> None:
        """Starts the node on ports picked just now. A port picked free can be taken before the
        node binds it (by an outgoing connection of another node, whose ephemeral ports come
        from the same range): then the node is started again on other ports, at most
        `PORT_ATTEMPTS` times."""
        for attempt in range(PORT_ATTEMPTS):
            if attempt > 0:
                self._pick_ports()
            try:
                super().start()
                return
            except AssertionError:
                if attempt + 1 == PORT_ATTEMPTS or "Address already in use" not in self.stderr():
                    raise

    def launch(self) -> None:
        """Starts the node (node.py: until every endpoint accepts connections), then waits until
        it logs that it joined the cluster."""
        super().launch()
        if not self.wait_joined:
            return
        try:
            self.wait_for_log(CONNECTED, CLUSTER_JOIN_TIMEOUT)
        except AssertionError:
            self.kill()
            raise

    def target(self, kind: str = "ws") -> Target:
        """Where a client connects: `ws`, `rs` or `auth` (the endpoint of that name)."""
        e = self.endpoint(kind)
        if e.transport == "rawsocket":
            return Target("rawsocket", port=e.port)
        return Target("websocket", port=e.port, path=e.path)

    def sigkill(self) -> None:
        """SIGKILL: the node dies without a word to anyone."""
        assert self.proc is not None and self.proc.poll() is None, f"{self.name} is not running"
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=STOP_TIMEOUT)

    def log_mark(self) -> int:
        """Where the log ends now, for `wait_for_log_after`."""
        return len(self.stderr())

    def wait_for_log_after(self, mark: int, text: str, timeout: float) -> list[str]:
        """The log lines after `mark` that contain `text`, once there is one; fails after
        `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            lines = [line for line in self.stderr()[mark:].splitlines() if text in line]
            if lines:
                return lines
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.name} did not log {text!r} within {timeout}s\n{self.describe()}"
                )
            time.sleep(0.05)


class Cluster:
    """A NATS server and the nodes `names` (each in its own folder under `workdir`)."""

    def __init__(
        self,
        binary: Path,
        workdir: Path,
        names: tuple[str, ...] = ("a", "b", "c"),
        *,
        nats_args: list[str] | None = None,
        nats_extra: str = "",
        cluster_extra: str = "",
        realms: str = CLUSTER_REALMS,
    ) -> None:
        """`nats_args` go to nats-server's command line, `nats_extra` into every node's
        `cluster.nats` block, `cluster_extra` into its `cluster` block (see `cluster_yaml`),
        `realms` is every node's `realms` block."""
        self.workdir = workdir
        nats_dir = workdir / "nats"
        nats_dir.mkdir(parents=True, exist_ok=True)
        self.nats = NatsServer(nats_dir, args=nats_args)
        self.nodes: dict[str, ClusterNode] = {}
        for name in names:
            folder = workdir / f"node-{name}"
            folder.mkdir(parents=True, exist_ok=True)
            self.nodes[name] = ClusterNode(
                binary,
                folder,
                f"node-{name}",
                [self.nats.url],
                cluster_extra=cluster_extra,
                nats_extra=nats_extra,
                realms=realms,
            )

    def __getitem__(self, name: str) -> ClusterNode:
        return self.nodes[name]

    def start(self) -> None:
        """NATS, then every node (each one joined before the next starts); on a failure
        everything started is killed."""
        try:
            self.nats.start()
            for node in self.nodes.values():
                node.start()
        except BaseException:
            self.kill()
            raise

    def stop(self) -> None:
        """Every node that is still running with SIGTERM (exit 0, no panic), then NATS."""
        try:
            for node in self.nodes.values():
                if node.proc is not None and node.proc.poll() is None:
                    node.stop()
        finally:
            self.kill()

    def kill(self) -> None:
        """Ends every process whatever its state."""
        for node in self.nodes.values():
            node.kill()
        self.nats.kill()

    def assert_running(self) -> None:
        """Every node and the NATS server are alive, and no node panicked."""
        self.nats.assert_running()
        for node in self.nodes.values():
            node.assert_running()
            node.assert_no_panic()

    def describe(self) -> str:
        """Every log, for failure reports."""
        parts = [node.describe() for node in self.nodes.values()]
        parts.append(self.nats.describe())
        return "\n".join(parts)
