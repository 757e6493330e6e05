"""The API key is never reachable from a raised error: every failure kind is provoked and the
error's object graph walked (attributes, containers, __cause__ and __context__ chains).

Traceback frames are not walked: every frame of a client method holds ``self``, the client,
which must keep the key to send requests. What a frame shows by ``repr`` (the client, its request
headers) hides it instead, which a traceback formatted with local variables proves.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import traceback
import types
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any

import pytest
from conftest import KEY_SECRET_PART
from hostile import HostileServer, answer, hang_up, raw, silent

from paddle_async import Paddle, Timeout
from paddle_async.customers import UpdateCustomer
from paddle_async.errors import PaddleError
from paddle_async.testing import TEST_API_KEY

MISSING_ID = "ctm_01zzzzzzzzzzzzzzzzzzzzzzzz"
JSON = "application/json"
ERROR_404 = (
    b'{"error": {"type": "request_error", "code": "not_found", "detail": "none"}, '
    b'"meta": {"request_id": "r-404"}}'
)
ERROR_429 = (
    b'{"error": {"type": "request_error", "code": "too_many_requests", "detail": "slow"}, '
    b'"meta": {"request_id": "r-429"}}'
)

_LEAVES = (int, float, complex, bool, type(None), type, types.ModuleType, types.FunctionType)


def _children(value: object) -> Iterator[tuple[str, object]]:
    if isinstance(value, BaseException):
        yield ".__cause__", value.__cause__
        yield ".__context__", value.__context__
        yield ".args", value.args
    if isinstance(value, Mapping):
        for key, item in list(value.items()):
            yield f"[{key!r}] (key)", key
            yield f"[{key!r}]", item
    elif isinstance(value, list | tuple | set | frozenset | deque):
        for index, item in enumerate(value):
            yield f"[{index}]", item
    for name, item in getattr(value, "__dict__", {}).items():
        yield f".{name}", item
    for cls in type(value).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            with contextlib.suppress(AttributeError):
                yield f".{name}", getattr(value, name)


def paths_to_secret(root: object, secret: str) -> list[str]:
    """Return the paths from ``root`` to every string or bytes value containing ``secret``."""
    found: list[str] = []
    seen: set[int] = set()
    queue: deque[tuple[str, object]] = deque([("error", root)])
    while queue:
        path, value = queue.popleft()
        if id(value) in seen or isinstance(value, _LEAVES):
            continue
        seen.add(id(value))
        if isinstance(value, str | bytes | bytearray):
            text = value if isinstance(value, str) else bytes(value).decode("latin-1")
            if secret in text:
                found.append(path)
            continue
        queue.extend((path + step, child) for step, child in _children(value))
    return found


def test_the_walk_finds_a_key_hidden_deep_in_a_chain() -> None:
    """The walker itself: a key three levels down a __context__ chain is found."""

    class Holder:
        def __init__(self) -> None:
            self.headers = {"Authorization": f"Bearer {TEST_API_KEY}"}

    inner = RuntimeError("x")
    inner.holder = Holder()  # type: ignore[attr-defined]
    outer = ValueError("y")
    outer.__context__ = inner
    assert [".__context__.holder.headers['Authorization']"] == [
        path.removeprefix("error") for path in paths_to_secret(outer, KEY_SECRET_PART)
    ]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


Provoke = Callable[[HostileServer], Awaitable[None]]


def client(base_url: str, **options: Any) -> Paddle:
    return Paddle(TEST_API_KEY, base_url=base_url, max_retries=0, rate_limit=None, **options)


def get_answered_by(respond: Any, **options: Any) -> Provoke:
    """A get against the hostile server answering with ``respond``."""

    async def provoke(hostile: HostileServer) -> None:
        hostile.respond = respond
        async with client(hostile.base_url, **options) as paddle:
            await paddle.customers.get(MISSING_ID)

    return provoke


async def connection_refused(hostile: HostileServer) -> None:
    async with client(f"http://127.0.0.1:{free_port()}") as paddle:
        await paddle.customers.get(MISSING_ID)


async def connect_timeout(hostile: HostileServer) -> None:
    hostile.respond = silent
    timeout = Timeout(total=5.0, connect=0.1)
    async with client(hostile.base_url, max_connections=1, timeout=timeout) as paddle:
        hog = asyncio.create_task(paddle.customers.get(MISSING_ID))
        await hostile.requested()
        try:
            await paddle.customers.get(MISSING_ID)
        finally:
            hog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await hog


async def closed_while_running(hostile: HostileServer) -> None:
    hostile.respond = silent
    paddle = client(hostile.base_url)
    task = asyncio.create_task(paddle.customers.get(MISSING_ID))
    await hostile.requested()
    await paddle.aclose()
    await task


async def closed_before(hostile: HostileServer) -> None:
    paddle = client(hostile.base_url)
    await paddle.aclose()
    await paddle.customers.get(MISSING_ID)


async def invalid_input(hostile: HostileServer) -> None:
    async with client(hostile.base_url) as paddle:
        await paddle.customers.update("ctm_?", UpdateCustomer(name="x"))


async def misconfigured(hostile: HostileServer) -> None:
    Paddle(TEST_API_KEY, base_url="https://user:pw@proxy.example")


FAILURES: dict[str, Provoke] = {
    "connection refused": connection_refused,
    "connect timeout": connect_timeout,
    "total timeout": get_answered_by(silent, timeout=0.2),
    "dropped connection": get_answered_by(hang_up),
    "not HTTP": get_answered_by(raw(b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n{}")),
    "body cut short": get_answered_by(raw(b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n{")),
    "malformed JSON": get_answered_by(answer(b'{"data": {"id"', Content_Type=JSON)),
    "corrupt gzip": get_answered_by(answer(b"nope", Content_Encoding="gzip")),
    "HTML 502": get_answered_by(answer(b"<html>bad gateway</html>", 502, Content_Type="text/html")),
    "4xx envelope": get_answered_by(answer(ERROR_404, 404, Content_Type=JSON)),
    "429": get_answered_by(answer(ERROR_429, 429, Content_Type=JSON, Retry_After=1)),
    "too large": get_answered_by(
        answer(gzip.compress(b" " * 5000), Content_Encoding="gzip"), max_response_bytes=100
    ),
    "closed while running": closed_while_running,
    "closed before": closed_before,
    "validation error": invalid_input,
    "configuration error": misconfigured,
}


@pytest.mark.parametrize("failure", list(FAILURES))
async def test_no_raised_error_reaches_the_key(hostile: HostileServer, failure: str) -> None:
    """Whatever fails, nothing reachable from the raised error holds the key's secret part."""
    with pytest.raises(PaddleError) as caught:
        await FAILURES[failure](hostile)
    assert [] == paths_to_secret(caught.value, KEY_SECRET_PART)


# The constructor's own frame holds the key it was given, as any function's would.
@pytest.mark.parametrize("failure", [name for name in FAILURES if name != "configuration error"])
async def test_no_traceback_with_local_variables_shows_the_key(
    hostile: HostileServer, failure: str
) -> None:
    """Formatted with every frame's local variables (as error reporters can), no key shows."""
    with pytest.raises(PaddleError) as caught:
        await FAILURES[failure](hostile)
    report = traceback.TracebackException.from_exception(caught.value, capture_locals=True)
    assert KEY_SECRET_PART not in "".join(report.format())
