"""Reading import files (CSV, JSON Lines, a JSON array) into sync records, and writing failed
rows back in the same format.

Row numbers are the file's line numbers where a record starts, so "row 7" of a CSV file is the
7th line, the header being row 1, as a spreadsheet shows it. In a JSON array, row 7 is the
array's 7th element.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

import attrs

from ..customers import SyncRecord
from ..errors import ValidationError
from ._errors import UsageError
from ._json_array import BrokenArray, json_array_elements
from ._private import loads, nested_too_deeply

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "MAX_ROW_CHARS",
    "FailedRows",
    "InputError",
    "Row",
    "count_rows",
    "detect_format",
    "duplicate_message",
    "failed_rows_path",
    "file_format",
    "neutralise_formula",
    "open_input",
    "read_records",
    "restore_formula",
    "same_file",
    "temporary_beside",
]

FORMATS = ("csv", "jsonl", "json")
MAX_ROW_CHARS = 1 << 20
"""The longest row an import reads: 1,048,576 characters of one CSV record or JSON line.

Paddle's own limits (an e-mail of 320 characters, a name of 1,024) leave custom_data as the only
large field; a row longer than this goes to the failed-rows file instead of into memory.
"""
_CHUNK = 1 << 16  # how much of a too-long row is read at a time while skipping it
# Spreadsheets run a cell starting with one of these as a formula (CWE-1236, OWASP's list).
_FORMULA_STARTS = frozenset("=+-@\t\r")
_AFTER_QUOTE = _FORMULA_STARTS | {"'"}
_FIELDS = ("email", "name", "locale", "custom_data", "status")
_IGNORED = ("id", "created_at", "updated_at", "marketing_consent", "import_meta")
_ANNOTATIONS = ("error", "source_row")  # added to failed-rows files
EXTENSIONS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
"""The file formats the command line reads and writes, by extension."""
_FAILED = ".failed"
# What a failed-rows file says of a duplicate row; on re-import the row is skipped while its
# e-mail is still the one named (change the e-mail, or clear the error, to apply it).
_DUPLICATE = re.compile(r"duplicate: row \d+ has the same email (.*) \(not applied\)", re.S)


class InputError(Exception):
    """A file that cannot be imported at all (no header, no email column, unknown columns)."""


def neutralise_formula(cell: str) -> str:
    """Return a CSV cell that a spreadsheet shows as text instead of running it as a formula.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    ``'``, as OWASP recommends. So that `restore_formula` gives back any cell exactly, a cell
    that already starts with ``'`` followed by one of those (or by another ``'``) gets one too;
    other cells, ``'s-Hertogenbosch`` among them, are left as they are.
    """
    if cell[:1] in _FORMULA_STARTS or (cell[:1] == "'" and cell[1:2] in _AFTER_QUOTE):
        return "'" + cell
    return cell


def restore_formula(cell: str) -> str:
    """Undo `neutralise_formula`: drop a ``'`` that comes before a formula's first character."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in _AFTER_QUOTE else cell


@attrs.frozen
class Row:
    """Where a record came from: its row number and its raw content, for failed-rows files."""

    number: int
    # CSV: dict of cells (or list for a malformed row); JSONL: the line's text; None for a row
    # too long to read.
    raw: Any


class _TooLong(Exception):
    """A row grew past `MAX_ROW_CHARS` while it was read."""


TOO_LONG = f"longer than {MAX_ROW_CHARS:,} characters, the most an import reads in one row"


class _Lines:
    """A text file's lines, each read only up to the room left in the current row.

    ``csv.reader`` pulls lines from here; a row (a CSV record, which quoted newlines can spread
    over several lines, or a JSON line) that grows past ``limit`` raises `_TooLong` rather than
    being read whole, and `skip_row` then reads past the rest of it in small pieces. A file that
    is one endless line is therefore never in memory at once.

    Args:
        file: The open file.
        limit: The most characters a row may have.
        quoted: Whether a row goes on past a line ending inside double quotes (CSV).
    """

    def __init__(self, file: TextIO, *, limit: int = MAX_ROW_CHARS, quoted: bool) -> None:
        self._file = file
        self._limit = limit
        self._quoted = quoted
        self.lines = 0  # lines read to their end
        self._used = 0  # characters of the current row
        self._quotes = 0  # double quotes in the current row: an odd count is an open field
        self._in_line = False  # the last read stopped inside a line

    def __iter__(self) -> _Lines:
        return self

    def start_row(self) -> int:
        """Begin a row; return its number (the line it starts on)."""
        self._used = self._quotes = 0
        return self.lines + 1

    def _read(self, size: int) -> str:
        text = self._file.readline(size)
        if text:
            ended = text[-1] in "\r\n" or len(text) < size  # a line end, or the file's end
            self.lines += ended
            self._in_line = not ended
            self._quotes += text.count('"')
        elif self._in_line:  # the file ended right where the last read stopped
            self.lines += 1
            self._in_line = False
        return text

    def __next__(self) -> str:
        text = self._read(self._limit - self._used + 1)
        if not text:
            raise StopIteration
        self._used += len(text)
        if self._used > self._limit:
            raise _TooLong
        return text

    def skip_row(self) -> None:
        """Read past the rest of a row that was too long, keeping none of it."""
        while True:
            while self._in_line:
                self._read(_CHUNK)
            if not (self._quoted and self._quotes % 2) or not self._read(_CHUNK):
                return
            # Inside a quoted field at the line's end: the row goes on over the next line.


def _rows(lines: _Lines, read: Callable[[], Any]) -> Iterator[tuple[int, Any]]:
    """Yield each row's number with what ``read`` made of it, or None for a row too long."""
    while True:
        number = lines.start_row()
        try:
            row = read()
        except StopIteration:
            return
        except _TooLong:
            lines.skip_row()
            row = None
        yield number, row


def _csv_rows(file: TextIO) -> Iterator[tuple[int, list[str] | None]]:
    """Yield the number and cells of each CSV record (None for one too long), blank ones too."""
    # The row limit is the memory bound; csv's own limit per field (128 KiB by default) only
    # has to let a field as long as a row through.
    if csv.field_size_limit() < MAX_ROW_CHARS:
        csv.field_size_limit(MAX_ROW_CHARS)
    lines = _Lines(file, quoted=True)
    return _rows(lines, csv.reader(lines).__next__)


def _jsonl_rows(file: TextIO) -> Iterator[tuple[int, str | None]]:
    """Yield the number and text of each line (None for one too long), blank ones too."""
    lines = _Lines(file, quoted=False)
    return _rows(lines, lines.__next__)


def _json_rows(file: TextIO, path: str) -> Iterator[tuple[int, str | None]]:
    """Yield the position and text of each element of a JSON array (None for one too long).

    Raises:
        InputError: Not a JSON array, or a broken one.
    """
    try:
        yield from json_array_elements(file, limit=MAX_ROW_CHARS)
    except BrokenArray as error:
        where = f" row {error.element}" if error.element else ""
        raise InputError(f"{path}{where}: {error}") from None


def file_format(path: str, given: str | None, *, allowed: tuple[str, ...]) -> str:
    """Return the format of a file: ``given``, else from the extension; refuse a mismatch.

    A file named for another format (``out.json`` with ``--format jsonl``) is refused; a name
    without a known extension needs ``--format``; ``-`` (standard input or output) has none.

    Raises:
        UsageError: The format cannot be told, is not one of ``allowed``, or does not match
            the extension (the command line asks for something that cannot work).
    """
    named = EXTENSIONS.get(Path(path).suffix.lower()) if path != "-" else None
    if given is None:
        if named is None or named not in allowed:
            names = ", ".join(f".{fmt}" for fmt in allowed)
            what = "cannot tell the format of" if named is None else "cannot read or write"
            raise UsageError(f"{what} {path}: name it {names}, or pass --format")
        return named
    if named is not None and named != given:
        raise UsageError(
            f"{path} is named like a {named} file but --format is {given}: "
            f"name it .{given}, or pass --format {named}"
        )
    return given


def detect_format(path: str, given: str | None) -> str:
    """Return an import file's format (`FORMATS`): given, else from the extension."""
    return file_format(path, given, allowed=FORMATS)


def failed_rows_path(path: str) -> str:
    """Return the default failed-rows file for an input: ``people.csv`` → ``people.failed.csv``.

    A failed-rows file is its own: importing ``people.failed.csv`` writes ``people.failed.csv``
    again, with the rows that still fail.
    """
    file = Path(path)
    if file.stem.endswith(_FAILED):
        return path
    return str(file.with_name(f"{file.stem}{_FAILED}{file.suffix or '.csv'}"))


def same_file(a: str, b: str) -> bool:
    """Tell whether two paths name the same file (the second may not exist yet)."""
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return Path(a).resolve() == Path(b).resolve()


def duplicate_message(first: int, email: str) -> str:
    """Return the failed-rows error for a row whose e-mail an earlier row (``first``) has."""
    return f"duplicate: row {first} has the same email {email} (not applied)"


def _still_duplicate(error: object, email: object) -> bool:
    """Tell whether a row marked duplicate by an earlier import still has the e-mail named."""
    if not isinstance(error, str):
        return False
    match = _DUPLICATE.fullmatch(error.strip())
    return (
        match is not None
        and isinstance(email, str)
        and match[1].strip().lower() == email.strip().lower()
    )


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
    with open_input(path) as file:
        try:
            if fmt == "csv":
                return max(sum(1 for _, row in _csv_rows(file) if row != []) - 1, 0)
            if fmt == "json":
                return sum(1 for _ in _json_rows(file, path))
            return sum(1 for _, line in _jsonl_rows(file) if line is None or line.strip())
        except (UnicodeDecodeError, csv.Error) as error:
            raise unreadable(path, error) from None


def _csv_header(rows: Iterator[tuple[int, list[str] | None]], path: str) -> list[str]:
    for _, header in rows:
        if header is None:
            raise InputError(f"{path} row 1: the header is {TOO_LONG}")
        if header:
            break
    else:
        raise InputError(f"{path} is empty: expected a header row with an email column")
    # Column names as spreadsheets write them: any case, spaces around.
    header = [name.strip().lower() for name in header]
    unknown = [n for n in header if n not in _FIELDS + _IGNORED + _ANNOTATIONS]
    if unknown:
        raise InputError(
            f"{path} row 1: unknown column {unknown[0]!r} (columns: {', '.join(_FIELDS)}; "
            f"ignored: {', '.join(_IGNORED + _ANNOTATIONS)})"
        )
    if "email" not in header:
        raise InputError(f"{path} row 1: no email column in the header")
    twice = next((name for n, name in enumerate(header) if name in header[:n]), None)
    if twice is not None:
        raise InputError(f"{path} row 1: the column {twice!r} appears twice")
    return header


def _cell_values(cells: dict[str, str], *, csv_raw: bool) -> dict[str, Any]:
    """Turn CSV cells into record fields: an empty cell is not given; custom_data is JSON.

    Unless ``csv_raw``, cells are trimmed, and then the ``'`` an export put before a formula's
    first character is removed (in that order, so that an escaped leading tab or carriage
    return survives the trimming).
    """
    values: dict[str, Any] = {}
    for key in _FIELDS:
        text = cells.get(key)
        if not csv_raw and text is not None:
            text = restore_formula(text.strip())
        if text is None or text == "":
            continue
        if key == "custom_data":
            try:
                values[key] = loads(text)
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


def _read_csv(
    rows: Iterator[tuple[int, list[str] | None]],
    header: list[str],
    on_bad_row: OnBadRow,
    on_skipped_row: OnBadRow,
    *,
    csv_raw: bool,
) -> Iterator[SyncRecord]:
    for number, cells in rows:
        if cells is None:
            on_bad_row(Row(number, None), TOO_LONG)
            continue
        if not cells:
            continue
        if len(cells) != len(header):
            message = f"{len(cells)} cells, but the header has {len(header)}"
            on_bad_row(Row(number, cells), message)
            continue
        raw = dict(zip(header, cells, strict=True))
        try:
            values = _cell_values(raw, csv_raw=csv_raw)
            error = raw.get("error", "")
            if _still_duplicate(error if csv_raw else restore_formula(error), values["email"]):
                on_skipped_row(Row(number, raw), error if csv_raw else restore_formula(error))
                continue
            yield SyncRecord.from_mapping(values, ref=Row(number, raw))
        except ValidationError as exc:
            on_bad_row(Row(number, raw), _problem(exc))


def _read_json(
    rows: Iterator[tuple[int, str | None]], on_bad_row: OnBadRow, on_skipped_row: OnBadRow
) -> Iterator[SyncRecord]:
    """Read records from JSON texts (lines, or an array's elements); skip blank ones."""
    for number, line in rows:
        if line is None:
            on_bad_row(Row(number, None), TOO_LONG)
            continue
        text = line.strip()
        if not text:
            continue
        try:
            data = loads(text)
        except ValueError as exc:
            on_bad_row(Row(number, text), f"not valid JSON ({_reason(exc)})")
            continue
        if not isinstance(data, dict):
            on_bad_row(Row(number, text), "not a JSON object")
            continue
        if _still_duplicate(data.get("error"), data.get("email")):
            on_skipped_row(Row(number, text), data["error"])
            continue
        try:
            yield SyncRecord.from_mapping(data, ref=Row(number, text))
        except ValidationError as exc:
            on_bad_row(Row(number, text), _problem(exc))


def _problem(exc: ValidationError) -> str:
    return "; ".join(f"{e.field}: {e.message}" for e in exc.field_errors)


def read_records(
    file: TextIO,
    path: str,
    fmt: str,
    on_bad_row: OnBadRow,
    *,
    csv_raw: bool = False,
    on_skipped_row: OnBadRow | None = None,
) -> tuple[list[str] | None, Iterator[SyncRecord]]:
    """Read records lazily; rows that are not valid records go to ``on_bad_row`` instead.

    Args:
        file: The open input.
        path: Its name, for messages.
        fmt: ``csv`` or ``jsonl``.
        on_bad_row: Called with each row that is not a valid record and the reason.
        csv_raw: Take CSV cells exactly as written: not trimmed, and keeping a leading ``'``
            that `neutralise_formula` would have added.
        on_skipped_row: Called with each row that a failed-rows file marked as a duplicate
            and that still has the e-mail named (default: ``on_bad_row``).

    Returns:
        The CSV header (None for JSONL), read at once so a bad file fails before any request;
        and the records, each with a `Row` as its ``ref``.

    Raises:
        InputError: The file cannot be imported at all.
    """
    skip = on_skipped_row or on_bad_row
    if fmt == "csv":
        cells = _csv_rows(file)
        try:
            header = _csv_header(cells, path)
        except (UnicodeDecodeError, csv.Error) as error:
            raise unreadable(path, error) from None
        records = _read_csv(cells, header, on_bad_row, skip, csv_raw=csv_raw)
        return header, _guarded(records, path)
    rows = _json_rows(file, path) if fmt == "json" else _jsonl_rows(file)
    return None, _guarded(_read_json(rows, on_bad_row, skip), path)


def temporary_beside(path: str) -> tuple[int, str]:
    """Create a temporary file beside ``path``, to rename to it once complete.

    Returns:
        Its open file descriptor and its name.
    """
    target = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    umask = os.umask(0)  # mkstemp's file is private; give it the mode a new file gets
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)
    return fd, name


class FailedRows:
    """A file of rows that failed, in the input's format, ready to fix and import again.

    Each row keeps its cells (or JSON line) and gains ``error`` and ``source_row``, which an
    import ignores. Rows are written to a temporary file beside it, which `commit` renames to
    ``path`` (only when a row was written): the input may be that very file, being read.

    Attributes:
        path: Where the file goes.
        count: Rows written.
        header: The input's CSV header (None for JSON Lines); set before the first row.
    """

    def __init__(
        self, path: str, fmt: str, header: list[str] | None, *, csv_raw: bool = False
    ) -> None:
        self.path = path
        self.count = 0
        self.header = header
        self._fmt = fmt
        self._csv_raw = csv_raw
        self._file: TextIO | None = None
        self._temporary: str | None = None
        self._writer: Any = None
        self._columns: list[str] = []

    def _open(self) -> TextIO:
        fd, self._temporary = temporary_beside(self.path)
        file = open(fd, "w", encoding="utf-8", newline="")  # noqa: SIM115
        if self._fmt == "csv":
            fields = [name for name in self.header or () if name not in _ANNOTATIONS]
            self._columns = [*fields, *_ANNOTATIONS]
            self._writer = csv.writer(file)
            self._writer.writerow(self._columns)
        return file

    def write(self, row: Row, error: str) -> None:
        """Add a failed row with its error."""
        if self._file is None:
            self._file = self._open()
        self.count += 1
        if self._fmt == "csv":
            width = len(self._columns) - 2
            if isinstance(row.raw, dict):
                cells = [row.raw.get(name, "") for name in self._columns[:-2]]
            else:  # a row of the wrong length, or None for one too long to read
                cells = [*list(row.raw or ())[:width], *[""] * width][:width]
            cells += [error, str(row.number)]
            if not self._csv_raw:
                # The cells as the import read them, safe to open in a spreadsheet again.
                cells = [neutralise_formula(restore_formula(cell)) for cell in cells]
            self._writer.writerow(cells)
            return
        try:
            data = None if row.raw is None else loads(row.raw)
        except ValueError:
            data = None
        if isinstance(data, dict) and not nested_too_deeply(data):
            data = {k: v for k, v in data.items() if k not in _ANNOTATIONS}
            line = json.dumps({**data, "error": error, "source_row": row.number})
        elif row.raw is None or self._fmt == "json":
            # Too long to read, or (in an array, which must stay valid JSON) not an object:
            # the row number says where it is.
            line = json.dumps({"error": error, "source_row": row.number})
        else:
            line = str(row.raw)  # not JSON (or too deep to write again): kept as it was
        if self._fmt == "json":  # one array, an element a line
            line = ("[\n  " if self.count == 1 else ",\n  ") + line
            self._file.write(line)
        else:
            self._file.write(line + "\n")

    def commit(self) -> None:
        """Close the file and put it in place, if a row was written."""
        if self._file is not None:
            if self._fmt == "json":
                self._file.write("\n]\n")
            self._file.close()
            self._file = None
            assert self._temporary is not None
            os.replace(self._temporary, self.path)
            self._temporary = None

    def discard(self) -> None:
        """Close and remove the file without putting it in place."""
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._temporary)
            self._temporary = None
