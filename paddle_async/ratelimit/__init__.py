"""Client-side pacing under Paddle's limit of 240 requests per minute per IP address.

The in-process names are re-exported here (and from `paddle_async`). A budget shared by
several processes through Redis lives in `paddle_async.ratelimit.redis`, the only module that
imports redis (install ``paddle-async[redis]``)::

    from paddle_async.ratelimit import RateLimit, RateLimiter, SlidingWindowLimiter
    from paddle_async.ratelimit.redis import RedisRateLimiter

Inside, imports point down: ``_base`` (the `RateLimiter` protocol, bounds on settings and
pauses) <- ``_window`` (`RateLimit`, the in-process `SlidingWindowLimiter`) <- ``_fallback``
(what the Redis limiter does while Redis is unreachable) and ``_scripts`` (the ``*.lua``
scripts beside it, and their replies) <- ``redis``.
"""

from ._base import DEFAULT_MAX_PAUSE, RateLimiter
from ._window import RateLimit, SlidingWindowLimiter

__all__ = ["DEFAULT_MAX_PAUSE", "RateLimit", "RateLimiter", "SlidingWindowLimiter"]
