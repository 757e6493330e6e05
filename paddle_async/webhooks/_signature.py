"""Paddle webhook signatures, sans I/O: parse the header, compute and check HMAC-SHA256.

Paddle signs ``<ts>:<raw body>`` with the notification destination's secret key and sends
``Paddle-Signature: ts=<unix seconds>;h1=<hex digest>``; while a secret is being rotated the
header carries one ``h1`` per active secret.
See https://developer.paddle.com/webhooks/signature-verification.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import string
import time
from collections.abc import Callable, Sequence
from typing import Final

import attrs

from ..errors import (
    ConfigurationError,
    MalformedSignatureError,
    MissingSignatureError,
    SignatureMismatchError,
    TimestampOutOfToleranceError,
)

__all__ = [
    "DEFAULT_TOLERANCE",
    "SIGNATURE_HEADER",
    "SignatureHeader",
    "compute_signature",
    "parse_signature_header",
    "verify_signature",
]

SIGNATURE_HEADER: Final = "Paddle-Signature"
"""The name of the request header that carries Paddle's signature."""

DEFAULT_TOLERANCE: Final = 5.0
"""Seconds a signature's timestamp may be from now, either way (the official SDKs' default)."""

# The header's grammar, for the parser and the builder alike: ts=<seconds>;h1=<hex>[;h1=<hex>…]
_TIMESTAMP_KEY = "ts"
_SIGNATURE_KEY = "h1"
_PART_SEPARATOR = ";"
_KEY_SEPARATOR = "="

# A Unix time in seconds has 10 digits until the year 2286; more than 12 is not a timestamp.
_MAX_TIMESTAMP_DIGITS = 12
_HEX_DIGITS = frozenset(string.hexdigits.lower())
_DIGEST_LENGTH = 64


def _is_digest(value: str) -> bool:
    return len(value) == _DIGEST_LENGTH and set(value) <= _HEX_DIGITS


@attrs.frozen(kw_only=True)
class SignatureHeader:
    """A parsed ``Paddle-Signature`` header.

    Attributes:
        timestamp: ``ts``, in Unix seconds.
        timestamp_text: ``ts`` exactly as received; it is what Paddle signed.
        signatures: Every ``h1`` value that is 64 hex digits (the form of an HMAC-SHA256),
            lowercased, in header order. Other ``h1`` values cannot match and are skipped.
    """

    timestamp: int
    timestamp_text: str
    signatures: tuple[str, ...]


def parse_signature_header(header: str | None) -> SignatureHeader:
    """Parse a ``Paddle-Signature`` header value.

    Spaces around parts, keys and values are ignored, parts may come in any order, and parts
    with unknown keys (a future ``h2=``) are skipped. An ``h1`` value that is not 64 hex digits
    is skipped too, as long as another one is: it cannot match, and one matching signature is
    all that verification needs.

    Args:
        header: The header's value, or None when the request had none.

    Returns:
        The timestamp and the ``h1`` signatures.

    Raises:
        MissingSignatureError: ``header`` is None, empty or blank.
        MalformedSignatureError: a part is not ``key=value``, ``ts`` is missing, repeated or
            not a whole number of seconds, there is no ``h1``, or no ``h1`` is 64 hex digits.
    """
    if header is None or not header.strip():
        raise MissingSignatureError()
    timestamps: list[str] = []
    signatures: list[str] = []
    for part in header.split(_PART_SEPARATOR):
        if not part.strip():
            continue
        key, equals, value = part.partition(_KEY_SEPARATOR)
        if not equals:
            raise MalformedSignatureError("every part must be key=value, separated by ';'")
        key = key.strip().lower()
        value = value.strip()
        if key == _TIMESTAMP_KEY:
            timestamps.append(value)
        elif key == _SIGNATURE_KEY:
            signatures.append(value.lower())
    if not timestamps:
        raise MalformedSignatureError("no ts= part")
    if len(timestamps) > 1:
        raise MalformedSignatureError(f"{len(timestamps)} ts= parts; expected one")
    text = timestamps[0]
    if not (text.isascii() and text.isdigit() and len(text) <= _MAX_TIMESTAMP_DIGITS):
        raise MalformedSignatureError(f"ts is not a Unix time in seconds: {text[:16]!r}")
    if not signatures:
        raise MalformedSignatureError("no h1= signature")
    digests = tuple(s for s in signatures if _is_digest(s))
    if not digests:
        raise MalformedSignatureError("no h1= value is 64 hex digits")
    return SignatureHeader(timestamp=int(text), timestamp_text=text, signatures=digests)


def compute_signature(body: bytes, secret: str, timestamp: int | str) -> str:
    """Compute the ``h1`` signature Paddle sends for a body.

    Args:
        body: The raw request body.
        secret: The notification destination's secret key.
        timestamp: ``ts``, as sent in the header.

    Returns:
        The lowercase hex HMAC-SHA256 of ``<timestamp>:<body>``.
    """
    signed = f"{timestamp}:".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def format_signature_header(timestamp: int | str, signatures: Sequence[str]) -> str:
    """Return a ``Paddle-Signature`` value: ``ts`` first, then one ``h1`` per signature."""
    parts = [f"{_TIMESTAMP_KEY}{_KEY_SEPARATOR}{timestamp}"]
    parts.extend(f"{_SIGNATURE_KEY}{_KEY_SEPARATOR}{signature}" for signature in signatures)
    return _PART_SEPARATOR.join(parts)


def normalize_secrets(secrets: str | Sequence[str]) -> tuple[str, ...]:
    """Return the secrets as a non-empty tuple, or raise `ConfigurationError`."""
    items = (secrets,) if isinstance(secrets, str) else tuple(secrets)
    if not items:
        raise ConfigurationError("no webhook secret given")
    for item in items:
        if not isinstance(item, str) or not item:
            raise ConfigurationError("every webhook secret must be a non-empty string")
    return items


def check_tolerance(tolerance: float) -> float:
    """Return ``tolerance`` as a float, or raise `ConfigurationError` if it is not >= 0."""
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float):
        raise ConfigurationError("the tolerance must be a number of seconds")
    if math.isnan(tolerance) or tolerance < 0:
        raise ConfigurationError("the tolerance must be 0 seconds or more")
    return float(tolerance)


def check_body(body: bytes | bytearray | memoryview) -> bytes:
    """Return ``body`` as bytes, or raise TypeError: a str or dict has lost what Paddle signed."""
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError(
            f"pass the raw request body as bytes, before any JSON parsing; got "
            f"{type(body).__name__}"
        )
    return bytes(body)


def matches(body: bytes, header: SignatureHeader, secrets: Sequence[str]) -> bool:
    """Return whether any ``h1`` of ``header`` is the signature of ``body`` under any secret."""
    # As bytes: compare_digest refuses a str with non-ASCII characters.
    received = [s.encode() for s in header.signatures]
    found = False
    for secret in secrets:
        expected = compute_signature(body, secret, header.timestamp_text).encode()
        for signature in received:
            # Constant-time, and no early exit: the time taken does not depend on the match.
            found |= hmac.compare_digest(expected, signature)
    return found


def verify_signature(
    body: bytes | bytearray | memoryview,
    signature_header: str | None,
    secrets: str | Sequence[str],
    *,
    tolerance: float = DEFAULT_TOLERANCE,
    clock: Callable[[], float] = time.time,
) -> None:
    """Check that Paddle signed ``body`` recently with one of ``secrets``; raise if not.

    The signature is checked before the timestamp, so `TimestampOutOfToleranceError` is only
    raised for genuinely signed requests.

    Args:
        body: The raw request body, exactly as received (before any JSON parsing), as
            bytes, bytearray or memoryview.
        signature_header: The ``Paddle-Signature`` header's value, or None if absent.
        secrets: The notification destination's secret key, or several while rotating.
        tolerance: Seconds the signature's timestamp may differ from ``clock()``, either way.
        clock: Returns the current Unix time in seconds.

    Raises:
        MissingSignatureError: There is no header, or it is blank.
        MalformedSignatureError: The header cannot be parsed.
        SignatureMismatchError: No ``h1`` signature matches any secret.
        TimestampOutOfToleranceError: The timestamp is more than ``tolerance`` from now.
        ConfigurationError: ``secrets`` is empty or holds an empty or non-string secret, or
            ``tolerance`` is not a number of seconds >= 0.
        TypeError: ``body`` is not bytes-like (a str or a parsed dict has lost what Paddle
            signed).
    """
    body = check_body(body)
    keys = normalize_secrets(secrets)
    limit = check_tolerance(tolerance)
    header = parse_signature_header(signature_header)
    if not matches(body, header, keys):
        raise SignatureMismatchError(
            timestamp=header.timestamp, signatures=header.signatures, secret_count=len(keys)
        )
    now = clock()
    if abs(now - header.timestamp) > limit:
        raise TimestampOutOfToleranceError(timestamp=header.timestamp, now=now, tolerance=limit)
