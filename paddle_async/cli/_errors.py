"""The command line's own errors, in a leaf module: any module of the command line may raise
them. Each ends the program with one line on standard error."""

from __future__ import annotations

__all__ = ["CliError", "UsageError"]


class CliError(Exception):
    """An expected failure, shown as one line (exit status 1)."""


class UsageError(CliError):
    """A command line that cannot work (values that do not go together, a file named for
    another format), shown as one line like argparse's own usage errors (exit status 2)."""
