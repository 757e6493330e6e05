"""`paddle_async.testing.FakePaddle` in a process of its own, steered over stdin.

``python -m benchmarks.fake_server --seed N`` prints one JSON line when it listens
(``{"base_url": ..., "ids": [the first 500 seeded ids]}``), then answers one JSON line per
command line on stdin:

``stats``
    Requests received (by method), 429s answered, and the process CPU time.
``ratelimit LIMIT WINDOW LOCKOUT``
    Turn on the fake's per-IP style limiter (``faults.rate_limit``).
``delay SECONDS``
    Hold every response back (0 turns it off).
``clear``
    Remove every fault and delay.
``quit`` (or end of input)
    Stop.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import sys
import time

from benchmarks._data import API_KEY

__all__ = ["main"]


def _say(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def _serve(seed: int, host: str, port: int) -> None:
    from paddle_async.testing import FakePaddle

    async with FakePaddle(api_key=API_KEY, host=host, port=port) as fake:
        ids = fake.seed(seed)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        _say({"base_url": fake.base_url, "pid": os.getpid(), "ids": ids[:500]})
        while line := await reader.readline():
            command, *arguments = line.decode().split()
            if command == "stats":
                methods = collections.Counter(request.method for request in fake.requests)
                _say(
                    {
                        "requests": len(fake.requests),
                        "by_method": dict(methods),
                        "rate_limited": fake.rate_limited,
                        "cpu": time.process_time(),
                    }
                )
                # The record list grows without bound otherwise; counts are all we need.
                fake.requests.clear()
            elif command == "ratelimit":
                limit, window, lockout = int(arguments[0]), float(arguments[1]), float(arguments[2])
                fake.faults.rate_limit(limit, window, lockout)
                _say({"ratelimit": [limit, window, lockout]})
            elif command == "delay":
                fake.faults.delay(float(arguments[0]))
                _say({"delay": float(arguments[0])})
            elif command == "clear":
                fake.faults.clear()
                _say({"clear": True})
            elif command == "quit":
                break
            else:
                _say({"error": f"unknown command {command!r}"})


def main(argv: list[str] | None = None) -> None:
    """Serve until ``quit`` or the end of stdin."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2_000)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cpu", type=int, default=None, help="pin the server to this core")
    args = parser.parse_args(argv)
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    asyncio.run(_serve(args.seed, args.host, args.port))


if __name__ == "__main__":
    main()
