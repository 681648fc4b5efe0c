"""The transport node: one node with an endpoint of each kind (WebSocket, TLS with and without
client certificates, RawSocket over TCP, TLS and a Unix socket, universal), and the client
`Target`s that reach them.

Certificate files live in the node's folder (`certs/`, made by `crossway certs`) and the config
names them relative to it, as an operator would. `other-ca/` is a second `crossway certs` run: a
CA that no endpoint lists.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Literal

from certs import CertSet, client_context, make_certs
from clients import Target
from node import Endpoint, Node

UNIX_SOCKET = "rs.sock"
UNIX_MODE = 0o660
# The only cipher suite of the `wss13` endpoint: not the first choice of rustls or OpenSSL, so
# seeing it negotiated shows the setting took effect.
WSS13_CIPHER = "TLS13_CHACHA20_POLY1305_SHA256"
WSS13_CIPHER_OPENSSL = "TLS_CHACHA20_POLY1305_SHA256"

_SERVER = {"certificate": "certs/server.pem", "key": "certs/server.key"}
_MUTUAL = {**_SERVER, "ca_certificates": ["certs/ca.pem"]}


def transport_endpoints() -> list[Endpoint]:
    """The transport node's endpoints; `ws` first (so `Node.url` is the plain WebSocket one)."""
    return [
        Endpoint("ws"),
        Endpoint("wss", tls=dict(_MUTUAL)),
        Endpoint("wss_optional", tls={**_MUTUAL, "client_auth": "optional"}),
        Endpoint("wss13", tls={**_SERVER, "min_version": "1.3", "ciphers": [WSS13_CIPHER]}),
        Endpoint("rs", transport="rawsocket"),
        Endpoint("rss", transport="rawsocket", tls=dict(_MUTUAL)),
        Endpoint("unix", transport="rawsocket", unix=UNIX_SOCKET, unix_mode=f"{UNIX_MODE:04o}"),
        Endpoint("universal", transport="universal"),
    ]


class TransportNode:
    """A started transport node with its certificates."""

    def __init__(self, node: Node, certs: CertSet, other: CertSet) -> None:
        self.node = node
        self.certs = certs
        self.other = other

    @classmethod
    def create(cls, binary: Path, workdir: Path) -> TransportNode:
        """Makes the certificates and the node (not started)."""
        certs = make_certs(binary, workdir / "certs")
        other = make_certs(binary, workdir / "other-ca")
        node = Node(binary, workdir, "transport-node", transport_endpoints())
        return cls(node, certs, other)

    def target(
        self,
        endpoint: str,
        framing: str | None = None,
        *,
        client: CertSet | None | Literal["own"] = "own",
        max_version: ssl.TLSVersion | None = None,
    ) -> Target:
        """A client target for `endpoint`. `framing` is needed only for the universal endpoint.
        On a TLS endpoint the client trusts the node's CA and presents `client`'s certificate:
        by default the one the node's CA issued, None for no certificate."""
        e = self.node.endpoint(endpoint)
        if framing is None:
            assert e.transport != "universal", "say which framing to use on a universal endpoint"
            framing = e.transport
        tls = None
        if e.tls is not None:
            identity = self.certs if client == "own" else client
            tls = client_context(self.certs, identity, max_version=max_version)
        if e.unix is not None:
            return Target(framing, unix=self.node.unix_path(endpoint))
        return Target(framing, port=e.port, tls=tls, path=e.path)
