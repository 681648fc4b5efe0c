"""autobahn-python sessions that authenticate: ticket, WAMP-CRA (salted too), cryptosign, tls.

`AuthClient` says HELLO with the methods of its `Credentials` and answers the router's CHALLENGE
the way autobahn's own components do (`auth.compute_wcs`, `auth.derive_key`, `CryptosignKey`).
`authenticate` returns once WELCOME or ABORT has arrived, with the time that took.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from autobahn.wamp import auth
from autobahn.wamp.cryptosign import CryptosignKey
from autobahn.wamp.types import Challenge, ComponentConfig

from clients import Client, Target, connect, wait


@dataclass
class Credentials:
    """What a client offers: methods in order, an authid, and the secret each method needs."""

    methods: list[str]
    authid: str | None = None
    ticket: str | None = None
    secret: str | None = None
    key: CryptosignKey | None = None
    authextra: dict[str, Any] = field(default_factory=dict)


def cryptosign_key(seed: bytes) -> CryptosignKey:
    """An Ed25519 key from a 32-byte seed."""
    return CryptosignKey.from_bytes(seed)


class AuthClient(Client):
    """A Client that joins with `credentials` and records the CHALLENGE it was sent."""

    def __init__(self, config: ComponentConfig, label: str, credentials: Credentials) -> None:
        super().__init__(config, label)
        self.credentials = credentials
        self.challenges: list[Challenge] = []

    def onConnect(self) -> None:  # noqa: N802 (autobahn's name)
        c = self.credentials
        extra = dict(c.authextra)
        if c.key is not None and "cryptosign" in c.methods:
            extra.setdefault("pubkey", c.key.public_key(binary=False))
        self.join(
            self.config.realm,
            authmethods=c.methods,
            authid=c.authid,
            authextra=extra or None,
        )

    def onChallenge(self, challenge: Challenge) -> Any:  # noqa: N802
        self.challenges.append(challenge)
        c = self.credentials
        if challenge.method == "ticket":
            assert c.ticket is not None, "challenged for a ticket"
            return c.ticket
        if challenge.method == "wampcra":
            assert c.secret is not None, "challenged for WAMP-CRA"
            key: str | bytes = c.secret
            if "salt" in challenge.extra:
                key = auth.derive_key(
                    c.secret,
                    challenge.extra["salt"],
                    challenge.extra.get("iterations", 1000),
                    challenge.extra.get("keylen", 32),
                )
            return auth.compute_wcs(key, challenge.extra["challenge"]).decode("ascii")
        if challenge.method == "cryptosign":
            assert c.key is not None, "challenged for cryptosign"
            return c.key.sign_challenge(challenge)
        raise AssertionError(f"unexpected challenge {challenge.method}")


@dataclass
class Attempt:
    """How one authentication ended: the session (joined or not) and how long it took."""

    session: AuthClient
    seconds: float

    @property
    def joined(self) -> bool:
        return self.session.joined.done()

    @property
    def reason(self) -> str | None:
        """The ABORT's reason, if the router refused the session."""
        if self.session.left.done() and not self.joined:
            return str(self.session.left.result().reason)
        return None

    @property
    def details(self) -> Any:
        """The SessionDetails of a joined session."""
        return self.session.joined.result()


async def authenticate(
    target: Target,
    realm: str,
    serializer: str,
    credentials: Credentials,
    label: str | None = None,
    timeout: float = 10.0,
) -> Attempt:
    """Connects, authenticates, and returns once WELCOME or ABORT has arrived (a joined session
    stays open: close it)."""
    label = label or f"{'/'.join(credentials.methods)} {credentials.authid} ({serializer})"
    session = AuthClient(ComponentConfig(realm=realm), label, credentials)
    start = time.monotonic()
    await connect(target, session, serializer)
    await wait(
        asyncio.wait({session.joined, session.left}, return_when=asyncio.FIRST_COMPLETED),
        f"WELCOME or ABORT ({label})",
        timeout,
    )
    return Attempt(session, time.monotonic() - start)
