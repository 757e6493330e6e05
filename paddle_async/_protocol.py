"""Sans-I/O: requests as values, the `Sender` protocol, headers, envelopes, status -> error.

Nothing here does I/O, so all of it is tested without an event loop or a server.
"""

from __future__ import annotations

import enum
import math
import platform
import re
import time
from collections.abc import Collection, Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import quote, unquote, urlsplit

import attrs

from . import _json, errors
from ._types import TimeoutArg
from ._validation import id_of
from ._version import __version__

__all__ = [
    "USER_AGENT",
    "ApiRequest",
    "Envelope",
    "Kind",
    "RawResponse",
    "Sender",
    "build_headers",
    "encode_query",
    "error_from_response",
    "next_page_params",
    "parse_retry_after",
    "request_id_from",
]

USER_AGENT = f"paddle_async/{__version__} (Python {platform.python_version()})"
_EXCERPT = 200
# Delay-seconds are digits (RFC 9110); a fraction or exponent is read too, but never a sign,
# ``inf``/``nan``, ``_`` or non-ASCII digits, all of which float() would accept.
_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?", re.ASCII)
# RFC 3986: the only characters a URL may hold; any other was never percent-encoded.
_URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*", re.ASCII)
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# What quote(safe=",[]") leaves as it is.
_UNQUOTED = re.compile(r"[A-Za-z0-9_.~,\[\]-]*", re.ASCII)
MAX_NEXT_URL = 65_536


class Kind(enum.Enum):
    """How safe a request is to repeat, which decides how it is retried."""

    READ = "read"
    """GET: safe to repeat."""
    UPDATE = "update"
    """PATCH with absolute values: repeating it gives the same state. Also a POST whose
    repeat is harmless: a customer auth token or portal session (a second one expires unused)."""
    CREATE = "create"
    """POST that may be repeated after an unknown outcome: a later conflict is reconciled.

    Paddle has no idempotency keys; a customer's e-mail is unique, so a create of a customer
    whose first attempt may have reached Paddle is retried, and its 409 looked into."""
    CREATE_ONCE = "create_once"
    """POST with nothing unique to reconcile a duplicate by (an address, a business).

    Retried only where Paddle provably did not process it (the connection never opened, 429,
    500 and 503 with Paddle's code, 521-523); never after a timeout, a dropped connection, 502,
    504, 520, 524, or a 500 or 503 that is not Paddle's."""
    DELETE = "delete"
    """DELETE: repeating it gives the same state, but a repeat after an attempt that may have
    reached Paddle can meet 404 (the first attempt deleted it); such a 404 says so
    (`NotFoundError.after_unknown_outcome`)."""


@attrs.frozen(kw_only=True)
class ApiRequest:
    """One API call, before it meets the network.

    Attributes:
        method: The HTTP method.
        path: The path below the base URL, already validated (``/customers/ctm_...``).
        query: The encoded query string without ``?`` (empty for none).
        body: The JSON body as bytes, or None.
        kind: How the call may be retried.
    """

    method: str
    path: str
    query: str = ""
    body: bytes | None = None
    kind: Kind = Kind.READ


def _size(body: bytes) -> str:
    return f"<{len(body)} bytes>"


@attrs.frozen
class RawResponse:
    """What came back over the wire: the status, headers and the whole body.

    Its ``repr`` shows the body's size, not its bytes: a response can hold a customer's data or
    a secret (an auth token, portal links), and error reporters record the local variables of
    a traceback's frames by ``repr``.
    """

    status: int
    headers: Mapping[str, str]
    body: bytes = attrs.field(repr=_size)


def build_headers(api_key: str, *, has_body: bool) -> dict[str, str]:
    """Return the headers every Paddle request carries."""
    headers = {
        "Authorization": f"Bearer {api_key}",
        "Paddle-Version": "1",
        "User-Agent": USER_AGENT,
        "Accept": "application/json",
    }
    if has_body:
        headers["Content-Type"] = "application/json"
    return headers


def encode_query(params: Mapping[str, str | int | None]) -> str:
    """Encode query parameters, leaving out None; arrays arrive here already comma-joined."""
    # What urlencode(safe=",[]", quote_via=quote) gives, faster: this runs for every page.
    return "&".join(
        f"{_quote(key)}={_quote(str(value))}" for key, value in params.items() if value is not None
    )


def _quote(text: str) -> str:
    # Paddle takes arrays as one comma-separated value; keep the commas readable.
    return text if _UNQUOTED.fullmatch(text) else quote(text, safe=",[]")


def _unquote(text: str) -> str:
    # As a server reads a query: "+" is a space, escapes are UTF-8 (strictly).
    if "+" in text:
        text = text.replace("+", " ")
    return unquote(text, errors="strict") if "%" in text else text


def request_id_from(headers: Mapping[str, str]) -> str | None:
    """Return a request id header, for responses whose body has none."""
    return headers.get("Request-Id") or headers.get("X-Request-Id")


def _excerpt(body: bytes) -> str:
    # UTF-8 takes at most 4 bytes a character: enough bytes for _EXCERPT whole characters.
    return body[: 4 * _EXCERPT].decode("utf-8", errors="replace")[:_EXCERPT]


@attrs.frozen
class _Undecodable:
    """What `_load` gives for a body that is not JSON, with the decoder's reason."""

    reason: str


def _load(response: RawResponse) -> Any:
    # _json.loads raises ValueError for anything undecodable, too-deep documents included.
    try:
        return _json.loads(response.body)
    except ValueError as exc:
        return _Undecodable(str(exc))


class Envelope:
    """A decoded 2xx response: its status, the envelope's ``data`` and ``meta``, its request id.

    Paddle answers every success with ``{"data": ..., "meta": {...}}``, except a delete, which
    answers 204 with no body: that envelope's ``data`` is None. The response is kept so that a
    shape error found after decoding reports the real status (a create answers 201) and the
    body's first characters, as `InvalidResponseError` promises.

    Args:
        data: The envelope's ``data``: an object, a list, or None for a 204.
        meta: The envelope's ``meta`` object (empty when absent or not an object).
        response: The response it was decoded from.
    """

    __slots__ = ("data", "meta", "response")

    def __init__(self, *, data: Any, meta: dict[str, Any], response: RawResponse) -> None:
        self.data = data
        self.meta = meta
        self.response = response

    def __repr__(self) -> str:
        return f"<Envelope HTTP {self.status} request_id={self.request_id!r}>"

    @classmethod
    def from_response(cls, response: RawResponse) -> Envelope:
        """Decode a 2xx response: a JSON object holding ``data``, or a 204 with no body.

        Raises:
            InvalidResponseError: The body is not JSON, or not an object with ``data``.
        """
        if response.status == 204:
            # No Content: a delete. Whatever came with it (nothing should) is not read.
            return cls(data=None, meta={}, response=response)
        document = _load(response)
        if not isinstance(document, dict) or "data" not in document:
            meta = document.get("meta") if isinstance(document, dict) else None
            request_id = meta.get("request_id") if isinstance(meta, dict) else None
            if isinstance(document, _Undecodable):
                what = f"a body that is not JSON ({document.reason[:_EXCERPT]})"
            elif isinstance(document, dict):
                what = "no 'data' in the body"
            else:
                what = "no JSON object"
            raise errors.InvalidResponseError(
                f"HTTP {response.status} with {what}",
                status=response.status,
                request_id=request_id
                if isinstance(request_id, str)
                else request_id_from(response.headers),
                body_excerpt=_excerpt(response.body),
            )
        meta = document.get("meta")
        return cls(
            data=document["data"], meta=meta if isinstance(meta, dict) else {}, response=response
        )

    @property
    def status(self) -> int:
        """The HTTP status: 200, 201 for a create, 204 for a delete."""
        return self.response.status

    @property
    def request_id(self) -> str | None:
        """``meta.request_id``, else the ``Request-Id`` header, else None."""
        return envelope_request_id(self.meta) or request_id_from(self.response.headers)

    def invalid(self, message: str) -> errors.InvalidResponseError:
        """Return the error for this response: its status, request id and body excerpt."""
        return errors.InvalidResponseError(
            message,
            status=self.response.status,
            request_id=self.request_id,
            body_excerpt=_excerpt(self.response.body),
        )


class Sender(Protocol):
    """Anything that sends an `ApiRequest` and returns its decoded `Envelope`: a `Paddle`.

    Every operation takes a Sender first, so operations are plain functions that work with
    the client, or with any stand-in (an in-memory one in tests, a wrapper that counts).
    """

    async def send(self, request: ApiRequest, *, timeout: TimeoutArg = None) -> Envelope:
        """Send ``request``; return the decoded success envelope.

        Raises:
            PaddleError: A typed error for anything but a usable 2xx response.
        """
        ...


def envelope_request_id(meta: object) -> str | None:
    """Return ``request_id`` of an envelope's ``meta``, or None."""
    if isinstance(meta, dict):
        request_id = meta.get("request_id")
        if isinstance(request_id, str):
            return request_id
    return None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def error_from_response(response: RawResponse, *, now: float | None = None) -> errors.APIError:
    """Build the typed error for a non-2xx response, JSON envelope or not."""
    document = _load(response)
    error = document.get("error") if isinstance(document, dict) else None
    request_id = (
        envelope_request_id(document.get("meta")) if isinstance(document, dict) else None
    ) or request_id_from(response.headers)
    retry_after = parse_retry_after(response.headers.get("Retry-After"), now=now)
    if not isinstance(error, dict):
        cls = errors.error_class_for(response.status, None)
        return cls(
            status=response.status,
            request_id=request_id,
            body_excerpt=_excerpt(response.body),
            retry_after=retry_after,
        )
    code = _str_or_none(error.get("code"))
    detail = _str_or_none(error.get("detail"))
    field_errors = [
        errors.FieldError(str(item.get("field", "")), str(item.get("message", "")))
        for item in error.get("errors") or ()
        if isinstance(item, dict)
    ]
    cls = errors.error_class_for(response.status, code)
    extra: dict[str, Any] = {}
    if cls is errors.CustomerAlreadyExistsError:
        # "customer email conflicts with customer of id ctm_...": not a stable API, so an id
        # is taken only when one of the customer id's exact form is there.
        found = id_of("customer").pattern.search(detail or "")
        extra["existing_customer_id"] = found.group(0) if found else None
    return cls(
        status=response.status,
        code=code,
        type=_str_or_none(error.get("type")),
        detail=detail,
        documentation_url=_str_or_none(error.get("documentation_url")),
        request_id=request_id,
        field_errors=field_errors,
        retry_after=retry_after,
        **extra,
    )


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Parse ``Retry-After`` as seconds or an HTTP-date (relative to ``now``, a Unix time).

    Never raises: anything but a finite, non-negative number of seconds counts as no usable
    value. Huge values are returned as they are (the retry loop caps what it waits).

    Returns:
        Seconds to wait (0 for a date in the past), or None when absent, negative, not finite
        (``inf``, ``nan``, digits that overflow a float), or not a number or HTTP-date.
    """
    if value is None:
        return None
    value = value.strip()
    if _SECONDS.fullmatch(value):
        seconds = float(value)  # never raises on these characters; may overflow to inf
        return seconds if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
        if when.tzinfo is None:  # "-0000": UTC with no offset information (RFC 5322)
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - (time.time() if now is None else now)
    except (TypeError, ValueError, IndexError, OverflowError):
        # The email parser's failures: garbage, out-of-range fields, years beyond a C long.
        return None
    return max(seconds, 0.0) if math.isfinite(seconds) else None


def next_page_params(next_url: object, parameters: Collection[str]) -> dict[str, str]:
    """Return the parameters of ``meta.pagination.next`` that the listing may send, decoded.

    Only the query is read: the next page is fetched from the configured base URL and the same
    path, so a ``next`` naming another host (or scheme) never receives the API key. The query
    is decoded as a server reads it (``+`` is a space, escapes are UTF-8) and is meant to be
    encoded again with `encode_query`, so no byte of it reaches the request line as sent.
    Parameters not in ``parameters`` are dropped: the SDK never asked for them.

    Args:
        next_url: The ``next`` value from the response.
        parameters: The query parameter names of the listing's request.

    Returns:
        The kept parameters by name, in the order ``next`` gave them.

    Raises:
        ValueError: ``next`` is not a URL (characters a URL may not hold: spaces, control
            characters, raw non-ASCII; a bad escape; escapes that are not UTF-8; over
            ``MAX_NEXT_URL`` characters), a query field has no ``=``, or a parameter repeats.
            The reason never quotes the query, which may hold e-mail addresses.
    """
    if not isinstance(next_url, str):
        raise ValueError(f"not a string but {type(next_url).__name__}")
    if len(next_url) > MAX_NEXT_URL:
        raise ValueError(f"longer than {MAX_NEXT_URL} characters")
    if not _URL_CHARACTERS.fullmatch(next_url):
        raise ValueError("not a URL: it holds characters a URL cannot (space, control, non-ASCII)")
    if _BAD_ESCAPE.search(next_url):
        raise ValueError("not a URL: a '%' that starts no escape")
    try:
        query = urlsplit(next_url).query
    except ValueError:
        raise ValueError("not a URL") from None
    kept: dict[str, str] = {}
    for field in query.split("&") if query else ():
        raw_name, equals, raw_value = field.partition("=")
        if not equals:
            raise ValueError("a query field without '='")
        try:
            name = _unquote(raw_name)
            value = _unquote(raw_value)
        except UnicodeDecodeError:
            raise ValueError("an escape that is not UTF-8") from None
        if name in parameters:
            if name in kept:
                # Servers differ on which of the two counts: the meaning is unknowable.
                raise ValueError(f"the parameter {name!r} twice")
            kept[name] = value
    return kept
