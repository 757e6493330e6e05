"""Sans-I/O: requests as values, headers, envelope decoding, and status -> error mapping.

Nothing here does I/O, so all of it is tested without an event loop or a server.
"""

from __future__ import annotations

import enum
import platform
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import attrs

from . import _json, errors
from ._version import __version__

__all__ = [
    "CUSTOMER_ID_PATTERN",
    "USER_AGENT",
    "ApiRequest",
    "Kind",
    "RawResponse",
    "build_headers",
    "decode_envelope",
    "encode_query",
    "error_from_response",
    "next_page_query",
    "parse_retry_after",
    "request_id_from",
]

USER_AGENT = f"paddle_async/{__version__} (Python {platform.python_version()})"
# Paddle's pattern is ``^ctm_[a-z\d]{26}$``; Python's ``\d`` also matches Arabic-Indic, full-width
# and every other Unicode digit, so the digits are spelled out: ASCII only.
CUSTOMER_ID_PATTERN = re.compile(r"ctm_[0-9a-z]{26}")
_EXCERPT = 200


class Kind(enum.Enum):
    """How safe a request is to repeat, which decides how it is retried."""

    READ = "read"
    """GET: safe to repeat."""
    UPDATE = "update"
    """PATCH with absolute values: repeating it gives the same state."""
    CREATE = "create"
    """POST: not idempotent; Paddle has no idempotency keys."""


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

    def with_query(self, query: str) -> ApiRequest:
        """Return the same request with another query string."""
        return attrs.evolve(self, query=query)


@attrs.frozen
class RawResponse:
    """What came back over the wire: the status, headers and the whole body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


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


def encode_json(value: Any) -> bytes:
    """Encode a request body compactly (the package's one encoder, `_json.dumps`)."""
    return _json.dumps(value)


def encode_query(params: Mapping[str, str | int | None]) -> str:
    """Encode query parameters, leaving out None; arrays arrive here already comma-joined."""
    items = [(key, str(value)) for key, value in params.items() if value is not None]
    # Paddle takes arrays as one comma-separated value; keep the commas readable.
    return urlencode(items, safe=",[]", quote_via=quote)


def request_id_from(headers: Mapping[str, str]) -> str | None:
    """Return a request id header, for responses whose body has none."""
    return headers.get("Request-Id") or headers.get("X-Request-Id")


def _excerpt(body: bytes) -> str:
    return body[:_EXCERPT].decode("utf-8", errors="replace")


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


def decode_envelope(response: RawResponse) -> dict[str, Any]:
    """Return the JSON envelope of a 2xx response, which must hold ``data``.

    Raises:
        InvalidResponseError: The body is not JSON, or not an object with ``data``.
    """
    document = _load(response)
    if not isinstance(document, dict) or "data" not in document:
        meta = document.get("meta") if isinstance(document, dict) else None
        request_id = meta.get("request_id") if isinstance(meta, dict) else None
        if isinstance(document, _Undecodable):
            what = f"a body that is not JSON ({document.reason[:_EXCERPT]})"
        else:
            what = "no JSON object" if not isinstance(document, dict) else "no 'data' in the body"
        raise errors.InvalidResponseError(
            f"HTTP {response.status} with {what}",
            status=response.status,
            request_id=request_id
            if isinstance(request_id, str)
            else request_id_from(response.headers),
            body_excerpt=_excerpt(response.body),
        )
    return document


def envelope_request_id(document: Mapping[str, Any]) -> str | None:
    """Return ``meta.request_id`` of an envelope, or None."""
    meta = document.get("meta")
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
        envelope_request_id(document) if isinstance(document, dict) else None
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
    field_errors = [
        errors.FieldError(str(item.get("field", "")), str(item.get("message", "")))
        for item in error.get("errors") or ()
        if isinstance(item, dict)
    ]
    cls = errors.error_class_for(response.status, code)
    return cls(
        status=response.status,
        code=code,
        type=_str_or_none(error.get("type")),
        detail=_str_or_none(error.get("detail")),
        documentation_url=_str_or_none(error.get("documentation_url")),
        request_id=request_id,
        field_errors=field_errors,
        retry_after=retry_after,
    )


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Parse ``Retry-After`` as seconds or an HTTP-date (relative to ``now``, a Unix time).

    Returns:
        Seconds to wait (never negative), or None when absent or unreadable.
    """
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if seconds == seconds else None  # NaN is unreadable
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if now is None:
        import time

        now = time.time()
    return max(when.timestamp() - now, 0.0)


def next_page_query(next_url: Any, previous_query: str) -> str | None:
    """Return the query to fetch the next page with, taken from ``meta.pagination.next``.

    Only the query is kept: the next page is fetched from the configured base URL and the same
    path, so a ``next`` that names another host (or scheme) never receives the API key.

    Returns:
        The query string, or None when ``next`` is unusable or repeats the previous query.
    """
    if not isinstance(next_url, str) or not next_url:
        return None
    query = urlsplit(next_url).query
    if not query or query == previous_query:
        return None
    return query
