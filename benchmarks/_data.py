"""The benchmark universe: deterministic customer and address ids, e-mails and wire bytes.

Customer ``i`` (0-based) has an id that encodes ``i``, so the server finds it without an index
and every client can name the customers it gets without asking the server first. Customer ``i``
has one address, ``i`` too, whose id encodes the same number.
"""

from __future__ import annotations

import json
import re

__all__ = [
    "API_KEY",
    "address_bytes",
    "address_id",
    "address_index",
    "customer_bytes",
    "customer_id",
    "customer_index",
    "new_email",
]

API_KEY = "pdl_sdbx_apikey_01fakefakefakefakefakefake_FakeKeyForTestsOnly000_xyz"
"""Not a real key: the benchmark servers accept it, and nothing else ever sees it."""

_ID_PREFIX = "ctm_01hbench"  # 4 + 8 characters; 18 digits follow, 26 after "ctm_" in all
_ADDRESS_PREFIX = "add_01hbench"  # the same form for addresses
_DIGITS = 18


def customer_id(index: int) -> str:
    """Return the id of customer ``index``: ids sort as their indexes do."""
    return f"{_ID_PREFIX}{index:0{_DIGITS}d}"


def customer_index(customer_id_: str) -> int | None:
    """Return the index encoded in a benchmark id, or None for any other string."""
    if len(customer_id_) != len(_ID_PREFIX) + _DIGITS or not customer_id_.startswith(_ID_PREFIX):
        return None
    tail = customer_id_[len(_ID_PREFIX) :]
    return int(tail) if tail.isdigit() else None


def address_id(index: int) -> str:
    """Return the id of address ``index`` (customer ``index``'s only address)."""
    return f"{_ADDRESS_PREFIX}{index:0{_DIGITS}d}"


def address_index(address_id_: str) -> int | None:
    """Return the index encoded in a benchmark address id, or None for any other string."""
    if len(address_id_) != len(_ADDRESS_PREFIX) + _DIGITS:
        return None
    if not address_id_.startswith(_ADDRESS_PREFIX):
        return None
    tail = address_id_[len(_ADDRESS_PREFIX) :]
    return int(tail) if tail.isdigit() else None


def new_email(tag: str, index: int) -> str:
    """Return a unique e-mail address for a create (the tag's ``@`` and other symbols become
    ``-``, so a variant's tag such as ``paddle_async@patched`` stays a valid local part)."""
    local = re.sub(r"[^A-Za-z0-9_-]+", "-", f"bench-{tag}-{index}")
    return f"{local}@example.com"


def customer_wire(index: int) -> dict[str, object]:
    """Return customer ``index`` as Paddle sends it.

    Half the customers carry ``custom_data`` (a small object), half null, as in Paddle's own
    list fixture; ``created_at`` has milliseconds and ``updated_at`` microseconds, like Paddle.
    """
    day = 1 + (index // 86_400) % 28
    hour, minute, second = (index // 3600) % 24, (index // 60) % 60, index % 60
    stamp = f"2024-04-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}"
    custom_data = {"plan": "pro", "seats": index % 50} if index % 2 else None
    return {
        "id": customer_id(index),
        "status": "active",
        "custom_data": custom_data,
        "name": f"Customer {index}",
        "email": f"customer{index}@example.com",
        "marketing_consent": False,
        "locale": "en",
        "created_at": f"{stamp}.{index % 1000:03d}Z",
        "updated_at": f"{stamp}.{(index * 7919) % 1_000_000:06d}Z",
        "import_meta": None,
    }


def customer_bytes(index: int) -> bytes:
    """Return customer ``index`` as compact JSON bytes."""
    return json.dumps(customer_wire(index), separators=(",", ":")).encode()


_CITIES = (
    ("New York", "NY", "US", "10021"),
    ("London", None, "GB", "EC1A 1BB"),
    ("Berlin", None, "DE", "10115"),
    ("Toronto", "ON", "CA", "M5H 2N2"),
)


def address_wire(index: int) -> dict[str, object]:
    """Return address ``index`` as Paddle sends it: every field of Paddle's address entity.

    Like Paddle's own example, most optional fields are filled and ``second_line``,
    ``custom_data`` and ``import_meta`` are null; every fourth address has a second line and
    ``custom_data``, and some countries have no region.
    """
    city, region, country, postal_code = _CITIES[index % len(_CITIES)]
    stamp = f"2024-04-{1 + (index // 86_400) % 28:02d}T{(index // 3600) % 24:02d}:" + (
        f"{(index // 60) % 60:02d}:{index % 60:02d}.{index % 1000:03d}Z"
    )
    fourth = index % 4 == 0
    return {
        "id": address_id(index),
        "status": "active",
        "customer_id": customer_id(index),
        "description": "Head Office",
        "first_line": f"{4000 + index % 1000} Jefferson Plaza, 41st Floor",
        "second_line": "Suite 100" if fourth else None,
        "city": city,
        "postal_code": postal_code,
        "region": region,
        "country_code": country,
        "custom_data": {"erp_ref": f"A-{index}"} if fourth else None,
        "created_at": stamp,
        "updated_at": stamp,
        "import_meta": None,
    }


def address_bytes(index: int) -> bytes:
    """Return address ``index`` as compact JSON bytes."""
    return json.dumps(address_wire(index), separators=(",", ":")).encode()
