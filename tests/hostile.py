"""A small hostile HTTP/1.1 server for tests: each test decides, byte for byte, how it answers.

FakePaddle behaves; this one lies about lengths, streams without end, sends bombs, garbage or
nothing at all. It listens on a free 127.0.0.1 port and closes every connection when stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from functools import cache

Respond = Callable[[asyncio.StreamWriter], Awaitable[None]]

MiB = 1024 * 1024
_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
_PIECE = b"x" * (64 * 1024)
EMPTY_PAGE = (
    b'{"data": [], "meta": {"request_id": "hostile", "pagination": '
    b'{"per_page": 50, "next": null, "has_more": false, "estimated_total": 0}}}'
)
"""A valid, empty page of a list: what the server answers unless told otherwise."""


def head(status: int = 200, **headers: str | int) -> bytes:
    """Return a status line and headers (``Content_Type`` becomes ``Content-Type``)."""
    lines = [f"HTTP/1.1 {status} Hostile"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def answer(body: bytes, status: int = 200, **headers: str | int) -> Respond:
    """Answer with ``body`` and a correct Content-Length."""

    async def respond(writer: asyncio.StreamWriter) -> None:
        writer.write(head(status, Content_Length=len(body), **headers) + body)
        await writer.drain()

    return respond


def raw(data: bytes) -> Respond:
    """Answer with ``data`` as it is (not necessarily HTTP), then close the connection."""

    async def respond(writer: asyncio.StreamWriter) -> None:
        writer.write(data)
        await writer.drain()
        writer.close()

    return respond


def stream(pieces: Iterable[bytes], status: int = 200, **headers: str | int) -> Respond:
    """Answer with ``pieces`` as they come: chunked unless ``headers`` give a Content-Length."""
    chunked = "Content_Length" not in headers

    async def respond(writer: asyncio.StreamWriter) -> None:
        extra = {"Transfer_Encoding": "chunked"} if chunked else {}
        writer.write(head(status, **headers, **extra))
        for piece in pieces:
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            await writer.drain()
        if chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()

    return respond


def megabytes(n: int) -> Iterable[bytes]:
    """Yield ``n`` MiB of filler in 64 KiB pieces (one object, reused: the server stays small)."""
    for _ in range(n * 16):
        yield _PIECE


def endless() -> Iterable[bytes]:
    """Yield filler forever."""
    while True:
        yield _PIECE


async def silent(writer: asyncio.StreamWriter) -> None:
    """Never answer."""
    await asyncio.Event().wait()


async def hang_up(writer: asyncio.StreamWriter) -> None:
    """Close the connection without answering."""
    writer.close()


@cache
def bomb(wbits: int, megabytes: int = 200) -> bytes:
    """Return ``megabytes`` MiB of zeros compressed (wbits 31: gzip, 15: zlib, -15: raw)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = bytes(MiB)
    return b"".join(compressor.compress(zeros) for _ in range(megabytes)) + compressor.flush()


class HostileServer:
    """An HTTP/1.1 server on 127.0.0.1 that answers every request with `respond`.

    Attributes:
        respond: How the next requests are answered (default: a small valid envelope).
        requests: The request heads received, in order.
        bodies: The request bodies received, in order (``b""`` for none).
        connections: How many connections were accepted.
    """

    def __init__(self) -> None:
        self.respond: Respond = answer(EMPTY_PAGE, Content_Type="application/json")
        self.requests: list[bytes] = []
        self.bodies: list[bytes] = []
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
                self.requests.append(request_head)
                self._arrived.set()
                length = _CONTENT_LENGTH.search(request_head)
                self.bodies.append(await reader.readexactly(int(length[1])) if length else b"")
                await self.respond(writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the client went away, or the server stops
        finally:
            writer.close()
            self._handlers.discard(task)

    async def requested(self, n: int = 1) -> None:
        """Return once ``n`` requests have arrived (or fail after 10 s)."""
        async with asyncio.timeout(10):
            while len(self.requests) < n:
                self._arrived.clear()
                await self._arrived.wait()

    async def start(self) -> None:
        """Listen on a free port."""
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def stop(self) -> None:
        """Stop listening and close every connection."""
        assert self._server is not None
        self._server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()


@contextlib.asynccontextmanager
async def hostile_server() -> AsyncIterator[HostileServer]:
    """Run a `HostileServer` for the duration of the block."""
    server = HostileServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
