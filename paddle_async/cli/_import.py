"""``customers import``: a bulk sync from a file, with progress, a summary, failed rows."""

from __future__ import annotations

import array
from typing import TYPE_CHECKING, TextIO

import attrs

from ..customers import SyncOutcome, SyncProgress, SyncSummary, sync_customers
from ..customers._sync import STOPPING_ERRORS, StrategyArg
from ._rows import (
    FailedRows,
    Row,
    count_rows,
    detect_format,
    failed_rows_path,
    open_input,
    read_records,
)
from ._terminal import Progress, format_duration, key_value_table, printable

if TYPE_CHECKING:
    from .. import Paddle

__all__ = ["ImportReport", "print_summary", "run_import"]

_MAX_MESSAGES = 20


@attrs.frozen(kw_only=True)
class ImportReport:
    """What an import did.

    Attributes:
        path: The input file.
        rows: Rows read (valid or not).
        invalid: Rows that were not valid records (never sent).
        summary: The sync's summary for the valid rows.
        failed_path: The failed-rows file, when any row failed.
        problems: Rows in the failed-rows file (invalid, failed and duplicate rows).
    """

    path: str
    rows: int
    invalid: int
    summary: SyncSummary
    failed_path: str | None
    problems: int


async def run_import(
    client: Paddle,
    path: str,
    *,
    fmt: str | None = None,
    dry_run: bool = False,
    concurrency: int = 8,
    strategy: StrategyArg = "auto",
    failed_path: str | None = None,
    csv_raw: bool = False,
    progress: Progress,
    err: TextIO,
) -> ImportReport:
    """Sync the customers in a CSV or JSONL file; report each problem row on ``err``.

    ``csv_raw`` takes CSV cells exactly as written (no leading ``'`` removed).

    Returns:
        The report.

    Raises:
        InputError: The file cannot be imported at all.
        OSError: The file cannot be read, or the failed-rows file written.
        PaddleError: An error that stops the whole sync (a bad key, say).
    """
    fmt = detect_format(path, fmt)
    total = count_rows(path, fmt)
    messages = 0
    invalid = 0
    row_numbers = array.array("q")  # sync index -> row number, for naming duplicates

    def problem(row: Row, text: str) -> None:
        nonlocal messages
        failed.write(row, text)
        messages += 1
        if messages <= _MAX_MESSAGES:
            err.write(f"{printable(path)} row {row.number}: {printable(text)}\n")
        elif messages == _MAX_MESSAGES + 1:
            err.write("… more problem rows: see the failed-rows file\n")

    def bad_row(row: Row, text: str) -> None:
        nonlocal invalid
        invalid += 1
        progress.close()
        problem(row, f"invalid row: {text}")

    def on_progress(report: SyncProgress) -> None:
        if report.phase == "scan":
            progress.update("Reading customers", report.done, report.total, unit="pages")
        else:
            done = report.done + invalid
            progress.update("Syncing", done, total, unit="rows", rate=report.rate, eta=report.eta)

    with open_input(path) as file:
        header, records = read_records(file, path, fmt, bad_row, csv_raw=csv_raw)
        failed = FailedRows(failed_path or failed_rows_path(path), fmt, header, csv_raw=csv_raw)
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
                row = result.ref
                assert isinstance(row, Row)
                row_numbers.append(row.number)
                # Errors that stop the sync are not row problems: one line for them, later.
                if isinstance(result.error, STOPPING_ERRORS):
                    continue  # the whole import stops: one line for it, from the caller
                if result.outcome is SyncOutcome.FAILED:
                    progress.close()
                    problem(row, f"failed: {result.error}")
                elif result.outcome is SyncOutcome.DUPLICATE and result.duplicate_of is not None:
                    first = row_numbers[result.duplicate_of]
                    progress.close()
                    problem(row, f"duplicate: row {first} has the same email (not applied)")
        finally:
            progress.close()
            failed.close()
    return ImportReport(
        path=path,
        rows=run.summary.records + invalid,
        invalid=invalid,
        summary=run.summary,
        failed_path=failed.path if failed.count else None,
        problems=failed.count,
    )


def _n(value: int) -> str:
    return f"{value:,}"


def print_summary(report: ImportReport, out: TextIO, *, title: str | None = None) -> None:
    """Write an import's summary table."""
    s = report.summary
    r = s.requests
    would = "would be " if s.dry_run else ""
    title = title or f"Import of {report.path}" + (" (dry run)" if s.dry_run else "")
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
