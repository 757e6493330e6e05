"""Bulk customer sync: make Paddle's customers match a stream of records, in few requests.

``sync_customers(paddle, records)`` (``paddle.customers.sync(records)``) matches each record to
a customer by e-mail, creates the missing ones, updates those whose given fields differ, and
leaves the rest alone: a record whose customer already holds the same values costs no write,
so a rerun after success sends no writes at all.

The planner: finding existing customers
---------------------------------------
Let ``n`` be the records, ``u`` their distinct e-mails, ``E`` the account's customers (active
and archived) and ``b`` the e-mails per lookup request: up to 200 (one page of matches) and as
many as fit 7,000 encoded characters of URL (200 for e-mails up to ~33 characters).

* Lookup: ``L = ceil(u_f / b) + u_s`` list requests, where ``u_f`` e-mails go in the
  comma-separated ``email`` filter and ``u_s`` (over 100 characters, or with a comma, which the
  filter cannot take) take one ``search`` request each, matched exactly on our side.
* Scan: ``S = ceil(E / 200)`` list requests (``status=active,archived``, 200 per page).

The planner estimates ``L`` from the first window of records (scaled to ``n`` when known: a
sized input, ``expected_count``, or a stream that ends within the look-ahead). When ``L <= 1``
it looks up at once. Otherwise it reads the scan's first page, whose ``estimated_total`` gives
``E``, and finishes the scan when the pages left (``S - 1``) are at most ``L``, else switches to
lookups. When ``E`` is unknown (``-1``, missing, or ``100001`` with ``L >= 501``) it keeps
scanning until the scan has cost ``L`` pages, then switches (so it spends at most twice the
cheaper way). Pages already read are never wasted: a customer found there needs no lookup.
For a stream longer than its look-ahead (``n`` unknown), ``L`` is only a lower bound: once the
lookups have cost ``S`` requests, the sync reads the whole scan after all, so finding customers
costs at most about ``2 * S`` plus one window's lookups. Pass ``expected_count`` to plan it
right from the start.

Requests in all: ``R = S + C + U + X`` for a scan, ``R = P + L' + C + U + X`` for lookups,
where ``P`` is the scan pages read before switching (1, more only when ``E`` is unknown),
``L'`` the lookups left after ``P`` (e-mails found on those pages need none), ``C`` creates,
``U`` updates, and ``X`` rare extras: one update per new record that asks for
``status="archived"`` (a customer cannot be created archived) and one get per create that meets
409 ``customer_already_exists``. The fewest any sync can send is ``min(S, L) + C + U``. Counts
are of the sync's own requests: the client's retries are not included.

Behaviour
---------
* Records stream in windows (default 1,000). In memory at once: a window of records (the
  look-ahead, default 10,000, while planning an input of unknown size), the customers of a scan
  (at most 100,000 when the planner chooses; any number with ``strategy="scan"``), and the
  set of e-mails seen so far (for duplicates). Results come back in input order, window by
  window, one per record.
* A later record with an e-mail seen earlier gets outcome ``duplicate`` and is not applied.
* Only given fields are compared and written. An archived customer found for a record that
  gives no status stays archived; give ``status="active"`` to reactivate it.
* A create that meets 409 becomes an update of the existing customer where values differ
  (found by the error's ``existing_customer_id``, else by e-mail).
* Failures do not stop the sync: the record's result carries the typed error, and a rerun of
  the same input picks it up. Only errors that doom every request (a bad key, a missing
  permission, a closed client, a shared rate limiter out of reach) stop it: the records read
  so far get failed results, then the error is raised from the iteration.
* A cancelled or crashed sync can be rerun with the same input: records are matched by e-mail,
  so nothing is created twice.
* ``dry_run=True`` sends only reads and reports what it would write.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterable, Callable, Generator, Iterable
from typing import Any, Literal

from .._protocol import Sender
from .._types import UNSET
from .._validation import Problems, show
from ..errors import (
    AuthenticationError,
    ClientClosedError,
    CustomerAlreadyExistsError,
    PaddleError,
    PermissionDeniedError,
    RateLimiterUnavailableError,
    ValidationError,
)
from . import _operations as ops
from ._models import Customer
from ._requests import UpdateCustomer
from ._sync_find import Finder, Item, RecordSource
from ._sync_types import (
    SyncOutcome,
    SyncPlan,
    SyncProgress,
    SyncRecord,
    SyncRequests,
    SyncResult,
    SyncStrategy,
    SyncSummary,
    changes_for,
    create_request,
)

__all__ = [
    "SyncOutcome",
    "SyncPlan",
    "SyncProgress",
    "SyncRecord",
    "SyncRequests",
    "SyncResult",
    "SyncRun",
    "SyncStrategy",
    "SyncSummary",
    "sync_customers",
]
# Errors every later request would meet too: the sync stops instead of failing record by record.
STOPPING_ERRORS = (
    AuthenticationError,
    PermissionDeniedError,
    ClientClosedError,
    RateLimiterUnavailableError,
)

ProgressCallback = Callable[[SyncProgress], object]
StrategyArg = SyncStrategy | Literal["auto", "scan", "lookup"]


def sync_customers(
    sender: Sender,
    records: Iterable[Any] | AsyncIterable[Any],
    *,
    concurrency: int = 8,
    dry_run: bool = False,
    strategy: StrategyArg = "auto",
    expected_count: int | None = None,
    on_progress: ProgressCallback | None = None,
    window: int = 1000,
    lookahead: int = 10_000,
) -> SyncRun:
    """Sync customers to match ``records``, creating and updating only what differs.

    Args:
        sender: The client (any `Sender`) to send with; its rate limiter paces every request.
        records: `SyncRecord`s, `CreateCustomer`s or dicts, from any iterable or async
            iterable; read lazily, a window at a time.
        concurrency: Requests in flight at once.
        dry_run: Send reads only; results and counts say what would be written.
        strategy: ``"auto"`` (the planner picks), ``"scan"`` or ``"lookup"``.
        expected_count: How many records an unsized input holds, if you know (for the
            planner and progress).
        on_progress: Called with a `SyncProgress` after each scan page and each record.
        window: Records in memory at once; results are yielded a window at a time.
        lookahead: For an input of unknown size, records read ahead to estimate its size.

    Returns:
        A `SyncRun`: ``async for result in run`` yields one `SyncResult` per record, in input
        order; ``await run`` runs it to the end and returns the `SyncSummary`.

    Raises:
        ValidationError: A bad argument.
    """
    problems = Problems()
    for name, value, least in (
        ("concurrency", concurrency, 1),
        ("window", window, 1),
        ("lookahead", lookahead, 1),
        ("expected_count", 0 if expected_count is None else expected_count, 0),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            problems.add(name, f"must be a whole number of at least {least}, got {show(value)}")
    problems.raise_any()
    if isinstance(records, str | bytes | dict):
        raise ValidationError.single("records", "must be an iterable of records, not one value")
    if strategy != "auto" and strategy not in set(SyncStrategy):
        raise ValidationError.single(
            "strategy", f"must be 'auto', 'scan' or 'lookup', got {strategy!r}"
        )
    chosen: SyncStrategy | Literal["auto"] = (
        "auto" if strategy == "auto" else SyncStrategy(strategy)
    )
    return SyncRun(
        sender,
        records,
        concurrency=concurrency,
        dry_run=dry_run,
        strategy=chosen,
        expected_count=expected_count,
        on_progress=on_progress,
        window=window,
        lookahead=lookahead,
    )


class SyncRun:
    """A sync in progress: iterate it for results, or await it for the summary.

    Nothing runs in the background: work happens while the caller waits for the next result,
    so breaking out of ``async for`` or cancelling stops the sync with nothing left running.
    Iterate or await a run once. A run cancelled while it waited for a result is over: asking
    it for more raises `RuntimeError` (its window's unfinished records have no result); run
    the sync again with the same input instead, which is safe.
    """

    def __init__(
        self,
        sender: Sender,
        records: Iterable[Any] | AsyncIterable[Any],
        *,
        concurrency: int,
        dry_run: bool,
        strategy: SyncStrategy | Literal["auto"],
        expected_count: int | None,
        on_progress: ProgressCallback | None,
        window: int,
        lookahead: int,
    ) -> None:
        self._sender = sender
        self._source = RecordSource(records)
        self._dry_run = dry_run
        self._strategy = strategy
        self._on_progress = on_progress
        self._window = window
        self._lookahead = max(lookahead, window)
        self._slots = asyncio.Semaphore(concurrency)
        self._total = self._source.length if self._source.length is not None else expected_count
        self._head: deque[Item] = deque()
        self._pending: deque[SyncResult] = deque()
        self._plan: SyncPlan | None = None
        self._counts = dict.fromkeys(SyncOutcome, 0)
        self._requests = SyncRequests()
        self._finder = Finder(
            sender,
            self._slots,
            self._requests,
            note_error=self._note_fatal,
            stopped=lambda: self._fatal is not None,
            report=self._report,
        )
        self._fatal: PaddleError | None = None
        self._done = False
        self._interrupted = False
        self._started: float | None = None
        self._ended: float | None = None
        self._phase_started = 0.0

    @property
    def plan(self) -> SyncPlan | None:
        """The plan, once the first result was asked for."""
        return self._finder.latest_plan

    @property
    def summary(self) -> SyncSummary:
        """The counts so far (final once iteration ended)."""
        start = self._started
        end = self._ended if self._ended is not None else time.monotonic()
        counts = self._counts
        return SyncSummary(
            records=sum(counts.values()),
            created=counts[SyncOutcome.CREATED],
            updated=counts[SyncOutcome.UPDATED],
            unchanged=counts[SyncOutcome.UNCHANGED],
            failed=counts[SyncOutcome.FAILED],
            duplicates=counts[SyncOutcome.DUPLICATE],
            requests=self._requests.copy(),
            plan=self._finder.latest_plan,
            elapsed=0.0 if start is None else end - start,
            dry_run=self._dry_run,
        )

    def __aiter__(self) -> SyncRun:
        return self

    async def __anext__(self) -> SyncResult:
        if self._interrupted:
            raise RuntimeError(
                "this sync was interrupted (cancelled or failed) while records were in flight, "
                "so their results are unknown; run the sync again with the same input, which "
                "is safe: records are matched by e-mail"
            )
        if self._started is None:
            self._started = time.monotonic()
        try:
            return await self._next_result()
        except StopAsyncIteration:
            raise
        except BaseException:
            # Cancelled (or a bug) mid-window: the window's unfinished records have no result
            # and never will, so this run is over; the summary counts what was done.
            if not self._done:
                self._interrupted = True
                self._ended = time.monotonic()
            raise

    async def _next_result(self) -> SyncResult:
        while not self._pending:
            if self._done:
                raise StopAsyncIteration
            if self._fatal is not None:
                if self._head:
                    self._fail_head(self._fatal)
                    continue
                self._done = True
                self._ended = time.monotonic()
                raise self._fatal
            if self._plan is None:
                await self._make_plan()
                continue
            items = await self._next_window()
            if not items:
                self._done = True
                self._ended = time.monotonic()
                continue
            await self._run_window(items)
        return self._pending.popleft()

    def __await__(self) -> Generator[Any, None, SyncSummary]:
        return self._drain().__await__()

    async def _drain(self) -> SyncSummary:
        async for _ in self:
            pass
        return self.summary

    async def _read_items(self, n: int) -> list[Item]:
        items = await self._source.read_items(n)
        if self._source.exhausted:
            self._total = self._source.count
        return items

    async def _next_window(self) -> list[Item]:
        items: list[Item] = []
        while self._head and len(items) < self._window:
            items.append(self._head.popleft())
        if len(items) < self._window:
            items += await self._read_items(self._window - len(items))
        return items

    # Planning and syncing a window

    async def _make_plan(self) -> None:
        head_size = self._window if self._total is not None else self._lookahead
        head = await self._read_items(head_size)
        self._head.extend(head)
        emails = [item.record.email for item in head if item.result is None and item.record]
        self._phase_started = time.monotonic()
        self._plan = await self._finder.plan(self._strategy, emails, len(head), self._total)
        self._phase_started = time.monotonic()

    async def _run_window(self, items: list[Item]) -> None:
        results: dict[int, SyncResult] = {}
        todo: list[Item] = []
        for item in items:
            if item.result is not None:
                self._finish(item.result, results)
            else:
                todo.append(item)
        if todo:
            emails = [item.record.email for item in todo if item.record]
            found, errors = await self._finder.resolve(emails)
            try:
                async with asyncio.TaskGroup() as group:
                    for item in todo:
                        email = item.record.email if item.record else ""
                        group.create_task(
                            self._apply(item, found.get(email), errors.get(email), results)
                        )
            except BaseExceptionGroup as group_error:
                raise group_error.exceptions[0] from None  # a bug: one plain traceback
        self._pending.extend(results[item.index] for item in items)

    def _fail_head(self, error: PaddleError) -> None:
        results: dict[int, SyncResult] = {}
        items = list(self._head)
        self._head.clear()
        for item in items:
            self._finish(item.result or self._failed(item, error), results)
        self._pending.extend(results[item.index] for item in items)

    async def _apply(
        self,
        item: Item,
        customer: Customer | None,
        error: PaddleError | None,
        results: dict[int, SyncResult],
    ) -> None:
        async with self._slots:
            try:
                if self._fatal is not None or error is not None:
                    result = self._failed(item, self._fatal or error)
                elif customer is not None:
                    result = await self._reconcile(item, customer)
                else:
                    result = await self._create(item)
            except PaddleError as exc:
                self._note_fatal(exc)
                result = self._failed(item, exc)
        self._finish(result, results)

    def _result(self, item: Item, outcome: SyncOutcome, **fields: Any) -> SyncResult:
        record = item.record
        email = None if record is None else record.email
        return SyncResult(index=item.index, outcome=outcome, email=email, record=record, **fields)

    def _failed(self, item: Item, error: PaddleError | None, **fields: Any) -> SyncResult:
        return self._result(item, SyncOutcome.FAILED, error=error, **fields)

    async def _reconcile(self, item: Item, customer: Customer) -> SyncResult:
        assert item.record is not None
        changes = changes_for(item.record, customer)
        if not changes:
            return self._result(item, SyncOutcome.UNCHANGED, customer=customer)
        self._requests.updates += 1
        if not self._dry_run:
            customer = await ops.update_customer(
                self._sender, customer.id, UpdateCustomer(**changes)
            )
        return self._result(item, SyncOutcome.UPDATED, customer=customer, changes=tuple(changes))

    async def _create(self, item: Item) -> SyncResult:
        record = item.record
        assert record is not None
        fields = tuple(field for field in record.given() if field != "email")
        archive = record.status is not UNSET and str(record.status) != "active"
        self._requests.creates += 1
        if self._dry_run:
            self._requests.updates += int(archive)
            return self._result(item, SyncOutcome.CREATED, changes=fields)
        try:
            customer = await ops.create_customer(self._sender, create_request(record))
        except CustomerAlreadyExistsError as conflict:
            existing = await self._finder.find_existing(conflict, record.email)
            if existing is None:
                raise
            return await self._reconcile(item, existing)
        if archive and str(customer.status) != str(record.status):
            self._requests.updates += 1
            try:
                status = UpdateCustomer(status=str(record.status))
                customer = await ops.update_customer(self._sender, customer.id, status)
            except PaddleError as exc:
                self._note_fatal(exc)
                return self._failed(item, exc, customer=customer, changes=fields)
        return self._result(item, SyncOutcome.CREATED, customer=customer, changes=fields)

    # Bookkeeping

    def _note_fatal(self, error: PaddleError) -> None:
        if isinstance(error, STOPPING_ERRORS) and self._fatal is None:
            self._fatal = error

    def _finish(self, result: SyncResult, results: dict[int, SyncResult]) -> None:
        results[result.index] = result
        self._counts[result.outcome] += 1
        self._report("sync", sum(self._counts.values()), self._total)

    def _report(self, phase: str, done: int, total: int | None) -> None:
        if self._on_progress is None:
            return
        elapsed = time.monotonic() - self._phase_started
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (total - done) / rate if total is not None and rate > 0 else None
        self._on_progress(
            SyncProgress(
                phase=phase,
                done=done,
                total=total,
                elapsed=elapsed,
                rate=rate,
                eta=None if eta is None else max(eta, 0.0),
                requests=self._requests.total,
            )
        )
