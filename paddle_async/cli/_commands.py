"""How a resource's commands are declared, and the helpers they share.

A resource module (``_customers.py``) declares a `Group` of `Command`s: each adds its own
arguments and runs with a `Context` (the open client, the output streams, a progress bar on
demand). The application builds the parsers, opens the client, asks before writes to a live
account (for commands that declare ``writes``) and turns errors into one line.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from ..errors import ValidationError
from ._errors import CliError, UsageError
from ._output import OUTPUT_FORMATS
from ._private import loads
from ._terminal import Progress, make_progress

if TYPE_CHECKING:
    from .. import Paddle
    from ._pacing import WatchedLimiter

__all__ = [
    "CliError",
    "Command",
    "Context",
    "Group",
    "UsageError",
    "csv_list",
    "csv_raw_option",
    "format_option",
    "json_object",
    "non_negative_int",
    "port_number",
    "positive_int",
]


@attrs.frozen(kw_only=True)
class Context:
    """What a command runs with.

    Attributes:
        client: The open client.
        out: Standard output.
        err: Standard error.
        quiet: ``-q``: no progress bar.
        pacing: The client's watched rate limiter (None when pacing is off).
    """

    client: Paddle
    out: TextIO
    err: TextIO
    quiet: bool
    pacing: WatchedLimiter | None

    def progress(self) -> Progress:
        """Return a progress bar for a long operation (drawing nothing unless on a terminal)."""
        return make_progress(quiet=self.quiet, pacing=self.pacing, stream=self.err)


Run = Callable[[Context, argparse.Namespace], Awaitable[int]]


@attrs.frozen(kw_only=True)
class Command:
    """One command of a resource, such as ``customers create``.

    Attributes:
        name: The command's name.
        help: One line for ``--help``.
        arguments: Adds the command's own arguments to its parser.
        run: Runs it; returns the exit status.
        writes: For a command that changes data: returns what it will do, for the question
            asked before a write to a live account ("create a customer"), or None when the
            arguments given write nothing (a dry run). Such a command gets ``--yes``.
        always_ask: Ask before the write on any account, not only a live one (a delete that
            cannot be undone); needs ``writes``.
        description: What ``--help`` says below the usage (default: ``help``).
    """

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Run
    writes: Callable[[argparse.Namespace], str | None] | None = None
    always_ask: bool = False
    description: str | None = None


@attrs.frozen(kw_only=True)
class Group:
    """A resource's commands under one name: ``paddle-async customers ACTION``."""

    name: str
    help: str
    commands: tuple[Command, ...]


def _whole_number(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
    return value


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    return _whole_number(text, 1)


def non_negative_int(text: str) -> int:
    """An argparse type: a whole number of at least 0."""
    return _whole_number(text, 0)


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 0 to 65535 (0: any free port)."""
    value = _whole_number(text, 0)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be at most 65535, got {value}")
    return value


CSV_RAW_HELP = (
    "CSV cells exactly as the data holds them; by default a cell starting with = + - @, a tab "
    "or a carriage return gets a leading ' so that spreadsheets show it as text instead of "
    "running it as a formula (on a terminal, control characters still show as escapes)"
)


def csv_raw_option(parser: argparse.ArgumentParser, help: str = CSV_RAW_HELP) -> None:
    """Add ``--csv-raw``."""
    parser.add_argument("--csv-raw", action="store_true", help=help)


def format_option(
    parser: argparse.ArgumentParser,
    formats: Sequence[str] = OUTPUT_FORMATS,
    default: str | None = "table",
    help: str | None = None,
) -> None:
    """Add ``--format`` and ``--csv-raw`` for a command's output."""
    parser.add_argument(
        "--format",
        choices=formats,
        default=default,
        help=help or "json is one array, jsonl one object a line (default: %(default)s)",
    )
    csv_raw_option(parser)


def csv_list(values: Sequence[str] | None) -> list[str] | None:
    """Accept repeated options and comma-separated values alike."""
    if not values:
        return None
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def json_object(text: str | None, option: str) -> dict[str, Any] | None:
    """Read an option's JSON object (with the SDK's nesting limit), or None if not given.

    Raises:
        ValidationError: Not JSON, or not an object.
    """
    if text is None:
        return None
    try:
        value = loads(text)
    except ValueError:
        raise ValidationError.single(option, "not valid JSON") from None
    if not isinstance(value, dict):
        raise ValidationError.single(option, "must be a JSON object")
    return value
