"""Stoplight Prism for the contract tests: the process, and the loopback wire around it.

    client -> Recorder -> prism proxy --errors -> Upstream -> the running test's FakePaddle
    client -> Recorder -> prism mock --errors

Prism starts once for all the contract tests, so its upstream is fixed: `Upstream` is that
fixed address, and forwards to whichever FakePaddle the running test attached. `Recorder` hands
every exchange through unchanged and writes down each verdict Prism gives, which arrives in one
of two ways:

- the ``sl-violations`` response header (a JSON list), for violations that do not block;
- Prism's own ``application/problem+json`` answer, because of ``--errors``: 422
  ``UNPROCESSABLE_ENTITY`` for a request that breaks the spec (never forwarded), 401
  ``UNAUTHORIZED`` for one without a bearer token, 500 ``VIOLATIONS`` for a response that breaks
  it. The ``validation`` list of that answer names each violation.

So a violation fails the SDK call (``--errors``) *and* is recorded with its full text, which
the fixtures assert is empty after every test. Two checks are added to Prism's: Prism validates
a status the operation does not declare (a create answered 200, not 201) against the
``default`` response, the error envelope, which a success body passes, so `undeclared_status`
flags it; and in proxy mode an answer that did not come through `Upstream` (Prism's own 400 for
malformed JSON, say) is recorded too.

Both servers run on one event loop in a daemon thread, because every test has its own loop.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, TypeVar

import aiohttp
import yaml
from aiohttp import web
from multidict import CIMultiDict
from yarl import URL

__all__ = [
    "PRISM_BIN",
    "SPEC",
    "Operation",
    "PrismError",
    "PrismProcess",
    "Recorder",
    "Upstream",
    "Violation",
    "Wire",
    "load_operations",
    "missing_prerequisite",
    "undeclared_status",
    "verdicts",
]

T = TypeVar("T")

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
SPEC: Final = REPO_ROOT / "tests" / "data" / "paddle-openapi" / "customer-area-openapi.yaml"
PRISM_BIN: Final = REPO_ROOT / "node_modules" / ".bin" / "prism"
PRISM_PACKAGE: Final = "@stoplight/prism-cli"
PRISM_ERRORS: Final = "https://stoplight.io/prism/errors#"
LOOPBACK: Final = "127.0.0.1"
# Set by `Upstream` on what it relays: a proxied response without it was made by Prism itself.
UPSTREAM_MARK: Final = "X-Contract-Upstream"
# Not forwarded by a hop: connection-level headers, and those aiohttp sets from the body itself.
_HOP_BY_HOP: Final = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "content-encoding",
    }
)


@dataclass(frozen=True)
class Violation:
    """One way an exchange broke the spec, as Prism (or the status check) reported it.

    Attributes:
        request: The method and the path with its query, as the client sent them.
        location: Where: ``request.body``, ``response.body.data.status``, ``prism``...
        code: Prism's code (``additionalProperties``, ``enum``, ``UNAUTHORIZED``...).
        message: Prism's text.
        severity: ``Error`` or ``Warning``.
    """

    request: str
    location: str
    code: str
    message: str
    severity: str = "Error"

    def __str__(self) -> str:
        return f"{self.request}: {self.location}: {self.message} [{self.severity} {self.code}]"


def _from_prism(request: str, item: Any, prefix: Sequence[str]) -> Violation:
    if not isinstance(item, dict):
        return Violation(request, ".".join(prefix) or "prism", "unreadable", repr(item))
    location = [*prefix, *(str(part) for part in item.get("location") or ())]
    return Violation(
        request=request,
        location=".".join(location),
        code=str(item.get("code", "")),
        message=str(item.get("message", "")),
        severity=str(item.get("severity", "Error")),
    )


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def verdicts(request: str, status: int, headers: Mapping[str, str], body: bytes) -> list[Violation]:
    """Return every violation Prism reports in one response.

    Args:
        request: The method and path-with-query, to label the violations.
        status: The status Prism answered.
        headers: Prism's response headers (looked up case-insensitively by the caller's type).
        body: Prism's response body.
    """
    found: list[Violation] = []
    header = headers.get("sl-violations")
    if header is not None:
        items = _json(header.encode())
        if isinstance(items, list):
            found += [_from_prism(request, item, ()) for item in items]
        else:  # "Too many violations! ..." is cut short, so not JSON.
            found.append(Violation(request, "prism", "sl-violations", header))
    if headers.get("Content-Type", "").startswith("application/problem+json"):
        problem = _json(body)
        kind = problem.get("type") if isinstance(problem, dict) else None
        if isinstance(problem, dict) and isinstance(kind, str) and kind.startswith(PRISM_ERRORS):
            code = kind.removeprefix(PRISM_ERRORS)
            items = problem.get("validation") or []
            # A 422's locations are the request's, unprefixed; a 500's start with "response".
            prefix = ("request",) if code == "UNPROCESSABLE_ENTITY" else ()
            found += [_from_prism(request, item, prefix) for item in items]
            if not items:
                text = f"{status} {problem.get('title')}: {problem.get('detail')}"
                found.append(Violation(request, "prism", code, text))
    # A 500 for a response violation lists it both in the header and in the body.
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Operation:
    """An operation of the spec: how to recognise its requests, and its success statuses."""

    method: str
    pattern: re.Pattern[str]
    operation_id: str
    statuses: frozenset[str]


def load_operations(spec: Path = SPEC) -> list[Operation]:
    """Read the operations of an OpenAPI document."""
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    operations = []
    for template, item in document["paths"].items():
        parts = re.split(r"\{[^}]+\}", template)
        pattern = re.compile("[^/]+".join(re.escape(part) for part in parts))
        for method, operation in item.items():
            if method == "parameters":
                continue
            declared = frozenset(str(code) for code in operation["responses"] if code != "default")
            operations.append(
                Operation(method.upper(), pattern, operation["operationId"], declared)
            )
    return operations


def undeclared_status(
    operations: Iterable[Operation], method: str, path: str, status: int
) -> Violation | None:
    """Flag a success status its operation does not declare, which Prism lets through.

    Prism checks such a response against ``default`` (the error envelope, whose properties are
    all optional), so ``{"data": ..., "meta": ...}`` passes. Error statuses are left to it.
    """
    if not 200 <= status < 300:
        return None
    request_path = path.partition("?")[0]
    for operation in operations:
        if operation.method == method and operation.pattern.fullmatch(request_path):
            if str(status) in operation.statuses or f"{status // 100}XX" in operation.statuses:
                return None
            declared = ", ".join(sorted(operation.statuses))
            return Violation(
                request=f"{method} {path}",
                location="response.status",
                code="status",
                message=(
                    f"{status} is not a status {operation.operation_id} declares ({declared}); "
                    "Prism checked it against `default`, the error response"
                ),
            )
    return None


def _forwarded(headers: Iterable[tuple[str, str]]) -> CIMultiDict[str]:
    return CIMultiDict((k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP)


async def _relay(
    session: aiohttp.ClientSession, base_url: str, request: web.Request
) -> tuple[int, CIMultiDict[str], bytes]:
    """Send a received request on to ``base_url``, byte for byte; return the answer."""
    body = await request.read()
    # encoded=True: the path and query go on exactly as the client wrote them.
    url = URL(base_url + request.raw_path, encoded=True)
    async with session.request(
        request.method,
        url,
        headers=_forwarded(request.headers.items()),
        data=body or None,
        allow_redirects=False,
        skip_auto_headers=("Accept", "Accept-Encoding", "Content-Type", "User-Agent"),
    ) as response:
        payload = await response.read()
        return response.status, _forwarded(response.headers.items()), payload


class _Server:
    """An aiohttp server on a free loopback port that relays every request somewhere."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    async def start(self) -> None:
        # force_close: no idle connection can go stale when a peer closes it between tests.
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(force_close=True),
            timeout=aiohttp.ClientTimeout(total=30),
            auto_decompress=True,
        )
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, LOOPBACK, 0)
        await site.start()
        self.url = f"http://{LOOPBACK}:{self._runner.addresses[0][1]}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        assert self._session is not None
        return self._session

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raise NotImplementedError


class Upstream(_Server):
    """Prism's fixed upstream: forwards to the FakePaddle of the running test (`target`)."""

    def __init__(self) -> None:
        super().__init__()
        self.target: str | None = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        target = self.target
        if target is None:
            return web.Response(status=502, text="no FakePaddle is attached to the Prism proxy")
        status, headers, body = await _relay(self.session, target, request)
        headers[UPSTREAM_MARK] = "1"
        return web.Response(status=status, headers=headers, body=body)


class Recorder(_Server):
    """Sits between a client and Prism: hands everything through and records the violations.

    Args:
        operations: The spec's operations, for `undeclared_status`.
        proxied: Whether Prism proxies to `Upstream`, so that every answer not marked by it
            (Prism's own 400 for malformed JSON, say) is recorded too.
    """

    def __init__(self, operations: Sequence[Operation], *, proxied: bool) -> None:
        super().__init__()
        self.prism_url = ""
        self._operations = operations
        self._proxied = proxied
        self._lock = threading.Lock()
        self._violations: list[Violation] = []

    def take(self) -> list[Violation]:
        """Return the violations recorded since the last call, and forget them."""
        with self._lock:
            taken, self._violations = self._violations, []
        return taken

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        label = f"{request.method} {request.raw_path}"
        try:
            status, headers, body = await _relay(self.session, self.prism_url, request)
        except (aiohttp.ClientError, TimeoutError) as error:
            failure = Violation(label, "prism", "unreachable", f"no answer from Prism: {error!r}")
            with self._lock:
                self._violations.append(failure)
            return web.Response(status=502, text=str(failure))
        found = verdicts(label, status, headers, body)
        extra = undeclared_status(self._operations, request.method, request.raw_path, status)
        if extra is not None:
            found.append(extra)
        from_upstream = headers.popall(UPSTREAM_MARK, None) is not None
        if self._proxied and not from_upstream and not found:
            excerpt = body[:300].decode(errors="replace")
            message = f"Prism answered {status} itself, without asking FakePaddle: {excerpt}"
            found.append(Violation(label, "prism", "not-forwarded", message))
        # Recorded before the client gets its answer, so a test sees them right after a call.
        with self._lock:
            self._violations += found
        return web.Response(status=status, headers=headers, body=body)


class PrismError(RuntimeError):
    """Prism could not be started."""


def missing_prerequisite() -> str | None:
    """Say why Prism cannot run here (no node, no ``npm ci``, another version), or None."""
    if shutil.which("node") is None:
        return "`node` is not on PATH"
    if not PRISM_BIN.exists():
        return "node_modules/.bin/prism is missing"
    pinned = json.loads((REPO_ROOT / "package.json").read_text())["devDependencies"][PRISM_PACKAGE]
    installed_manifest = REPO_ROOT / "node_modules" / PRISM_PACKAGE / "package.json"
    installed = json.loads(installed_manifest.read_text()).get("version")
    if installed != pinned:
        return f"Prism {installed} is installed but package.json pins {pinned}"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


class PrismProcess:
    """One Prism server on a free loopback port, in a process group of its own.

    Args:
        args: The command and its arguments, such as ``("mock", "spec.yaml")``.
        log: A file for Prism's output (read back when it fails to start).
    """

    def __init__(self, args: Sequence[str], log: Path) -> None:
        self.args = tuple(args)
        self.log = log
        self.url = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None
        self._port = 0

    def launch(self) -> None:
        """Start the process; `wait_ready` waits until it answers."""
        self._port = _free_port()
        self._log_file = self.log.open("ab")
        self._process = subprocess.Popen(
            [str(PRISM_BIN), *self.args, "--host", LOOPBACK, "--port", str(self._port)],
            cwd=REPO_ROOT,
            env={**os.environ, "SCARF_ANALYTICS": "false"},
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            # Its own group, so stopping it reaches anything it spawned.
            start_new_session=True,
        )
        # Should the run be interrupted before the fixture's teardown, still stop it at exit.
        atexit.register(self.stop)

    def wait_ready(self, deadline: float) -> bool:
        """Wait until Prism answers HTTP (True), or exits or the deadline passes (False)."""
        process = self._process
        assert process is not None
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            if self._answers():
                self.url = f"http://{LOOPBACK}:{self._port}"
                return True
            time.sleep(0.05)
        return False

    def _answers(self) -> bool:
        connection = http.client.HTTPConnection(LOOPBACK, self._port, timeout=2)
        try:
            connection.request("GET", "/__contract_tests_ready")
            response = connection.getresponse()
            response.read()
        except OSError:
            return False
        finally:
            connection.close()
        # Only Prism answers an unknown path with its own problem+json (not some other server).
        return response.getheader("Content-Type", "").startswith("application/problem+json")

    def log_tail(self, lines: int = 60) -> str:
        """Return the end of Prism's output."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the process group: SIGTERM, then SIGKILL after 5 s."""
        atexit.unregister(self.stop)
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)
            else:
                process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


def start_all(processes: Sequence[PrismProcess], timeout: float = 60.0) -> None:
    """Start Prism servers side by side; retry one whose port was taken meanwhile.

    Raises:
        PrismError: One did not answer in time, or exited, with the end of its output.
    """
    for process in processes:
        process.launch()
    deadline = time.monotonic() + timeout
    for process in processes:
        for attempt in range(3):
            if process.wait_ready(deadline):
                break
            process.stop()
            if attempt == 2 or "EADDRINUSE" not in process.log_tail():
                raise PrismError(
                    f"Prism did not start ({' '.join(process.args)}); its output ends:\n"
                    + process.log_tail()
                )
            process.launch()


class _LoopThread:
    """An event loop in a daemon thread, for servers that outlive each test's own loop."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="contract-wire", daemon=True
        )
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run a coroutine on the thread's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def close(self) -> None:
        self.run(self._loop.shutdown_asyncgens())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


class Wire:
    """Both Prism servers, the recorders in front of them and the upstream behind the proxy.

    Attributes:
        upstream: Where the proxy forwards; set its ``target`` to a FakePaddle's base URL.
        proxy: The recorder in front of ``prism proxy --errors``.
        mock: The recorder in front of ``prism mock --errors``.
    """

    def __init__(self, log_dir: Path, spec: Path = SPEC) -> None:
        operations = load_operations(spec)
        self._thread = _LoopThread()
        self.upstream = Upstream()
        self.proxy = Recorder(operations, proxied=True)
        self.mock = Recorder(operations, proxied=False)
        self._servers: list[_Server] = [self.upstream, self.proxy, self.mock]
        self._spec = spec
        self._log_dir = log_dir
        self._prisms: list[PrismProcess] = []

    def start(self) -> None:
        """Start everything; Prism's two servers start side by side (about 1.5 s).

        Raises:
            PrismError: A Prism server did not start.
        """
        self._thread.run(self.upstream.start())
        spec = str(self._spec)
        proxy = PrismProcess(
            ("proxy", "--errors", spec, self.upstream.url), self._log_dir / "prism-proxy.log"
        )
        mock = PrismProcess(("mock", "--errors", spec), self._log_dir / "prism-mock.log")
        self._prisms = [proxy, mock]
        start_all(self._prisms)
        self.proxy.prism_url, self.mock.prism_url = proxy.url, mock.url
        self._thread.run(self.proxy.start())
        self._thread.run(self.mock.start())

    def close(self) -> None:
        """Stop the Prism processes and the servers, and end the thread."""
        for prism in self._prisms:
            prism.stop()
        for server in self._servers:
            self._thread.run(server.close())
        self._thread.close()
