"""Start and stop a `crossway` node process for the interop tests.

The node cannot report the port it bound yet, so a free port is picked first (bind port 0, read it,
close it) for each TCP endpoint, written into the node's configuration, and the node is then polled
until every endpoint (TCP port or Unix socket) accepts a connection, for at most `READY_TIMEOUT`
seconds.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    # Resolved: the node runs in its own folder, where a relative path would not name it.
    path = Path(configured).resolve() if configured else REPO_ROOT / "target" / "debug" / "crossway"
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


REALMS_YAML = """\
realms:
  - name: realm1
  - name: strict1
    uri_check: strict
"""


@dataclass
class Endpoint:
    """One endpoint of a test node, as written into its YAML.

    A TCP endpoint gets a free port when the node is created; a Unix one (`unix` set) listens on
    that path, relative to the node's folder (the config file's folder, as the node resolves it).
    `tls` is the endpoint's `tls` block as a mapping (file names relative to the folder too).
    """

    name: str
    transport: str = "websocket"
    path: str = "/ws"
    unix: str | None = None
    unix_mode: str | None = None
    tls: dict[str, Any] | None = None
    max_message_size: int = 1048576
    port: int = field(default=0)
    # More of the endpoint's YAML (an `auth` block, ...), indented as an endpoint's keys (4 spaces).
    extra: str = ""

    def yaml(self) -> str:
        listen = f"unix:{self.unix}" if self.unix else f"127.0.0.1:{self.port}"
        lines = [
            f"  - name: {self.name}",
            f"    transport: {self.transport}",
            f"    listen: {listen}",
            "    serializers: [json, cbor, msgpack]",
            f"    max_message_size: {self.max_message_size}",
        ]
        if self.transport != "rawsocket":
            lines.append(f"    path: {self.path}")
        if self.unix_mode is not None:
            lines.append(f'    unix_mode: "{self.unix_mode}"')
        if self.tls is not None:
            lines.append("    tls:")
            for key, value in self.tls.items():
                lines.append(f"      {key}: {_yaml_scalar_or_list(value)}")
        text = "\n".join(lines) + "\n"
        if self.extra:
            text += self.extra.rstrip("\n") + "\n"
        return text


def node_config(
    endpoints: list[Endpoint],
    *,
    log_level: str = "info",
    realms: str = REALMS_YAML,
    extra: str = "",
) -> str:
    """A test node's YAML: `realms` (by default realm1, loose, and strict1, strict), `endpoints`,
    and `extra` top-level YAML (a `limits` block, ...)."""
    body = "".join(e.yaml() for e in endpoints)
    return f"log_level: {log_level}\n{realms}endpoints:\n{body}{extra}"


def _yaml_scalar_or_list(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return f'"{value}"'


class Node:
    """One running `crossway` process with its config and log files in `workdir`."""

    def __init__(
        self,
        binary: Path,
        workdir: Path,
        name: str = "node",
        endpoints: list[Endpoint] | None = None,
        *,
        realms: str = REALMS_YAML,
        extra: str = "",
        env: dict[str, str] | None = None,
    ) -> None:
        self.binary = binary
        self.realms = realms
        self.extra = extra
        # Environment variables for the node (secrets named as ${VAR} in its config).
        self.env = dict(env or {})
        self.workdir = workdir
        self.name = name
        self.endpoints = endpoints if endpoints is not None else [Endpoint("ws")]
        for e in self.endpoints:
            if e.unix is None and e.port == 0:
                e.port = free_port()
        first = self.endpoints[0]
        self.port = first.port
        self.path = first.path
        self.config_file = workdir / f"{name}.yaml"
        self.log_file = workdir / f"{name}.stderr.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The WebSocket URL of the node's first endpoint."""
        return f"ws://127.0.0.1:{self.port}{self.path}"

    def endpoint(self, name: str) -> Endpoint:
        """The endpoint called `name`."""
        for e in self.endpoints:
            if e.name == name:
                return e
        raise KeyError(f"{self.name} has no endpoint {name!r}")

    def unix_path(self, name: str) -> Path:
        """The socket file of the Unix endpoint called `name`."""
        e = self.endpoint(name)
        assert e.unix is not None, f"endpoint {name} is not a Unix socket"
        return self.workdir / e.unix

    def start(self) -> None:
        """Writes the config, starts the node, and waits until its port accepts connections."""
        log_level = os.environ.get("XWAY_TEST_LOG", "info")
        self.config_file.write_text(
            node_config(self.endpoints, log_level=log_level, realms=self.realms, extra=self.extra)
        )
        self.launch()

    def launch(self) -> None:
        """Starts the node on `config_file` as it is (written by `start`, or by the test), and
        waits until every endpoint in `endpoints` accepts connections."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(NODE_ENV_PREFIX)}
        env.update(self.env)
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

    def wait_for_log(self, text: str, timeout: float = READY_TIMEOUT) -> list[str]:
        """The log lines that contain `text`, once there is one; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            lines = [line for line in self.stderr().splitlines() if text in line]
            if lines:
                return lines
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name} never logged {text!r}\n{self.describe()}")
            time.sleep(0.05)

    def assert_no_panic(self) -> None:
        """Fails if the node's log shows a Rust panic."""
        text = self.stderr()
        assert "panicked" not in text, f"{self.name} panicked\n{self.describe()}"

    def _wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + READY_TIMEOUT
        waiting = list(self.endpoints)
        while waiting:
            code = self.proc.poll()
            if code is not None:
                raise AssertionError(
                    f"{self.name} exited with {code} before listening on {waiting[0].name}\n"
                    f"config:\n{self.config_file.read_text()}\n{self.describe()}"
                )
            if self._accepts(waiting[0]):
                waiting.pop(0)
                continue
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(
                    f"{self.name} did not accept connections on endpoint {waiting[0].name} within "
                    f"{READY_TIMEOUT}s\n{self.describe()}"
                )
            time.sleep(0.05)

    def _accepts(self, e: Endpoint) -> bool:
        """Whether endpoint `e` accepts a connection now (closed again at once)."""
        try:
            if e.unix is not None:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.settimeout(0.5)
                    s.connect(str(self.workdir / e.unix))
            else:
                with socket.create_connection(("127.0.0.1", e.port), timeout=0.5):
                    pass
            return True
        except OSError:
            return False
