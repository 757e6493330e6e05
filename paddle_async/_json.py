"""The package's JSON: one decoder, one encoder, and the nesting limit both directions keep.

Decoding uses orjson when the ``speedups`` extra installed it (a 200-customer page decodes 2.3x
faster), else the standard library. One difference: an integer beyond 64 bits (only possible
inside custom_data) becomes a float with orjson, where the standard library keeps it exact; the
README says so.

Paddle documents no nesting limit for ``custom_data``, but everything that walks a decoded value
recursively has one, below Python's recursion limit of 1,000 frames minus the frames the caller
already uses: the standard library's decoder and encoder (one frame a level), ``==`` (which sync
uses to compare custom_data; one), ``copy.deepcopy`` (two), ``pprint`` (three). orjson refuses to
decode more than 1,024 levels and to encode more than 254. `MAX_DEPTH` keeps all of them far away
whatever the caller's stack: a free-form value nested deeper is refused on the way out
(`ValidationError`) and on the way in (`InvalidResponseError`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, Final

__all__ = ["MAX_DEPTH", "TOO_DEEP", "dumps", "loads", "nested_too_deeply"]

MAX_DEPTH: Final = 100
"""Levels of objects and arrays a free-form value (``custom_data``) may nest: ``{}`` is one."""
TOO_DEEP: Final = f"nested more than {MAX_DEPTH} levels deep"
"""Why a free-form value was refused."""

_decode: Callable[[Any], Any] = json.loads
try:
    import orjson  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # pragma: no cover - depends on what is installed
    pass
else:
    # orjson 3.9.15 and later (the extra asks for 3.10) stop at 1,024 levels with a ValueError.
    _decode = orjson.loads

_CONTAINERS: Final = (dict, list, tuple)
# What json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False) builds on
# every call, built once: an encoder keeps no state between calls.
_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def loads(data: bytes | bytearray | str, *, exact: bool = False) -> Any:
    """Decode a JSON document.

    Args:
        data: The JSON text.
        exact: Decode with the standard library even when orjson is installed, so that integers
            beyond 64 bits stay exact: for input that is written back, such as an import file.

    Raises:
        ValueError: ``data`` is not JSON (or not UTF-8), or is nested more deeply than the
            decoder goes: orjson stops at 1,024 levels, the standard library near Python's
            recursion limit.
    """
    try:
        return json.loads(data) if exact else _decode(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply to decode") from None


def dumps(value: Any) -> bytes:
    """Encode ``value`` as compact UTF-8 JSON, such as a request body.

    The standard library encodes, orjson or not: bodies are small, and it keeps integers of any
    size exact where orjson refuses those beyond 64 bits.

    Raises:
        ValueError: NaN or an infinity, text UTF-8 cannot encode (a lone surrogate), a
            reference cycle, or nesting deeper than the encoder can recurse.
        TypeError: A value JSON has no form for.
    """
    try:
        text = _ENCODER.encode(value)
    except RecursionError:
        raise ValueError("nested too deeply to encode as JSON") from None
    return text.encode()


def _children(container: Any) -> Iterator[Any]:
    return iter(container.values()) if isinstance(container, dict) else iter(container)


def nested_too_deeply(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Tell whether ``value`` nests dicts, lists and tuples more than ``limit`` levels deep.

    ``{}`` and ``[1]`` are one level, ``{"a": [1]}`` two. The walk keeps its own stack instead
    of recursing, and stops at the first branch deeper than ``limit``, so any depth, and a
    reference cycle (endlessly deep), gets an answer.
    """
    if not isinstance(value, _CONTAINERS):
        return False
    stack = [_children(value)]
    while stack:
        for child in stack[-1]:
            if isinstance(child, _CONTAINERS):
                if len(stack) >= limit:
                    return True
                stack.append(_children(child))
                break
        else:
            stack.pop()
    return False
