"""The sync's reading side: the record source, and finding existing customers (scan or lookup).

The planner's arithmetic is in `_sync_plan`; this module runs it against Paddle.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Sized
from typing import Any, Literal

import attrs

from .._protocol import ApiRequest, Envelope, Sender
from .._types import TimeoutArg
from .._validation import fits_filter
from ..errors import (
    CustomerAlreadyExistsError,
    InvalidResponseError,
    PaddleError,
    ValidationError,
)
from . import _operations as ops
from ._models import Customer
from ._requests import ListCustomers
from ._sync_plan import (
    PAGE_SIZE,
    Decision,
    batch_emails,
    decide,
    existing_count,
    lookup_cost,
)
from ._sync_types import (
    SyncOutcome,
    SyncPlan,
    SyncRecord,
    SyncRequests,
    SyncResult,
    SyncStrategy,
)

__all__ = ["Finder", "Item", "RecordSource"]

_BOTH = ("active", "archived")

Report = Callable[[str, int, int | None], None]


@attrs.define
class Item:
    """A record read from the input, with its position."""

    index: int
    record: SyncRecord | None
    result: SyncResult | None  # decided when read: a bad record or a duplicate


class RecordSource:
    """The input, read in batches whether it is a sync or an async iterable, each item
    checked (a valid record?) and numbered, and duplicate e-mails found."""

    def __init__(self, records: Iterable[Any] | AsyncIterable[Any]) -> None:
        self.length: int | None = None
        self._async: AsyncIterator[Any] | None = None
        self._sync: Any = None
        if isinstance(records, AsyncIterable):
            self._async = aiter(records)
        else:
            if isinstance(records, Sized):
                self.length = len(records)
            self._sync = iter(records)
        self.exhausted = False
        self.count = 0
        self._seen: dict[str, int] = {}

    async def read_items(self, n: int) -> list[Item]:
        """Return up to ``n`` more items, checked and numbered (fewer only at the end)."""
        return [self._classify(raw) for raw in await self._read(n)]

    def _classify(self, raw: Any) -> Item:
        index = self.count
        self.count += 1
        try:
            record = SyncRecord.coerce(raw)
        except ValidationError as exc:
            email = raw.get("email") if isinstance(raw, dict) else None
            failed = SyncResult(
                index=index,
                outcome=SyncOutcome.FAILED,
                email=email if isinstance(email, str) else None,
                error=exc,
            )
            return Item(index, None, failed)
        first = self._seen.setdefault(record.email, index)
        if first != index:
            duplicate = SyncResult(
                index=index,
                outcome=SyncOutcome.DUPLICATE,
                email=record.email,
                record=record,
                duplicate_of=first,
            )
            return Item(index, record, duplicate)
        return Item(index, record, None)

    async def _read(self, n: int) -> list[Any]:
        """Return up to ``n`` more items (fewer only at the end)."""
        items: list[Any] = []
        while len(items) < n and not self.exhausted:
            if self._async is not None:
                try:
                    items.append(await anext(self._async))
                except StopAsyncIteration:
                    self.exhausted = True
            else:
                try:
                    items.append(next(self._sync))
                except StopIteration:
                    self.exhausted = True
        return items


class _Scan:
    """A scan of every customer, page by page, feeding the finder's index."""

    def __init__(self, finder: Finder) -> None:
        request = ListCustomers(status=_BOTH, per_page=PAGE_SIZE, order_by="id[ASC]")
        self._pages = ops.list_customers(finder.sender, request).pages()
        self._finder = finder
        self.pages_read = 0
        self.done = False
        self.estimated_total: int | None = None
        self.per_page = PAGE_SIZE

    async def next_page(self) -> None:
        page = await anext(self._pages, None)
        if page is None:
            self.done = True
            return
        if self.pages_read == 0:
            self.estimated_total = page.estimated_total
            self.per_page = page.per_page or PAGE_SIZE
        self.pages_read += 1
        for customer in page.items:
            self._finder.index.setdefault(customer.email, customer)
        self.done = not page.has_more

    def pages_total(self) -> int | None:
        existing = existing_count(self.estimated_total)
        return None if existing is None else max(1, math.ceil(existing / self.per_page))

    async def close(self) -> None:
        aclose = getattr(self._pages, "aclose", None)
        if aclose is not None:
            await aclose()


class Finder:
    """Finds the existing customers of e-mails: from a scan's index, or by lookups.

    Args:
        sender: The client (any `Sender`); each read through it is counted in ``requests``.
        slots: The sync's concurrency limit.
        requests: The sync's request counters, updated here.
        note_error: Told every error, to stop the sync on a fatal one.
        stopped: Whether the sync is stopping (no more requests).
        report: Told scan progress: phase, pages read, pages in all.
    """

    def __init__(
        self,
        sender: Sender,
        slots: asyncio.Semaphore,
        requests: SyncRequests,
        *,
        note_error: Callable[[PaddleError], None],
        stopped: Callable[[], bool],
        report: Report,
    ) -> None:
        self.sender: Sender = _Counting(sender, requests)
        self.requests = requests
        self.index: dict[str, Customer] = {}
        self.complete = False
        self.latest_plan: SyncPlan | None = None
        # With lookups chosen over a scan of known size: switch to that scan once lookups
        # have cost as much (a stream longer than its look-ahead showed), so that finding
        # customers never costs more than about twice the cheaper way.
        self._switch_after: int | None = None
        self._lookups_at_plan = 0
        self._slots = slots
        self._note_error = note_error
        self._stopped = stopped
        self._report = report

    # Planning

    async def plan(
        self,
        strategy: SyncStrategy | Literal["auto"],
        head_emails: list[str],
        head_size: int,
        total: int | None,
    ) -> SyncPlan:
        """Choose how to find existing customers (reading scan pages if that may pay).

        Args:
            strategy: What the caller asked for.
            head_emails: The distinct valid e-mails of the records read ahead.
            head_size: Records read ahead.
            total: All records, when known.

        Returns:
            The plan; a scan chosen here has been read to the end.
        """
        lookups = lookup_cost(head_emails)
        if total is not None and head_size and total > head_size:
            lookups = math.ceil(lookups * total / head_size)
        if strategy is SyncStrategy.LOOKUP:
            return self._plan(SyncStrategy.LOOKUP, lookups, total, None, "lookup was asked for")
        if strategy == "auto" and lookups <= 1:
            reason = f"the input needs {lookups} lookup request(s): no scan can be cheaper"
            return self._plan(SyncStrategy.LOOKUP, lookups, total, None, reason)
        return await self._probe(strategy, lookups, total)

    def _plan(
        self,
        strategy: SyncStrategy,
        lookups: int,
        total: int | None,
        scan: _Scan | None,
        reason: str,
    ) -> SyncPlan:
        existing = None if scan is None else existing_count(scan.estimated_total)
        if scan is not None and scan.done:
            existing = len(self.index)
        self.complete = strategy is SyncStrategy.SCAN
        probes = 0 if scan is None or self.complete else scan.pages_read
        scan_requests = None if existing is None else max(1, math.ceil(existing / PAGE_SIZE))
        if not self.complete and scan is not None:
            self._switch_after = scan_requests
            self._lookups_at_plan = self.requests.lookups
        self.latest_plan = SyncPlan(
            strategy=strategy,
            records=total,
            existing=existing,
            scan_requests=scan_requests,
            lookup_requests=lookups,
            probe_requests=probes,
            reason=reason,
        )
        return self.latest_plan

    async def _switch_to_scan(self) -> None:
        """Read every customer after all: lookups have cost as much as the whole scan."""
        spent = self.requests.lookups - self._lookups_at_plan
        self._switch_after = None  # once, whatever happens
        scan = _Scan(self)
        try:
            while not scan.done and not self._stopped():
                await scan.next_page()
                self._report("scan", scan.pages_read, scan.pages_total())
        except PaddleError as exc:
            self._note_error(exc)  # the lookups go on
            return
        finally:
            await scan.close()
        if not scan.done:
            return
        self.complete = True
        if self.latest_plan is not None:
            self.latest_plan = attrs.evolve(
                self.latest_plan,
                strategy=SyncStrategy.SCAN,
                existing=len(self.index),
                reason=(
                    f"{self.latest_plan.reason}; then, the input being longer than its first "
                    f"window showed, {spent} lookup request(s) cost as much as a scan, so it "
                    f"scanned ({scan.pages_read} page(s))"
                ),
            )

    async def _probe(
        self, strategy: SyncStrategy | Literal["auto"], lookups: int, total: int | None
    ) -> SyncPlan:
        scan = _Scan(self)
        try:
            while not scan.done:
                if scan.pages_read and strategy == "auto":
                    step = decide(
                        lookup_requests=lookups,
                        estimated_total=scan.estimated_total,
                        pages_read=scan.pages_read,
                        per_page=scan.per_page,
                        scan_done=scan.done,
                    )
                    if step is Decision.LOOKUP:
                        break
                await scan.next_page()
                self._report("scan", scan.pages_read, scan.pages_total())
        except PaddleError as exc:
            self._note_error(exc)
            reason = f"the scan failed ({exc}); looking e-mails up instead"
            return self._plan(SyncStrategy.LOOKUP, lookups, total, scan, reason)
        finally:
            await scan.close()
        if scan.done:
            reason = (
                "scan was asked for"
                if strategy is SyncStrategy.SCAN
                else f"a scan of {scan.pages_read} page(s) costs no more than "
                f"about {lookups} lookup request(s)"
            )
            return self._plan(SyncStrategy.SCAN, lookups, total, scan, reason)
        reason = (
            f"about {lookups} lookup request(s) cost less than the rest of a scan "
            f"(estimated_total {scan.estimated_total})"
        )
        return self._plan(SyncStrategy.LOOKUP, lookups, total, scan, reason)

    # Finding

    async def resolve(
        self, emails: list[str]
    ) -> tuple[dict[str, Customer], dict[str, PaddleError]]:
        """Find the existing customers of distinct e-mails.

        Returns:
            The customers found, by e-mail; and the error for each e-mail whose lookup failed.
            An e-mail in neither has no customer.
        """
        if (
            self._switch_after is not None
            and not self.complete
            and self.requests.lookups - self._lookups_at_plan >= self._switch_after
            and not self._stopped()
        ):
            await self._switch_to_scan()
        found: dict[str, Customer] = {}
        errors: dict[str, PaddleError] = {}
        missing: list[str] = []
        for email in emails:
            customer = self.index.pop(email, None)
            if customer is not None:
                found[email] = customer
            elif not self.complete:
                missing.append(email)
        if not missing or self._stopped():
            return found, errors

        async def look(batch: list[str], search: bool) -> None:
            async with self._slots:
                if self._stopped():
                    return
                try:
                    customers = await (self.search(batch[0]) if search else self.lookup(batch))
                except InvalidResponseError as exc:
                    if len(batch) == 1:
                        errors[batch[0]] = exc
                        return
                    customers = None
                except PaddleError as exc:
                    self._note_error(exc)
                    errors.update(dict.fromkeys(batch, exc))
                    return
            if customers is None:
                # One customer the SDK cannot read (custom_data nested too deeply, say) spoils
                # the page of every e-mail in its batch: look those up one by one instead, so
                # that only its own record fails.
                for email in batch:
                    group.create_task(look([email], False))
                return
            wanted = set(batch)
            found.update((c.email, c) for c in customers if c.email in wanted)

        async with asyncio.TaskGroup() as group:
            for batch in batch_emails(email for email in missing if fits_filter(email)):
                group.create_task(look(batch, False))
            for email in missing:
                if not fits_filter(email):
                    group.create_task(look([email], True))
        return found, errors

    async def lookup(self, emails: list[str]) -> list[Customer]:
        """Return the customers with these (filterable) e-mails, active or archived."""
        request = ListCustomers(email=emails, status=_BOTH, per_page=PAGE_SIZE)
        return await ops.list_customers(self.sender, request).collect()

    async def search(self, email: str) -> list[Customer]:
        """Return the customer with an e-mail the filter cannot take, as a list of 0 or 1."""
        customer = await ops.find_customer_by_email(self.sender, email)
        return [] if customer is None else [customer]

    async def find_existing(
        self, conflict: CustomerAlreadyExistsError, email: str
    ) -> Customer | None:
        """Return the customer a create conflicted with: by the error's id, else by e-mail."""
        return await ops.existing_customer(self.sender, conflict, email)


class _Counting:
    """The finder's `Sender`: counts each read it passes on, before sending it.

    A list page is a lookup, any other read a get. A request that fails was (or may have
    been) sent too, so it counts; the client's retries of it do not.
    """

    def __init__(self, sender: Sender, requests: SyncRequests) -> None:
        self._sender = sender
        self._requests = requests

    async def send(self, request: ApiRequest, *, timeout: TimeoutArg = None) -> Envelope:
        if request.path == ops.CUSTOMERS:
            self._requests.lookups += 1
        else:
            self._requests.gets += 1
        return await self._sender.send(request, timeout=timeout)
