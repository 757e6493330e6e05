"""Reading import files (CSV or JSON Lines) into sync records, and writing failed rows back.

Row numbers are the file's line numbers where a record starts, so "row 7" of a CSV file is the
7th line, the header being row 1, as a spreadsheet shows it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

import attrs

from .._json import loads, nested_too_deeply
from ..customers import SyncRecord
from ..errors import ValidationError

__all__ = [
    "FORMATS",
    "FailedRows",
    "InputError",
    "Row",
    "count_rows",
    "detect_format",
    "failed_rows_path",
    "open_input",
    "read_records",
]

FORMATS = ("csv", "jsonl")
_FIELDS = ("email", "name", "locale", "custom_data", "status")
_IGNORED = ("id", "created_at", "updated_at", "marketing_consent", "import_meta")
_ANNOTATIONS = ("error", "source_row")  # added to failed-rows files
_EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


class InputError(Exception):
    """A file that cannot be imported at all (no header, no email column, unknown columns)."""


@attrs.frozen
class Row:
    """Where a record came from: its row number and its raw content, for failed-rows files."""

    number: int
    raw: Any  # CSV: dict of cells (or list for a malformed row); JSONL: the line's text


def detect_format(path: str, given: str | None) -> str:
    """Return ``csv`` or ``jsonl``: the given format, else from the file's extension."""
    if given:
        return given
    suffix = Path(path).suffix.lower()
    if suffix not in _EXTENSIONS:
        raise InputError(
            f"cannot tell the format of {path}: name it .csv or .jsonl, or pass --format"
        )
    return _EXTENSIONS[suffix]


def failed_rows_path(path: str) -> str:
    """Return the default failed-rows file for an input: ``people.csv`` → ``people.failed.csv``."""
    file = Path(path)
    return str(file.with_name(f"{file.stem}.failed{file.suffix or '.csv'}"))


def open_input(path: str) -> TextIO:
    """Open an input file (a byte-order mark, as spreadsheets write, is skipped)."""
    return open(path, encoding="utf-8-sig", newline="")


def unreadable(path: str, error: UnicodeDecodeError | csv.Error) -> InputError:
    """Return the one-line error for a file that is not UTF-8 text or not CSV at all."""
    if isinstance(error, UnicodeDecodeError):
        return InputError(
            f"{path} is not UTF-8 text (byte {error.object[error.start]:#04x}): save it as "
            "UTF-8 (in a spreadsheet: CSV UTF-8) and import it again"
        )
    return InputError(f"{path} cannot be read as CSV: {error}")


def _guarded(records: Iterator[SyncRecord], path: str) -> Iterator[SyncRecord]:
    """Turn decoding and CSV errors met while streaming into one-line `InputError`s."""
    try:
        yield from records
    except (UnicodeDecodeError, csv.Error) as error:
        raise unreadable(path, error) from None


def count_rows(path: str, fmt: str) -> int:
    """Count the records in a file without keeping them (a fast first pass)."""
    with open(path, encoding="utf-8-sig", newline="") as file:
        try:
            if fmt == "csv":
                return max(sum(1 for row in csv.reader(file) if row) - 1, 0)
            return sum(1 for line in file if line.strip())
        except (UnicodeDecodeError, csv.Error) as error:
            raise unreadable(path, error) from None


def _csv_header(reader: Any, path: str) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{path} is empty: expected a header row with an email column") from None
    header = [name.strip() for name in header]
    unknown = [n for n in header if n not in _FIELDS + _IGNORED + _ANNOTATIONS]
    if unknown:
        raise InputError(
            f"{path} row 1: unknown column {unknown[0]!r} (columns: {', '.join(_FIELDS)}; "
            f"ignored: {', '.join(_IGNORED + _ANNOTATIONS)})"
        )
    if "email" not in header:
        raise InputError(f"{path} row 1: no email column in the header")
    return header


def _cell_values(cells: dict[str, str]) -> dict[str, Any]:
    """Turn CSV cells into record fields: an empty cell is not given; custom_data is JSON."""
    values: dict[str, Any] = {}
    for key in _FIELDS:
        text = cells.get(key)
        if text is None or text == "":
            continue
        if key == "custom_data":
            try:
                values[key] = loads(text, exact=True)
            except ValueError as exc:
                raise ValidationError.single(key, f"not valid JSON ({_reason(exc)})") from None
            if values[key] is not None and not isinstance(values[key], dict):
                raise ValidationError.single(key, "must be a JSON object or null")
        else:
            values[key] = text
    if "email" not in values:
        raise ValidationError.single("email", "is required")
    return values


def _reason(error: ValueError) -> str:
    # json's JSONDecodeError has the reason alone in .msg; str() adds the position.
    return str(getattr(error, "msg", error))


OnBadRow = Callable[[Row, str], None]


def _read_csv(reader: Any, header: list[str], on_bad_row: OnBadRow) -> Iterator[SyncRecord]:
    line = reader.line_num
    for cells in reader:
        number, line = line + 1, reader.line_num
        if not cells:
            continue
        if len(cells) != len(header):
            message = f"{len(cells)} cells, but the header has {len(header)}"
            on_bad_row(Row(number, cells), message)
            continue
        raw = dict(zip(header, cells, strict=True))
        try:
            yield SyncRecord.from_mapping(_cell_values(raw), ref=Row(number, raw))
        except ValidationError as exc:
            on_bad_row(Row(number, raw), _problem(exc))


def _read_jsonl(file: TextIO, on_bad_row: OnBadRow) -> Iterator[SyncRecord]:
    for number, line in enumerate(file, start=1):
        text = line.strip()
        if not text:
            continue
        try:
            data = loads(text, exact=True)
        except ValueError as exc:
            on_bad_row(Row(number, text), f"not valid JSON ({_reason(exc)})")
            continue
        if not isinstance(data, dict):
            on_bad_row(Row(number, text), "not a JSON object")
            continue
        try:
            yield SyncRecord.from_mapping(data, ref=Row(number, text))
        except ValidationError as exc:
            on_bad_row(Row(number, text), _problem(exc))


def _problem(exc: ValidationError) -> str:
    return "; ".join(f"{e.field}: {e.message}" for e in exc.field_errors)


def read_records(
    file: TextIO, path: str, fmt: str, on_bad_row: OnBadRow
) -> tuple[list[str] | None, Iterator[SyncRecord]]:
    """Read records lazily; rows that are not valid records go to ``on_bad_row`` instead.

    Returns:
        The CSV header (None for JSONL), read at once so a bad file fails before any request;
        and the records, each with a `Row` as its ``ref``.

    Raises:
        InputError: The file cannot be imported at all.
    """
    if fmt == "csv":
        reader = csv.reader(file)
        try:
            header = _csv_header(reader, path)
        except (UnicodeDecodeError, csv.Error) as error:
            raise unreadable(path, error) from None
        return header, _guarded(_read_csv(reader, header, on_bad_row), path)
    return None, _guarded(_read_jsonl(file, on_bad_row), path)


class FailedRows:
    """A file of rows that failed, in the input's format, ready to fix and import again.

    Each row keeps its cells (or JSON line) and gains ``error`` and ``source_row``, which an
    import ignores. The file is created on the first failed row only.
    """

    def __init__(self, path: str, fmt: str, header: list[str] | None) -> None:
        self.path = path
        self.count = 0
        self._fmt = fmt
        fields = [name for name in header or () if name not in _ANNOTATIONS]
        self._header = [*fields, *_ANNOTATIONS]
        self._file: TextIO | None = None
        self._writer: Any = None

    def write(self, row: Row, error: str) -> None:
        """Add a failed row with its error."""
        if self._file is None:
            self._file = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            if self._fmt == "csv":
                self._writer = csv.writer(self._file)
                self._writer.writerow(self._header)
        self.count += 1
        if self._fmt == "csv":
            if isinstance(row.raw, dict):
                cells = [row.raw.get(name, "") for name in self._header[:-2]]
            else:
                cells = list(row.raw)[: len(self._header) - 2]
            self._writer.writerow([*cells, error, str(row.number)])
            return
        try:
            data = loads(row.raw, exact=True)
        except ValueError:
            data = None
        if isinstance(data, dict) and not nested_too_deeply(data):
            data = {k: v for k, v in data.items() if k not in _ANNOTATIONS}
            line = json.dumps({**data, "error": error, "source_row": row.number})
        else:
            line = str(row.raw)  # not JSON (or too deep to write again): kept as it was
        self._file.write(line + "\n")

    def close(self) -> None:
        """Close the file, if one was written."""
        if self._file is not None:
            self._file.close()
            self._file = None
