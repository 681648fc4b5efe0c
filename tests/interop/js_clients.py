"""autobahn-js sessions for the interop tests: `js/client.mjs` under Node, one process per session,
with every wait bounded.

The scenario (see the head of client.mjs) goes to the process as its one argument; it answers with
one JSON object per line on stdout ("welcome", "abort", "subscribed", "event", ...), which
`JsClient` reads as they come (so that a test can act once the client has subscribed) and
`JsResult` holds once the process has exited.

Each line is parsed into dicts that keep the key order of the line, which is the order autobahn-js
holds the keys in: as decoded from the wire, except that JavaScript puts integer-like keys first.
So `list(result.events[0]["kwargs"])` is the order in which a subscriber received the keys; and a
publish step's kwargs go out in the order of the dict given (with the same exception).

tests/interop/js/node_modules comes from `npm ci` (scripts/test runs it); a missing `node` or
missing packages fail the test, never skip it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clients import TIMEOUT, wait

JS_DIR = Path(__file__).resolve().parent / "js"
CLIENT = JS_DIR / "client.mjs"

# client.mjs's exit status when the router refused the session (ABORT); 1 is any other failure.
EXIT_REFUSED = 2

# Node's own start (loading autobahn and its serializers) on a slow machine, on top of the
# client's own bounded waits.
STARTUP_ALLOWANCE = 10.0

# A line can carry a whole event payload.
_LINE_LIMIT = 16 * 1024 * 1024


def node_executable() -> str:
    """The `node` binary; fails (never skips) when Node or the installed packages are missing."""
    node = shutil.which("node")
    if node is None:
        raise AssertionError("`node` not found: the autobahn-js tests need Node.js 18 or newer")
    if not (JS_DIR / "node_modules" / "autobahn").is_dir():
        raise AssertionError(
            f"autobahn-js is not installed in {JS_DIR / 'node_modules'} "
            "(scripts/test runs `npm ci` there)"
        )
    return node


def ticket(authid: str, secret: str) -> dict[str, Any]:
    """The `auth` of a scenario that authenticates with a ticket."""
    return {"methods": ["ticket"], "authid": authid, "ticket": secret}


def wampcra(authid: str, secret: str) -> dict[str, Any]:
    """The `auth` of a scenario that authenticates with WAMP-CRA (the client derives the key
    itself when the challenge carries a salt, so `secret` is then the password)."""
    return {"methods": ["wampcra"], "authid": authid, "secret": secret}


def scenario(
    url: str,
    realm: str,
    serializer: str = "json",
    *,
    auth: dict[str, Any] | None = None,
    steps: list[dict[str, Any]] | None = None,
    timeout: float = TIMEOUT,
) -> dict[str, Any]:
    """A scenario for client.mjs: `url` is ws://... or rs://...; `timeout` bounds each of the
    client's waits."""
    out: dict[str, Any] = {
        "url": url,
        "realm": realm,
        "serializer": serializer,
        "timeout": timeout,
        "steps": steps or [],
    }
    if auth is not None:
        out["auth"] = auth
    return out


@dataclass
class JsResult:
    """What one client.mjs process reported, and how it exited."""

    lines: list[dict[str, Any]]
    status: int
    stderr: str

    def of(self, kind: str) -> list[dict[str, Any]]:
        """The lines of type `kind`, in order."""
        return [line for line in self.lines if line["type"] == kind]

    def one(self, kind: str) -> dict[str, Any]:
        """The one line of type `kind`; fails if there is none or more than one."""
        found = self.of(kind)
        assert len(found) == 1, f"expected one {kind!r} line, got {len(found)}\n{self.describe()}"
        return found[0]

    @property
    def welcome(self) -> dict[str, Any]:
        """The WELCOME line of a session that joined, ran its steps and left (exit status 0)."""
        assert self.status == 0, f"autobahn-js did not finish its session\n{self.describe()}"
        return self.one("welcome")

    @property
    def abort(self) -> dict[str, Any]:
        """The ABORT line of a session the router refused (exit status EXIT_REFUSED)."""
        assert self.status == EXIT_REFUSED, f"autobahn-js was not refused\n{self.describe()}"
        assert not self.of("welcome"), self.describe()
        return self.one("abort")

    @property
    def events(self) -> list[dict[str, Any]]:
        """The events received: topic, args, kwargs, details."""
        return self.of("event")

    def describe(self) -> str:
        """Everything the process said, for failure messages."""
        said = "\n".join(json.dumps(line, ensure_ascii=False) for line in self.lines)
        return (
            f"--- autobahn-js exit status {self.status}, stdout ---\n{said}\n"
            f"--- autobahn-js stderr ---\n{self.stderr}--- end of autobahn-js output ---"
        )


class JsClient:
    """One running client.mjs process."""

    def __init__(self, proc: asyncio.subprocess.Process, scenario: dict[str, Any]) -> None:
        self.proc = proc
        self.scenario = scenario
        self.lines: list[dict[str, Any]] = []
        assert proc.stderr is not None
        # Read all along, so that a chatty stderr cannot fill its pipe and stall the client.
        self._stderr = asyncio.ensure_future(proc.stderr.read())

    @classmethod
    async def start(cls, scenario: dict[str, Any]) -> JsClient:
        """Starts client.mjs on `scenario`."""
        proc = await asyncio.create_subprocess_exec(
            node_executable(),
            str(CLIENT),
            json.dumps(scenario),
            cwd=JS_DIR,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=_LINE_LIMIT,
        )
        return cls(proc, scenario)

    def budget(self) -> float:
        """How long the whole process may take: the client's own waits (joining, each step,
        leaving) and Node's start; the client's timeouts fire first and say what they waited
        for."""
        waits = len(self.scenario["steps"]) + 2
        return waits * float(self.scenario["timeout"]) + STARTUP_ALLOWANCE

    async def _read_line(self) -> dict[str, Any] | None:
        assert self.proc.stdout is not None
        raw = await self.proc.stdout.readline()
        if not raw:
            return None
        try:
            line = json.loads(raw)
        except json.JSONDecodeError:
            raise AssertionError(f"autobahn-js wrote a line that is not JSON: {raw!r}") from None
        assert isinstance(line, dict) and "type" in line, f"not a report line: {line!r}"
        self.lines.append(line)
        return line

    async def next(self, kind: str, timeout: float | None = None) -> dict[str, Any]:
        """Reads until a line of type `kind` (the lines before it are kept); fails if the process
        ends first or nothing comes within `timeout` (by default the whole process's `budget`, so
        that the client's own timeouts fire first and say what it waited for)."""

        async def until() -> dict[str, Any] | None:
            while (line := await self._read_line()) is not None:
                if line["type"] == kind:
                    return line
            return None

        limit = self.budget() if timeout is None else timeout
        try:
            line = await wait(until(), f"a {kind!r} line from autobahn-js", limit)
        except AssertionError as e:
            raise await self._failure(str(e)) from None
        if line is None:
            result = await self.finish()
            raise AssertionError(f"autobahn-js ended before a {kind!r} line\n{result.describe()}")
        return line

    async def finish(self) -> JsResult:
        """Reads every remaining line and waits for the process to exit (within `budget`)."""

        async def drain() -> int:
            while await self._read_line() is not None:
                pass
            return await self.proc.wait()

        try:
            status = await wait(drain(), "autobahn-js to finish its scenario", self.budget())
        except AssertionError as e:
            raise await self._failure(str(e)) from None
        return JsResult(list(self.lines), status, await self._stderr_text())

    async def stop(self) -> None:
        """Ends the process if it still runs (cleanup after a failure) and reaps it."""
        if self.proc.returncode is None:
            self.proc.kill()
        await wait(self.proc.wait(), "the killed autobahn-js process to exit")

    async def _stderr_text(self) -> str:
        return (await wait(self._stderr, "autobahn-js's stderr")).decode(errors="replace")

    async def _failure(self, message: str) -> AssertionError:
        """Stops the process and describes everything it said, for a failed wait."""
        await self.stop()
        assert self.proc.returncode is not None
        result = JsResult(list(self.lines), self.proc.returncode, await self._stderr_text())
        return AssertionError(f"{message}\n{result.describe()}")


@contextlib.asynccontextmanager
async def js_client(scenario: dict[str, Any]) -> AsyncIterator[JsClient]:
    """A running client.mjs, killed on exit if it still runs."""
    client = await JsClient.start(scenario)
    try:
        yield client
    finally:
        await client.stop()


async def run_js(scenario: dict[str, Any]) -> JsResult:
    """Runs client.mjs on `scenario` to its end."""
    async with js_client(scenario) as client:
        return await client.finish()
