"""A lean fake Paddle server for benchmarks: Paddle's wire format, none of its checks.

It answers ``POST /customers``, ``GET /customers/{id}``, ``PATCH /customers/{id}``,
``GET /customers`` (cursor pages with ``meta.pagination``) and
``GET /customers/{id}/addresses/{id}`` (each customer has one address, of the same number) from
JSON bytes built once at start-up, over a hand-rolled HTTP/1.1 keep-alive parser on a bare
`asyncio.Protocol`. It does no validation and no authentication: its only job is to cost the
client side as little as possible, so that a client's throughput is the client's.
`paddle_async.testing.FakePaddle` is the faithful fake; this one is the fast one.

Run it as ``python -m benchmarks.server --customers N``: it prints one JSON line
(``{"base_url": ...}``) when it listens, then reads commands on stdin, one per line, and
answers each with one JSON line on stdout:

``stats``
    ``{"requests": n, "cpu": seconds}``: requests answered and the process CPU time so far.
``delay SECONDS``
    Hold every response back this long (0 turns it off).
``quit`` (or end of input)
    Stop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from typing import Final
from urllib.parse import unquote

from benchmarks._data import address_bytes, address_index, customer_bytes, customer_index

__all__ = ["BenchServer", "main"]

_REASONS: Final = {200: b"OK", 201: b"Created", 404: b"Not Found", 405: b"Method Not Allowed"}
_REQUEST_ID: Final = b"7c0bd7d5-66a3-4b0c-9a8e-3b5a2f1f0b6e"
_CREATED_POOL: Final = 64  # distinct create answers, cycled
_ADDRESSES: Final = 10_000  # customers beyond this many have no address


def _response(status: int, body: bytes, *, close: bool = False) -> bytes:
    head = b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n" % (
        status,
        _REASONS[status],
        len(body),
    )
    if close:
        head += b"Connection: close\r\n"
    return head + b"\r\n" + body


def _envelope(data: bytes) -> bytes:
    return b'{"data":' + data + b',"meta":{"request_id":"' + _REQUEST_ID + b'"}}'


def _not_found(what: bytes) -> bytes:
    return (
        b'{"error":{"type":"request_error","code":"not_found","detail":"'
        + what.replace(b'"', b"")[:80]
        + b' not found.","documentation_url":"https://developer.paddle.com/errors/shared/'
        b'not_found"},"meta":{"request_id":"' + _REQUEST_ID + b'"}}'
    )


class BenchServer:
    """The customers universe as bytes, and how to answer one request.

    Args:
        customers: How many customers exist (ids 0 to customers - 1).
    """

    def __init__(self, customers: int) -> None:
        self.customers = [customer_bytes(i) for i in range(customers)]
        self.addresses = [
            _response(200, _envelope(address_bytes(i))) for i in range(min(customers, _ADDRESSES))
        ]
        self.created = [
            _response(201, _envelope(customer_bytes(customers + i))) for i in range(_CREATED_POOL)
        ]
        self.base_url = ""
        self.delay = 0.0
        self.requests = 0
        self._created_next = 0

    def answer(self, method: bytes, target: bytes) -> bytes:
        """Return the whole HTTP response to one request."""
        self.requests += 1
        path, _, query = target.partition(b"?")
        if path == b"/customers":
            if method == b"GET":
                return _response(200, self._page(query))
            if method == b"POST":
                self._created_next = (self._created_next + 1) % _CREATED_POOL
                return self.created[self._created_next]
            return _response(405, _not_found(b"Method"))
        if path.startswith(b"/customers/") and method in (b"GET", b"PATCH"):
            customer, _, address = path[11:].decode("ascii", "replace").partition("/addresses/")
            index = customer_index(customer)
            if address and method == b"GET":
                same = index == address_index(address)
                if same and index is not None and index < len(self.addresses):
                    return self.addresses[index]
                return _response(404, _not_found(path))
            if index is not None and index < len(self.customers):
                return _response(200, _envelope(self.customers[index]))
        return _response(404, _not_found(path))

    def _page(self, query: bytes) -> bytes:
        per_page, after, descending = 50, None, True
        kept: list[bytes] = []
        for part in query.split(b"&") if query else ():
            key, _, value = part.partition(b"=")
            if key == b"after":
                after = customer_index(value.decode("ascii", "replace"))
                continue
            kept.append(part)
            if key == b"per_page" and value.isdigit():
                per_page = max(1, min(200, int(value)))
            elif key == b"order_by":
                descending = b"desc" in unquote(value.decode("ascii", "replace")).lower().encode()
        total = len(self.customers)
        if descending:
            stop = total if after is None else max(0, min(after, total))
            start = max(0, stop - per_page)
            indexes = range(stop - 1, start - 1, -1)
            has_more = start > 0
        else:
            start = 0 if after is None else min(after + 1, total)
            stop = min(start + per_page, total)
            indexes = range(start, stop)
            has_more = stop < total
        customers = self.customers
        data = b"[" + b",".join([customers[i] for i in indexes]) + b"]"
        last = customers[indexes[-1]][7:37] if indexes else b""
        kept.append(b"after=" + last)
        next_url = self.base_url.encode() + b"/customers?" + b"&".join(kept)
        return (
            b'{"data":' + data + b',"meta":{"request_id":"' + _REQUEST_ID + b'","pagination":'
            b'{"per_page":%d,"next":"%s","has_more":%s,"estimated_total":%d}}}'
            % (per_page, next_url, b"true" if has_more else b"false", total)
        )


class _Connection(asyncio.Protocol):
    """One keep-alive connection: split the byte stream into requests, answer each in order."""

    def __init__(self, server: BenchServer) -> None:
        self._server = server
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer + data if self._buffer else data
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end]
            lowered = head.lower()
            length = 0
            at = lowered.find(b"\r\ncontent-length:")
            if at >= 0:
                line_end = lowered.find(b"\r\n", at + 2)
                length = int(lowered[at + 17 : line_end if line_end >= 0 else None].strip())
            total = end + 4 + length
            if len(buffer) < total:
                break
            buffer = buffer[total:]
            line_end = head.find(b"\r\n")
            method, target, _ = (head if line_end < 0 else head[:line_end]).split(b" ", 2)
            close = b"\r\nconnection: close" in lowered
            response = self._server.answer(method, target)
            if close:
                response = response.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1)
            self._send(response, close)
        self._buffer = buffer

    def _send(self, response: bytes, close: bool) -> None:
        delay = self._server.delay
        if delay > 0:
            asyncio.get_running_loop().call_later(delay, self._write, response, close)
        else:
            self._write(response, close)

    def _write(self, response: bytes, close: bool) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        transport.write(response)
        if close:
            transport.close()


async def _serve(server: BenchServer, host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(lambda: _Connection(server), host, port, backlog=1024)
    bound_port = listener.sockets[0].getsockname()[1]
    server.base_url = f"http://{host}:{bound_port}"
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    _say({"base_url": server.base_url, "pid": os.getpid(), "customers": len(server.customers)})
    try:
        while line := await reader.readline():
            command, _, argument = line.decode().strip().partition(" ")
            if command == "stats":
                _say({"requests": server.requests, "cpu": time.process_time()})
            elif command == "delay":
                server.delay = float(argument)
                _say({"delay": server.delay})
            elif command == "quit":
                break
            else:
                _say({"error": f"unknown command {command!r}"})
    finally:
        listener.close()
        await listener.wait_closed()


def _say(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> None:
    """Run the server until ``quit`` or the end of stdin."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cpu", type=int, default=None, help="pin the server to this core")
    args = parser.parse_args(argv)
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    asyncio.run(_serve(BenchServer(args.customers), args.host, args.port))


if __name__ == "__main__":
    main()
