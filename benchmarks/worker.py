"""One client on one workload, in a process of its own: ``python -m benchmarks.worker SPEC``.

SPEC is a JSON object (see `Spec`). The worker pins itself to a core, builds the client, runs
an unmeasured warm-up, then the measured part, and prints one JSON line: wall time, the
process's CPU time (user + system, all threads) over the measured part only, peak RSS, and
the JSON decoder the client used (``decoder``). With ``"decoder": "stdlib"`` the worker hides
orjson before anything imports it, so paddle_async and the raw anchor both fall back to
``json.loads``: the configuration of an install without the ``speedups`` extra.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs

__all__ = ["DECODERS", "Spec", "hide_orjson", "main", "run"]

DECODERS = ("auto", "stdlib")
"""What ``Spec.decoder`` may say."""


def hide_orjson() -> None:
    """Make ``import orjson`` fail in this process, as if it were not installed.

    Raises:
        RuntimeError: Something imported orjson already (too late to hide it).
    """
    module = sys.modules.get("orjson", None)
    if module is not None:
        raise RuntimeError("orjson was imported before it could be hidden")
    sys.modules["orjson"] = None  # type: ignore[assignment]


@attrs.frozen(kw_only=True)
class Spec:
    """What to run.

    Attributes:
        client: A name from `benchmarks.clients.CLIENTS`.
        kind: ``create``, ``get``, ``get_address``, ``walk``, ``sync`` or ``ratelimit``.
        base_url: The server.
        n: Operations (requests; customers for a walk; records for a sync).
        concurrency: Tasks (async clients) in flight; sync clients use their own threads.
        per_page: Page size of a walk.
        universe: Customers the server holds (gets cycle over the first ``min(n, universe)``).
        warmup: Unmeasured operations first (requests; pages for a walk).
        tag: Makes create e-mails unique across runs.
        cpu: The core to pin this process to, or None.
        limit: Rate limit budget (requests per ``window`` seconds) for ``ratelimit``.
        window: Rate limit window for ``ratelimit``.
        existing: Customers that already exist, for ``sync``.
        ids: Customer ids to get (cycled); empty means the lean server's own ids.
        decoder: ``auto`` (orjson when installed, as paddle_async decides) or ``stdlib``
            (orjson hidden from every client in this process).
    """

    client: str
    kind: str
    base_url: str
    n: int
    concurrency: int = 32
    per_page: int = 200
    universe: int = 10_000
    warmup: int = 0
    tag: str = "x"
    cpu: int | None = None
    limit: int = 0
    window: float = 0.0
    existing: int = 0
    ids: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    decoder: str = attrs.field(default="auto", validator=attrs.validators.in_(DECODERS))


def _rss_now() -> int:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def _rss_peak() -> int:
    # ru_maxrss is KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class _Meter:
    """Wall and CPU time over a block, and RSS before it."""

    def __enter__(self) -> _Meter:
        self.rss_before = _rss_now()
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.cpu = time.process_time() - self._cpu
        self.wall = time.perf_counter() - self._wall

    def result(self, **extra: Any) -> dict[str, Any]:
        return {
            "wall": self.wall,
            "cpu": self.cpu,
            "rss_before": self.rss_before,
            "rss_peak": _rss_peak(),
            **extra,
        }


async def _concurrently(
    operation: Callable[[Any], Awaitable[Any]], items: Iterable[Any], concurrency: int
) -> None:
    shared: Iterator[Any] = iter(items)

    async def lane() -> None:
        for item in shared:  # every lane pulls from the one iterator
            await operation(item)

    await asyncio.gather(*(lane() for _ in range(concurrency)))


def _items(spec: Spec, start: int, count: int) -> Iterable[Any]:
    if spec.kind == "create":
        return range(start, start + count)
    if spec.kind == "get_address":
        from benchmarks._data import address_id, customer_id

        span = max(1, min(spec.n, spec.universe))
        indexes = (i % span for i in range(start, start + count))
        return ((customer_id(i), address_id(i)) for i in indexes)
    if spec.ids:
        ids = spec.ids
        return (ids[i % len(ids)] for i in range(start, start + count))
    from benchmarks._data import customer_id

    span = max(1, min(spec.n, spec.universe))
    return map(customer_id, (i % span for i in range(start, start + count)))


async def _run_async(spec: Spec) -> dict[str, Any]:
    from benchmarks.clients import make_async_client

    async with make_async_client(spec.client, spec.base_url) as client:
        if reason := _unsupported(client, spec.kind):
            return {"skipped": reason}
        if spec.kind == "walk":
            if spec.warmup:
                await client.walk(spec.per_page, spec.per_page * spec.warmup)
            with _Meter() as meter:
                customers, pages = await client.walk(spec.per_page, spec.n)
            return meter.result(ops=customers, requests=pages)

        async def operation(item: Any) -> Any:
            if spec.kind == "create":
                return await client.create(spec.tag, item)
            if spec.kind == "get_address":
                return await client.get_address(*item)
            return await client.get(item)

        if spec.warmup:
            await _concurrently(operation, _items(spec, spec.n, spec.warmup), spec.concurrency)
        with _Meter() as meter:
            await _concurrently(operation, _items(spec, 0, spec.n), spec.concurrency)
        return meter.result(ops=spec.n, requests=spec.n)


def _run_sync(spec: Spec) -> dict[str, Any]:
    from benchmarks.clients import make_sync_client

    client, threads = make_sync_client(spec.client, spec.base_url)
    try:
        if reason := _unsupported(client, spec.kind):
            return {"skipped": reason}
        if spec.kind == "walk":
            if spec.warmup:
                client.walk(spec.per_page, spec.per_page * spec.warmup)
            with _Meter() as meter:
                customers, pages = client.walk(spec.per_page, spec.n)
            return meter.result(ops=customers, requests=pages)

        def operation(item: Any) -> Any:
            if spec.kind == "create":
                return client.create(spec.tag, item)
            if spec.kind == "get_address":
                return client.get_address(*item)
            return client.get(item)

        def drive(items: Iterable[Any]) -> None:
            if threads == 1:
                for item in items:
                    operation(item)
            else:
                with ThreadPoolExecutor(max_workers=threads) as pool:
                    for _ in pool.map(operation, items):
                        pass

        if spec.warmup:
            drive(_items(spec, spec.n, max(spec.warmup, threads)))
        with _Meter() as meter:
            drive(_items(spec, 0, spec.n))
        return meter.result(ops=spec.n, requests=spec.n)
    finally:
        client.close()


async def _run_ratelimit(spec: Spec) -> dict[str, Any]:
    """W7: ``n`` gets at ``concurrency`` through the SDK's limiter set to the server's budget."""
    from benchmarks._data import API_KEY
    from paddle_async import Paddle, RateLimit
    from paddle_async.errors import RateLimitError

    budget = RateLimit(requests=spec.limit, per=spec.window)
    errors = rate_limited = 0
    async with Paddle(API_KEY, base_url=spec.base_url, rate_limit=budget) as paddle:

        async def operation(customer_id: str) -> None:
            nonlocal errors, rate_limited
            try:
                await paddle.customers.get(customer_id)
            except RateLimitError:
                rate_limited += 1
            except Exception:
                errors += 1

        with _Meter() as meter:
            await _concurrently(operation, _items(spec, 0, spec.n), spec.concurrency)
    return meter.result(ops=spec.n, requests=spec.n, errors=errors, gave_up_429=rate_limited)


def _unsupported(client: Any, kind: str) -> str | None:
    unsupported = getattr(client, "unsupported", None)
    return unsupported(kind) if unsupported is not None else None


def _decoder(client: str) -> str:
    """Name the decoder ``client`` used in this process."""
    from benchmarks.clients import decoder_of

    return decoder_of(client)


def run(spec: Spec) -> dict[str, Any]:
    """Run one spec in this process and return its measurements."""
    if spec.decoder == "stdlib":
        hide_orjson()
    if spec.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {spec.cpu})
    result = _run(spec)
    if "skipped" not in result:
        result["decoder"] = _decoder(spec.client)
    if spec.client == "paddle_async" and "skipped" not in result:
        import paddle_async

        # Which copy ran: the installed one or a patched variant (``--variant``).
        result["sdk"] = os.path.dirname(os.path.dirname(paddle_async.__file__))
    return result


def _run(spec: Spec) -> dict[str, Any]:
    if spec.kind == "ratelimit":
        return asyncio.run(_run_ratelimit(spec))
    if spec.kind == "sync":
        from benchmarks.sync_workload import run_sync_workload

        return asyncio.run(run_sync_workload(spec, _Meter))
    from benchmarks.clients import ASYNC_CLIENTS

    if spec.client in ASYNC_CLIENTS:
        return asyncio.run(_run_async(spec))
    return _run_sync(spec)


def main(argv: list[str] | None = None) -> None:
    """Run the spec given as the only argument; print the result as one JSON line."""
    args = sys.argv[1:] if argv is None else argv
    spec = Spec(**json.loads(args[0]))
    result = run(spec)
    sys.stdout.write(json.dumps({"result": result}) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
