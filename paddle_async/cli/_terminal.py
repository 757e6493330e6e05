"""What the command line shows people: escaped text, tables, durations, and the progress bar.

The progress bar and tables that follow the terminal's width come from ``rich`` (the ``cli``
extra), imported only when a terminal shows them. Without it the command line works the same
in plain text, with no bar, and says once (on a terminal) how to get the bar.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from ._text import Column, Step, format_duration, printable

if TYPE_CHECKING:
    from ._pacing import WatchedLimiter

__all__ = [
    "INSTALL_HINT",
    "Column",
    "Progress",
    "Step",
    "TableWriter",
    "format_duration",
    "key_value_table",
    "make_progress",
    "plain_table",
    "printable",
    "show_hint",
]

INSTALL_HINT = (
    "paddle-async: plain output: pip install 'paddle-async[cli]' for a live progress bar and "
    "tables that fit the terminal"
)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def plain_table(
    rows: Sequence[dict[str, str]], columns: Sequence[Column], out: TextIO, *, header: bool
) -> None:
    """Write rows as an aligned table of fixed widths, one line each (values escaped)."""

    def line(cells: Sequence[str]) -> str:
        shown = (
            _fit(printable(cell), c.width).rjust(c.width)
            if c.right
            else _fit(printable(cell), c.width).ljust(c.width)
            for cell, c in zip(cells, columns, strict=True)
        )
        return "  ".join(shown).rstrip() + "\n"

    if header:
        out.write(line([c.name for c in columns]))
    for row in rows:
        out.write(line([row[c.name] for c in columns]))


class TableWriter:
    """Rows as a table, a page at a time: fitted to the terminal with ``rich``, else plain.

    Args:
        out: Where to write.
        columns: The columns.
        err: Where the one-line hint goes when a terminal shows a plain table.
    """

    def __init__(self, out: TextIO, columns: Sequence[Column], *, err: TextIO) -> None:
        self._out = out
        self._columns = columns
        self._rich: Any = None
        self._header = True
        if out.isatty():
            try:
                from ._rich import RichTable
            except ImportError:  # no cli extra
                show_hint(err)
            else:
                self._rich = RichTable(out, columns)

    def write(self, rows: Sequence[dict[str, str]]) -> None:
        """Write rows (the header before the first page)."""
        if self._rich is not None:
            self._rich.write(rows, header=self._header)
        else:
            plain_table(rows, self._columns, self._out, header=self._header)
        self._header = False


def key_value_table(rows: Sequence[tuple[str, str]], out: TextIO, *, indent: str = "  ") -> None:
    """Write label/value pairs in two aligned columns (control characters made visible)."""
    shown = [(printable(label), printable(value)) for label, value in rows]
    width = max((len(label) for label, _ in shown), default=0)
    for label, value in shown:
        out.write(f"{indent}{label.ljust(width)}  {value}\n")


_hinted = False


def show_hint(err: TextIO) -> None:
    """Say once per run, on a terminal, that the ``cli`` extra gives a progress bar."""
    global _hinted
    if not _hinted and err.isatty():
        _hinted = True
        err.write(INSTALL_HINT + "\n")
        err.flush()


class Bar(Protocol):
    """What draws a progress bar (`RichProgress`)."""

    def show(self, step: Step) -> None:
        """Show the latest state (starting the bar the first time)."""

    def message(self, text: str) -> None:
        """Write a line above the bar."""

    def close(self) -> None:
        """Draw the final state and end the bar's line."""


class Progress:
    """A long operation's progress: drawn by ``bar`` when there is one; messages go above it.

    Args:
        bar: What draws, or None to draw nothing.
        stream: Where messages go without a bar.
    """

    def __init__(self, bar: Bar | None, stream: TextIO) -> None:
        self._bar = bar
        self._stream = stream

    @property
    def enabled(self) -> bool:
        """Whether anything is drawn (worth computing progress for)."""
        return self._bar is not None

    def update(self, step: Step) -> None:
        """Show the latest state."""
        if self._bar is not None:
            self._bar.show(step)

    def message(self, text: str) -> None:
        """Write one line (already escaped) to standard error, above the bar."""
        if self._bar is not None:
            self._bar.message(text)
        else:
            self._stream.write(text + "\n")

    def close(self) -> None:
        """Draw the final state and end the bar's line."""
        if self._bar is not None:
            self._bar.close()


def make_progress(
    *, quiet: bool, pacing: WatchedLimiter | None, stream: TextIO | None = None
) -> Progress:
    """Return a live bar on a terminal (with the ``cli`` extra), else one that draws nothing.

    Args:
        quiet: Draw nothing.
        pacing: The client's watched limiter: the bar says when it holds requests back.
        stream: Where to draw (default standard error).
    """
    stream = stream if stream is not None else sys.stderr
    if quiet or not stream.isatty():
        return Progress(None, stream)
    try:
        from ._rich import RichProgress
    except ImportError:  # no cli extra
        show_hint(stream)
        return Progress(None, stream)
    return Progress(RichProgress(stream, pacing), stream)
