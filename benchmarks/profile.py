"""Profile one client on one workload: ``python -m benchmarks.profile W2a [--client NAME]``.

Starts the lean server on one core, runs the workload in this process on the other under
pyinstrument (``pip install pyinstrument``) and prints the call tree, or with ``--cprofile``
under the stdlib's cProfile (sorted by own time). ``--decoder stdlib`` hides orjson first, as
``python -m benchmarks --decoder stdlib`` does.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys

from benchmarks.run import _cores, _server, plan
from benchmarks.worker import DECODERS, Spec, _run_async, _run_sync, hide_orjson

__all__ = ["main"]


def main(argv: list[str] | None = None) -> None:
    """Profile and print."""
    workloads = {w.key: w for w in plan(False) if w.server == "lean"}
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile")
    parser.add_argument("workload", choices=sorted(workloads))
    parser.add_argument("--client", default="paddle_async")
    parser.add_argument("--n", type=int, default=None, help="operations (default: the workload's)")
    parser.add_argument("--cprofile", action="store_true", help="cProfile instead of pyinstrument")
    parser.add_argument("--decoder", choices=DECODERS, default="auto")
    args = parser.parse_args(argv)
    if args.decoder == "stdlib":
        hide_orjson()
    workload = workloads[args.workload]
    server_cpu, client_cpu = _cores()
    n = args.n or workload.n
    universe = max(10_000, n if workload.kind == "walk" else 0)
    with _server("benchmarks.server", ["--customers", str(universe)], server_cpu) as server:
        server.command(f"delay {workload.delay}")
        if client_cpu is not None and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {client_cpu})
        spec = Spec(
            client=args.client,
            kind=workload.kind,
            base_url=server.base_url,
            n=n,
            concurrency=workload.concurrency,
            per_page=workload.per_page,
            universe=universe,
            warmup=workload.warmup,
            tag="profile",
            decoder=args.decoder,
        )
        from benchmarks.clients import ASYNC_CLIENTS

        def body() -> object:
            if args.client in ASYNC_CLIENTS:
                return asyncio.run(_run_async(spec))
            return _run_sync(spec)

        if args.cprofile:
            profile = cProfile.Profile()
            result = profile.runcall(body)
            pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(30)
        else:
            from pyinstrument import Profiler

            with Profiler(interval=0.0002) as profiler:
                result = body()
            profiler.print(show_all=False, short_mode=False, color=False)
        print(result)


if __name__ == "__main__":
    main()
