"""``customers import``: a bulk sync from a file, with progress, a summary, failed rows.

Ctrl-C stops an import cleanly: the rows done so far are summed up, the failed-rows file holds
the failures so far, and the import can be run again (records are matched by e-mail, so nothing
is created twice).
"""

from __future__ import annotations

import argparse
import array
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

import attrs

from ..customers import SyncOutcome, SyncProgress, SyncSummary, sync_customers
from ..errors import (
    AuthenticationError,
    ClientClosedError,
    PermissionDeniedError,
    RateLimiterUnavailableError,
)
from ._commands import Command, Context, UsageError, csv_raw_option, positive_int
from ._rows import (
    EXTENSIONS,
    FORMATS,
    FailedRows,
    Row,
    count_rows,
    detect_format,
    duplicate_message,
    failed_rows_path,
    open_input,
    read_records,
    same_file,
)
from ._terminal import Progress, Step, format_duration, key_value_table, printable

if TYPE_CHECKING:
    from .. import Paddle

__all__ = ["IMPORT", "ImportReport", "print_summary", "run_import"]

_MAX_MESSAGES = 20
# The errors that stop a whole sync (sync_customers documents them: a bad key, a missing
# permission, a closed client, a shared rate limiter out of reach). The sync raises them after
# failing the records read so far; the CLI shows them once, not once per row.
_STOPPING = (
    AuthenticationError,
    PermissionDeniedError,
    ClientClosedError,
    RateLimiterUnavailableError,
)
Strategy = Literal["auto", "scan", "lookup"]


@attrs.frozen(kw_only=True)
class ImportReport:
    """What an import did.

    Attributes:
        path: The input file.
        rows: Rows read (valid or not) that have an outcome.
        invalid: Rows that were not valid records (never sent).
        skipped: Rows a failed-rows file marked as duplicates, still unchanged (never sent).
        summary: The sync's summary for the valid rows.
        failed_path: The failed-rows file, when any row failed.
        problems: Rows in the failed-rows file (invalid, failed, duplicate and skipped rows).
        interrupted: Whether Ctrl-C stopped the import.
        kept_input: Interrupted while re-importing a failed-rows file into itself: the file is
            left as it was.
    """

    path: str
    rows: int
    invalid: int
    skipped: int
    summary: SyncSummary
    failed_path: str | None
    problems: int
    interrupted: bool = False
    kept_input: bool = False


async def run_import(
    client: Paddle,
    path: str,
    *,
    fmt: str | None = None,
    dry_run: bool = False,
    concurrency: int = 8,
    strategy: Strategy = "auto",
    failed_path: str | None = None,
    csv_raw: bool = False,
    progress: Progress,
) -> ImportReport:
    """Sync the customers in a CSV, JSON Lines or JSON file; report each problem row.

    ``csv_raw`` takes CSV cells exactly as written (no trimming, no leading ``'`` removed).
    A cancellation (Ctrl-C) ends the import early with ``interrupted`` set in the report.

    Returns:
        The report.

    Raises:
        InputError: The file cannot be imported at all.
        UsageError: Its name or the failed-rows file's does not match the format.
        OSError: The file cannot be read, or the failed-rows file written.
        PaddleError: An error that stops the whole sync (a bad key, say).
    """
    fmt = detect_format(path, fmt)
    if failed_path is not None:
        named = EXTENSIONS.get(Path(failed_path).suffix.lower())
        if named is not None and named != fmt:
            raise UsageError(
                f"--failed-rows {failed_path} is named like a {named} file but failed rows are "
                f"written as {fmt}, as {path} is read: name it .{fmt}"
            )
    failed_path = failed_path or failed_rows_path(path)
    total = count_rows(path, fmt)
    messages = 0
    invalid = 0
    skipped = 0
    done = 0
    row_numbers = array.array("q")  # sync index -> row number, for naming duplicates
    into_input = same_file(failed_path, path)

    def problem(row: Row, text: str) -> None:
        nonlocal messages
        failed.write(row, text)
        messages += 1
        if messages <= _MAX_MESSAGES:
            progress.message(f"{printable(path)} row {row.number}: {printable(text)}")
        elif messages == _MAX_MESSAGES + 1:
            progress.message("… more problem rows: see the failed-rows file")

    def bad_row(row: Row, text: str) -> None:
        nonlocal invalid
        invalid += 1
        problem(row, f"invalid row: {text}")

    def skipped_row(row: Row, text: str) -> None:
        nonlocal skipped
        skipped += 1
        problem(row, text)

    def on_progress(report: SyncProgress) -> None:
        if report.phase == "scan":
            progress.update(Step("Reading customers", report.done, report.total, "pages"))
        else:
            done = report.done + invalid + skipped
            progress.update(Step("Syncing", done, total, "rows", report.rate, report.eta))

    interrupted = False
    failed = FailedRows(failed_path, fmt, None, csv_raw=csv_raw)
    try:
        with open_input(path) as file:
            header, records = read_records(
                file, path, fmt, bad_row, csv_raw=csv_raw, on_skipped_row=skipped_row
            )
            failed.header = header
            run = sync_customers(
                client,
                records,
                concurrency=concurrency,
                dry_run=dry_run,
                strategy=strategy,
                expected_count=total,
                on_progress=on_progress if progress.enabled else None,
            )
            try:
                async for result in run:
                    done += 1
                    row = result.ref
                    assert isinstance(row, Row)
                    row_numbers.append(row.number)
                    if isinstance(result.error, _STOPPING):
                        continue  # the whole import stops: one line for it, from the caller
                    if result.outcome is SyncOutcome.FAILED:
                        problem(row, f"failed: {result.error}")
                    elif (
                        result.outcome is SyncOutcome.DUPLICATE and result.duplicate_of is not None
                    ):
                        first = row_numbers[result.duplicate_of]
                        problem(row, duplicate_message(first, result.email or ""))
            except asyncio.CancelledError:
                # Ctrl-C: asyncio cancels the main task. Stop here and report what was done.
                task = asyncio.current_task()
                if task is not None:
                    task.uncancel()
                interrupted = True
    except BaseException:
        progress.close()
        failed.discard()  # the import stopped as a whole: it is run again, not its failures
        raise
    progress.close()
    kept_input = interrupted and into_input and failed.count > 0
    if kept_input:
        # The rows not reached yet are only in the input: keep it whole.
        failed.discard()
    else:
        failed.commit()
    return ImportReport(
        path=path,
        rows=done + invalid + skipped,
        invalid=invalid,
        skipped=skipped,
        summary=run.summary,
        failed_path=failed.path if failed.count and not kept_input else None,
        problems=failed.count,
        interrupted=interrupted,
        kept_input=kept_input,
    )


def _n(value: int) -> str:
    return f"{value:,}"


def print_summary(report: ImportReport, out: TextIO, *, title: str | None = None) -> None:
    """Write an import's summary table."""
    s = report.summary
    r = s.requests
    would = "would be " if s.dry_run else ""
    state = " (dry run)" if s.dry_run else ""
    if report.interrupted:
        state += " (interrupted)"
    title = title or f"Import of {report.path}{state}"
    out.write(printable(title) + "\n")
    rows = [
        ("rows read", _n(report.rows)),
        (f"{would}created", _n(s.created)),
        (f"{would}updated", _n(s.updated)),
        ("unchanged", _n(s.unchanged)),
        ("duplicates", _n(s.duplicates)),
        ("failed", _n(s.failed)),
        ("invalid rows", _n(report.invalid)),
    ]
    if report.skipped:
        rows.append(("skipped duplicates", _n(report.skipped)))
    if s.dry_run:
        rows.append(("reads sent", f"{_n(r.lookups + r.gets)} (list {r.lookups}, get {r.gets})"))
        rows.append(("writes to send", f"{_n(r.writes)} (create {r.creates}, update {r.updates})"))
    else:
        detail = f"list {r.lookups}, get {r.gets}, create {r.creates}, update {r.updates}"
        rows.append(("requests sent", f"{_n(r.total)} ({detail})"))
    rows.append(("one per record", _n(report.rows)))
    if s.plan is not None:
        rows.append(("strategy", f"{s.plan.strategy}: {s.plan.reason}"))
    rows.append(("elapsed", format_duration(s.elapsed)))
    if report.failed_path:
        rows.append(("failed rows in", f"{report.failed_path} (fix and import it again)"))
    key_value_table(rows, out)


def interrupted_line(report: ImportReport) -> str:
    """Return what an interrupted import says after its summary."""
    line = (
        f"interrupted after {report.rows:,} rows: the rest were not imported. Running the same "
        "import again is safe: rows already applied are found unchanged"
    )
    if report.kept_input:
        line += f"; {report.path} is left as it was"
    return line


def _import_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "file",
        help="CSV (a header row; columns email, name, locale, custom_data, status, in any case), "
        "JSON Lines, or a JSON array (.json) of such objects",
    )
    p.add_argument("--format", choices=FORMATS, help="default: from the file's extension")
    p.add_argument("--dry-run", action="store_true", help="send reads only; report the plan")
    p.add_argument("--concurrency", type=positive_int, default=8, help="requests in flight")
    p.add_argument(
        "--strategy",
        choices=("auto", "scan", "lookup"),
        default="auto",
        help="how existing customers are found: reading every page, looking each e-mail up, "
        "or whichever costs fewer requests",
    )
    p.add_argument(
        "--failed-rows",
        metavar="FILE",
        help="default: FILE.failed.csv/.jsonl (importing that file writes it again)",
    )
    csv_raw_option(
        p,
        "take CSV cells exactly as written; by default cells are trimmed, then the ' that export "
        "puts before = + - @, a tab or a carriage return at the start of a cell is removed",
    )


async def _import(ctx: Context, args: argparse.Namespace) -> int:
    report = await run_import(
        ctx.client,
        args.file,
        fmt=args.format,
        dry_run=args.dry_run,
        concurrency=args.concurrency,
        strategy=args.strategy,
        failed_path=args.failed_rows,
        csv_raw=args.csv_raw,
        progress=ctx.progress(),
    )
    print_summary(report, ctx.out)
    if report.interrupted:
        ctx.out.flush()
        ctx.err.write(f"paddle-async: {printable(interrupted_line(report))}\n")
        return 130
    return 1 if report.problems else 0


IMPORT = Command(
    name="import",
    help="create and update customers from a CSV, JSON Lines or JSON file (a bulk sync)",
    arguments=_import_arguments,
    run=_import,
    writes=lambda args: None if args.dry_run else f"import {printable(args.file)}",
)
