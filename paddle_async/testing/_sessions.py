"""Customer auth tokens and customer portal sessions: short-lived secrets shaped like Paddle's.

Neither is an entity the API can read back, so neither lives in a table. Auth tokens are kept
with their customer and expiry so a test can ask whether one is valid; portal sessions are
only answered.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
from collections.abc import Sequence
from typing import Any, Final
from urllib.parse import urlencode

from ._entities import format_trimmed
from ._ids import new_id_generator, now_us

__all__ = ["PORTAL_BASE_URL", "AuthTokens", "PortalSessions"]

PORTAL_BASE_URL: Final = "https://customer-portal.paddle.com"
"""Where portal links point, as in the spec's example."""

_LOWER_ALNUM: Final = string.ascii_lowercase + string.digits


def _random(length: int) -> str:
    return "".join(secrets.choice(_LOWER_ALNUM) for _ in range(length))


class AuthTokens:
    """Issue customer auth tokens and remember whom each is for and until when.

    A token looks like the spec's example, `pca_<26>_<26>_<32>`: the token's own ID (which
    starts with the time it was issued), the customer's ID without `ctm_`, and 32 random
    characters. The example's `expires_at` is exactly ten minutes after its ID's time, with
    trailing zeros trimmed (`…:12.34Z`), and so is the fake's by default.
    """

    def __init__(self, lifetime_us: int) -> None:
        self.lifetime_us = lifetime_us
        self._new_id = new_id_generator("pca_")
        self._issued: dict[str, tuple[str, int]] = {}

    def issue(self, customer_id: str) -> dict[str, Any]:
        """Issue a token for a customer and return the API's `data` for it."""
        # Milliseconds, like the IDs' time part, so expires_at has at most three digits.
        issued_us = now_us() // 1000 * 1000
        token = f"{self._new_id(issued_us)}_{customer_id.removeprefix('ctm_')}_{_random(32)}"
        expires_us = issued_us + self.lifetime_us
        self._issued[token] = (customer_id, expires_us)
        return {"customer_auth_token": token, "expires_at": format_trimmed(expires_us)}

    def customer(self, token: str, at_us: int) -> str | None:
        """Return the customer a token was issued to, or None if unknown or expired at `at_us`."""
        found = self._issued.get(token)
        if found is None or at_us >= found[1]:
            return None
        return found[0]


def _base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _jwt_part(value: dict[str, Any]) -> str:
    return _base64url(json.dumps(value, separators=(",", ":")).encode())


class PortalSessions:
    """Create customer portal sessions: `cpls_` IDs and authenticated links to one portal.

    Links look like the spec's: `https://customer-portal.paddle.com/cpl_<26>?action=overview&
    token=pga_<header>.<claims>.<signature>`, one `cpl_` portal per fake, one token per session.
    The token is shaped like a JWT but signed by nothing: it only has to look the part.
    """

    def __init__(self) -> None:
        self._new_id = new_id_generator("cpls_")
        # The seller's portal: an ID like any other Paddle ID (the sessions only add tokens).
        self.portal_id = new_id_generator("cpl_")(now_us())

    def create(self, customer_id: str, subscription_ids: Sequence[str]) -> dict[str, Any]:
        """Create a session and return the API's `data` for it."""
        created_us = now_us()
        header = _jwt_part({"alg": "HS256", "typ": "JWT"})
        claims = _jwt_part({"sub": customer_id, "iat": created_us // 1_000_000})
        token = f"pga_{header}.{claims}.{_base64url(secrets.token_bytes(32))}"

        def link(action: str, subscription_id: str | None = None) -> str:
            pairs = [("action", action)]
            if subscription_id is not None:
                pairs.append(("subscription_id", subscription_id))
            pairs.append(("token", token))
            return f"{PORTAL_BASE_URL}/{self.portal_id}?{urlencode(pairs)}"

        return {
            "id": self._new_id(created_us),
            "customer_id": customer_id,
            "urls": {
                "general": {"overview": link("overview")},
                "subscriptions": [
                    {
                        "id": subscription_id,
                        "cancel_subscription": link("cancel_subscription", subscription_id),
                        "update_subscription_payment_method": link(
                            "update_subscription_payment_method", subscription_id
                        ),
                    }
                    for subscription_id in subscription_ids
                ],
            },
            # Whole seconds, like the spec's example: 2024-10-25T06:53:58Z
            "created_at": format_trimmed(created_us // 1_000_000 * 1_000_000),
        }
