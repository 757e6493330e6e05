"""Run the benchmark suite: ``python -m benchmarks`` (``--quick`` for one tiny round).

The harness starts a lean fake Paddle server (`benchmarks.server`) on 127.0.0.1, pinned to one
core, and runs each client on each workload in a fresh process pinned to the other core,
interleaved (A B C, A B C, ...) over several rounds. It prints, per workload, the median and
min-max of requests/s, client CPU per operation and peak RSS, the ratios against raw aiohttp
decoding with the same JSON decoder as paddle_async (orjson when installed; ``--decoder stdlib``
hides orjson from both), and what the server itself spent, then checks the targets.
`FakePaddle` serves the workloads that need Paddle's real behaviour (the rate limiter, the bulk
sync).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import functools
import json
import math
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from benchmarks.clients import CLIENTS, available
from benchmarks.worker import DECODERS

__all__ = ["Workload", "main", "plan"]

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "raw_aiohttp"
SDK = "paddle_async"
_READY_TIMEOUT = 60.0
_WORKER_TIMEOUT = 900.0
_RESULT_KEYS = frozenset({"ops", "requests", "wall", "cpu", "rss_peak", "rss_before", "decoder"})
_DECODER_VARIABLE = "PADDLE_BENCH_DECODER"


@attrs.frozen(kw_only=True)
class Workload:
    """One row group of the table.

    Attributes:
        key: Short name (``W1``).
        title: What it does.
        kind: The worker's kind (`benchmarks.worker.Spec.kind`).
        n: Operations per run.
        concurrency: Async tasks in flight.
        per_page: Page size for walks.
        warmup: Unmeasured operations (pages for walks) before measuring.
        delay: Server latency to inject, in seconds.
        clients: Which clients run it (None: all).
        server: ``lean`` or ``fake`` (FakePaddle).
        n_by_client: Smaller ``n`` for clients too slow for the full count.
    """

    key: str
    title: str
    kind: str
    n: int
    concurrency: int = 32
    per_page: int = 200
    warmup: int = 0
    delay: float = 0.0
    clients: tuple[str, ...] | None = None
    server: str = "lean"
    n_by_client: dict[str, int] = attrs.field(factory=dict)
    limit: int = 0
    window: float = 0.0
    lockout: float = 0.0
    existing: int = 0

    def n_for(self, client: str) -> int:
        return self.n_by_client.get(client, self.n)

    @property
    def per_customer(self) -> bool:
        return self.kind == "walk"


def plan(quick: bool) -> list[Workload]:
    """Return the workloads, full size or tiny."""
    scale = 10 if quick else 1
    walk_small, walk_big = 2_000, (20_000 if quick else 200_000)
    return [
        Workload(
            key="W1",
            title=f"{2_000 // scale:,} creates at concurrency 32",
            kind="create",
            n=2_000 // scale,
            warmup=100 // scale,
        ),
        Workload(
            key="W2a",
            title=f"walk {10_000 // scale:,} customers, per_page 200",
            kind="walk",
            n=10_000 // scale,
            per_page=200,
            warmup=2,
        ),
        Workload(
            key="W2b",
            title=f"walk {10_000 // scale:,} customers, per_page 50",
            kind="walk",
            n=10_000 // scale,
            per_page=50,
            warmup=4,
        ),
        Workload(
            key="W3",
            title=f"{2_000 // scale:,} gets at concurrency 32",
            kind="get",
            n=2_000 // scale,
            warmup=100 // scale,
        ),
        Workload(
            key="W3b",
            title=f"{2_000 // scale:,} address gets at concurrency 32",
            kind="get_address",
            n=2_000 // scale,
            warmup=100 // scale,
        ),
        Workload(
            key="W4",
            title=f"{500 // scale:,} gets at concurrency 32, 50 ms server latency",
            kind="get",
            n=500 // scale,
            warmup=32,
            delay=0.05,
            n_by_client={"official": 100 // scale},
        ),
        Workload(
            key="W5a",
            title=f"memory: walk {walk_big:,} customers, per_page 200",
            kind="walk",
            n=walk_big,
            per_page=200,
            warmup=1,
            clients=(SDK, BASELINE),
        ),
        Workload(
            key="W5b",
            title=f"memory: walk {walk_small:,} customers, per_page 200",
            kind="walk",
            n=walk_small,
            per_page=200,
            warmup=1,
            clients=(SDK, BASELINE),
        ),
        Workload(
            key="W6",
            title=(
                f"sync {5_000 // scale:,} records against {3_000 // scale:,} existing "
                "(new / changed / unchanged)"
            ),
            kind="sync",
            n=5_000 // scale,
            existing=3_000 // scale,
            clients=(SDK,),
            server="fake",
        ),
        Workload(
            key="W7",
            title=(
                f"{(40 if quick else 200) + 1} gets at concurrency 64 under a 40 per 2 s limit "
                "(FakePaddle), limiter at the same budget"
            ),
            kind="ratelimit",
            n=(40 if quick else 200) + 1,
            concurrency=64,
            clients=(SDK,),
            server="fake",
            limit=40,
            window=2.0,
            lockout=2.0,
        ),
        Workload(
            key="F3",
            title=f"server check: {2_000 // scale:,} gets at concurrency 32 against FakePaddle",
            kind="get",
            n=2_000 // scale,
            warmup=100 // scale,
            clients=(BASELINE, SDK),
            server="fake",
        ),
    ]


# Processes


def _cores() -> tuple[int | None, int | None]:
    """Pick (server core, client core): two different ones when there are two."""
    if not hasattr(os, "sched_getaffinity"):
        return None, None
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return None, None
    return cores[0], cores[1]


@functools.cache
def _child_cwd() -> str:
    """An empty directory for children: ``python -m`` puts the cwd first on sys.path."""
    path = tempfile.mkdtemp(prefix="paddle-bench-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _child_env(sdk_path: str | None) -> dict[str, str]:
    # A variant's copy first, then whatever PYTHONPATH the caller set, then this checkout.
    env = dict(os.environ)
    paths = [p for p in (sdk_path, env.get("PYTHONPATH"), str(ROOT)) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PYTHONHASHSEED"] = "0"
    return env


class ServerProcess:
    """A server child steered over stdin; it exits when told to or when our end closes."""

    def __init__(self, module: str, args: Sequence[str], cpu: int | None) -> None:
        argv = [sys.executable, "-m", module, *args]
        if cpu is not None:
            argv += ["--cpu", str(cpu)]
        self._process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=_child_cwd(),
            env=_child_env(None),
        )
        self.ready = self._read(_READY_TIMEOUT)
        self.base_url: str = self.ready["base_url"]

    def _read(self, timeout: float) -> dict[str, Any]:
        stdout = self._process.stdout
        assert stdout is not None
        readable, _, _ = select.select([stdout], [], [], timeout)
        line = stdout.readline() if readable else ""
        if not line:
            self.close()
            raise RuntimeError(f"server {self._process.args!r} did not answer")
        message: dict[str, Any] = json.loads(line)
        return message

    def command(self, line: str) -> dict[str, Any]:
        """Send one command line; return the server's JSON answer."""
        stdin = self._process.stdin
        assert stdin is not None
        stdin.write(line + "\n")
        stdin.flush()
        return self._read(30.0)

    def close(self) -> None:
        """Stop the server (politely, then firmly)."""
        process = self._process
        if process.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                assert process.stdin is not None
                process.stdin.write("quit\n")
                process.stdin.close()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError, ValueError):
                    stream.close()


@contextlib.contextmanager
def _server(module: str, args: Sequence[str], cpu: int | None) -> Iterator[ServerProcess]:
    server = ServerProcess(module, args, cpu)
    try:
        yield server
    finally:
        server.close()


def _run_worker(spec: dict[str, Any], sdk_path: str | None) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.worker", json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=_WORKER_TIMEOUT,
        cwd=_child_cwd(),
        env=_child_env(sdk_path),
        check=False,
    )
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith('{"result"'):
            result: dict[str, Any] = json.loads(line)["result"]
            return result
    raise RuntimeError(
        f"worker failed ({completed.returncode}) for {spec['client']} {spec['kind']}:\n"
        + completed.stderr[-3000:]
    )


# Figures


@attrs.frozen(kw_only=True)
class Run:
    """One measured run of one client on one workload."""

    client: str
    workload: str
    ops: int
    requests: int
    wall: float
    cpu: float
    rss_peak: int
    rss_before: int
    server_us_per_request: float | None
    decoder: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.wall if self.wall else 0.0

    @property
    def cpu_per_op(self) -> float:
        return self.cpu / self.ops * 1e6 if self.ops else 0.0

    @property
    def cpu_per_request(self) -> float:
        return self.cpu / self.requests * 1e6 if self.requests else 0.0

    @property
    def server_busy(self) -> float | None:
        """The share of one core the server needed while this run was measured."""
        if self.server_us_per_request is None or not self.wall:
            return None
        return self.server_us_per_request * self.requests / 1e6 / self.wall


@attrs.frozen
class Spread:
    """Median, min and max of one figure over rounds."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(statistics.median(values), min(values), max(values))

    def show(self, digits: int = 0, scale: float = 1.0) -> str:
        m, lo, hi = (v / scale for v in (self.median, self.low, self.high))
        return f"{m:,.{digits}f} ({lo:,.{digits}f}-{hi:,.{digits}f})"


def _spread(runs: Sequence[Run], attribute: str) -> Spread | None:
    values = [getattr(run, attribute) for run in runs]
    values = [v for v in values if v is not None]
    return Spread.of(values) if values else None


class Results:
    """Every run, grouped by workload and client, with the tables and target checks."""

    def __init__(self) -> None:
        self.runs: dict[str, dict[str, list[Run]]] = {}
        self.notes: dict[str, list[str]] = {}

    def add(self, run: Run) -> None:
        self.runs.setdefault(run.workload, {}).setdefault(run.client, []).append(run)

    def note(self, workload: str, text: str) -> None:
        notes = self.notes.setdefault(workload, [])
        if text not in notes:
            notes.append(text)

    def median(self, workload: str, client: str, attribute: str) -> float | None:
        runs = self.runs.get(workload, {}).get(client)
        spread = _spread(runs, attribute) if runs else None
        return spread.median if spread else None

    def ratio(self, workload: str, client: str, attribute: str, baseline: str) -> float | None:
        """Return the median over rounds of client / baseline, each round's runs paired.

        Runs of one round are next to each other in time, so pairing them cancels most of
        the drift a shared machine has between rounds.
        """
        by_client = self.runs.get(workload, {})
        pairs = zip(by_client.get(client, ()), by_client.get(baseline, ()), strict=False)
        ratios = [
            getattr(mine, attribute) / getattr(theirs, attribute)
            for mine, theirs in pairs
            if getattr(theirs, attribute)
        ]
        return statistics.median(ratios) if ratios else None


def _table(results: Results, workload: Workload) -> str:
    by_client = results.runs.get(workload.key, {})
    lines = [f"{workload.key}: {workload.title}"]
    if workload.kind in ("sync", "ratelimit"):
        for client, runs in by_client.items():
            for i, run in enumerate(runs, 1):
                shown = ", ".join(f"{k}={v}" for k, v in run.extra.items() if k != "sdk")
                lines.append(f"  {client} round {i}: wall={run.wall:.2f} s, {shown}")
        lines.extend(f"  note: {text}" for text in results.notes.get(workload.key, ()))
        return "\n".join(lines)
    unit = "customer" if workload.per_customer else "req"
    header = (
        f"  {'client':<22} {'req/s':>24} {'CPU µs/' + unit:>24} "
        + (f"{'CPU µs/page':>22} " if workload.per_customer else "")
        + f"{'peak RSS MB':>18} {'CPU x raw':>9} {'req/s x raw':>11} {'srv µs/req':>10} "
        f"{'srv busy':>8}"
    )
    lines.append(header)
    for client, runs in by_client.items():
        rate = _spread(runs, "rate")
        cpu = _spread(runs, "cpu_per_op")
        page = _spread(runs, "cpu_per_request")
        rss = _spread(runs, "rss_peak")
        server = _spread(runs, "server_us_per_request")
        busy = _spread(runs, "server_busy")
        cpu_ratio = results.ratio(workload.key, client, "cpu_per_op", BASELINE)
        rate_ratio = results.ratio(workload.key, client, "rate", BASELINE)
        n = runs[0].ops
        label = client if n == workload.n or workload.per_customer else f"{client} (n={n})"
        assert rate is not None
        assert cpu is not None
        assert rss is not None
        assert page is not None
        lines.append(
            f"  {label:<22} {rate.show():>24} {cpu.show(1 if workload.per_customer else 0):>24} "
            + (f"{page.show():>22} " if workload.per_customer else "")
            + f"{rss.show(1, 2**20):>18} {_fmt(cpu_ratio, 'x'):>9} {_fmt(rate_ratio, 'x'):>11} "
            f"{_fmt(server.median if server else None):>10} "
            f"{_fmt(busy.median * 100 if busy else None, '%'):>8}"
        )
    lines.extend(f"  note: {text}" for text in results.notes.get(workload.key, ()))
    return "\n".join(lines)


def _fmt(value: Any, suffix: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if suffix == "x":
            return f"{value:.2f}x"
        if suffix == "%":
            return f"{value:.0f}%"
        return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{value}{suffix}"


# Targets


@attrs.frozen
class Target:
    """One acceptance target and whether this run meets it."""

    name: str
    passed: bool | None  # None: not measured in this run
    figure: str


def targets(results: Results, sdk: str = SDK) -> list[Target]:
    """Check the issue's targets against this run's medians, for ``sdk`` (or a variant)."""
    found: list[Target] = []

    def ratio_target(
        name: str, workload: str, attribute: str, baseline: str, limit: float, at_most: bool
    ) -> None:
        ratio = results.ratio(workload, sdk, attribute, baseline)
        if ratio is None:
            found.append(Target(name, None, "not measured"))
            return
        passed = ratio <= limit if at_most else ratio >= limit
        mine = results.median(workload, sdk, attribute)
        theirs = results.median(workload, baseline, attribute)
        found.append(
            Target(
                name,
                passed,
                f"{ratio:.2f}x (medians {_fmt(mine)} vs {_fmt(theirs)} for {baseline}; "
                f"target {'<=' if at_most else '>='} {limit:.2f}x)",
            )
        )

    ratio_target("W1 create CPU/req <= 1.3x raw", "W1", "cpu_per_op", BASELINE, 1.3, True)
    ratio_target("W3 get CPU/req <= 1.3x raw", "W3", "cpu_per_op", BASELINE, 1.3, True)
    ratio_target("W3b address get CPU/req <= 1.3x raw", "W3b", "cpu_per_op", BASELINE, 1.3, True)
    for key, size in (("W2a", 200), ("W2b", 50)):
        ratio_target(
            f"{key} walk CPU/customer <= 2x raw (per_page {size})",
            key,
            "cpu_per_op",
            BASELINE,
            2.0,
            True,
        )
        ratio_target(
            f"{key} walk CPU/customer <= 1/3 of official SDK (per_page {size})",
            key,
            "cpu_per_op",
            "official",
            1 / 3,
            True,
        )
    ratio_target("W4 throughput >= 0.95x raw", "W4", "rate", BASELINE, 0.95, False)
    big = results.median("W5a", sdk, "rss_peak")
    small = results.median("W5b", sdk, "rss_peak")
    if big is None or small is None:
        found.append(Target("W5 peak RSS, big walk within 10 MB of small", None, "not measured"))
    else:
        growth = (big - small) / 2**20
        found.append(
            Target(
                "W5 peak RSS, big walk within 10 MB of small",
                growth <= 10,
                f"{growth:+.1f} MB ({big / 2**20:.1f} vs {small / 2**20:.1f} MB)",
            )
        )
    sync_runs = results.runs.get("W6", {}).get(sdk)
    if not sync_runs:
        found.append(Target("W6 sync requests <= 1.02x planner optimum", None, "not measured"))
    else:
        ratios = [run.extra["requests_sent"] / run.extra["optimum"] for run in sync_runs]
        worst = max(ratios)
        found.append(
            Target(
                "W6 sync requests <= 1.02x planner optimum",
                worst <= 1.02,
                f"{worst:.3f}x at worst over {len(ratios)} rounds "
                f"({sync_runs[-1].extra['requests_sent']} sent, optimum "
                f"{sync_runs[-1].extra['optimum']}, one per record {sync_runs[-1].ops})",
            )
        )
    limit_runs = results.runs.get("W7", {}).get(sdk)
    if not limit_runs:
        found.append(Target("W7 >= 95% of allowed rate, zero 429s", None, "not measured"))
    else:
        fractions = [run.extra["fraction_of_allowed"] for run in limit_runs]
        seen = sum(run.extra["server_429s"] for run in limit_runs)
        found.append(
            Target(
                "W7 >= 95% of allowed rate, zero 429s",
                min(fractions) >= 0.95 and seen == 0,
                f"{min(fractions) * 100:.1f}% at worst (median "
                f"{statistics.median(fractions) * 100:.1f}%), {seen} 429s",
            )
        )
    return found


# Driving


@attrs.frozen(kw_only=True)
class Options:
    rounds: int
    quick: bool
    clients: tuple[str, ...]
    workloads: tuple[str, ...]
    variants: dict[str, str]
    json_path: str | None
    decoder: str = "auto"


def _spec(
    workload: Workload,
    client: str,
    base_url: str,
    round_: int,
    cpu: int | None,
    options: Options,
) -> dict[str, Any]:
    return {
        "client": client.split("@")[0],
        "kind": workload.kind,
        "base_url": base_url,
        "n": workload.n_for(client.split("@")[0]),
        "concurrency": workload.concurrency,
        "per_page": workload.per_page,
        "warmup": workload.warmup,
        "tag": f"{workload.key}-{round_}-{client}-{time.monotonic_ns()}",
        "cpu": cpu,
        "limit": workload.limit,
        "window": workload.window,
        "existing": workload.existing,
        "decoder": options.decoder,
    }


def _clients_for(workload: Workload, options: Options) -> list[str]:
    wanted = [c for c in options.clients if workload.clients is None or c in workload.clients]
    if workload.clients is None or SDK in workload.clients:
        wanted += [f"{SDK}@{name}" for name in options.variants]
    return wanted


def _measure(
    server: ServerProcess,
    spec: dict[str, Any],
    sdk_path: str | None,
    client: str,
    workload: Workload,
) -> Run | str:
    """Run one worker against ``server``; return its `Run`, or why the client skipped it."""
    before = server.command("stats")
    result = _run_worker(spec, sdk_path)
    after = server.command("stats")
    if "skipped" in result:
        return str(result["skipped"])
    # The lean server counts from its start; the FakePaddle launcher from the last "stats".
    served = after["requests"] - (before["requests"] if "by_method" not in after else 0)
    # Server CPU over the whole worker run (warm-up included), per request served.
    per_request = (after["cpu"] - before["cpu"]) / served * 1e6 if served else None
    return Run(
        client=client,
        workload=workload.key,
        ops=result["ops"],
        requests=result["requests"],
        wall=result["wall"],
        cpu=result["cpu"],
        rss_peak=result["rss_peak"],
        rss_before=result["rss_before"],
        server_us_per_request=per_request,
        decoder=result.get("decoder"),
        extra={k: v for k, v in result.items() if k not in _RESULT_KEYS},
    )


def _add(results: Results, measured: Run | str, client: str, workload: Workload) -> None:
    if isinstance(measured, str):
        results.note(workload.key, f"{client} skipped: {measured}")
    else:
        results.add(measured)


def _run_lean(workloads: Sequence[Workload], options: Options, results: Results) -> None:
    server_cpu, client_cpu = _cores()
    universe = max([10_000, *(w.n for w in workloads if w.kind == "walk")])
    with _server("benchmarks.server", ["--customers", str(universe)], server_cpu) as server:
        for workload in workloads:
            server.command(f"delay {workload.delay}")
            clients = _clients_for(workload, options)
            print(f"{workload.key}: {', '.join(clients)}", file=sys.stderr, flush=True)
            for round_ in range(options.rounds):
                for client in clients:
                    spec = _spec(workload, client, server.base_url, round_, client_cpu, options)
                    spec["universe"] = universe
                    sdk_path = options.variants.get(client.partition("@")[2])
                    _add(
                        results,
                        _measure(server, spec, sdk_path, client, workload),
                        client,
                        workload,
                    )
            server.command("delay 0")


def _run_fake_gets(workload: Workload, options: Options, results: Results) -> None:
    server_cpu, client_cpu = _cores()
    with _server("benchmarks.fake_server", ["--seed", "2000"], server_cpu) as server:
        ids = server.ready["ids"]
        clients = _clients_for(workload, options)
        for round_ in range(options.rounds):
            for client in clients:
                spec = _spec(workload, client, server.base_url, round_, client_cpu, options)
                spec["ids"] = ids
                sdk_path = options.variants.get(client.partition("@")[2])
                _add(results, _measure(server, spec, sdk_path, client, workload), client, workload)


def _run_ratelimit(workload: Workload, options: Options, results: Results) -> None:
    server_cpu, client_cpu = _cores()
    for round_ in range(options.rounds):
        for client in _clients_for(workload, options):
            with _server("benchmarks.fake_server", ["--seed", "200"], server_cpu) as server:
                spec = _spec(workload, client, server.base_url, round_, client_cpu, options)
                spec["ids"] = server.ready["ids"]
                server.command(f"ratelimit {workload.limit} {workload.window} {workload.lockout}")
                sdk_path = options.variants.get(client.partition("@")[2])
                result = _run_worker(spec, sdk_path)
                stats = server.command("stats")
            # With n = k * limit + 1 requests the server's sliding window lets the last one in
            # no earlier than k windows after the first: the fastest allowed schedule.
            windows = math.ceil(workload.n / workload.limit) - 1
            ideal = windows * workload.window
            fraction = ideal / result["wall"] if result["wall"] else 0.0
            results.add(
                Run(
                    client=client,
                    workload=workload.key,
                    ops=result["ops"],
                    requests=result["requests"],
                    wall=result["wall"],
                    cpu=result["cpu"],
                    rss_peak=result["rss_peak"],
                    rss_before=result["rss_before"],
                    server_us_per_request=None,
                    decoder=result.get("decoder"),
                    extra={
                        "achieved_per_s": round(workload.n / result["wall"], 2),
                        "allowed_per_s": workload.limit / workload.window,
                        "fraction_of_allowed": round(fraction, 4),
                        "server_429s": stats["rate_limited"],
                        "requests_at_server": stats["requests"],
                        "errors": result.get("errors", 0),
                    },
                )
            )
    results.note(
        workload.key,
        "fraction_of_allowed = the fastest schedule the server's sliding window allows "
        f"({math.ceil(workload.n / workload.limit) - 1} windows of {workload.window} s for "
        f"{workload.n} requests) / the measured wall time",
    )


def _run_sync(workload: Workload, options: Options, results: Results) -> None:
    server_cpu, client_cpu = _cores()
    for round_ in range(options.rounds):
        for client in _clients_for(workload, options):
            seed = ["--seed", str(workload.existing)]
            with _server("benchmarks.fake_server", seed, server_cpu) as server:
                spec = _spec(workload, client, server.base_url, round_, client_cpu, options)
                sdk_path = options.variants.get(client.partition("@")[2])
                server.command("stats")  # start counting from here
                result = _run_worker(spec, sdk_path)
                stats = server.command("stats")
            if "skipped" in result:  # decided where the SDK (or a variant of it) is imported
                results.note(workload.key, f"{client} skipped: {result['skipped']}")
                continue
            extra = {k: v for k, v in result.items() if k not in _RESULT_KEYS}
            sent = stats["requests"]
            extra.update(
                requests_sent=sent,
                by_method=stats["by_method"],
                vs_optimum=round(sent / extra["optimum"], 4),
                vs_one_per_record=round(sent / result["ops"], 4),
            )
            results.add(
                Run(
                    client=client,
                    workload=workload.key,
                    ops=result["ops"],
                    requests=sent,
                    wall=result["wall"],
                    cpu=result["cpu"],
                    rss_peak=result["rss_peak"],
                    rss_before=result["rss_before"],
                    server_us_per_request=None,
                    decoder=result.get("decoder"),
                    extra=extra,
                )
            )
    results.note(
        workload.key,
        "optimum = min(scan pages, e-mail lookup requests) at 200 a request + one request per "
        "create and per update (the planner's formula); one request per record would be n",
    )


def run(options: Options) -> Results:
    """Run every selected workload; return the results."""
    results = Results()
    selected = [w for w in plan(options.quick) if w.key in options.workloads]
    lean = [w for w in selected if w.server == "lean"]
    if lean:
        _run_lean(lean, options, results)
    for workload in selected:
        print(f"{workload.key}: {workload.title}", file=sys.stderr, flush=True)
        if workload.kind == "ratelimit":
            _run_ratelimit(workload, options, results)
        elif workload.kind == "sync":
            _run_sync(workload, options, results)
        elif workload.server == "fake":
            _run_fake_gets(workload, options, results)
    return results


def report(results: Results, options: Options) -> str:
    """Render the tables and the targets."""
    server_cpu, client_cpu = _cores()
    lines = [
        f"paddle_async benchmarks: {options.rounds} round(s), interleaved; "
        f"server on core {server_cpu}, clients on core {client_cpu}; "
        f"Python {sys.version.split()[0]}",
        "Figures are median (min-max) over rounds; ratios are medians of per-round ratios "
        "against raw aiohttp (the same calls, no models) decoding with the SDK's decoder.",
        _decoder_line(results, options),
        "CPU is the client process's user+system time over the measured part only.",
        "",
    ]
    if options.quick:
        lines[-1:-1] = [
            "--quick checks that the harness works; its tiny runs are too short to compare."
        ]
    for workload in plan(options.quick):
        if workload.key in results.runs or workload.key in results.notes:
            lines += [_table(results, workload), ""]
    lines += [*_servers(results), ""]
    for sdk in (SDK, *(f"{SDK}@{name}" for name in options.variants)):
        lines.append(f"Targets ({sdk}):")
        for target in targets(results, sdk):
            verdict = {True: "PASS", False: "MISS", None: "----"}[target.passed]
            lines.append(f"  [{verdict}] {target.name}: {target.figure}")
    return "\n".join(lines)


def decoders(results: Results, client: str) -> set[str]:
    """Return the JSON decoders ``client`` used over every run of ``results``."""
    return {
        run.decoder
        for by_client in results.runs.values()
        for run in by_client.get(client, ())
        if run.decoder is not None
    }


def _decoder_line(results: Results, options: Options) -> str:
    """Say which decoder the SDK and the anchor used, and whether they matched in every run."""
    forced = " (--decoder stdlib: orjson hidden from both)" if options.decoder == "stdlib" else ""
    sides = [(name, decoders(results, name)) for name in (SDK, *_variant_names(options), BASELINE)]
    shown = "; ".join(f"{name} {'+'.join(sorted(used)) or '-'}" for name, used in sides)
    mismatched = [
        f"{key} ({client}: {run.decoder} vs {BASELINE}: {anchor.decoder})"
        for key, by_client in results.runs.items()
        for client, runs in by_client.items()
        if client == SDK or client.startswith(SDK + "@")
        for run, anchor in zip(runs, by_client.get(BASELINE, ()), strict=False)
        if run.decoder != anchor.decoder
    ]
    verdict = f"MISMATCH in {', '.join(mismatched)}" if mismatched else "same on both sides"
    return f"JSON decoding{forced}: {shown}; {verdict}. Both encode request bodies with json."


def _variant_names(options: Options) -> list[str]:
    return [f"{SDK}@{name}" for name in options.variants]


def _servers(results: Results) -> list[str]:
    """Summarise what the servers cost per request, and their one-core ceilings."""
    lines = ["Servers (CPU per request served, and the one-core ceiling it implies):"]
    for label, keys in (("lean benchmarks.server", ("W1", "W3")), ("FakePaddle", ("F3",))):
        runs = [
            run
            for key in keys
            for by_client in [results.runs.get(key, {})]
            for client_runs in by_client.values()
            for run in client_runs
            if run.server_us_per_request
        ]
        if not runs:
            continue
        cost = statistics.median(run.server_us_per_request or 0.0 for run in runs)
        busiest = max(runs, key=lambda run: run.server_busy or 0.0)
        lines.append(
            f"  {label}: {cost:,.0f} µs/request on {'+'.join(keys)} -> ~{1e6 / cost:,.0f} req/s; "
            f"busiest {(busiest.server_busy or 0) * 100:.0f}% of a core "
            f"({busiest.workload}, {busiest.client}, {busiest.rate:,.0f} req/s)"
        )
    return lines if len(lines) > 1 else []


def _to_json(results: Results, options: Options) -> dict[str, Any]:
    return {
        "runs": [
            attrs.asdict(run) | {"rate": run.rate, "cpu_per_op": run.cpu_per_op}
            for by_client in results.runs.values()
            for runs in by_client.values()
            for run in runs
        ],
        "notes": results.notes,
        "decoder": options.decoder,
        "targets": {
            sdk: [attrs.asdict(target) for target in targets(results, sdk)]
            for sdk in (SDK, *(f"{SDK}@{name}" for name in options.variants))
        },
    }


def parse_args(argv: Sequence[str] | None) -> Options:
    """Read the command line."""
    keys = [w.key for w in plan(False)]
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="one tiny round (seconds)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (default 3; quick 1)")
    parser.add_argument(
        "--clients",
        default=",".join(CLIENTS),
        help=f"comma-separated, from {', '.join(CLIENTS)} (missing packages are skipped)",
    )
    parser.add_argument(
        "--workloads",
        default=",".join(keys),
        help=f"comma-separated, from {', '.join(keys)}; W2 and W5 select both parts",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="also run paddle_async from DIR (a patched copy) as client paddle_async@NAME",
    )
    parser.add_argument("--json", dest="json_path", help="also write every run to this file")
    parser.add_argument(
        "--decoder",
        choices=DECODERS,
        default=os.environ.get(_DECODER_VARIABLE, "auto") or "auto",
        help=(
            "auto: orjson when installed, for paddle_async and the raw aiohttp anchor alike; "
            f"stdlib: hide orjson from both (default from {_DECODER_VARIABLE}, else auto)"
        ),
    )
    args = parser.parse_args(argv)
    if args.decoder not in DECODERS:  # the default comes from the environment unchecked
        parser.error(f"{_DECODER_VARIABLE} must be one of {', '.join(DECODERS)}")
    wanted = set()
    for key in (k.strip().lower() for k in args.workloads.split(",")):
        wanted |= {k for k in keys if key in (k.lower(), k.lower().rstrip("ab"))}
    clients = []
    for name in (c.strip() for c in args.clients.split(",")):
        if name not in CLIENTS:
            parser.error(f"unknown client {name!r}")
        if available(name):
            clients.append(name)
        else:
            print(f"skipping {name}: its package is not installed", file=sys.stderr)
    variants = {}
    for item in args.variant:
        name, _, path = item.partition("=")
        if not name or not Path(path, "paddle_async").is_dir():
            parser.error(f"--variant wants NAME=DIR with DIR/paddle_async: {item!r}")
        variants[name] = str(Path(path).resolve())
    rounds = args.rounds if args.rounds is not None else (1 if args.quick else 3)
    return Options(
        rounds=max(1, rounds),
        quick=args.quick,
        clients=tuple(clients),
        workloads=tuple(k for k in keys if k in wanted),
        variants=variants,
        json_path=args.json_path,
        decoder=args.decoder,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the suite and print the report; return 0 if every measured target passes."""
    options = parse_args(argv)
    results = run(options)
    print(report(results, options))
    if options.json_path:
        Path(options.json_path).write_text(json.dumps(_to_json(results, options), indent=1))
    return 0 if all(t.passed is not False for t in targets(results)) else 1


if __name__ == "__main__":
    sys.exit(main())
