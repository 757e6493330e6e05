"""Client-side pacing under Paddle's limit of 240 requests per minute per IP address.

The in-process names are re-exported here (and from `paddle_async`). A budget shared by
several processes through Redis lives in `paddle_async.ratelimit.redis`, the only module that
imports redis (install ``paddle-async[redis]``)::

    from paddle_async.ratelimit import RateLimit, RateLimiter, SlidingWindowLimiter
    from paddle_async.ratelimit.redis import RedisRateLimiter
"""

from ._window import DEFAULT_MAX_PAUSE, RateLimit, RateLimiter, SlidingWindowLimiter

__all__ = ["DEFAULT_MAX_PAUSE", "RateLimit", "RateLimiter", "SlidingWindowLimiter"]
