"""Text for people, shared by the plain and the rich terminal output: escaped values, table
columns, durations, and a progress bar's state. A leaf: ``_terminal`` and ``_rich`` both build
on it."""

from __future__ import annotations

import attrs

__all__ = ["BEYOND_C0", "Column", "Step", "format_duration", "printable"]

BEYOND_C0 = (
    0x7F,  # DEL
    *range(0x80, 0xA0),  # C1 controls: 0x9b is a one-byte CSI, 0x9d an OSC
    # Bidirectional embeddings, overrides and isolates reorder the text after them; the line
    # and paragraph separators end a line for str.splitlines() and some viewers.
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0x2028,
    0x2029,
)
"""The characters besides C0 controls that `printable` escapes (JSON output escapes them too)."""


def _escapes() -> dict[int, str]:
    table = {code: f"\\x{code:02x}" for code in range(0x20)}  # C0: ESC, BEL, CR...
    table.update({ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"})
    table.update(
        {code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" for code in BEYOND_C0}
    )
    return table


_ESCAPES = _escapes()


def printable(text: str) -> str:
    """Return ``text`` safe to show on a terminal, its control characters made visible.

    Data from Paddle (names, e-mails, error details) can hold escape sequences that set the
    window title, clear the screen or move the cursor, carriage returns that overwrite a line,
    and bidirectional overrides that reorder it. C0 controls, DEL, C1 controls (such as the
    one-byte CSI, 0x9b), the bidi controls U+202A-U+202E and U+2066-U+2069, and U+2028/U+2029
    become backslash escapes (``\\x1b``, ``\\n``, ``\\u202e``), so that one value stays one
    line. Output for people goes through this, and so does CSV written to a terminal; JSON and
    JSON Lines escape these characters as ``\\u`` escapes instead, and CSV written to a file
    or a pipe keeps the exact data.
    """
    return text.translate(_ESCAPES)


@attrs.frozen
class Column:
    """A table column: its name, its width as plain text, and whether it may grow or shrink
    with the terminal (on a terminal, with the ``cli`` extra)."""

    name: str
    width: int
    flexible: bool = False
    right: bool = False


def format_duration(seconds: float) -> str:
    """Return a duration for people: 0.4 s, 12 s, 4.6 min, 1.2 h."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


@attrs.frozen
class Step:
    """A progress bar's state: ``done`` of ``total`` (None: unknown) ``unit``, at ``rate`` per
    second, ``eta`` seconds left (None: not known)."""

    label: str
    done: int
    total: int | None
    unit: str = ""
    rate: float | None = None
    eta: float | None = None
