"""Helpers for the command-line tests: CSV files in and out, and the import summary."""

from __future__ import annotations

import csv
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import attrs


def summary(stdout: str) -> dict[str, str]:
    """Read the import summary table: label -> value."""
    rows = (re.match(r"^  (\S.*?)\s{2,}(.*)$", line) for line in stdout.splitlines())
    return {match[1]: match[2] for match in rows if match}


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    """Write ``rows`` as a CSV file and return its path."""
    with open(path, "w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV file with a header row as dicts, exactly (no newline translation)."""
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def cli_env(key: str | None, **variables: str) -> dict[str, str]:
    """Return this process's environment without PADDLE_* variables, plus the key and more."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PADDLE_")}
    if key is not None:
        env["PADDLE_API_KEY"] = key
    env.update(variables)
    return env


@attrs.frozen
class TerminalRun:
    """A program run with its standard error (and input) on a terminal."""

    returncode: int
    stdout: str
    terminal: str


ENTRY_POINT = str(Path(sys.executable).with_name("paddle-async"))
"""The ``paddle-async`` program that installing the package puts beside the interpreter."""


def run_on_terminal(
    *args: str,
    env: dict[str, str],
    reply: str | None = None,
    stdout_on_terminal: bool = False,
    columns: int = 100,
    timeout: float = 60.0,
    entry_point: bool = False,
) -> TerminalRun:
    """Run ``python -m paddle_async.cli`` with stdin and stderr on a pseudo-terminal.

    Args:
        args: The command line.
        env: The environment (``COLUMNS`` is set to ``columns``).
        reply: Typed once the program asks a ``[y/N]`` question.
        stdout_on_terminal: Put standard output on the terminal too (it then reads as
            ``terminal``, and ``stdout`` is empty).
        columns: The terminal's width.
        timeout: Seconds before the program is killed and the test fails.
        entry_point: Run the installed ``paddle-async`` program instead.
    """
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    process = subprocess.Popen(
        [ENTRY_POINT, *args] if entry_point else [sys.executable, "-m", "paddle_async.cli", *args],
        stdin=slave,
        stdout=slave if stdout_on_terminal else subprocess.PIPE,
        stderr=slave,
        env={**env, "COLUMNS": str(columns), "TERM": "xterm-256color"},
    )
    os.close(slave)
    names = {master: "terminal"}
    if process.stdout is not None:
        names[process.stdout.fileno()] = "stdout"
    output = {"terminal": bytearray(), "stdout": bytearray()}
    deadline = time.monotonic() + timeout
    try:
        while names:
            left = deadline - time.monotonic()
            ready, _, _ = select.select(list(names), [], [], max(left, 0))
            if not ready:
                raise AssertionError(f"{args} did not end within {timeout} s")
            for fd in ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # EIO: the program closed its side of the terminal
                    chunk = b""
                if not chunk:
                    del names[fd]
                    continue
                output[names[fd]].extend(chunk)
                if reply is not None and b"[y/N]" in output["terminal"]:
                    os.write(master, reply.encode())
                    reply = None
        process.wait(timeout=max(deadline - time.monotonic(), 1))
    finally:
        if process.returncode is None:
            process.kill()
            process.wait()
        os.close(master)
        if process.stdout is not None:
            process.stdout.close()
    return TerminalRun(
        process.returncode,
        output["stdout"].decode(),
        output["terminal"].decode(errors="replace").replace("\r\n", "\n"),
    )
