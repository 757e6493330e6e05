"""`WebhookVerifier`: the signature check and the event parser, configured once."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from ._events import Event, parse_event
from ._signature import DEFAULT_TOLERANCE, check_tolerance, normalize_secrets, verify_signature

__all__ = ["WebhookVerifier"]


class WebhookVerifier:
    """Verify and parse the webhooks of one notification destination.

    Create one at start-up and share it; it holds no state besides its configuration.

    Args:
        secrets: The destination's secret key, or several while rotating (any may match).
        tolerance: Seconds a signature's timestamp may differ from now, either way.
        clock: Returns the current Unix time in seconds (inject a fixed one in tests).

    Raises:
        ConfigurationError: ``secrets`` is empty or holds an empty or non-string secret, or
            ``tolerance`` is not a number of seconds >= 0.
    """

    __slots__ = ("_clock", "_secrets", "_tolerance")

    def __init__(
        self,
        secrets: str | Sequence[str],
        *,
        tolerance: float = DEFAULT_TOLERANCE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secrets = normalize_secrets(secrets)
        self._tolerance = check_tolerance(tolerance)
        self._clock = clock

    def __repr__(self) -> str:
        hidden = f"<{len(self._secrets)} hidden>"
        return f"WebhookVerifier(secrets={hidden}, tolerance={self._tolerance})"

    @property
    def tolerance(self) -> float:
        """Seconds a signature's timestamp may differ from now."""
        return self._tolerance

    def verify(self, body: bytes | bytearray | memoryview, signature_header: str | None) -> None:
        """Check that Paddle signed ``body`` recently; raise if not.

        Args:
            body: The raw request body, exactly as received (bytes-like).
            signature_header: The ``Paddle-Signature`` header's value, or None if absent.

        Raises:
            WebhookVerificationError: One of its subclasses says what failed.
            TypeError: ``body`` is not bytes-like (a str or a parsed dict has lost what Paddle
                signed).
        """
        verify_signature(
            body, signature_header, self._secrets, tolerance=self._tolerance, clock=self._clock
        )

    def verify_and_parse(
        self, body: bytes | bytearray | memoryview, signature_header: str | None
    ) -> Event:
        """Verify the signature, then parse the body into an event.

        Args:
            body: The raw request body, exactly as received (bytes-like).
            signature_header: The ``Paddle-Signature`` header's value, or None if absent.

        Returns:
            The event's `EntityEvent` (`CustomerEvent` for ``customer.*``), else an `Event`.

        Raises:
            WebhookVerificationError: The request is not provably from Paddle (answer 401).
            WebhookPayloadError: It is signed, but not a notification this SDK can read
                (answer 400).
            TypeError: ``body`` is not bytes-like.
        """
        self.verify(body, signature_header)
        return parse_event(body)
