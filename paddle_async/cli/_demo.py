"""``paddle-async demo`` (a bulk sync against an embedded FakePaddle, run twice) and
``paddle-async fake-server``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import math
import random
import shlex
import signal
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from .. import Paddle, RateLimit
from ._commands import non_negative_int, port_number, positive_int
from ._import import ImportReport, print_summary, run_import
from ._pacing import WatchedLimiter
from ._terminal import format_duration, make_progress, printable

__all__ = ["add_demo_arguments", "add_server_arguments", "demo", "serve"]

PADDLE_PER_MINUTE = 240
_WITH_AREA = ", with addresses, businesses and saved payment methods"


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the demo's options."""
    parser.add_argument(
        "--existing", type=non_negative_int, default=3000, help="customers the fake starts with"
    )
    parser.add_argument(
        "--records", type=positive_int, default=2000, help="records in the generated file"
    )
    parser.add_argument(
        "--pace", type=positive_int, default=100, help="demo requests per second; Paddle allows 4"
    )
    parser.add_argument(
        "--keep", metavar="DIR", help="write the generated file to DIR and keep it afterwards"
    )


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """Add fake-server's options."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=port_number, default=8080, help="port to listen on; 0: any free port"
    )
    parser.add_argument(
        "--seed",
        type=non_negative_int,
        default=0,
        help="customers to start with, with addresses, businesses and saved payment methods",
    )
    parser.add_argument(
        "--rate-limit",
        type=non_negative_int,
        default=0,
        metavar="PER_MINUTE",
        help="refuse requests over this many per minute with 429, like Paddle; 0: off",
    )


def _mix(records: int, existing: int) -> tuple[int, int, int]:
    """Return (new, changed, identical) counts for the generated file."""
    # 30% new, 25% changed, 45% identical (more new ones when the fake holds too few).
    new = max(records - existing, records * 3 // 10)
    changed = min(records // 4, records - new)
    return new, changed, records - new - changed


def _write_file(path: Path, records: int, existing: int) -> tuple[int, int, int]:
    new, changed, identical = _mix(records, existing)
    kinds = ["new"] * new + ["changed"] * changed + ["identical"] * identical
    random.Random(2024).shuffle(kinds)
    known = iter(range(existing))
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["email", "name", "locale", "custom_data"])
        for n, kind in enumerate(kinds):
            if kind == "new":
                data = json.dumps({"source": "demo", "row": n})
                writer.writerow([f"new{n}@example.com", f"New customer {n}", "en", data])
                continue
            i = next(known)
            # FakePaddle.seed names customer i "Customer {i}", with locale en.
            name = f"Customer {i}" if kind == "identical" else f"Customer {i} (renamed)"
            writer.writerow([f"customer{i}@example.com", name, "en", ""])
    return new, changed, identical


def _comparison(report: ImportReport, existing: int, out: TextIO) -> None:
    s = report.summary
    rows = report.rows
    sent = s.requests.total
    fewest = min(math.ceil(existing / 200), math.ceil(rows / 200)) + s.created + s.updated
    at_paddle = 60 / PADDLE_PER_MINUTE
    out.write(
        f"  Requests: {sent:,} sent; the fewest possible is {fewest:,}; a naive sync sends "
        f"{rows:,} (one per record) to {2 * rows:,} (a lookup and a write per record).\n"
        f"  At Paddle's {PADDLE_PER_MINUTE} requests/minute that is "
        f"{format_duration(sent * at_paddle)} for this sync versus "
        f"{format_duration(rows * at_paddle)} to {format_duration(2 * rows * at_paddle)} naive.\n"
    )


async def demo(args: argparse.Namespace) -> int:
    """Import a generated file into a seeded FakePaddle, then again to show zero writes."""
    out = sys.stdout
    existing, records, pace = args.existing, args.records, args.pace
    from ..testing import FakePaddle  # the server side: imported only when it runs

    with tempfile.TemporaryDirectory(prefix="paddle-async-demo-") as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = (folder / "demo-customers.csv").absolute()
        new, changed, identical = _write_file(path, records, existing)
        kept = "kept" if args.keep else "removed at the end; --keep DIR keeps it"
        async with FakePaddle() as fake:
            fake.seed(existing)
            # The fake enforces the demo pace (with 10% headroom for timing jitter).
            fake.faults.rate_limit(limit=max(1, pace + pace // 10), window=1.0, lockout=1.0)
            out.write(
                "paddle-async demo: a bulk customer sync against an embedded FakePaddle "
                "(no network, no Paddle account).\n"
                f"  FakePaddle at {fake.base_url} holds {existing:,} customers.\n"
                f"  {printable(str(path))} ({kept}):\n"
                f"    {records:,} records: {new:,} new, {changed:,} changed, "
                f"{identical:,} identical.\n"
                f"  Demo pace: {pace:,} requests/s, faster than Paddle's limit of "
                f"{PADDLE_PER_MINUTE} requests/minute (4/s) per IP; the fake enforces the "
                "demo pace.\n\n"
            )
            out.flush()
            pacing = WatchedLimiter(RateLimit(requests=pace, per=1.0).limiter())
            async with Paddle(fake.api_key, base_url=fake.base_url, rate_limit=pacing) as client:
                reports: list[ImportReport] = []
                for title in ("First run", "Second run, same file: nothing left to write"):
                    progress = make_progress(quiet=args.quiet, pacing=pacing)
                    report = await run_import(client, str(path), progress=progress)
                    if report.interrupted:
                        raise KeyboardInterrupt
                    print_summary(report, out, title=title)
                    _comparison(report, len(fake.customers()) if reports else existing, out)
                    out.write("\n")
                    out.flush()
                    reports.append(report)
        writes = reports[1].summary.requests.writes
        out.write(
            f"The rerun sent {writes} writes: a sync can be repeated (or resumed after a crash) "
            "safely.\n"
        )
        if args.keep:
            out.write(f"The generated file is kept at {printable(str(path))}\n")
    return 1 if any(report.problems for report in reports) else 0


async def serve(args: argparse.Namespace) -> int:
    """Run FakePaddle until Ctrl-C or SIGTERM."""
    # Ctrl-C is ours before the server listens: from then on it stops the server cleanly
    # (exit 0), even while the seed is still being stored.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    from ..testing import FakePaddle  # the server side: imported only when it runs

    async with FakePaddle(host=args.host, port=args.port) as fake:
        fake.seed(args.seed, customer_area=True)
        if args.rate_limit > 0:
            fake.faults.rate_limit(limit=args.rate_limit, window=60.0, lockout=60.0)
        # The fake's key is a public test key that nothing real accepts, so it may be shown.
        print(f"FakePaddle listening on {fake.base_url}", flush=True)
        seeded = f"{args.seed:,} customers{_WITH_AREA if args.seed else ''}"
        print(
            f"Seeded {seeded}. Point Paddle() and paddle-async at it (the key is "
            "a public test key) in another shell:\n"
            f"  export PADDLE_BASE_URL={shlex.quote(fake.base_url)}\n"
            f"  export PADDLE_API_KEY={shlex.quote(fake.api_key)}\n"
            "  paddle-async customers list\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        await stop.wait()
    print("FakePaddle stopped.", flush=True)
    return 0
