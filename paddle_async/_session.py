"""The only module that imports aiohttp: the connection pool, timeouts and one `send()`.

Every aiohttp or asyncio failure leaves this module as a paddle_async error, with ``sent``
telling whether the request may have reached the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import aiohttp
from yarl import URL

from . import errors
from ._protocol import RawResponse
from ._types import Timeout

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["ClientSession", "Transport"]

ClientSession = aiohttp.ClientSession


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


def _translate(
    exc: BaseException, method: str, path: str, timeout: Timeout
) -> errors.TransportError:
    """Return the paddle_async error for an aiohttp or asyncio failure (see `_FAILURE_TABLE`)."""
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


class Transport:
    """An aiohttp session (owned, or borrowed from the caller) and how to send one request."""

    def __init__(
        self,
        *,
        max_connections: int,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self._max_connections = max_connections
        self._session = session
        self._owns_session = session is None
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether `close` was called."""
        return self._closed

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
                timeout=aiohttp.ClientTimeout(total=None),
                auto_decompress=True,
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
        """Send one request and read the whole response.

        Args:
            method: The HTTP method.
            url: The absolute URL, query included, already percent-encoded.
            headers: The request headers.
            body: The body, or None.
            timeout: The connect and total timeouts for this attempt.
            path: The path, for error messages (the query may hold e-mail addresses).

        Raises:
            ClientClosedError: The client was closed before or during the request.
            APIConnectionError: The connection failed or dropped.
            APITimeoutError: A timeout passed.
        """
        session = self._ensure_session()
        client_timeout = aiohttp.ClientTimeout(total=timeout.total, connect=timeout.connect)
        try:
            async with session.request(
                method,
                URL(url, encoded=True),
                headers=headers,
                data=body,
                timeout=client_timeout,
                allow_redirects=False,
            ) as response:
                payload = await response.read()
                return RawResponse(response.status, response.headers, payload)
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
