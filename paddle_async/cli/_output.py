"""Output formats for any resource: a table, JSON (an array, streamed), JSON Lines, or CSV.

A resource describes its items once with a `Shape`; `ItemWriter` and `show_one` do the rest,
a page at a time, so no command holds more than one page of items in memory.

No format sends a control character from the data to a terminal: tables escape them for
people; JSON escapes C0 controls (as every encoder does) and also DEL, C1 and bidirectional
controls (as ``\\u`` escapes, which decode to the same text); CSV escapes them only when it is
written to a terminal, and keeps the exact data in files and pipes.
"""

from __future__ import annotations

import contextlib
import csv
import enum
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, TextIO, TypeVar

import attrs

from ._rows import neutralise_formula, temporary_beside
from ._terminal import Column, TableWriter, key_value_table, printable
from ._text import BEYOND_C0

if TYPE_CHECKING:
    from .._pagination import AsyncPaginator

__all__ = [
    "FILE_FORMATS",
    "OUTPUT_FORMATS",
    "ItemWriter",
    "Shape",
    "cells",
    "model_json",
    "output_file",
    "page_size",
    "show_one",
    "to_json",
    "utc_text",
    "write_pages",
]

T = TypeVar("T")

OUTPUT_FORMATS = ("table", "json", "jsonl", "csv")
FILE_FORMATS = ("json", "jsonl", "csv")


@attrs.frozen(kw_only=True)
class Shape(Generic[T]):
    """How a resource's items are shown.

    Attributes:
        to_json: An item as Paddle's JSON object (JSON, JSON Lines; CSV cells come from it).
        columns: The CSV columns, in order: keys of ``to_json``'s objects.
        table: The table's columns (names are keys of ``to_json``'s objects).
        plural: What the items are called ("customers"), for "(no customers)".
    """

    to_json: Callable[[T], dict[str, Any]]
    columns: tuple[str, ...]
    table: tuple[Column, ...]
    plural: str


# Valid in a JSON string as they are, but a terminal acts on C1 controls and bidi controls
# reorder the text after them. Outside strings JSON text holds only ASCII, so escaping every
# occurrence is exact. (json.dumps escapes C0 controls itself.)
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in BEYOND_C0}


def to_json(value: Any, *, indent: int | None = None) -> str:
    """Return ``value`` as JSON text with no raw control characters: other text stays as it is,
    C0 controls get JSON's escapes, DEL, C1 and bidirectional controls ``\\u`` escapes."""
    return json.dumps(value, ensure_ascii=False, indent=indent).translate(_JSON_ESCAPES)


def utc_text(value: datetime) -> str:
    """Return a time as Paddle writes it: ISO 8601 in UTC, ending in ``Z``."""
    return value.astimezone(UTC).isoformat().removesuffix("+00:00") + "Z"


def _json_value(_: object, __: object, value: Any) -> Any:
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):  # a JSON array: a list, as `cells` and json expect
        return list(value)
    return value


def model_json(item: attrs.AttrsInstance) -> dict[str, Any]:
    """Return a response model as Paddle's JSON shape: its fields in order, nested models as
    objects, tuples as lists, enums as their values, times in UTC (`utc_text`)."""
    return attrs.asdict(item, value_serializer=_json_value)


def cells(data: dict[str, Any]) -> dict[str, str]:
    """Return a JSON object as text cells: JSON for objects and lists, empty for null."""
    row: dict[str, str] = {}
    for key, value in data.items():
        if value is None:
            row[key] = ""
        elif isinstance(value, dict | list):
            row[key] = json.dumps(value, ensure_ascii=False, sort_keys=True)
        elif isinstance(value, bool):
            row[key] = "true" if value else "false"
        else:
            row[key] = str(value)
    return row


def _csv_cells(row: dict[str, str], *, raw: bool, terminal: bool) -> dict[str, str]:
    """Return a CSV row whose cells a spreadsheet shows as text (unless ``raw``), with control
    characters made visible on a ``terminal``."""
    if not raw:
        row = {key: neutralise_formula(value) for key, value in row.items()}
    if terminal:
        row = {key: printable(value) for key, value in row.items()}
    return row


class ItemWriter(Generic[T]):
    """Writes items in one format, a page at a time; `close` ends the output.

    Args:
        out: Where to write.
        fmt: ``table``, ``json`` (one array, written as it goes), ``jsonl`` or ``csv``.
        shape: How the items are shown.
        csv_raw: CSV cells exactly as the data holds them (no formula quoting).
        err: Where a one-line hint goes (a plain table on a terminal).

    CSV written to a terminal shows control characters in cells as escapes (``\\x1b``,
    ``\\n``), as tables do, even with ``csv_raw``: people read it there. In a file or a pipe
    its cells are the exact data.
    """

    def __init__(
        self,
        out: TextIO,
        fmt: str,
        shape: Shape[T],
        *,
        csv_raw: bool = False,
        err: TextIO | None = None,
    ) -> None:
        self._out = out
        self._fmt = fmt
        self._shape = shape
        self._csv_raw = csv_raw
        self._err = err if err is not None else sys.stderr
        self._table: TableWriter | None = None
        self._csv: Any = None
        self._terminal = fmt == "csv" and out.isatty()
        self.count = 0

    def write(self, items: Sequence[T]) -> None:
        """Write a page of items."""
        shape, out = self._shape, self._out
        if self._fmt == "table":
            if self._table is None:
                self._table = TableWriter(out, shape.table, err=self._err)
            if items:
                self._table.write([cells(shape.to_json(item)) for item in items])
        elif self._fmt in ("json", "jsonl"):
            for item in items:
                text = to_json(shape.to_json(item))
                if self._fmt == "jsonl":
                    out.write(text + "\n")
                else:  # an array with one element a line, opened before the first
                    out.write(("[\n  " if self.count == 0 else ",\n  ") + text)
                    self.count += 1
        else:
            if self._csv is None:
                self._csv = csv.DictWriter(out, fieldnames=shape.columns)
                self._csv.writeheader()
            raw, terminal = self._csv_raw, self._terminal
            self._csv.writerows(
                _csv_cells(cells(shape.to_json(i)), raw=raw, terminal=terminal) for i in items
            )
        if self._fmt != "json":
            self.count += len(items)

    def close(self) -> None:
        """End the output: close the JSON array; say so when a table has no rows."""
        if self._fmt == "json":
            self._out.write("\n]\n" if self.count else "[]\n")
        elif self._fmt == "table" and not self.count:
            self._out.write(f"(no {self._shape.plural})\n")


def page_size(limit: int | None) -> int:
    """Return the ``per_page`` to ask for: Paddle's largest page, or less for a small ``limit``."""
    return min(limit, 200) if limit else 200


async def write_pages(
    writer: ItemWriter[T], paginator: AsyncPaginator[T], limit: int | None
) -> None:
    """Write a list's items a page at a time, at most ``limit`` of them (all when None), and
    close the output. No page is fetched once ``limit`` items are written."""
    shown = 0
    async for page in paginator.pages():
        items = list(page.items)
        if limit is not None:
            items = items[: limit - shown]
        writer.write(items)
        shown += len(items)
        if limit is not None and shown >= limit:
            break
    writer.close()


def show_one(
    item: T, out: TextIO, fmt: str, shape: Shape[T], *, csv_raw: bool, err: TextIO | None = None
) -> None:
    """Write one item: label/value lines, a JSON object, one JSON line, or a CSV row."""
    if fmt == "table":
        key_value_table(list(cells(shape.to_json(item)).items()), out, indent="")
    elif fmt == "json":
        out.write(to_json(shape.to_json(item), indent=2) + "\n")
    else:
        writer = ItemWriter(out, fmt, shape, csv_raw=csv_raw, err=err)
        writer.write([item])
        writer.close()


@contextlib.contextmanager
def output_file(path: str) -> Iterator[TextIO]:
    """Open a file to write, or standard output for ``-``.

    A file is written under a temporary name beside it and renamed when the block ends without
    an error, so an interrupted or failed export never leaves a truncated file (a half JSON
    array) under the name asked for.
    """
    if path == "-":
        yield sys.stdout
        return
    fd, temporary = temporary_beside(path)
    try:
        with open(fd, "w", encoding="utf-8", newline="") as file:
            yield file
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
