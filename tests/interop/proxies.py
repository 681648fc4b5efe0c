"""Real reverse proxies in front of a test node: HAProxy (TCP mode, `send-proxy-v2` or
`send-proxy`) and nginx (terminating TLS, proxying WebSocket with X-Forwarded-For), each run from
its Debian package as a subprocess with its config in the test's folder, on free ports.

A missing proxy binary fails the test with what to install: these tests are never skipped.
Every wait is bounded; `stop()` always ends the process.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from node import free_port

READY_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0

_SBIN = (Path("/usr/sbin"), Path("/usr/local/sbin"))


def proxy_binary(name: str) -> str:
    """The path of `name` (haproxy, nginx); fails, naming the Debian package, if missing."""
    found = shutil.which(name)
    if found is None:
        for folder in _SBIN:
            candidate = folder / name
            if candidate.is_file():
                found = str(candidate)
                break
    if found is None:
        raise AssertionError(
            f"{name} is not installed: the proxy tests run a real {name} "
            f"(on Debian: apt-get install -y {name}; .ci/run installs it)"
        )
    return found


class _Proxy:
    """A proxy process with its config, log and ports in `workdir`."""

    name = "proxy"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.log_file = workdir / f"{self.name}.log"
        self.ports: list[int] = []
        self.proc: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        """Starts the proxy and waits until each of its ports accepts a connection."""
        with open(self.log_file, "wb") as log:
            self.proc = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                cwd=self.workdir,
            )
        deadline = time.monotonic() + READY_TIMEOUT
        for port in self.ports:
            while not _accepts(port):
                code = self.proc.poll()
                if code is not None or time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(
                        f"{self.name} did not listen on 127.0.0.1:{port} "
                        f"(exit code {code})\n{self.describe()}"
                    )
                time.sleep(0.05)

    def stop(self) -> None:
        """Ends the proxy (SIGTERM, then SIGKILL)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)

    def describe(self) -> str:
        """The proxy's config and log, for failure messages."""
        try:
            log = self.log_file.read_text(errors="replace")
        except FileNotFoundError:
            log = ""
        return f"--- {self.name} log ---\n{log}--- end of {self.name} log ---"


class HAProxy(_Proxy):
    """HAProxy in TCP mode: one frontend per backend port, each sending a PROXY header
    (`send-proxy-v2` for version 2, `send-proxy` for version 1) to the node."""

    name = "haproxy"

    def __init__(self, workdir: Path, backends: dict[str, tuple[int, int]]) -> None:
        """`backends`: name -> (node port, PROXY version 1 or 2). `port(name)` is where clients
        connect for it."""
        super().__init__(workdir)
        self.front: dict[str, int] = {}
        sections = []
        for name, (node_port, version) in backends.items():
            front = free_port()
            self.front[name] = front
            self.ports.append(front)
            send = "send-proxy-v2" if version == 2 else "send-proxy"
            sections.append(
                f"frontend fe_{name}\n"
                f"    bind 127.0.0.1:{front}\n"
                f"    default_backend be_{name}\n"
                f"backend be_{name}\n"
                f"    server node 127.0.0.1:{node_port} {send}\n"
            )
        self.config = workdir / "haproxy.cfg"
        self.config.write_text(
            "global\n"
            "    maxconn 256\n"
            "defaults\n"
            "    mode tcp\n"
            "    timeout connect 5s\n"
            "    timeout client 60s\n"
            "    timeout server 60s\n" + "".join(sections)
        )

    def port(self, name: str) -> int:
        return self.front[name]

    def command(self) -> list[str]:
        # -db: stay in the foreground, no daemon.
        return [proxy_binary("haproxy"), "-db", "-f", str(self.config)]


class Nginx(_Proxy):
    """nginx terminating TLS on `port` and proxying WebSocket requests for `/ws` to the node's
    plain endpoint, with X-Forwarded-For (appended), X-Forwarded-Proto, Upgrade and Connection;
    a `Forwarded` header from the client is removed (the node would refuse to choose)."""

    name = "nginx"

    def __init__(self, workdir: Path, node_port: int, cert: Path, key: Path) -> None:
        super().__init__(workdir)
        self.port = free_port()
        self.ports.append(self.port)
        for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (workdir / "nginx-temp" / folder).mkdir(parents=True, exist_ok=True)
        temp = workdir / "nginx-temp"
        self.config = workdir / "nginx.conf"
        self.config.write_text(
            f"""\
daemon off;
master_process on;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {self.log_file} warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {temp}/client_body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    server {{
        listen 127.0.0.1:{self.port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location /ws {{
            proxy_pass http://127.0.0.1:{node_port};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Forwarded "";
            proxy_read_timeout 60s;
        }}
    }}
}}
"""
        )

    def command(self) -> list[str]:
        return [
            proxy_binary("nginx"),
            "-p",
            str(self.workdir),
            "-e",
            str(self.log_file),
            "-c",
            str(self.config),
        ]


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False
