"""What the command line shows: a progress bar, tables, and customers as rows."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from ..customers import Customer

__all__ = [
    "CUSTOMER_COLUMNS",
    "Progress",
    "customer_json",
    "customer_row",
    "format_duration",
    "key_value_table",
    "printable",
    "table",
]

CUSTOMER_COLUMNS = (
    "id",
    "email",
    "name",
    "status",
    "locale",
    "custom_data",
    "marketing_consent",
    "created_at",
    "updated_at",
    "import_meta",
)
# A progress bar's latest state: label, done, total, unit, rate, ETA.
_State = tuple[str, int, int | None, str, float | None, float | None]
_TABLE_COLUMNS = (("id", 30), ("email", 36), ("name", 24), ("status", 8), ("locale", 6))


def _escapes() -> dict[int, str]:
    controls = [*range(0x20), 0x7F, *range(0x80, 0xA0)]  # C0 (ESC, BEL, CR...), DEL, C1 (CSI...)
    table = {code: f"\\x{code:02x}" for code in controls}
    table.update({ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r"})
    # Bidirectional embeddings, overrides and isolates reorder the text after them; the line
    # and paragraph separators end a line for str.splitlines() and some viewers.
    others = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029]
    table.update({code: f"\\u{code:04x}" for code in others})
    return table


_ESCAPES = _escapes()


def printable(text: str) -> str:
    """Return ``text`` safe to show on a terminal, its control characters made visible.

    Data from Paddle (names, e-mails, error details) can hold escape sequences that set the
    window title, clear the screen or move the cursor, carriage returns that overwrite a line,
    and bidirectional overrides that reorder it. C0 controls, DEL, C1 controls (such as the
    one-byte CSI, 0x9b), the bidi controls U+202A-U+202E and U+2066-U+2069, and U+2028/U+2029
    become backslash escapes (``\\x1b``, ``\\n``, ``\\u202e``), so that one value stays one
    line. Only output for people goes through this: JSON Lines and CSV keep the exact data.
    """
    return text.translate(_ESCAPES)


def _timestamp(value: datetime) -> str:
    text = value.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def customer_json(customer: Customer) -> dict[str, Any]:
    """Return a customer as Paddle's JSON shape."""
    meta = customer.import_meta
    return {
        "id": customer.id,
        "email": customer.email,
        "name": customer.name,
        "status": str(customer.status),
        "locale": customer.locale,
        "custom_data": customer.custom_data,
        "marketing_consent": customer.marketing_consent,
        "created_at": _timestamp(customer.created_at),
        "updated_at": _timestamp(customer.updated_at),
        "import_meta": None
        if meta is None
        else {"imported_from": str(meta.imported_from), "external_id": meta.external_id},
    }


def customer_row(customer: Customer) -> dict[str, str]:
    """Return a customer as CSV cells: JSON text for objects, empty for null."""
    row: dict[str, str] = {}
    for key, value in customer_json(customer).items():
        if value is None:
            row[key] = ""
        elif isinstance(value, dict):
            row[key] = json.dumps(value, ensure_ascii=False, sort_keys=True)
        elif isinstance(value, bool):
            row[key] = "true" if value else "false"
        else:
            row[key] = str(value)
    return row


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def table(customers: Iterable[Customer], out: TextIO, *, header: bool = True) -> None:
    """Write customers as an aligned table."""
    if header:
        out.write("  ".join(name.ljust(width) for name, width in _TABLE_COLUMNS).rstrip() + "\n")
    for customer in customers:
        row = customer_row(customer)
        cells = (_fit(printable(row[name]), width).ljust(width) for name, width in _TABLE_COLUMNS)
        out.write("  ".join(cells).rstrip() + "\n")


def key_value_table(rows: Sequence[tuple[str, str]], out: TextIO, *, indent: str = "  ") -> None:
    """Write label/value pairs in two aligned columns (control characters made visible)."""
    shown = [(printable(label), printable(value)) for label, value in rows]
    width = max((len(label) for label, _ in shown), default=0)
    for label, value in shown:
        out.write(f"{indent}{label.ljust(width)}  {value}\n")


def format_duration(seconds: float) -> str:
    """Return a duration for people: 0.4 s, 12 s, 4.6 min, 1.2 h."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


class Progress:
    """A one-line progress bar on stderr, drawn only on a terminal and when not quiet.

    Args:
        quiet: Draw nothing.
        stream: Where to draw (default stderr).
    """

    def __init__(self, *, quiet: bool = False, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self.enabled = not quiet and self._stream.isatty()
        self._last = 0.0
        self._drawn = False
        self._latest: _State = ("", 0, None, "", None, None)

    def update(
        self,
        label: str,
        done: int,
        total: int | None,
        *,
        unit: str = "",
        rate: float | None = None,
        eta: float | None = None,
        force: bool = False,
    ) -> None:
        """Redraw the bar (at most ten times a second unless forced)."""
        if not self.enabled:
            return
        self._latest = (label, done, total, unit, rate, eta)
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        width = 28
        if total:
            filled = min(width, int(width * done / total))
            bar = "█" * filled + "░" * (width - filled)
            count = f"{done:,}/{total:,} {unit}".rstrip()
            percent = f" {100 * done / total:3.0f}%"
        else:
            bar = "░" * width
            count = f"{done:,} {unit}".rstrip()
            percent = ""
        extra = ""
        if rate is not None:
            extra += f"  {rate:,.0f}/s"
        if eta is not None:
            extra += f"  ETA {format_duration(eta)}"
        line = printable(f"{label} {bar}{percent}  {count}{extra}")
        self._stream.write("\r\x1b[2K" + line)
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Draw the latest state (updates may have been skipped) and end the bar's line."""
        if self._drawn:
            label, done, total, unit, rate, eta = self._latest
            self.update(label, done, total, unit=unit, rate=rate, eta=eta, force=True)
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False
