"""A hostile HTTP/1.1 server on 127.0.0.1 that records each request line exactly as it arrived.

It reads the bytes off the socket itself: an HTTP server library would refuse or normalise a
malformed request line before a handler could see it, and these tests exist to see it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any, Self

import attrs

HEAD_LIMIT = 1 << 16


@attrs.frozen(kw_only=True)
class Received:
    """One request as it came off the wire."""

    line: bytes
    """The request line without its CRLF: ``GET /customers?... HTTP/1.1``."""
    head: bytes
    """The request line and headers, up to the blank line."""

    def headers(self) -> list[bytes]:
        """Return the header lines, each as received."""
        return self.head.split(b"\r\n")[1:-2]

    @property
    def target(self) -> str:
        """The request target (path and query) as ASCII, or a replacement-marked guess."""
        parts = self.line.split(b" ")
        return parts[1].decode("ascii", "replace") if len(parts) == 3 else ""


@attrs.frozen(kw_only=True)
class Answer:
    """What the server sends back: a status and a body (JSON when not bytes)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = attrs.field(factory=dict)

    def encode(self) -> bytes:
        body = self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()
        lines = [f"HTTP/1.1 {self.status} Scripted", "Content-Type: application/json"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
        return "\r\n".join(lines).encode() + body


class RawServer:
    """Answer every request with ``answer(received)``, one connection per request.

    Use ``async with RawServer(answer) as server``; ``server.base_url`` is where it listens.

    Args:
        answer: Builds the answer to one request from what arrived.
    """

    def __init__(self, answer: Callable[[Received], Answer]) -> None:
        self._answer = answer
        self._stack = contextlib.AsyncExitStack()
        self.received: list[Received] = []
        self.base_url = ""

    async def __aenter__(self) -> Self:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=HEAD_LIMIT)
        await self._stack.enter_async_context(server)
        self.base_url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._stack.aclose()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            head = b""
        if head:
            received = Received(line=head.split(b"\r\n", 1)[0], head=head)
            self.received.append(received)
            writer.write(self._answer(received).encode())
        try:
            with contextlib.suppress(ConnectionError):
                await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
