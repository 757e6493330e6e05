"""The terminal side with ``rich`` (the ``cli`` extra): a live progress bar and fitting tables.

Imported only when a terminal shows one of them, so ``--help``, pipes and machine formats never
pay for importing ``rich``; the SDK itself never imports this module. Every value shown is
escaped with `printable` and handed to rich as `Text`, never as markup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, ProgressColumn, Task, TaskProgressColumn, TextColumn
from rich.progress import Progress as Bar
from rich.table import Table
from rich.text import Text

from ._text import Column, Step, format_duration, printable

if TYPE_CHECKING:
    from ._pacing import WatchedLimiter

__all__ = ["RichProgress", "RichTable"]

_REFRESHES_PER_SECOND = 4


def _console(stream: TextIO) -> Console:
    return Console(file=stream, highlight=False, emoji=False, markup=False)


class _Count(ProgressColumn):
    """``done/total unit``, or ``done unit`` while the total is unknown."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit", "")
        done = int(task.completed)
        if task.total is None:
            return Text(f"{done:,} {unit}".rstrip())
        return Text(f"{done:,}/{int(task.total):,} {unit}".rstrip())


class _Status(ProgressColumn):
    """The rate and ETA, or how long the rate limit still holds requests back.

    Drawn by the refresh thread several times a second, so a wait counts down even while no
    request finishes.
    """

    def __init__(self, pacing: WatchedLimiter | None) -> None:
        super().__init__()
        self._pacing = pacing

    def render(self, task: Task) -> Text:
        wait = self._pacing.waiting() if self._pacing is not None else None
        if wait is not None:
            return Text(f"waiting for the rate limit ({max(math.ceil(wait), 1)} s)", "yellow")
        rate, eta = task.fields.get("rate"), task.fields.get("eta")
        parts = []
        if rate is not None:
            parts.append(f"{rate:,.0f}/s")
        if eta is not None and not task.finished:
            parts.append(f"ETA {format_duration(eta)}")
        return Text("  ".join(parts))


class RichProgress:
    """A progress bar redrawn by a background thread, with messages printed above it."""

    def __init__(self, stream: TextIO, pacing: WatchedLimiter | None) -> None:
        self._console = _console(stream)
        self._bar = Bar(
            TextColumn("{task.description}", markup=False),
            BarColumn(bar_width=28),
            TaskProgressColumn(),
            _Count(),
            _Status(pacing),
            console=self._console,
            auto_refresh=True,
            refresh_per_second=_REFRESHES_PER_SECOND,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task: Any = None

    def show(self, step: Step) -> None:
        fields: dict[str, Any] = {"unit": printable(step.unit), "rate": step.rate, "eta": step.eta}
        label = printable(step.label)
        if self._task is None:
            self._bar.start()
            self._task = self._bar.add_task(label, total=step.total, **fields)
        self._bar.update(
            self._task, description=label, total=step.total, completed=step.done, **fields
        )

    def message(self, text: str) -> None:
        self._console.print(Text(text), soft_wrap=True)

    def close(self) -> None:
        if self._task is not None:
            self._bar.stop()
            self._bar.remove_task(self._task)
            self._task = None


class RichTable:
    """Rows as a table as wide as the terminal, written a page at a time.

    Fixed columns keep their width; flexible ones share the rest of the terminal's width in
    proportion to their plain widths. Every page uses the same widths, so pages line up.
    """

    def __init__(self, out: TextIO, columns: Sequence[Column]) -> None:
        self._console = _console(out)
        self._columns = columns

    def write(self, rows: Sequence[dict[str, str]], *, header: bool) -> None:
        table = Table(
            box=None,
            show_header=header,
            show_edge=False,
            pad_edge=False,
            padding=(0, 1),
            expand=True,
            header_style="bold",
        )
        for column in self._columns:
            table.add_column(
                column.name,
                justify="right" if column.right else "left",
                no_wrap=True,
                overflow="ellipsis",
                ratio=column.width if column.flexible else None,
                width=None if column.flexible else column.width,
                min_width=None if not column.flexible else min(column.width, 8),
            )
        for row in rows:
            table.add_row(*(Text(printable(row[c.name])) for c in self._columns))
        self._console.print(table)
