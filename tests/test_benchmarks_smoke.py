"""The benchmark harness starts its servers, runs one tiny round and stops what it started."""

from __future__ import annotations

import json
import os
from pathlib import Path

import attrs
import pytest

from benchmarks import run as bench
from benchmarks._data import address_id, customer_id
from benchmarks.clients import CLIENTS, available
from benchmarks.server import BenchServer

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
    # The anchor decodes as the SDK does, and the report says with what.
    expected = "orjson" if _orjson_installed() else "json"
    assert {expected} == bench.decoders(results, "paddle_async")
    assert {expected} == bench.decoders(results, "raw_aiohttp")
    assert f"paddle_async {expected}; raw_aiohttp {expected}; same on both sides" in text
    assert before == _children()


def _orjson_installed() -> bool:
    try:
        import orjson  # noqa: F401
    except ImportError:
        return False
    return True


def test_decoder_stdlib_hides_orjson_from_the_sdk_and_the_anchor() -> None:
    """``--decoder stdlib`` measures both sides with json.loads, and the report says so."""
    arguments = ["--quick", "--clients", "paddle_async,raw_aiohttp", "--decoder", "stdlib"]
    options = bench.parse_args(arguments)
    options = attrs.evolve(options, workloads=("W3",))

    results = bench.run(options)
    text = bench.report(results, options)

    assert {"json"} == bench.decoders(results, "paddle_async")
    assert {"json"} == bench.decoders(results, "raw_aiohttp")
    assert "orjson hidden from both" in text
    assert "paddle_async json; raw_aiohttp json; same on both sides" in text


def test_address_gets_are_skipped_with_a_reason_until_the_sdk_has_them() -> None:
    """W3b measures paddle_async through its address API, or says why it could not."""
    options = bench.parse_args(
        ["--quick", "--workloads", "W3b", "--clients", "paddle_async,raw_aiohttp"]
    )

    results = bench.run(options)
    text = bench.report(results, options)

    assert 1 == len(results.runs["W3b"]["raw_aiohttp"])
    try:
        from paddle_async.addresses import (  # type: ignore[import-not-found, unused-ignore]
            get_address,  # noqa: F401
        )
    except ImportError:
        assert "paddle_async" not in results.runs["W3b"]
        assert "paddle_async skipped: this paddle_async has no addresses.get" in text
    else:
        assert 1 == len(results.runs["W3b"]["paddle_async"])
        assert "W3b address get CPU/req <= 1.3x raw: not measured" not in text


def test_bench_server_serves_each_customers_own_address() -> None:
    """GET /customers/{id}/addresses/{id} answers Paddle's address entity, or 404."""
    server = BenchServer(100)

    def get(target: str) -> tuple[int, bytes]:
        response = server.answer(b"GET", target.encode())
        head, _, body = response.partition(b"\r\n\r\n")
        return int(head.split(b" ")[1]), body

    status, body = get(f"/customers/{customer_id(7)}/addresses/{address_id(7)}")
    address = json.loads(body)["data"]

    assert 200 == status
    assert address_id(7) == address["id"]
    assert customer_id(7) == address["customer_id"]
    assert {
        "id",
        "status",
        "customer_id",
        "description",
        "first_line",
        "second_line",
        "city",
        "postal_code",
        "region",
        "country_code",
        "custom_data",
        "created_at",
        "updated_at",
        "import_meta",
    } == set(address)
    assert 404 == get(f"/customers/{customer_id(7)}/addresses/{address_id(8)}")[0]
    assert 404 == get(f"/customers/{customer_id(100)}/addresses/{address_id(100)}")[0]
    assert 404 == get(f"/customers/{customer_id(7)}/addresses/add_x")[0]


def test_command_line_selects_workloads_and_skips_missing_clients() -> None:
    """``--workloads W2`` means both walks; unknown clients are refused."""
    options = bench.parse_args(["--quick", "--workloads", "W2,w5", "--clients", "paddle_async"])

    assert ("W2a", "W2b", "W5a", "W5b") == options.workloads
    assert ("paddle_async",) == options.clients
    assert 1 == options.rounds
    assert "auto" == options.decoder
    with pytest.raises(SystemExit):
        bench.parse_args(["--clients", "no_such_client"])
    with pytest.raises(SystemExit):
        bench.parse_args(["--decoder", "ujson"])


def test_decoder_defaults_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PADDLE_BENCH_DECODER", "stdlib")
    assert "stdlib" == bench.parse_args(["--quick"]).decoder
    monkeypatch.setenv("PADDLE_BENCH_DECODER", "fastest")
    with pytest.raises(SystemExit):
        bench.parse_args(["--quick"])
