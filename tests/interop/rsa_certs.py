"""An RSA server certificate, signed by the CA of a `crossway certs` run: `crossway certs` makes
ECDSA keys, and the ECDHE-RSA suites need an RSA key. Made with the `openssl` command (a Debian
package that .ci/run installs when missing)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from certs import CertSet

OPENSSL_TIMEOUT = 60.0


@dataclass(frozen=True)
class RsaServer:
    """`server.pem` and `server.key` of an RSA 2048 certificate for localhost and 127.0.0.1."""

    folder: Path

    @property
    def cert(self) -> Path:
        return self.folder / "server.pem"

    @property
    def key(self) -> Path:
        return self.folder / "server.key"


def _openssl(*args: str, cwd: Path) -> None:
    done = subprocess.run(
        ["openssl", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=OPENSSL_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, (
        f"openssl {' '.join(args)} exited with {done.returncode}\n"
        f"stderr: {done.stderr.decode(errors='replace')}"
    )


def make_rsa_server(ca: CertSet, folder: Path, days: int = 30) -> RsaServer:
    """An RSA 2048 server certificate in `folder`, issued by `ca`'s CA (`ca.pem`, `ca.key`)."""
    folder.mkdir(parents=True, exist_ok=True)
    ext = folder / "server.ext"
    ext.write_text(
        "basicConstraints=CA:FALSE\n"
        "keyUsage=digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
    )
    _openssl(
        "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key",
        "-subj", "/CN=localhost", "-out", "server.csr", cwd=folder,
    )
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", str(ca.ca), "-CAkey", str(ca.folder / "ca.key"),
        "-CAcreateserial", "-days", str(days), "-sha256", "-extfile", str(ext),
        "-out", "server.pem", cwd=folder,
    )
    return RsaServer(folder)
