"""Helpers for the command-line tests: CSV files in and out, and the import summary."""

from __future__ import annotations

import csv
import re
from pathlib import Path


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
