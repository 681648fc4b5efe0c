"""Start and stop a `crossway` node process for the interop tests.

The node cannot report the port it bound yet, so a free port is picked first (bind port 0, read it,
close it), written into the node's configuration, and the node is then polled until that port
accepts a TCP connection, for at most `READY_TIMEOUT` seconds.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# How long the node may take to start listening, and to stop after SIGTERM.
READY_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0

# Environment variables starting with this prefix are configuration overrides for the node: the
# tests never pass any on, so that a developer's shell cannot change what the tests run against.
NODE_ENV_PREFIX = "CROSSWAY_"

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def node_binary() -> Path:
    """The `crossway` binary under test: $XWAY_TEST_BIN, else target/debug/crossway."""
    configured = os.environ.get("XWAY_TEST_BIN")
    path = Path(configured) if configured else REPO_ROOT / "target" / "debug" / "crossway"
    if not path.is_file() or not os.access(path, os.X_OK):
        raise AssertionError(
            f"crossway binary not found or not executable: {path} "
            "(build it with `cargo build -p crossway-node`, or set XWAY_TEST_BIN)"
        )
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node_config(port: int, *, path: str = "/ws", log_level: str = "info") -> str:
    """A test node's YAML: realm1 (loose), strict1 (strict), one WebSocket endpoint."""
    return f"""\
log_level: {log_level}
realms:
  - name: realm1
  - name: strict1
    uri_check: strict
endpoints:
  - name: ws
    transport: websocket
    listen: 127.0.0.1:{port}
    path: {path}
    serializers: [json, cbor, msgpack]
    max_message_size: 1048576
"""


class Node:
    """One running `crossway` process with its config and log files in `workdir`."""

    def __init__(self, binary: Path, workdir: Path, name: str = "node") -> None:
        self.binary = binary
        self.workdir = workdir
        self.name = name
        self.port = free_port()
        self.path = "/ws"
        self.config_file = workdir / f"{name}.yaml"
        self.log_file = workdir / f"{name}.stderr.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The WebSocket URL of the node's endpoint."""
        return f"ws://127.0.0.1:{self.port}{self.path}"

    def start(self) -> None:
        """Writes the config, starts the node, and waits until its port accepts connections."""
        log_level = os.environ.get("XWAY_TEST_LOG", "info")
        self.config_file.write_text(node_config(self.port, path=self.path, log_level=log_level))
        env = {k: v for k, v in os.environ.items() if not k.startswith(NODE_ENV_PREFIX)}
        env["NO_COLOR"] = "1"
        with open(self.log_file, "wb") as log:
            self.proc = subprocess.Popen(
                [str(self.binary), "run", "--config", str(self.config_file)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                cwd=self.workdir,
                env=env,
            )
        self._wait_ready()

    def stderr(self) -> str:
        """Everything the node has logged so far."""
        try:
            return _ANSI.sub("", self.log_file.read_text(errors="replace"))
        except FileNotFoundError:
            return ""

    def describe(self, limit: int = 6000) -> str:
        """The node's log, for failure messages (the last `limit` characters)."""
        text = self.stderr()
        if len(text) > limit:
            text = "...\n" + text[-limit:]
        return (
            f"--- {self.name} stderr ({self.log_file}) ---\n{text}--- end of {self.name} stderr ---"
        )

    def send_sigterm(self) -> None:
        """Asks the node to shut down."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)

    def wait_exit(self, timeout: float = STOP_TIMEOUT) -> int:
        """Waits for the process to exit; fails (and kills it) if it does not within `timeout`."""
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)
            raise AssertionError(
                f"{self.name} did not exit within {timeout}s of SIGTERM\n{self.describe()}"
            ) from None

    def stop(self) -> None:
        """SIGTERM, then asserts exit code 0 and no panic in the log."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.send_sigterm()
        code = self.wait_exit()
        assert code == 0, f"{self.name} exited with {code} after SIGTERM\n{self.describe()}"
        self.assert_no_panic()

    def kill(self) -> None:
        """Ends the process whatever its state (cleanup after a failure)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)

    def assert_running(self) -> None:
        """Fails if the process has exited."""
        assert self.proc is not None
        code = self.proc.poll()
        assert code is None, f"{self.name} exited unexpectedly with {code}\n{self.describe()}"

    def assert_no_panic(self) -> None:
        """Fails if the node's log shows a Rust panic."""
        text = self.stderr()
        assert "panicked" not in text, f"{self.name} panicked\n{self.describe()}"

    def _wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            code = self.proc.poll()
            if code is not None:
                raise AssertionError(
                    f"{self.name} exited with {code} before listening on port {self.port}\n"
                    f"config:\n{self.config_file.read_text()}\n{self.describe()}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(
                    f"{self.name} did not accept connections on port {self.port} within "
                    f"{READY_TIMEOUT}s\n{self.describe()}"
                )
            time.sleep(0.05)
