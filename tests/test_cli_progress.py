"""What the command line draws on a terminal: a live progress bar, fitted tables, and plain
output without the ``cli`` extra. Each test runs the real entry point on a pseudo-terminal."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_files import cli_env, run_on_terminal, summary, write_csv

from paddle_async.cli._terminal import INSTALL_HINT
from paddle_async.testing import FakePaddle

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def frames(terminal: str) -> list[str]:
    """Return each redraw of a terminal's line, styles removed."""
    return [ANSI.sub("", frame).strip() for frame in re.split(r"[\r\n]", terminal)]


@pytest.fixture
def no_rich(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """An environment where ``import rich`` fails, as without the ``cli`` extra."""
    shim = tmp_path_factory.mktemp("no-rich") / "rich"
    shim.mkdir()
    (shim / "__init__.py").write_text('raise ImportError("the cli extra is not installed")\n')
    return {"PYTHONPATH": str(shim.parent)}


async def test_the_bar_counts_down_a_rate_limit_wait(fake: FakePaddle, tmp_path: Path) -> None:
    """While the rate limit holds requests back, the bar keeps redrawing with the wait left."""
    pytest.importorskip("rich")
    path = write_csv(
        tmp_path / "three.csv", [["email"], *([f"n{i}@example.com"] for i in range(3))]
    )
    # 2 requests per 2 s: the lookup and the first create go, the other creates wait ~2 s.
    run = await asyncio.to_thread(
        run_on_terminal,
        *("--base-url", fake.base_url, "--rate-limit", "2/2s", "customers", "import", str(path)),
        env=cli_env(fake.api_key),
    )
    assert (0, "3") == (run.returncode, summary(run.stdout)["created"])
    waits = {
        frame.split("rows ")[-1] for frame in frames(run.terminal) if "1/3 rows waiting" in frame
    }
    assert {"waiting for the rate limit (2 s)", "waiting for the rate limit (1 s)"} <= waits


async def test_the_bar_shows_progress_without_waits(fake: FakePaddle, tmp_path: Path) -> None:
    """Without pacing the bar ends at 100% with its count, and says nothing of waiting."""
    pytest.importorskip("rich")
    path = write_csv(tmp_path / "two.csv", [["email"], ["a@example.com"], ["b@example.com"]])
    run = await asyncio.to_thread(
        run_on_terminal,
        *("--base-url", fake.base_url, "--rate-limit", "0", "customers", "import", str(path)),
        env=cli_env(fake.api_key),
    )
    assert 0 == run.returncode
    drawn = [frame for frame in frames(run.terminal) if frame.startswith("Syncing")]
    assert "100% 2/2 rows" in drawn[-1]
    assert not any("waiting" in frame for frame in drawn)


def test_tables_fit_the_terminal_one_line_a_row() -> None:
    """On a terminal a table is as wide as the terminal, one line per customer, names escaped."""
    pytest.importorskip("rich")
    for columns in (72, 140):
        run = run_on_terminal(
            "--fake",
            "--fake-seed",
            "3",
            "customers",
            "list",
            env=cli_env(None),
            stdout_on_terminal=True,
            columns=columns,
        )
        lines = [ANSI.sub("", line) for line in run.terminal.splitlines() if line.strip()]
        assert (0, 4) == (run.returncode, len(lines))
        assert all(len(line) <= columns for line in lines), lines
        assert lines[0].split() == ["id", "email", "name", "status", "locale"]


async def test_table_cells_stay_on_their_line(fake: FakePaddle) -> None:
    """Tabs, newlines and markup-like text in names show as text, each row on one line."""
    pytest.importorskip("rich")
    names = ["Tab\there", "New\nline", "[bold]Not markup[/bold]", "Long " * 30]
    for n, name in enumerate(names):
        fake.add_customer(email=f"h{n}@example.com", name=name)
    run = await asyncio.to_thread(
        run_on_terminal,
        *("--base-url", fake.base_url, "customers", "list"),
        env=cli_env(fake.api_key),
        stdout_on_terminal=True,
        columns=120,
    )
    lines = [ANSI.sub("", line) for line in run.terminal.splitlines() if line.strip()]
    assert (0, 1 + len(names)) == (run.returncode, len(lines))
    shown = ["Tab\\there", "New\\nline", "[bold]Not markup[/bold]", "Long Long"]
    assert shown == [name for name in shown if any(name in line for line in lines)]
    assert all(re.search(r"active\s+en\s*$", line) for line in lines[1:]), lines


async def test_without_the_cli_extra_output_is_plain_with_one_hint(
    fake: FakePaddle, tmp_path: Path, no_rich: dict[str, str]
) -> None:
    """Without rich, import and list work on a terminal in plain text, with one hint line."""
    path = write_csv(tmp_path / "two.csv", [["email"], ["a@example.com"], ["b@example.com"]])
    env = cli_env(fake.api_key, **no_rich)
    run = await asyncio.to_thread(
        run_on_terminal, "--base-url", fake.base_url, "customers", "import", str(path), env=env
    )
    assert (0, "2") == (run.returncode, summary(run.stdout)["created"])
    assert [INSTALL_HINT] == [line for line in run.terminal.splitlines() if line.strip()]
    listed = await asyncio.to_thread(
        run_on_terminal,
        *("--base-url", fake.base_url, "customers", "list"),
        env=env,
        stdout_on_terminal=True,
    )
    lines = listed.terminal.splitlines()
    assert (0, INSTALL_HINT, 3) == (listed.returncode, lines[0], len(lines[1:]))
    assert lines[1].startswith("id ")


def test_without_the_cli_extra_pipes_get_no_hint(no_rich: dict[str, str]) -> None:
    """Without rich and without a terminal nothing extra is said: scripts see clean output."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "paddle_async.cli",
            "--fake",
            "--fake-seed",
            "2",
            "customers",
            "list",
        ],
        capture_output=True,
        text=True,
        env=cli_env(None, **no_rich),
        timeout=60,
        check=False,
    )
    assert (0, "", 3) == (result.returncode, result.stderr, len(result.stdout.splitlines()))


def test_neither_the_sdk_nor_help_imports_rich() -> None:
    """rich is the command line's alone: the SDK, its fake, and --help never import it."""
    code = (
        "import sys, paddle_async, paddle_async.customers, paddle_async.testing, "
        "paddle_async.webhooks; print(sorted(m for m in sys.modules if m.split('.')[0] == 'rich'))"
    )
    sdk = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    helped = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "paddle_async.cli", "customers", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    imported = [line.split("|")[-1].strip() for line in helped.stderr.splitlines()]
    assert ("[]", []) == (
        sdk.stdout.strip(),
        [name for name in imported if name.split(".")[0] == "rich"],
    )
