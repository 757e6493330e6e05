"""A helper shared by the rate-limit tests: how many requests fell in the busiest window."""

from __future__ import annotations

from collections.abc import Iterable


def max_in_any_window(times: Iterable[float], window: float) -> int:
    """Return the most timestamps that fall within any half-open span of ``window`` seconds."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(ordered):
        while t - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best
