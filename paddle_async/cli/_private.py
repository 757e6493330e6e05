"""The one place where the command line uses the SDK's private modules.

Everything else in ``paddle_async.cli`` uses public names only (``paddle_async``,
``paddle_async.customers``, ``paddle_async.errors``, ``paddle_async.testing``). Reading JSON
input has no public entry point yet: the CLI reads ``custom_data`` with the SDK's own decoder so
that input obeys the same nesting limit (100 levels) as responses, and a too-deep value is a
row error instead of a ``RecursionError``.
"""

from __future__ import annotations

from typing import Any

from .. import _json

__all__ = ["loads", "nested_too_deeply"]


def loads(text: str) -> Any:
    """Decode JSON text exactly (big integers kept), with the SDK's nesting limit.

    Raises:
        ValueError: Not JSON, or nested more than the limit.
    """
    return _json.loads(text, exact=True)


def nested_too_deeply(value: Any) -> bool:
    """Tell whether a decoded value is nested beyond the SDK's limit."""
    return _json.nested_too_deeply(value)
