"""`Paddle`: configuration, the `async with` lifetime, and sending one API call with retries."""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import os
import re
import time
from collections.abc import Mapping
from typing import Any

import attrs
from yarl import URL

from . import errors
from ._protocol import ApiRequest, Envelope, build_headers, error_from_response
from ._retry import RetryPolicy, call_with_retries
from ._session import ClientSession, Transport, request_headers
from ._types import AsyncContextMixin, Environment, Timeout, TimeoutArg
from .addresses._namespace import Addresses
from .businesses._namespace import Businesses
from .customer_portal_sessions._namespace import CustomerPortalSessions
from .customers._namespace import Customers
from .payment_methods._namespace import PaymentMethods
from .ratelimit import RateLimit, RateLimiter

__all__ = ["Paddle"]

_KEY_ENVIRONMENT = re.compile(r"pdl_(live|sdbx)_")
_ENVIRONMENT_OF_MARKER = {"live": Environment.PRODUCTION, "sdbx": Environment.SANDBOX}
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
# A host name after IDNA encoding (underscores too: internal names such as Docker services).
_HOST_CHARACTERS = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_DEFAULT_RATE_LIMIT = RateLimit()
_DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024


def mask_key(api_key: str) -> str:
    """Return the first characters of a key, enough to tell keys apart in logs, never more."""
    shown = 18 if _KEY_ENVIRONMENT.match(api_key) else 4
    return api_key[:shown] + "…"


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_base_url(base_url: object) -> str:
    """Return ``base_url`` normalised as aiohttp will use it, or say in one line what is wrong.

    Everything aiohttp would refuse at the first request (or send somewhere unexpected) is
    refused here. No message repeats the URL, which may hold a password.
    """
    if not isinstance(base_url, str):
        raise errors.ConfigurationError(f"base_url must be a string, not {type(base_url).__name__}")
    bad = next((ch for ch in base_url if ch.isspace() or not ch.isprintable() or ch == "\\"), None)
    if bad is not None:
        raise errors.ConfigurationError(
            f"base_url must not contain whitespace, control characters or backslashes ({bad!r})"
        )
    scheme, separator, rest = base_url.partition("://")
    if scheme.lower() not in ("https", "http") or not separator:
        raise errors.ConfigurationError("base_url must be an http(s) URL such as https://host")
    if "@" in rest.split("/", 1)[0]:
        raise errors.ConfigurationError(
            "base_url must not contain user:password@ (the API key is the only credential sent)"
        )
    if "?" in rest or "#" in rest:
        raise errors.ConfigurationError("base_url must not have a query or fragment")
    url = _parse_url(base_url)
    if isinstance(url, str):
        raise errors.ConfigurationError(f"base_url is not a valid URL: {url}")
    host = url.raw_host or ""
    if not _is_ip_address(host) and not _is_host_name(host):
        raise errors.ConfigurationError(
            "base_url must name a host: labels of 1 to 63 letters, digits, - or _"
        )
    if url.explicit_port == 0:
        raise errors.ConfigurationError("base_url has port 0; ports are 1 to 65535")
    if url.scheme == "http" and not _is_loopback(host):
        raise errors.ConfigurationError(
            "base_url must use https: plain http would send the API key in clear text "
            "(http is allowed only for loopback hosts such as 127.0.0.1)"
        )
    # yarl's form: the host in IDNA, the path percent-encoded, as the request line will be.
    return str(url).rstrip("/")


def _parse_url(text: str) -> URL | str:
    """Parse with yarl, as aiohttp does; return the reason instead when it refuses."""
    try:
        return URL(text)
    except ValueError as exc:  # UnicodeError (IDNA) included
        return str(exc) or type(exc).__name__


def _is_host_name(host: str) -> bool:
    if not _HOST_CHARACTERS.fullmatch(host):
        return False
    try:
        # What the resolver does with it (getaddrinfo): empty or over-long labels fail there.
        host.encode("idna")
    except UnicodeError:
        return False
    return True


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _check_key(api_key: str) -> Environment | None:
    if not isinstance(api_key, str) or not api_key.strip():
        raise errors.ConfigurationError("api_key must be a non-empty string")
    if api_key != api_key.strip() or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in api_key):
        raise errors.ConfigurationError("api_key contains whitespace or control characters")
    match = _KEY_ENVIRONMENT.match(api_key)
    return _ENVIRONMENT_OF_MARKER[match.group(1)] if match else None


def _resolve_base_url(
    key_environment: Environment | None, environment: Environment | None, base_url: str | None
) -> str:
    if base_url is not None and environment is not None:
        raise errors.ConfigurationError("pass either environment= or base_url=, not both")
    if base_url is not None:
        base_url = _check_base_url(base_url)
        for known in Environment:
            if base_url == known.base_url:
                environment = known
        if environment is None or key_environment is None:
            return base_url
    if environment is None:
        if key_environment is None:
            raise errors.ConfigurationError(
                "this API key does not name its environment (a key created before 2025-05-06): "
                "pass environment=Environment.SANDBOX or Environment.PRODUCTION, or set "
                "PADDLE_ENVIRONMENT to sandbox or production"
            )
        return key_environment.base_url
    if key_environment is not None and key_environment is not environment:
        raise errors.ConfigurationError(
            f"this is a {key_environment.name.lower()} API key but the client is set up for "
            f"{environment.name.lower()} ({environment.base_url}); Paddle would answer 403 "
            "invalid_token"
        )
    return environment.base_url


def _configure(
    api_key: str | None,
    environment: Environment | None,
    base_url: str | None,
    variables: Mapping[str, str],
) -> tuple[str, str]:
    """Return the key and base URL to use: arguments first, then ``PADDLE_*`` variables.

    PADDLE_ENVIRONMENT and PADDLE_BASE_URL are read only when neither environment= nor base_url=
    is given, so an argument always wins over both. Empty variables count as unset. Errors name
    the variables that were read, never their values (one of them is the key).
    """
    read: list[str] = []
    if api_key is None:
        api_key = variables.get("PADDLE_API_KEY", "")
        if not api_key.strip():
            empty = " (it is set but empty)" if "PADDLE_API_KEY" in variables else ""
            raise errors.ConfigurationError(
                f"no API key: pass Paddle(api_key) or set PADDLE_API_KEY{empty}"
            )
        read.append("PADDLE_API_KEY")
    if environment is None and base_url is None:
        if name := variables.get("PADDLE_ENVIRONMENT", "").strip():
            try:
                environment = Environment[name.upper()]
            except KeyError:
                raise errors.ConfigurationError(
                    "PADDLE_ENVIRONMENT must be sandbox or production"
                ) from None
            read.append("PADDLE_ENVIRONMENT")
        if url := variables.get("PADDLE_BASE_URL", "").strip():
            base_url = url
            read.append("PADDLE_BASE_URL")

    def naming(error: errors.ConfigurationError, names: list[str]) -> errors.ConfigurationError:
        # Each message names the variables its bad value came from, and only those.
        if not names:
            return error
        return errors.ConfigurationError(f"{error} (read from {' and '.join(names)})")

    try:
        key_environment = _check_key(api_key)
    except errors.ConfigurationError as error:
        raise naming(error, [name for name in read if name == "PADDLE_API_KEY"]) from None
    if base_url is not None:
        try:
            base_url = _check_base_url(base_url)
        except errors.ConfigurationError as error:
            raise naming(error, [name for name in read if name == "PADDLE_BASE_URL"]) from None
    try:
        return api_key, _resolve_base_url(key_environment, environment, base_url)
    except errors.ConfigurationError as error:
        raise naming(error, read) from None


class Paddle(AsyncContextMixin):
    """An async client for the Paddle Billing API, owning one connection pool.

    Use it as ``async with Paddle(api_key) as paddle: ...``, or keep one for an application's
    lifetime and ``await paddle.aclose()`` at shutdown. It is safe to share between tasks: no
    request state lives on it.

    Args:
        api_key: A Paddle API key; None (the default) reads the ``PADDLE_API_KEY`` environment
            variable. New keys (``pdl_live_apikey_...``, ``pdl_sdbx_apikey_...``) name their
            environment; a key for the other environment raises `ConfigurationError` here,
            before any request.
        environment: `Environment.SANDBOX` or `Environment.PRODUCTION`; inferred from new keys,
            required for keys created before 2025-05-06. Without this and ``base_url``, the
            ``PADDLE_ENVIRONMENT`` (``sandbox`` or ``production``) and ``PADDLE_BASE_URL``
            variables are read.
        base_url: Any other server (a proxy, FakePaddle); plain http only for loopback hosts.
        timeout: A `Timeout`, or seconds for the total; default 30 s total, 5 s to connect.
        max_retries: Retries after the first attempt (default 3); overrides ``retry``.
        retry: The whole `RetryPolicy`.
        max_connections: The size of the connection pool (default 64).
        max_response_bytes: The largest response body accepted, counted after decompression
            (default 16 MiB; a page of 200 customers is about 100 KB). A larger one raises
            `ResponseTooLargeError` as soon as it passes the limit, and its connection is
            closed.
        rate_limit: The client's own pacing: a `RateLimit` (default 240 requests per 60 s, as
            Paddle allows per IP), a `RateLimiter` to share with other clients, or None for off.
        session: An ``aiohttp.ClientSession`` to use; the caller keeps owning (and closing) it.

    Raises:
        ConfigurationError: A setting that cannot work (no key as argument or in
            ``PADDLE_API_KEY``, a key for the other environment, a ``base_url`` aiohttp would
            refuse, a bad timeout or limit), said in one line that names the environment
            variables read, never the key.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        environment: Environment | None = None,
        base_url: str | None = None,
        timeout: Timeout | float | None = None,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        max_connections: int = 64,
        max_response_bytes: int = _DEFAULT_MAX_RESPONSE_BYTES,
        rate_limit: RateLimit | RateLimiter | None = _DEFAULT_RATE_LIMIT,
        session: ClientSession | None = None,
    ) -> None:
        api_key, self._base_url = _configure(api_key, environment, base_url, os.environ)
        self._masked_key = mask_key(api_key)
        self._headers = request_headers(build_headers(api_key, has_body=False))
        self._headers_with_body = request_headers(build_headers(api_key, has_body=True))
        self._timeout = Timeout.coerce(timeout)
        self._retry = retry or RetryPolicy()
        if max_retries is not None:
            self._retry = attrs.evolve(self._retry, max_retries=max_retries)
        if max_connections < 1:
            raise errors.ConfigurationError("max_connections must be at least 1")
        if isinstance(max_response_bytes, bool) or not (
            isinstance(max_response_bytes, int) and max_response_bytes >= 1
        ):
            raise errors.ConfigurationError("max_response_bytes must be a positive whole number")
        self._limiter: RateLimiter | None = (
            rate_limit.limiter() if isinstance(rate_limit, RateLimit) else rate_limit
        )
        self._transport = Transport(
            max_connections=max_connections,
            max_response_bytes=max_response_bytes,
            session=session,
            common_headers=self._headers,
        )
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop of the first request
        # The tasks inside `send`, with their `Task.cancelling()` count when they came in:
        # `aclose` cancels them, and `send` tells its own cancellation from their owners'.
        self._running: dict[asyncio.Task[Any], int] = {}
        self._cancelled_by_close: set[asyncio.Task[Any]] = set()
        self.customers = Customers(self)
        """Operations on customers: create, get, update, list, list_credit_balances,
        generate_auth_token."""
        self.addresses = Addresses(self)
        """Operations on a customer's addresses: create, get, update, list."""
        self.businesses = Businesses(self)
        """Operations on a customer's businesses: create, get, update, list."""
        self.payment_methods = PaymentMethods(self)
        """A customer's saved payment methods: list, get, delete."""
        self.customer_portal_sessions = CustomerPortalSessions(self)
        """Authenticated links to Paddle's customer portal: create."""

    def __repr__(self) -> str:
        # Also called on a half-made client (a traceback's locals after __init__ raised).
        base_url = getattr(self, "_base_url", None)
        return f"Paddle(base_url={base_url!r}, api_key={getattr(self, '_masked_key', None)!r})"

    @property
    def base_url(self) -> str:
        """The API base URL requests go to."""
        return self._base_url

    @property
    def closed(self) -> bool:
        """Whether the client was closed."""
        return self._closed

    @property
    def rate_limiter(self) -> RateLimiter | None:
        """The limiter pacing this client's requests, or None."""
        return self._limiter

    def connections_in_use(self) -> int:
        """Return how many pooled connections requests hold right now (0 when idle)."""
        return self._transport.connections_in_use()

    async def _open(self) -> None:
        if self._closed:
            raise errors.ClientClosedError("a closed Paddle client cannot be reopened")
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._bind(loop)
        self._transport.open()

    def _bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Tie the client to the event loop it first runs on; refuse any other."""
        if self._loop is None:
            self._loop = loop
            return
        # aiohttp's connections belong to that loop; on another they fail with "Event loop is
        # closed" (after an earlier asyncio.run) or worse. Nothing is closed: it is a mistake in
        # how the program uses the client, so it is a configuration error.
        raise errors.ConfigurationError(
            "a Paddle client belongs to the event loop it first ran on, and this is another one "
            "(a second asyncio.run()?): create one client per event loop"
        )

    async def aclose(self) -> None:
        """Close the client; requests still running fail with `ClientClosedError`.

        Every call still running (waiting for a pooled connection, for an answer, out a backoff
        or for the rate limiter) is interrupted and raises `ClientClosedError`. Only a task that
        its owner cancelled too still raises `CancelledError`.
        """
        if self._closed:
            return
        self._closed = True
        if self._loop is not None and self._loop is not asyncio.get_running_loop():
            return  # its tasks and connections belong to another loop: they cannot be touched
        current = asyncio.current_task()
        for task in self._running:
            if task is not current and task.cancel():
                self._cancelled_by_close.add(task)
        await self._transport.close()

    def _closed_under(self, task: asyncio.Task[Any]) -> bool:
        """Whether a `CancelledError` in ``task`` came from `aclose` alone (not from its owner)."""
        if not self._closed:
            return False
        entered_with = self._running[task]
        if task in self._cancelled_by_close:
            self._cancelled_by_close.discard(task)
            # Take back the cancellation `aclose` asked for; what is left is the owner's.
            return task.uncancel() <= entered_with
        # aiohttp cancels the futures of requests waiting for a connection when it closes.
        return task.cancelling() <= entered_with

    async def _sleep(self, seconds: float) -> None:
        """Wait, unless the client is closed (`aclose` interrupts the wait by cancelling)."""
        if self._closed:
            raise errors.ClientClosedError("the Paddle client is closed")
        await asyncio.sleep(seconds)

    async def _on_rate_limited(self, seconds: float) -> None:
        if self._limiter is not None:
            await self._limiter.pause(seconds)

    async def _attempt(self, request: ApiRequest, timeout: Timeout) -> Envelope:
        """Send ``request`` once, after the rate limiter's turn; raise the typed error."""
        limiter = self._limiter
        if limiter is not None:
            await limiter.acquire(self._sleep)
        path = request.path
        query = request.query
        raw = await self._transport.send(
            request.method,
            f"{self._base_url}{path}?{query}" if query else self._base_url + path,
            headers=self._headers if request.body is None else self._headers_with_body,
            body=request.body,
            timeout=timeout,
            path=path,
        )
        if 200 <= raw.status < 300:
            return Envelope.from_response(raw)
        raise error_from_response(raw)

    async def send(self, request: ApiRequest, *, timeout: TimeoutArg = None) -> Envelope:
        """Send one API call, paced by the rate limiter and retried as `RetryPolicy` says.

        This is the `Sender` every operation uses; call it for an endpoint the SDK does not
        cover yet. ``request.path`` is sent below the base URL as it is: validate any id in it.

        Args:
            request: The call: method, path, encoded query, JSON body (None sends no body and
                no ``Content-Type``) and `Kind`, which decides how it is retried.
            timeout: This call's timeout per attempt (default: the client's).

        Returns:
            The decoded success envelope (``data`` None for a 204).

        Raises:
            ClientClosedError: The client is closed, or was closed during the call.
            APIError: Paddle answered with an error status (a subclass per status and code).
            TransportError: No HTTP response (`APIConnectionError`, `APITimeoutError`).
            InvalidResponseError: A 2xx response that is not Paddle's envelope.
        """
        if self._closed:
            raise errors.ClientClosedError("the Paddle client is closed")
        if not isinstance(request, ApiRequest):
            raise TypeError(
                f"Paddle.send() takes an ApiRequest, got {type(request).__name__}: build "
                "ApiRequest(method=..., path=..., query=..., body=..., kind=...)"
            )
        task = asyncio.current_task()
        if task is None:  # pragma: no cover - asyncio always runs coroutines in a task
            raise errors.ConfigurationError("the Paddle client must be used in an asyncio task")
        if task.get_loop() is not self._loop:
            self._bind(task.get_loop())
        attempt_timeout = self._timeout if timeout is None else Timeout.coerce(timeout)
        running = self._running
        running[task] = task.cancelling()
        try:
            # The first attempt is made here, outside the retry loop: almost every call
            # succeeds at once, and then needs none of the loop's machinery.
            started = time.monotonic()
            try:
                return await self._attempt(request, attempt_timeout)
            except (errors.APIError, errors.TransportError) as exc:
                failed = exc
            return await call_with_retries(
                functools.partial(self._attempt, request, attempt_timeout),
                policy=self._retry,
                kind=request.kind,
                describe=f"{request.method} {request.path}",
                sleep=self._sleep,
                on_rate_limited=self._on_rate_limited,
                started=started,
                failed=failed,
            )
        except asyncio.CancelledError:
            if not self._closed_under(task):
                raise
        finally:
            running.pop(task, None)
        # Raised here, after the `except`: the cancellation is over, not chained to this.
        raise errors.ClientClosedError(
            f"{request.method} {request.path}: the Paddle client was closed"
        )
