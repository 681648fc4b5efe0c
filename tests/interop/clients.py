"""autobahn-python sessions for the interop tests, with every wait bounded.

`open_session` connects one `ApplicationSession` with exactly one serializer, over WebSocket or
RawSocket (TCP, TLS or a Unix socket, see `Target`), and returns once the router has answered HELLO
(WELCOME or ABORT). The session records what autobahn reports (WELCOME, join, leave, disconnect,
WebSocket auto-pongs) in futures and queues that the tests await with a timeout.
`try_session` is for connections the router should refuse: it reports how far a client got.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import txaio

txaio.use_asyncio()

from autobahn.asyncio.rawsocket import WampRawSocketClientFactory  # noqa: E402
from autobahn.asyncio.wamp import ApplicationSession  # noqa: E402
from autobahn.asyncio.websocket import (  # noqa: E402
    WampWebSocketClientFactory,
    WampWebSocketClientProtocol,
)
from autobahn.wamp import message  # noqa: E402
from autobahn.wamp.request import UnsubscribeRequest  # noqa: E402
from autobahn.wamp.serializer import (  # noqa: E402
    CBORSerializer,
    JsonSerializer,
    MsgPackSerializer,
)
from autobahn.wamp.types import (  # noqa: E402
    CloseDetails,
    ComponentConfig,
    EventDetails,
    SessionDetails,
    SubscribeOptions,
)

SERIALIZERS = {"json": JsonSerializer, "cbor": CBORSerializer, "msgpack": MsgPackSerializer}
SERIALIZER_NAMES = list(SERIALIZERS)

# Every wait in the suite: long enough for a slow CI machine, short enough to fail fast.
TIMEOUT = 5.0

T = TypeVar("T")

# Makes the session object of `open_session` (a Client subclass that records more, for instance).
SessionFactory = Callable[[ComponentConfig, str], "Client"]


async def wait(aw: Awaitable[T], what: str, timeout: float = TIMEOUT) -> T:
    """Awaits `aw` for at most `timeout` seconds; a timeout is an AssertionError naming `what`."""
    try:
        return await asyncio.wait_for(aw, timeout)
    except asyncio.TimeoutError:
        raise AssertionError(f"timed out after {timeout}s waiting for {what}") from None


class Event:
    """One received EVENT."""

    def __init__(self, args: tuple[Any, ...], kwargs: dict[str, Any], details: EventDetails):
        self.args = list(args)
        self.kwargs = kwargs
        self.details = details

    def __repr__(self) -> str:
        return f"Event(args={self.args!r}, kwargs={self.kwargs!r}, topic={self.details.topic!r})"


class Inbox:
    """The events of one subscription handler, in arrival order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.queue: asyncio.Queue[Event] = asyncio.Queue()

    def handler(self, *args: Any, details: EventDetails, **kwargs: Any) -> None:
        """The subscription handler: autobahn passes the EventDetails as `details`."""
        self.queue.put_nowait(Event(args, kwargs, details))

    async def next(self, what: str = "an event", timeout: float = TIMEOUT) -> Event:
        """The next event, waiting at most `timeout` seconds."""
        return await wait(self.queue.get(), f"{what} at {self.name}", timeout)

    def pending(self) -> list[Event]:
        """The events received and not yet taken (without waiting)."""
        out = []
        while not self.queue.empty():
            out.append(self.queue.get_nowait())
        return out


class Client(ApplicationSession):
    """An ApplicationSession that reports its life cycle through futures."""

    def __init__(self, config: ComponentConfig, label: str) -> None:
        super().__init__(config)
        loop = asyncio.get_running_loop()
        self.label = label
        self.welcome: asyncio.Future[message.Welcome] = loop.create_future()
        self.joined: asyncio.Future[SessionDetails] = loop.create_future()
        self.left: asyncio.Future[CloseDetails] = loop.create_future()
        self.disconnected: asyncio.Future[None] = loop.create_future()
        self.auto_pongs: asyncio.Queue[int] = asyncio.Queue()
        self.connection: asyncio.BaseTransport | None = None
        self.protocol: Any = None

    def onWelcome(self, welcome: message.Welcome) -> None:  # noqa: N802 (autobahn's name)
        if not self.welcome.done():
            self.welcome.set_result(welcome)
        return None

    def onJoin(self, details: SessionDetails) -> None:  # noqa: N802
        if not self.joined.done():
            self.joined.set_result(details)

    def onLeave(self, details: CloseDetails) -> Any:  # noqa: N802
        if not self.left.done():
            self.left.set_result(details)
        return super().onLeave(details)

    def onDisconnect(self) -> Any:  # noqa: N802
        if not self.disconnected.done():
            self.disconnected.set_result(None)
        return super().onDisconnect()

    async def subscribe_inbox(self, topic: str, **options: Any) -> tuple[Any, Inbox]:
        """Subscribes an Inbox to `topic`; returns (Subscription, Inbox)."""
        inbox = Inbox(f"{self.label} on {topic}")
        sub = await wait(
            self.subscribe(
                inbox.handler, topic, options=SubscribeOptions(details_arg="details", **options)
            ),
            f"SUBSCRIBED to {topic} ({self.label})",
        )
        return sub, inbox

    async def subscribe_into(self, inbox: Inbox, topic: str, **options: Any) -> Any:
        """Subscribes an existing Inbox to `topic` too (one queue for several subscriptions, in
        arrival order); returns the Subscription."""
        return await wait(
            self.subscribe(
                inbox.handler, topic, options=SubscribeOptions(details_arg="details", **options)
            ),
            f"SUBSCRIBED to {topic} ({self.label})",
        )

    def subscribe_unchecked(self, topic: str) -> Any:
        """SUBSCRIBE with autobahn's client-side URI check off (it refuses e.g. "com.my topic"),
        so that the router's answer is what the test sees."""
        with _client_uri_checks_off():
            return self.subscribe(lambda *a, **k: None, topic)

    def publish_unchecked(self, topic: str, *args: Any, **kwargs: Any) -> Any:
        """PUBLISH with autobahn's client-side URI check off (see `subscribe_unchecked`)."""
        with _client_uri_checks_off():
            return self.publish(topic, *args, **kwargs)

    async def raw_unsubscribe(self, subscription_id: int) -> Any:
        """Sends UNSUBSCRIBE for `subscription_id` whatever autobahn thinks of it; awaits the reply.

        autobahn refuses to unsubscribe an inactive Subscription client-side, so this does what
        its `_unsubscribe` does, minus the client-side check.
        """
        assert self._transport is not None, "not connected"
        request_id = self._request_id_gen.next()
        on_reply = txaio.create_future()
        self._unsubscribe_reqs[request_id] = UnsubscribeRequest(
            request_id, on_reply, subscription_id
        )
        self._transport.send(message.Unsubscribe(request_id, subscription_id))
        return await wait(on_reply, f"reply to UNSUBSCRIBE {subscription_id} ({self.label})")

    async def close(self) -> None:
        """Leaves (if joined) and waits for the transport to close."""
        if self.joined.done() and not self.left.done() and self._transport is not None:
            self.leave()
            await wait(self.left, f"GOODBYE reply ({self.label})")
        if not self.disconnected.done():
            if self._transport is not None:
                self.disconnect()
            await wait(self.disconnected, f"disconnect ({self.label})")


@dataclass(frozen=True)
class Target:
    """Where a client connects and with which framing: `websocket` or `rawsocket`, over TCP
    (`port`) or a Unix socket (`unix`), with TLS when `tls` is set."""

    framing: str
    port: int | None = None
    unix: Path | None = None
    tls: ssl.SSLContext | None = None
    host: str = "127.0.0.1"
    path: str = "/ws"
    # The client's own address (e.g. 127.0.0.2), to be told apart from other clients.
    source: str | None = None
    # Extra HTTP headers of the WebSocket upgrade request (X-Forwarded-For, ...).
    headers: dict[str, str] | None = None

    @classmethod
    def from_url(cls, url: str) -> Target:
        """A WebSocket target from a ws:// URL (the form the older tests use)."""
        parsed = urlparse(url)
        assert parsed.scheme == "ws" and parsed.hostname and parsed.port, url
        return cls("websocket", port=parsed.port, host=parsed.hostname, path=parsed.path or "/")

    @property
    def url(self) -> str:
        """The target as a URL, for messages (and for autobahn's WebSocket handshake)."""
        secure = "s" if self.tls is not None else ""
        if self.framing == "websocket":
            return f"ws{secure}://{self.host}:{self.port}{self.path}"
        where = f"unix:{self.unix}" if self.unix is not None else f"{self.host}:{self.port}"
        return f"rs{secure}://{where}"


class _WsProtocol(WampWebSocketClientProtocol):
    """autobahn's WAMP-over-WebSocket client protocol, reporting auto-pongs to the session."""

    def onAutoPong(  # noqa: N802 (autobahn's name)
        self, ping_sent: int, ping_seq: int, pong_received: int, pong_rtt: int, payload: bytes
    ) -> None:
        super().onAutoPong(ping_sent, ping_seq, pong_received, pong_rtt, payload)
        session = getattr(self, "_session", None)
        if isinstance(session, Client):
            session.auto_pongs.put_nowait(ping_seq)


class _LoopTimer:
    """Stands in for the factory's txaio batched timer, which autobahn uses for the auto-ping
    interval and timeout: txaio (26.6) puts each call in the bucket `int(now + delay)`, whole
    seconds, so a delay under a second fires at once (a ping storm, and a PONG timeout that
    expires before the PONG can arrive). This one fires each call after its own delay."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def call_later(self, delay: float, func: Any, *args: Any, **kwargs: Any) -> asyncio.TimerHandle:
        return self.loop.call_later(delay, lambda: func(*args, **kwargs))


async def connect(
    target: str | Target,
    session: Client,
    serializer: str,
    ws_options: dict[str, Any] | None = None,
) -> tuple[asyncio.BaseTransport, Any]:
    """Opens the transport to `target` for `session`; returns asyncio's (transport, protocol).
    `ws_options` go to the WebSocket factory's setProtocolOptions (autoPingInterval, ...)."""
    if isinstance(target, str):
        target = Target.from_url(target)
    loop = asyncio.get_running_loop()
    ser = SERIALIZERS[serializer]()
    factory: Any
    if target.framing == "websocket":
        factory = WampWebSocketClientFactory(
            lambda: session, url=target.url, serializers=[ser], headers=target.headers
        )
        factory.protocol = _WsProtocol
        if ws_options:
            factory.setProtocolOptions(**ws_options)
            factory._batched_timer = _LoopTimer(loop)
    elif target.framing == "rawsocket":
        assert not ws_options, "WebSocket options for a RawSocket target"
        factory = WampRawSocketClientFactory(lambda: session, serializer=ser)
    else:
        raise ValueError(target.framing)
    if target.unix is not None:
        assert target.tls is None, "TLS over a Unix socket is not used by these tests"
        opening = loop.create_unix_connection(factory, str(target.unix))
    else:
        local_addr = (target.source, 0) if target.source is not None else None
        opening = loop.create_connection(
            factory, target.host, target.port, ssl=target.tls, local_addr=local_addr
        )
    transport, protocol = await wait(opening, f"connection to {target.url} ({session.label})")
    session.connection = transport
    session.protocol = protocol
    return transport, protocol


async def open_session(
    target: str | Target,
    realm: str,
    serializer: str,
    label: str | None = None,
    *,
    ws_options: dict[str, Any] | None = None,
    factory: SessionFactory | None = None,
) -> Client:
    """Connects and sends HELLO; returns once WELCOME (joined) or ABORT (left) has arrived.
    `factory` makes the session object (default: a plain `Client`)."""
    label = label or f"{serializer} session"
    session = (factory or Client)(ComponentConfig(realm=realm), label)
    await connect(target, session, serializer, ws_options)
    await wait(
        asyncio.wait({session.joined, session.left}, return_when=asyncio.FIRST_COMPLETED),
        f"WELCOME or ABORT for realm {realm} ({label})",
    )
    return session


async def try_session(
    target: Target, realm: str, serializer: str, label: str
) -> tuple[str, str]:
    """Tries to join `realm` at `target` and reports how far it got, for connections the router
    should refuse: ("joined", ...) (the session is closed again), ("aborted", reason),
    ("refused", how: the connection failed or closed before WELCOME). Fails if nothing happens
    within TIMEOUT."""
    session = Client(ComponentConfig(realm=realm), label)
    try:
        _, protocol = await connect(target, session, serializer)
    except ssl.SSLCertVerificationError as e:
        # The client refusing the server is a broken test setup, not the router refusing.
        raise AssertionError(f"{label}: the client refused the server's certificate: {e}") from None
    except (OSError, ssl.SSLError) as e:
        return "refused", f"connecting failed: {type(e).__name__}: {e}"
    # autobahn's own future, resolved when the connection is lost: never cancelled here.
    closed = protocol.is_closed
    await wait(
        asyncio.wait({session.joined, session.left, closed}, return_when=asyncio.FIRST_COMPLETED),
        f"WELCOME, ABORT or the end of the connection ({label} at {target.url})",
    )
    if session.joined.done():
        await session.close()
        return "joined", f"session {session.joined.result().session}"
    if session.left.done():
        return "aborted", str(session.left.result().reason)
    assert not session.welcome.done()
    return "refused", "the connection closed before WELCOME"


async def join(
    target: str | Target,
    realm: str,
    serializer: str,
    label: str | None = None,
    *,
    ws_options: dict[str, Any] | None = None,
    factory: SessionFactory | None = None,
) -> Client:
    """A session joined on `realm`; fails if the router refuses it."""
    session = await open_session(
        target, realm, serializer, label, ws_options=ws_options, factory=factory
    )
    if not session.joined.done():
        details = session.left.result()
        raise AssertionError(
            f"joining {realm} with {serializer} was refused: {details.reason} {details.message}"
        )
    return session


@contextlib.asynccontextmanager
async def joined(
    target: str | Target,
    realm: str,
    serializer: str,
    label: str | None = None,
    *,
    ws_options: dict[str, Any] | None = None,
    factory: SessionFactory | None = None,
) -> AsyncIterator[Client]:
    """`join`, and `close` on exit."""
    session = await join(target, realm, serializer, label, ws_options=ws_options, factory=factory)
    try:
        yield session
    finally:
        await session.close()


@contextlib.contextmanager
def _client_uri_checks_off() -> Iterator[None]:
    """autobahn checks URIs before sending SUBSCRIBE and PUBLISH (`message.check_or_raise_uri`,
    looked up at call time); this lets any URI through while the block runs."""
    saved = message.check_or_raise_uri
    message.check_or_raise_uri = lambda value, *args, **kwargs: value
    try:
        yield
    finally:
        message.check_or_raise_uri = saved


def strict_diff(expected: Any, actual: Any, path: str = "$") -> str | None:
    """Where `actual` differs from `expected`, comparing types exactly (True is not 1, 1 is not 1.0,
    bytes are not str); None if they are equal."""
    if type(expected) is not type(actual):
        return (
            f"{path}: expected {type(expected).__name__} {expected!r}, "
            f"got {type(actual).__name__} {actual!r}"
        )
    if isinstance(expected, list):
        if len(expected) != len(actual):
            return f"{path}: expected {len(expected)} items, got {len(actual)}: {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            d = strict_diff(e, a, f"{path}[{i}]")
            if d:
                return d
        return None
    if isinstance(expected, dict):
        if set(expected) != set(actual):
            return f"{path}: expected keys {sorted(expected)!r}, got {sorted(actual)!r}"
        for k in expected:
            d = strict_diff(expected[k], actual[k], f"{path}[{k!r}]")
            if d:
                return d
        return None
    if expected != actual:
        return f"{path}: expected {expected!r}, got {actual!r}"
    return None


def assert_same(expected: Any, actual: Any, what: str) -> None:
    """Asserts strict equality (see `strict_diff`)."""
    diff = strict_diff(expected, actual)
    assert diff is None, f"{what}: {diff}"
