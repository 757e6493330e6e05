"""One worker process of the shared rate-limit tests: a client paced by a `RedisRateLimiter`.

Run as ``python shared_limit_worker.py CONFIG_JSON``. It sets up, prints ``ready``, waits for a
line on stdin (so all workers start together), sends GET /customers/{id} requests from
``concurrency`` tasks (``count`` requests in all, or for ``duration`` seconds), then prints
one JSON line: ``{"ok": n, "errors": {"ErrorClass": n, ...}}``. Every request ends in one of
the two; anything else escapes and makes the process exit non-zero.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import logging
import sys
import time
from typing import Any

from paddle_async import Paddle, RateLimit
from paddle_async.errors import PaddleError
from paddle_async.ratelimit.redis import RedisRateLimiter


async def run(config: dict[str, Any]) -> dict[str, Any]:
    budget = RateLimit(requests=config["requests"], per=config["per"], margin=config["margin"])
    limiter = RedisRateLimiter(
        config["redis_url"],
        limit=budget,
        key=config["key"],
        timeout=config.get("timeout", 0.5),
        on_failure=config.get("on_failure", "wait"),
        max_wait=config.get("max_wait", 60.0),
        fallback_share=config.get("fallback_share", 0.25),
        retry_interval=config.get("retry_interval", 0.2),
    )
    ids: list[str] = config["ids"]
    count: int | None = config.get("count")
    duration: float | None = config.get("duration")
    ok = 0
    failed: collections.Counter[str] = collections.Counter()
    async with (
        limiter,
        Paddle(config["api_key"], base_url=config["base_url"], rate_limit=limiter) as paddle,
    ):
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        numbers = itertools.count()
        deadline = None if duration is None else time.monotonic() + duration

        async def work() -> None:
            nonlocal ok
            while True:
                n = next(numbers)
                if count is not None and n >= count:
                    return
                if deadline is not None and time.monotonic() >= deadline:
                    return
                try:
                    await paddle.customers.get(ids[n % len(ids)])
                except PaddleError as exc:
                    failed[type(exc).__name__] += 1
                else:
                    ok += 1

        await asyncio.gather(*(work() for _ in range(config["concurrency"])))
    return {"ok": ok, "errors": dict(failed)}


def main() -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s: %(message)s")
    result = asyncio.run(run(json.loads(sys.argv[1])))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
