"""The client's HTTP transport: the aiohttp connection pool, timeouts, bounded reading, `send()`.

The client imports aiohttp here alone (`_client` takes the session type, `ClientSession`, from
here), so replacing aiohttp touches this module; yarl, aiohttp's URL type, is also used by
`_client` to check ``base_url`` as aiohttp will parse it. `paddle_async.testing` imports aiohttp
too, as test tooling beside the client: FakePaddle is an ``aiohttp.web`` server, and
WebhookSender posts signed deliveries to a URL with its own aiohttp session. tests/test_layering.py
holds the package to exactly these importers.

Every aiohttp or asyncio failure leaves this module as a paddle_async error (`_FAILURE_TABLE`),
with ``sent`` telling whether the request may have reached the server, raised after the
``except`` that caught it so that nothing of aiohttp's is chained to it. Bodies are read within
``max_response_bytes``, counted after decompression.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any, Final

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from . import errors
from ._protocol import RawResponse, request_id_from
from ._types import Timeout

__all__ = ["ClientSession", "Transport", "request_headers"]

ClientSession = aiohttp.ClientSession
"""The session type `Paddle(session=...)` takes, named here so that no other module imports
aiohttp for it."""

# The encodings `Transport` decodes itself (zlib bounds what each step may produce).
_ACCEPT_ENCODING: Final = "gzip, deflate"

# Set on every request, so a borrowed session's settings cannot undo them: aiohttp reads in
# small steps and hands the body over as it came (this module decompresses it).
_READ_BUFSIZE: Final = 64 * 1024
# The most one zlib call may produce: zlib holds its output twice while it assembles it.
_INFLATE_STEP: Final = 256 * 1024
# UTF-8 takes at most 4 bytes a character: enough for the 200 an error keeps.
_EXCERPT_BYTES: Final = 800
# aiohttp labels a POST, PUT or PATCH without a body application/octet-stream; a request with
# no body has no type (Paddle's auth-token endpoint takes no body, and refuses even `{}`).
_BODY_METHODS: Final = frozenset({"POST", "PUT", "PATCH"})
_NO_CONTENT_TYPE: Final = ("Content-Type",)

_Kinds = type[BaseException] | tuple[type[BaseException], ...]
_TIMEOUT = errors.APITimeoutError
_CONNECTION = errors.APIConnectionError

# How each aiohttp or asyncio failure becomes a paddle_async error: the exception types, the
# error class, whether the request may have reached the server (`TransportError.sent`), and the
# message after "METHOD /path: ". The first row that matches wins, so subclasses come first.
_FAILURE_TABLE: Final[tuple[tuple[_Kinds, type[errors.TransportError], bool, str], ...]] = (
    # The connect timeout includes the wait for a pooled connection: nothing was written yet.
    (aiohttp.ConnectionTimeoutError, _TIMEOUT, False, "no connection within {connect} s"),
    (aiohttp.ClientConnectorError, _CONNECTION, False, "cannot connect: {reason}"),
    ((TimeoutError, aiohttp.ServerTimeoutError), _TIMEOUT, True, "no response within {total} s"),
    # Only a response that is not HTTP raises this here: raise_for_status is off.
    (aiohttp.ClientResponseError, _CONNECTION, True, "invalid HTTP response: {kind}"),
    ((aiohttp.ClientError, OSError), _CONNECTION, True, "connection lost: {kind}"),
)
_FAILURES: Final = (aiohttp.ClientError, OSError, TimeoutError)

# aiohttp repeats an idempotent request (GET, DELETE, ...) once, unseen, when its connection
# drops (RFC 9112 §9.3.1). For a GET that is welcome; for a DELETE it is not: the SDK's retry
# must know the first attempt may have deleted the entity, so a 404 from the repeat is taken
# as done (`Kind.DELETE`), not raised to a caller who asked once. A request can carry
# middlewares (aiohttp 3.12, the oldest this package takes), which see each attempt: this one
# turns the drop into an error aiohttp does not repeat, and `_translate` reads the original.
_SDK_REPEATS: Final = frozenset({"DELETE"})


class _NotRepeated(aiohttp.ClientConnectionError):
    """A dropped connection that aiohttp must not repeat on its own (its cause is the drop)."""


async def _sdk_repeats_only(
    request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
) -> aiohttp.ClientResponse:
    try:
        return await handler(request)
    except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as exc:
        if isinstance(exc, aiohttp.ClientConnectorError):
            raise  # never connected: aiohttp does not repeat these anyway
        raise _NotRepeated(str(exc)) from exc


def _translate(
    exc: BaseException, method: str, path: str, timeout: Timeout
) -> errors.TransportError:
    """Return the paddle_async error for an aiohttp or asyncio failure (see `_FAILURE_TABLE`)."""
    if isinstance(exc, _NotRepeated) and exc.__cause__ is not None:
        exc = exc.__cause__
    # The last row catches everything `_FAILURES` lets in.
    _, cls, sent, template = next(row for row in _FAILURE_TABLE if isinstance(exc, row[0]))
    os_error = getattr(exc, "os_error", None)
    message = template.format(
        connect=timeout.connect,
        total=timeout.total,
        reason=(os_error.strerror or os_error) if isinstance(os_error, OSError) else exc,
        kind=type(exc).__name__,
    )
    return cls(f"{method} {path}: {message}", method=method, path=path, sent=sent)


class _RequestHeaders(CIMultiDictProxy[str]):
    """Request headers whose repr and str name the headers but show no value (the API key).

    A read-only multidict: aiohttp takes it as it is, where a dict is copied into one on
    every request.
    """

    def __repr__(self) -> str:
        return f"<request headers {', '.join(self.keys())}: values hidden>"

    __str__ = __repr__


def request_headers(headers: Mapping[str, str]) -> Mapping[str, str]:
    """Return ``headers`` plus ``Accept-Encoding``, ready for `Transport.send`, values hidden."""
    return _RequestHeaders(CIMultiDict({**headers, "Accept-Encoding": _ACCEPT_ENCODING}))


class Transport:
    """An aiohttp session (owned, or borrowed from the caller) and how to send one request.

    Args:
        max_connections: The size of the pool of a session this transport creates.
        max_response_bytes: The largest body accepted, after decompression.
        session: A caller's session to borrow (never closed here), or None to create one.
        common_headers: Headers most requests carry (from `request_headers`): a session this
            transport creates holds them as its defaults, and a `send` with this very mapping
            hands aiohttp nothing to merge. A borrowed session gets them with every request.
    """

    def __init__(
        self,
        *,
        max_connections: int,
        max_response_bytes: int,
        session: ClientSession | None = None,
        common_headers: Mapping[str, str] | None = None,
    ) -> None:
        self._max_connections = max_connections
        self._max_response_bytes = max_response_bytes
        self._session = session
        self._owns_session = session is None
        self._common_headers = common_headers
        self._closed = False
        # The aiohttp timeout for the last `Timeout` seen (the same or an equal one reuses it):
        # almost every call uses the client's.
        self._timeout: Timeout | None = None
        self._client_timeout = aiohttp.ClientTimeout()

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise errors.ClientClosedError("the Paddle client is closed")
        if self._session is None:
            # Created lazily: aiohttp sessions need a running event loop.
            connector = aiohttp.TCPConnector(
                limit=self._max_connections, limit_per_host=0, ttl_dns_cache=300
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers=self._common_headers,
                timeout=aiohttp.ClientTimeout(total=None),
                auto_decompress=False,
                raise_for_status=False,
                trust_env=False,
            )
        return self._session

    def open(self) -> None:
        """Create the session now (it is otherwise created on the first request)."""
        self._ensure_session()

    async def close(self) -> None:
        """Close the session if this transport created it; a borrowed one stays open."""
        self._closed = True
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()

    def connections_in_use(self) -> int:
        """Return how many pooled connections are currently checked out by requests."""
        session = self._session
        if session is None or session.connector is None:
            return 0
        # aiohttp exposes no public gauge; `_acquired` is the set of connections handed out.
        acquired = getattr(session.connector, "_acquired", ())
        return len(acquired)

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout: Timeout,
        path: str,
    ) -> RawResponse:
        """Send one request and read the whole response, decompressed, within the size limit.

        Args:
            method: The HTTP method.
            url: The absolute URL, query included, already percent-encoded.
            headers: The request headers (with ``Accept-Encoding: gzip, deflate``): the
                ``common_headers`` or any others.
            body: The body, or None for none: then no ``Content-Type`` is sent either.
            timeout: The connect and total timeouts for this attempt.
            path: The path, for error messages (the query may hold e-mail addresses).

        Raises:
            ClientClosedError: The client was closed before or during the request.
            APIConnectionError: The connection failed or dropped.
            APITimeoutError: A timeout passed.
            ResponseTooLargeError: The body, decompressed, is over ``max_response_bytes``.
            InvalidResponseError: The body's compression is unknown, corrupt or cut short.
        """
        session = self._ensure_session()
        # The common headers are an owned session's defaults already.
        own_headers = None if headers is self._common_headers and self._owns_session else headers
        if timeout is not self._timeout and timeout != self._timeout:
            self._timeout = timeout
            self._client_timeout = aiohttp.ClientTimeout(
                total=timeout.total, connect=timeout.connect
            )
        error: errors.PaddleError
        extra: dict[str, Any] = {}
        if method in _SDK_REPEATS:
            # A request's middlewares replace the session's: a borrowed session keeps its own.
            own = getattr(session, "_middlewares", ())
            extra["middlewares"] = (*own, _sdk_repeats_only)
        try:
            async with session.request(
                method,
                URL(url, encoded=True),
                headers=own_headers,
                data=body,
                timeout=self._client_timeout,
                allow_redirects=False,
                auto_decompress=False,
                read_bufsize=_READ_BUFSIZE,
                skip_auto_headers=(
                    _NO_CONTENT_TYPE if body is None and method in _BODY_METHODS else None
                ),
                **extra,
            ) as response:
                payload = await _read_body(response, self._max_response_bytes)
                if isinstance(payload, bytes):
                    return RawResponse(response.status, response.headers, payload)
                # What is left of this body stays unread: the connection cannot be reused.
                response.close()
                error = payload
        except _FAILURES as exc:
            # Built here, raised below: outside the `except`, nothing from aiohttp (whose
            # exceptions can hold the request's headers) is chained to the error.
            error = self._closed_or(_translate(exc, method, path, timeout))
        except RuntimeError:
            # aiohttp raises RuntimeError("Session is closed") when closed under us.
            if not (self._closed or session.closed):
                raise
            error = errors.ClientClosedError(f"{method} {path}: the Paddle client was closed")
        raise error

    def _closed_or(self, error: errors.PaddleError) -> errors.PaddleError:
        if self._closed:
            return errors.ClientClosedError(
                f"the Paddle client was closed during the request: {error}"
            )
        return error


class _Inflater:
    """Decompress a gzip or deflate body step by step, never producing more than allowed."""

    def __init__(self, coding: str) -> None:
        self._deflate = coding == "deflate"
        self._decompressor: zlib._Decompress | None = None
        self.complete = True  # no stream started, or the last one ended

    def _start(self, data: bytes) -> zlib._Decompress:
        if not self._deflate:
            wbits = 16 + zlib.MAX_WBITS  # gzip
        elif data[0] & 0x0F == zlib.DEFLATED:
            wbits = zlib.MAX_WBITS  # deflate as HTTP specifies it: a zlib stream
        else:
            wbits = -zlib.MAX_WBITS  # raw deflate, which some servers send instead
        return zlib.decompressobj(wbits)

    def feed(self, data: bytes, room: int, out: list[bytes]) -> int:
        """Decompress ``data`` into ``out``; stop once more than ``room`` bytes came out.

        Returns:
            How many bytes were added to ``out``.

        Raises:
            zlib.error: The data is not valid gzip or deflate.
        """
        produced = 0
        while True:
            decompressor = self._decompressor
            if decompressor is None:
                decompressor = self._decompressor = self._start(data)
                self.complete = False
            # At most one byte more than the room left (enough to tell), in steps: zlib holds
            # a step twice while it assembles it.
            step = min(room - produced + 1, _INFLATE_STEP)
            piece = decompressor.decompress(data, step)
            if piece:
                out.append(piece)
                produced += len(piece)
            if produced > room:
                break
            if decompressor.eof:
                # Another member may follow (gzip allows several); anything else is invalid.
                data = decompressor.unused_data
                self._decompressor = None
                self.complete = True
                if not data:
                    break
            else:
                data = decompressor.unconsumed_tail
                if not data and len(piece) < step:
                    break  # all input taken and all its output given
        return produced


async def _read_body(
    response: aiohttp.ClientResponse, limit: int
) -> bytes | errors.InvalidResponseError:
    """Read the whole body, decompressing gzip or deflate, or say why not.

    Never holds more than ``limit`` bytes of body (plus one read step), however the server
    frames or compresses it: a gzip bomb stops after ``limit`` bytes came out.
    """
    coding = response.headers.get("Content-Encoding", "").strip().lower()
    inflater = None
    if coding in ("gzip", "x-gzip", "deflate"):
        inflater = _Inflater(coding)
    elif coding not in ("", "identity"):
        return _invalid(response, b"", what=f"an unsupported Content-Encoding {coding!r}")
    length = response.content_length
    if inflater is None and length is not None and length > limit:
        return _invalid(response, b"", limit=limit)
    chunks: list[bytes] = []
    size = received = 0
    content = response.content
    corrupt = False
    while chunk := await content.readany():
        received += len(chunk)
        if inflater is None:
            chunks.append(chunk)
            size += len(chunk)
        else:
            try:
                size += inflater.feed(chunk, limit - size, chunks)
            except zlib.error:
                corrupt = True
                break
        # The compressed size counts too: endless empty deflate blocks inflate to nothing.
        if size > limit or received > limit:
            return _invalid(response, _first(chunks), limit=limit)
    if corrupt or (inflater is not None and not inflater.complete):
        what = f"a {coding} body that is corrupt or cut short"
        return _invalid(response, _first(chunks), what=what)
    return b"".join(chunks)


def _first(chunks: list[bytes]) -> bytes:
    """Return the first bytes of a body read in ``chunks``, enough for an excerpt."""
    head = bytearray()
    for chunk in chunks:
        head += chunk[: _EXCERPT_BYTES - len(head)]
        if len(head) >= _EXCERPT_BYTES:
            break
    return bytes(head)


def _invalid(
    response: aiohttp.ClientResponse, head: bytes, *, what: str = "", limit: int | None = None
) -> errors.InvalidResponseError:
    """Return the error for a body that cannot be used (``what`` it is), or is over ``limit``."""
    status = response.status
    request_id = request_id_from(response.headers)
    excerpt = head.decode("utf-8", errors="replace")
    if limit is None:
        return errors.InvalidResponseError(
            f"HTTP {status} with {what}", status=status, request_id=request_id, body_excerpt=excerpt
        )
    return errors.ResponseTooLargeError(
        f"HTTP {status} with a body over max_response_bytes ({limit:,} bytes)",
        status=status,
        request_id=request_id,
        body_excerpt=excerpt,
        limit=limit,
    )
