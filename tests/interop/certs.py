"""Development certificates made by `crossway certs`, and client TLS contexts built on them.

`crossway certs --out DIR` writes a CA (ca.pem, ca.key), a server certificate for localhost and
127.0.0.1 (server.pem, server.key) and a client certificate (client.pem, client.key, CN
crossway-dev-client). A second run into another folder gives a CA the endpoints do not list.
"""

from __future__ import annotations

import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

CERTS_TIMEOUT = 30.0


@dataclass(frozen=True)
class CertSet:
    """The six files of one `crossway certs` run."""

    folder: Path

    @property
    def ca(self) -> Path:
        return self.folder / "ca.pem"

    @property
    def server_cert(self) -> Path:
        return self.folder / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.folder / "server.key"

    @property
    def client_cert(self) -> Path:
        return self.folder / "client.pem"

    @property
    def client_key(self) -> Path:
        return self.folder / "client.key"


def make_certs(binary: Path, folder: Path) -> CertSet:
    """Runs `crossway certs --out folder`; fails with its output if it does not succeed."""
    done = subprocess.run(
        [str(binary), "certs", "--out", str(folder)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=CERTS_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, (
        f"`crossway certs --out {folder}` exited with {done.returncode}\n"
        f"stdout: {done.stdout.decode(errors='replace')}\n"
        f"stderr: {done.stderr.decode(errors='replace')}"
    )
    certs = CertSet(folder)
    for f in (certs.ca, certs.server_cert, certs.server_key, certs.client_cert, certs.client_key):
        assert f.is_file(), f"`crossway certs` did not write {f}"
    return certs


def client_context(
    trust: CertSet,
    identity: CertSet | None = None,
    *,
    max_version: ssl.TLSVersion | None = None,
) -> ssl.SSLContext:
    """A client context that verifies the server against `trust`'s CA (host name checked) and,
    when `identity` is given, presents `identity`'s client certificate."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(cafile=str(trust.ca))
    if identity is not None:
        ctx.load_cert_chain(str(identity.client_cert), str(identity.client_key))
    if max_version is not None:
        ctx.maximum_version = max_version
    return ctx
