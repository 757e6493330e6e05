"""The benchmark harness starts its servers, runs one tiny round and stops what it started."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks import run as bench
from benchmarks.clients import CLIENTS, available

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux)")


def _children() -> set[int]:
    """Return the ids of this process's live child processes."""
    mine = str(os.getpid())
    children = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == mine and fields[0] != "Z":
            children.add(int(entry.name))
    return children


def test_one_tiny_round_runs_and_reports() -> None:
    """A quick round gives every installed client figures on W3 and the SDK on a walk."""
    before = _children()
    clients = tuple(name for name in CLIENTS if available(name))
    options = bench.Options(
        rounds=1,
        quick=True,
        clients=clients,
        workloads=("W2a", "W3"),
        variants={},
        json_path=None,
    )

    results = bench.run(options)
    text = bench.report(results, options)

    assert set(clients) == set(results.runs["W3"])
    assert {"paddle_async", "raw_aiohttp"} <= set(results.runs["W2a"])
    for runs in results.runs["W3"].values():
        assert runs[0].ops == runs[0].requests > 0
        assert runs[0].cpu > 0
        assert runs[0].rss_peak > 0
    walked = results.runs["W2a"]["paddle_async"][0]
    assert walked.ops == {w.key: w for w in bench.plan(True)}["W2a"].n
    assert "W3 get CPU/req <= 1.3x raw" in text
    assert before == _children()


def test_command_line_selects_workloads_and_skips_missing_clients() -> None:
    """``--workloads W2`` means both walks; unknown clients are refused."""
    options = bench.parse_args(["--quick", "--workloads", "W2,w5", "--clients", "paddle_async"])

    assert ("W2a", "W2b", "W5a", "W5b") == options.workloads
    assert ("paddle_async",) == options.clients
    assert 1 == options.rounds
    with pytest.raises(SystemExit):
        bench.parse_args(["--clients", "no_such_client"])
