"""Count a client's instructions per operation: ``python -m benchmarks.instructions W3``.

CPU time on a shared machine moves by tens of percent between runs; the number of instructions
a client process executes barely moves (0.1% between two runs of the same code). This runs one
workload's worker under ``valgrind --tool=callgrind`` twice, with ``n1`` and ``n2`` operations,
against the lean server (not under valgrind), and prints ``(Ir(n2) - Ir(n1)) / (n2 - n1)``:
the instructions one more operation costs, start-up and warm-up cancelled out. Instructions
are not time (a cache miss costs more than an add), so they complement the timed table rather
than replace it; they are what tells a 2% change from noise.

    python -m benchmarks.instructions W3 --clients paddle_async,raw_aiohttp
    python -m benchmarks.instructions W1 --variant before=../old --decoder stdlib

Needs valgrind on PATH. Slow: about 30 s a run on a 2-core VM for the defaults.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks.run import BASELINE, SDK, _child_cwd, _child_env, _cores, _server, plan
from benchmarks.worker import DECODERS

__all__ = ["count", "main"]

_COLLECTED = re.compile(r"Collected : (\d+)")


def count(spec: dict[str, object], sdk_path: str | None) -> int:
    """Run one worker spec under callgrind; return the instructions the process executed."""
    completed = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-m",
            "benchmarks.worker",
            json.dumps(spec),
        ],
        capture_output=True,
        text=True,
        cwd=_child_cwd(),
        env=_child_env(sdk_path),
        check=False,
    )
    found = _COLLECTED.search(completed.stderr)
    if completed.returncode != 0 or found is None or '"skipped"' in completed.stdout:
        raise RuntimeError(
            f"{spec['client']} did not run {spec['kind']}:\n"
            + (completed.stdout + completed.stderr)[-2000:]
        )
    return int(found.group(1))


def main(argv: Sequence[str] | None = None) -> int:
    """Count and print instructions per operation for each client, and ratios to the anchor."""
    workloads = {w.key: w for w in plan(False) if w.server == "lean" and w.delay == 0}
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions")
    parser.add_argument("workload", choices=sorted(workloads))
    parser.add_argument("--clients", default=f"{SDK},{BASELINE}")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=DIR")
    parser.add_argument("--decoder", choices=DECODERS, default="auto")
    parser.add_argument("--n1", type=int, default=None, help="default 200 (walks: 2,000)")
    parser.add_argument("--n2", type=int, default=None, help="default 1,000 (walks: 10,000)")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed")
    workload = workloads[args.workload]
    walk = workload.kind == "walk"
    n1 = args.n1 or (2_000 if walk else 200)
    n2 = args.n2 or (10_000 if walk else 1_000)
    runs: list[tuple[str, str, str | None]] = [
        (name, name, None) for name in args.clients.split(",") if name
    ]
    for item in args.variant:
        name, _, path = item.partition("=")
        if not name or not Path(path, "paddle_async").is_dir():
            parser.error(f"--variant wants NAME=DIR with DIR/paddle_async: {item!r}")
        runs.append((f"{SDK}@{name}", SDK, str(Path(path).resolve())))
    server_cpu, _ = _cores()
    per_op: dict[str, float] = {}
    with _server("benchmarks.server", ["--customers", "10000"], server_cpu) as server:
        for label, client, sdk_path in runs:
            counts = []
            for n in (n1, n2):
                spec = {
                    "client": client,
                    "kind": workload.kind,
                    "base_url": server.base_url,
                    "n": n,
                    "concurrency": workload.concurrency,
                    "per_page": workload.per_page,
                    "warmup": workload.warmup,
                    "tag": f"instructions-{label}-{n}",
                    "decoder": args.decoder,
                }
                counts.append(count(spec, sdk_path))
            per_op[label] = (counts[1] - counts[0]) / (n2 - n1)
            unit = "customer" if walk else "operation"
            print(f"{label:<24} {per_op[label]:>12,.0f} instructions/{unit}", flush=True)
    anchor = per_op.get(BASELINE)
    if anchor:
        for label, value in per_op.items():
            print(f"{label:<24} {value / anchor:>12.3f}x {BASELINE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
