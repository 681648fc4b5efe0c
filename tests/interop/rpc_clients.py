"""Callers and callees for the RPC interop tests, with every wait bounded.

- `RpcClient`: an autobahn-python session that also keeps every message the router sent it, for
  what autobahn's API does not show (an INTERRUPT and its mode, INVOCATION details such as a
  forwarded `timeout`, a second ERROR for one call).
- `Procedure`: a callee's handler that records each invocation and answers when the test says,
  so that a call can be held in flight, canceled, timed out or orphaned.
- `RawRpc`: a raw WebSocket peer (rawws.py) for what autobahn cannot send: progressive call
  invocations, a CANCEL with a given mode, `disclose_me`, `forward_timeout`, a late or forged
  YIELD, a callee that does not announce call canceling.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from autobahn.wamp import message
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.request import Registration
from autobahn.wamp.types import (
    CallDetails,
    CallOptions,
    CallResult,
    ComponentConfig,
    RegisterOptions,
)

from clients import TIMEOUT, Client, Target, join, wait
from rawws import (
    CALL,
    CANCEL,
    ERROR,
    EVENT,
    GOODBYE,
    INTERRUPT,
    INVOCATION,
    PUBLISH,
    REGISTER,
    REGISTERED,
    RESULT,
    SUBSCRIBE,
    SUBSCRIBED,
    UNREGISTER,
    UNREGISTERED,
    YIELD,
    RawPeer,
    raw_peer,
)

M = TypeVar("M", bound=message.Message)

_procedure_ids = itertools.count(1)


def fresh_procedure(name: str) -> str:
    """A procedure URI no other test uses (the node is shared by the whole run)."""
    return f"com.crossway.test.rpc.{name}.p{next(_procedure_ids)}"


# ------------------------------------------------------------------------------------------------
# autobahn-python sessions


class RpcClient(Client):
    """A Client that keeps every message the router sent it, in arrival order."""

    def __init__(self, config: ComponentConfig, label: str) -> None:
        super().__init__(config, label)
        self.inbound: list[message.Message] = []
        self._taken: set[int] = set()
        self._waiters: list[asyncio.Future[None]] = []

    def onMessage(self, msg: message.Message) -> None:  # noqa: N802 (autobahn's name)
        # Recorded before autobahn handles it, so that a message autobahn rejects is seen too.
        self.inbound.append(msg)
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()
        return super().onMessage(msg)

    async def expect(
        self,
        kind: type[M],
        what: str,
        match: Callable[[M], bool] = lambda m: True,
        timeout: float = TIMEOUT,
    ) -> M:
        """The first message of type `kind` that `match`es and that no earlier `expect` returned;
        waits for it at most `timeout` seconds."""
        loop = asyncio.get_running_loop()

        async def first() -> M:
            while True:
                for m in self.inbound:
                    if isinstance(m, kind) and id(m) not in self._taken and match(m):
                        self._taken.add(id(m))
                        return m
                # A future of its own: cancelling this wait (a timeout) touches no other waiter.
                waiter = loop.create_future()
                self._waiters.append(waiter)
                await waiter

        return await wait(first(), f"{what} ({self.label})", timeout)

    def received(self, kind: type[M], match: Callable[[M], bool] = lambda m: True) -> list[M]:
        """Every message of type `kind` that `match`es, received so far."""
        return [m for m in self.inbound if isinstance(m, kind) and match(m)]


async def rpc_join(target: str | Target, realm: str, serializer: str, label: str) -> RpcClient:
    """An `RpcClient` joined on `realm`; fails if the router refuses it."""
    session = await join(target, realm, serializer, label, factory=RpcClient)
    assert isinstance(session, RpcClient)
    return session


@contextlib.asynccontextmanager
async def rpc_joined(
    target: str | Target, realm: str, serializer: str, label: str
) -> AsyncIterator[RpcClient]:
    """`rpc_join`, and `close` on exit."""
    session = await rpc_join(target, realm, serializer, label)
    try:
        yield session
    finally:
        await session.close()


@dataclass
class Invocation:
    """One invocation of a `Procedure`: what the callee was given, and how the test answers."""

    args: list[Any]
    kwargs: dict[str, Any]
    details: CallDetails
    reply: asyncio.Future[Any]
    # Resolved when autobahn cancels the handler: the router sent INTERRUPT.
    interrupted: asyncio.Future[None]

    def answer(self, *args: Any, **kwargs: Any) -> None:
        """The handler returns: YIELD with this payload."""
        self.reply.set_result(CallResult(*args, **kwargs))


class Procedure:
    """A handler that records each invocation and returns what the test gives it, when it does."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.queue: asyncio.Queue[Invocation] = asyncio.Queue()

    async def handler(self, *args: Any, details: CallDetails, **kwargs: Any) -> Any:
        """The endpoint autobahn invokes (registered with details_arg="details")."""
        loop = asyncio.get_running_loop()
        invocation = Invocation(
            list(args), kwargs, details, loop.create_future(), loop.create_future()
        )
        self.queue.put_nowait(invocation)
        try:
            return await invocation.reply
        except asyncio.CancelledError:
            invocation.interrupted.set_result(None)
            raise

    async def next(self, what: str = "an invocation", timeout: float = TIMEOUT) -> Invocation:
        """The next invocation, waiting at most `timeout` seconds."""
        return await wait(self.queue.get(), f"{what} at {self.label}", timeout)

    def pending(self) -> list[Invocation]:
        """The invocations received and not yet taken (without waiting)."""
        out = []
        while not self.queue.empty():
            out.append(self.queue.get_nowait())
        return out


def echo(*args: Any, details: CallDetails, **kwargs: Any) -> CallResult:
    """A handler that returns its arguments."""
    return CallResult(*args, **kwargs)


async def register(
    session: Client, handler: Callable[..., Any], procedure: str, **options: Any
) -> Registration:
    """REGISTER `handler` for `procedure` with RegisterOptions(**options), details passed as
    `details`; returns the Registration."""
    return await wait(
        session.register(
            handler, procedure, options=RegisterOptions(details_arg="details", **options)
        ),
        f"REGISTERED {procedure} ({session.label})",
    )


def payload(result: Any) -> tuple[list[Any], dict[str, Any]]:
    """A call's result as (args, kwargs): autobahn gives a CallResult for several values or
    keyword results, the value itself for one, None for none."""
    if isinstance(result, CallResult):
        return list(result.results), dict(result.kwresults)
    if result is None:
        return [], {}
    return [result], {}


async def call(
    session: Client,
    procedure: str,
    *args: Any,
    options: CallOptions | None = None,
    **kwargs: Any,
) -> tuple[list[Any], dict[str, Any]]:
    """CALL and the RESULT's (args, kwargs)."""
    result = await wait(
        session.call(procedure, *args, options=options, **kwargs),
        f"RESULT of {procedure} ({session.label})",
    )
    return payload(result)


async def expect_error(aw: Awaitable[Any], uri: str, what: str) -> ApplicationError:
    """`aw` fails with an ApplicationError `uri` (within TIMEOUT)."""
    with pytest.raises(ApplicationError) as caught:
        await wait(aw, what)
    assert caught.value.error == uri, f"{what}: got {caught.value.error!r} ({caught.value})"
    return caught.value


# ------------------------------------------------------------------------------------------------
# Raw peers

# What a raw peer announces by default: every caller and callee feature the router implements.
CALLER_FEATURES = {
    "call_canceling": True,
    "call_timeout": True,
    "caller_identification": True,
    "progressive_call_invocations": True,
    "progressive_call_results": True,
}
CALLEE_FEATURES = {
    "call_canceling": True,
    "caller_identification": True,
    "pattern_based_registration": True,
    "progressive_call_invocations": True,
    "progressive_call_results": True,
    "shared_registration": True,
}
# A callee that does not understand INTERRUPT (so neither progressive results nor invocations
# count for it, whatever it says).
CALLEE_WITHOUT_CANCELING = {k: v for k, v in CALLEE_FEATURES.items() if k != "call_canceling"}

NAMES = {
    ERROR: "ERROR",
    GOODBYE: "GOODBYE",
    EVENT: "EVENT",
    SUBSCRIBED: "SUBSCRIBED",
    RESULT: "RESULT",
    REGISTERED: "REGISTERED",
    UNREGISTERED: "UNREGISTERED",
    INVOCATION: "INVOCATION",
    INTERRUPT: "INTERRUPT",
}


def hello_details(
    caller: dict[str, bool] | None = None, callee: dict[str, bool] | None = None
) -> dict[str, Any]:
    """HELLO details for a peer in every client role, with these caller and callee features."""
    return {
        "roles": {
            "caller": {"features": CALLER_FEATURES if caller is None else caller},
            "callee": {"features": CALLEE_FEATURES if callee is None else callee},
            "publisher": {},
            "subscriber": {},
        }
    }


class RawRpc:
    """A joined raw peer that sends RPC messages by hand and reads the router's in order."""

    def __init__(self, peer: RawPeer, label: str, welcome: list[Any]) -> None:
        self.peer = peer
        self.label = label
        self.welcome = welcome
        self.session: int = welcome[1]
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        """A fresh request id (sequential, as WAMP asks)."""
        return next(self._ids)

    async def send(self, msg: list[Any]) -> None:
        await self.peer.send(msg)

    async def expect(self, code: int, what: str) -> list[Any]:
        """The next message, which must be of type `code`."""
        msg = await self.peer.recv(f"{what} at {self.label}")
        assert msg[0] == code, (
            f"{self.label}: expected {NAMES.get(code, code)} ({what}), got {msg!r}"
        )
        return msg

    async def register(self, procedure: str, **options: Any) -> int:
        """REGISTER; returns the registration id."""
        request = self.next_id()
        await self.send([REGISTER, request, options, procedure])
        reply = await self.expect(REGISTERED, f"REGISTERED {procedure}")
        assert reply[1] == request, reply
        return reply[2]

    async def unregister(self, registration: int) -> list[Any]:
        """UNREGISTER; returns the reply (UNREGISTERED or ERROR)."""
        request = self.next_id()
        await self.send([UNREGISTER, request, registration])
        reply = await self.peer.recv(f"the reply to UNREGISTER at {self.label}")
        # UNREGISTERED is [67, request]; ERROR is [8, 66, request, details, uri, ...].
        at = 1 if reply[0] == UNREGISTERED else 2
        assert reply[0] in (UNREGISTERED, ERROR) and reply[at] == request, reply
        return reply

    async def call(
        self,
        procedure: str,
        args: list[Any] | None = None,
        kwargs: dict[str, Any] | None = None,
        *,
        request: int | None = None,
        **options: Any,
    ) -> int:
        """Sends CALL (with `request`, or a fresh id); returns its request id."""
        request = self.next_id() if request is None else request
        msg: list[Any] = [CALL, request, options, procedure]
        if args is not None or kwargs is not None:
            msg.append(args or [])
        if kwargs is not None:
            msg.append(kwargs)
        await self.send(msg)
        return request

    async def cancel(self, request: int, mode: str | None = None) -> None:
        """Sends CANCEL for call `request`, with `mode` (none: the router's default)."""
        await self.send([CANCEL, request, {} if mode is None else {"mode": mode}])

    async def yield_(
        self, invocation: int, args: list[Any] | None = None, progress: bool = False
    ) -> None:
        """Sends YIELD for `invocation` (a progressive one with `progress`)."""
        msg: list[Any] = [YIELD, invocation, {"progress": True} if progress else {}]
        if args is not None:
            msg.append(args)
        await self.send(msg)

    async def error(
        self,
        invocation: int,
        uri: str,
        args: list[Any] | None = None,
        kwargs: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Sends ERROR for `invocation`."""
        msg: list[Any] = [ERROR, INVOCATION, invocation, details or {}, uri]
        if args is not None or kwargs is not None:
            msg.append(args or [])
        if kwargs is not None:
            msg.append(kwargs)
        await self.send(msg)

    async def subscribe(self, topic: str) -> int:
        """SUBSCRIBE; returns the subscription id."""
        request = self.next_id()
        await self.send([SUBSCRIBE, request, {}, topic])
        reply = await self.expect(SUBSCRIBED, f"SUBSCRIBED {topic}")
        return reply[2]

    async def publish(self, topic: str, args: list[Any]) -> None:
        """PUBLISH without acknowledgement."""
        await self.send([PUBLISH, self.next_id(), {}, topic, args])

    async def drop(self) -> None:
        """Ends the connection at once: no GOODBYE, no WebSocket close handshake."""
        transport = self.peer.ws.transport
        assert transport is not None
        transport.abort()


@contextlib.asynccontextmanager
async def raw_rpc(
    url: str,
    label: str,
    serializer: str = "json",
    *,
    realm: str = "realm1",
    caller: dict[str, bool] | None = None,
    callee: dict[str, bool] | None = None,
) -> AsyncIterator[RawRpc]:
    """A raw peer joined on `realm`, announcing these caller and callee features."""
    async with raw_peer(url, serializer) as peer:
        welcome = await peer.hello(realm, hello_details(caller, callee))
        yield RawRpc(peer, label, welcome)


async def barrier(sender: RawRpc, receiver: RawRpc, topic: str, what: str) -> None:
    """`sender` publishes on `topic` (to which `receiver` subscribed), and `receiver`'s next
    message must be that EVENT. The router handles one session's messages in order and queues
    what it sends a session in order, so this shows that nothing the router sent `receiver`
    because of `sender`'s earlier messages is on its way."""
    marker = f"barrier after {what}"
    await sender.publish(topic, [marker])
    event = await receiver.expect(EVENT, marker)
    assert event[4] == [marker], event
