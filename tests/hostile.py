"""A hostile HTTP/1.1 server for tests: each test decides, byte for byte, how it answers.

FakePaddle behaves; this one lies about lengths, streams without end, sends bombs, garbage or
nothing at all, or answers each request from a script that sees the request line exactly as it
arrived. It reads the bytes off the socket itself: an HTTP server library would refuse or
normalise a malformed request line before a handler could see it. It listens on a free
127.0.0.1 port (``async with HostileServer() as server``, or the ``hostile`` fixture) and
closes every connection when stopped.
"""

from __future__ import annotations

import asyncio
import json
import re
import zlib
from collections.abc import Awaitable, Callable, Iterable
from functools import cache
from typing import Any

import attrs

from paddle_async._types import AsyncContextMixin

MiB = 1024 * 1024
HEAD_LIMIT = 1 << 16
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
_PIECE = b"x" * (64 * 1024)
EMPTY_PAGE = (
    b'{"data": [], "meta": {"request_id": "hostile", "pagination": '
    b'{"per_page": 50, "next": null, "has_more": false, "estimated_total": 0}}}'
)
"""A valid, empty page of a list: what the server answers unless told otherwise."""


@attrs.frozen(kw_only=True)
class Received:
    """One request as it came off the wire."""

    line: bytes
    """The request line without its CRLF: ``GET /customers?... HTTP/1.1``."""
    head: bytes
    """The request line and headers, up to and including the blank line."""
    body: bytes = b""
    """The body, as long as its Content-Length said (``b""`` for none)."""

    def headers(self) -> list[bytes]:
        """Return the header lines, each as received."""
        return self.head.split(b"\r\n")[1:-2]

    @property
    def target(self) -> str:
        """The request target (path and query) as ASCII, or a replacement-marked guess."""
        parts = self.line.split(b" ")
        return parts[1].decode("ascii", "replace") if len(parts) == 3 else ""


Respond = Callable[[Received, asyncio.StreamWriter], Awaitable[None]]
"""How the server answers one request: it may write anything, or nothing, and close."""


def head(status: int = 200, **headers: str | int) -> bytes:
    """Return a status line and headers (``Content_Type`` becomes ``Content-Type``)."""
    lines = [f"HTTP/1.1 {status} Hostile"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def answer(body: bytes, status: int = 200, **headers: str | int) -> Respond:
    """Answer with ``body`` and a correct Content-Length."""

    async def respond(_: Received, writer: asyncio.StreamWriter) -> None:
        writer.write(head(status, Content_Length=len(body), **headers) + body)
        await writer.drain()

    return respond


def raw(data: bytes) -> Respond:
    """Answer with ``data`` as it is (not necessarily HTTP), then close the connection."""

    async def respond(_: Received, writer: asyncio.StreamWriter) -> None:
        writer.write(data)
        await writer.drain()
        writer.close()

    return respond


def stream(pieces: Iterable[bytes], status: int = 200, **headers: str | int) -> Respond:
    """Answer with ``pieces`` as they come: chunked unless ``headers`` give a Content-Length."""
    chunked = "Content_Length" not in headers

    async def respond(_: Received, writer: asyncio.StreamWriter) -> None:
        extra = {"Transfer_Encoding": "chunked"} if chunked else {}
        writer.write(head(status, **headers, **extra))
        for piece in pieces:
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            await writer.drain()
        if chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()

    return respond


@attrs.frozen(kw_only=True)
class Answer:
    """A scripted answer: a status and a body (JSON when not bytes), then the connection closes."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = attrs.field(factory=dict)

    def encode(self) -> bytes:
        """Return the whole response as bytes."""
        body = self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()
        lines = [f"HTTP/1.1 {self.status} Scripted", "Content-Type: application/json"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
        return "\r\n".join(lines).encode() + body


def scripted(script: Callable[[Received], Answer]) -> Respond:
    """Answer each request with what ``script`` makes of it, one connection per request."""

    async def respond(received: Received, writer: asyncio.StreamWriter) -> None:
        writer.write(script(received).encode())
        await writer.drain()
        writer.close()

    return respond


def megabytes(n: int) -> Iterable[bytes]:
    """Yield ``n`` MiB of filler in 64 KiB pieces (one object, reused: the server stays small)."""
    for _ in range(n * 16):
        yield _PIECE


def endless() -> Iterable[bytes]:
    """Yield filler forever."""
    while True:
        yield _PIECE


async def silent(_: Received, writer: asyncio.StreamWriter) -> None:
    """Never answer."""
    await asyncio.Event().wait()


async def hang_up(_: Received, writer: asyncio.StreamWriter) -> None:
    """Close the connection without answering."""
    writer.close()


@cache
def bomb(wbits: int, megabytes: int = 200) -> bytes:
    """Return ``megabytes`` MiB of zeros compressed (wbits 31: gzip, 15: zlib, -15: raw)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = bytes(MiB)
    return b"".join(compressor.compress(zeros) for _ in range(megabytes)) + compressor.flush()


class HostileServer(AsyncContextMixin):
    """An HTTP/1.1 server on 127.0.0.1 that answers every request with `respond`.

    Args:
        respond: How requests are answered (default: a small valid envelope); tests may set
            the attribute again at any time.

    Attributes:
        received: The requests received, in order.
        connections: How many connections were accepted.
    """

    def __init__(self, respond: Respond | None = None) -> None:
        self.respond: Respond = respond or answer(EMPTY_PAGE, Content_Type="application/json")
        self.received: list[Received] = []
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._arrived = asyncio.Event()

    @property
    def base_url(self) -> str:
        """The server's URL."""
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self.connections += 1
        try:
            while not writer.is_closing():
                request_head = await reader.readuntil(b"\r\n\r\n")
                length = _CONTENT_LENGTH.search(request_head)
                received = Received(
                    line=request_head.split(b"\r\n", 1)[0],
                    head=request_head,
                    body=await reader.readexactly(int(length[1])) if length else b"",
                )
                self.received.append(received)
                self._arrived.set()
                await self.respond(received, writer)
        except (
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            ConnectionError,
            asyncio.CancelledError,
        ):
            pass  # the client went away, sent a head over the limit, or the server stops
        finally:
            writer.close()
            self._handlers.discard(task)

    async def requested(self, n: int = 1) -> None:
        """Return once ``n`` requests have arrived (or fail after 10 s)."""
        async with asyncio.timeout(10):
            while len(self.received) < n:
                self._arrived.clear()
                await self._arrived.wait()

    async def _open(self) -> None:
        """Listen on a free port."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=HEAD_LIMIT)

    async def aclose(self) -> None:
        """Stop listening and close every connection."""
        assert self._server is not None
        self._server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()
