"""The Lua side of `RedisRateLimiter`: the scripts, read from the package, and their replies.

The scripts are ``.lua`` files next to this module, each stating its keys, arguments and
reply; they are read once on import (so that a broken install fails there, not mid-request).
``acquire.lua`` decides each request atomically on the Redis server, with the server's clock
(``redis.call('TIME')``), so hosts whose clocks disagree still agree on the window:

1. Forget sends older than one window (plus margin).
2. The request may go at the latest of: now, the pause's end, and the ``requests``-th latest
   send plus one window (plus margin). It takes that place in the log (a reservation) and is
   told how long to sleep; asking again after the sleep confirms the place, moves it up when
   places before it were given back, moves it behind a pause that began in between, and
   records the real send time when the request is late, moving later the places that this
   would crowd (a request more than a window late queues again).

``release.lua`` gives places back and moves the caller's later places up; ``pause.lua`` stores
a 429's pause and drops the reservations not yet due.

A lost log. Redis keeps the log in memory: a restart without persistence empties it, a
restart from an older snapshot (RDB) restores a log without the latest sends, a failover to a
replica may miss the last writes, and a flush or eviction drops it. A budget relearned from
such a log would let a second full window go out at once, which Paddle answers with a
60-second lockout of the whole IP. ``acquire.lua`` therefore checks, on every call, that the
marker names the server process answering (its ``run_id``, from ``INFO server``). When it does
not, the log may have lost sends of the last window, and every process waits until one window
has passed since then (the pause key holds that time):

- the server started less than one window ago (a restart, with or without persistence):
  until it has run for one window; whatever the lost log held was sent before it started;
- otherwise (a failover, a flush, an eviction), when the marker names another server or this
  process had seen a marker before: one window from now.

Redis reports its uptime in whole seconds, the difference of two wall-clock times cut to the
second: half a second after a start it may say 1 s. The script takes the latest start that
count allows, so a hold never ends before the server has run for one window (it may last up to
a second longer).

Redis cannot tell a log lost in a restart from one never written, so the first use of a budget
on a Redis that started less than one window ago waits too. A flush or eviction of the marker
is detected by processes that had seen it; a process started just after such a flush that
reaches Redis first is not held.
"""

from __future__ import annotations

import importlib.resources
import logging
from typing import Final

import attrs

__all__ = ["ACQUIRE", "MICROS", "PAUSE", "RELEASE", "Answer", "moved_members", "warn_if_lost"]

logger = logging.getLogger("paddle_async")

MICROS: Final = 1_000_000
"""The scripts count time in microseconds."""

_FILES: Final = importlib.resources.files("paddle_async.ratelimit")
ACQUIRE: Final = _FILES.joinpath("acquire.lua").read_text(encoding="utf-8")
RELEASE: Final = _FILES.joinpath("release.lua").read_text(encoding="utf-8")
PAUSE: Final = _FILES.joinpath("pause.lua").read_text(encoding="utf-8")


@attrs.frozen
class Answer:
    """The acquire script's reply (see its header)."""

    wait: int
    marker: str
    lost: int
    paused: int

    @classmethod
    def from_reply(cls, reply: object) -> Answer | None:
        """Read the script's reply; None for anything else (Redis misbehaving)."""
        if isinstance(reply, list | tuple) and len(reply) == 4:
            wait, marker, lost, paused = reply
            if (
                isinstance(wait, int)
                and isinstance(marker, bytes | str)
                and isinstance(lost, int)
                and isinstance(paused, int)
            ):
                text = marker.decode("ascii", "replace") if isinstance(marker, bytes) else marker
                return cls(wait, text[:64], lost, paused)
        return None


def moved_members(reply: object) -> list[str]:
    """Return the members the release script moved up; nothing for an unexpected reply."""
    if not isinstance(reply, list):
        return []
    return [name.decode() if isinstance(name, bytes) else str(name) for name in reply]


def warn_if_lost(key: str, answer: Answer) -> None:
    """Log a warning when the acquire script found the window log lost (see above)."""
    if answer.lost == 1:
        logger.warning(
            "shared rate limit %r: Redis lost the window log (it restarted, failed over "
            "or was flushed), so sends of the last window are unknown; every process "
            "waits %.1f s, until one window has passed since",
            key,
            answer.paused / MICROS,
        )
    elif answer.lost == 2:
        logger.warning(
            "shared rate limit %r: Redis started less than one window ago and has no "
            "record of this budget (a restart may have lost it); every process waits "
            "%.1f s, until it has run for one window",
            key,
            answer.paused / MICROS,
        )
