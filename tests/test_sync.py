"""Bulk customer sync against FakePaddle: outcomes, request counts, faults, reruns."""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from paddle_async import Paddle
from paddle_async.customers import (
    CreateCustomer,
    SyncOutcome,
    SyncProgress,
    SyncRecord,
    SyncResult,
    SyncStrategy,
    sync_customers,
)
from paddle_async.customers._sync_plan import (
    EMAIL_QUERY_BUDGET,
    Decision,
    batch_emails,
    decide,
    existing_count,
    lookup_cost,
)
from paddle_async.errors import AuthenticationError, ValidationError
from paddle_async.testing import FakePaddle

CREATED, UPDATED, UNCHANGED = SyncOutcome.CREATED, SyncOutcome.UPDATED, SyncOutcome.UNCHANGED
FAILED, DUPLICATE = SyncOutcome.FAILED, SyncOutcome.DUPLICATE
LONG_EMAIL = "a" * 60 + "@" + "b" * 40 + ".example.com"  # 113 characters: no email filter


def mixed_records(existing: int, new: int) -> list[dict[str, Any]]:
    """Half of the seeded customers unchanged, half renamed, then new ones."""
    half = existing // 2
    records: list[dict[str, Any]] = [
        {"email": f"customer{i}@example.com", "name": f"Customer {i}"} for i in range(half)
    ]
    records += [
        {"email": f"customer{i}@example.com", "name": f"Renamed {i}"} for i in range(half, existing)
    ]
    records += [{"email": f"new{i}@example.com", "name": f"New {i}"} for i in range(new)]
    return records


def sent(fake: FakePaddle, since: int = 0) -> Counter[str]:
    """Requests the fake received since an index, by method."""
    return Counter(request.method for request in fake.requests[since:])


async def run_all(paddle: Paddle, records: Any, **options: Any) -> list[SyncResult]:
    """Run a sync through the client's namespace method, collecting every result."""
    return [result async for result in paddle.customers.sync(records, **options)]


def outcomes(results: list[SyncResult]) -> Counter[SyncOutcome]:
    return Counter(result.outcome for result in results)


@pytest.mark.parametrize("strategy", [SyncStrategy.LOOKUP, SyncStrategy.SCAN])
async def test_mixed_input_outcomes(
    paddle: Paddle, fake: FakePaddle, strategy: SyncStrategy
) -> None:
    """New, changed, unchanged and duplicate records each get the right outcome, in order."""
    fake.seed(4)
    records = [
        {"email": "customer0@example.com", "name": "Customer 0"},
        {"email": "customer1@example.com", "name": "Customer One"},
        {"email": "fresh@example.com", "name": "Fresh", "locale": "de"},
        {"email": "customer1@example.com", "name": "Other"},
        {"email": "customer2@example.com"},
    ]
    results = await run_all(paddle, records, strategy=strategy)
    assert [UNCHANGED, UPDATED, CREATED, DUPLICATE, UNCHANGED] == [r.outcome for r in results]
    assert [0, 1, 2, 3, 4] == [r.index for r in results]
    assert 1 == results[3].duplicate_of
    assert ("name",) == results[1].changes
    assert "Customer One" == fake.find_by_email("customer1@example.com")["name"]  # type: ignore[index]
    assert ("Fresh", "de") == (results[2].customer.name, results[2].customer.locale)  # type: ignore[union-attr]
    assert 5 == len(fake.customers())


async def test_lookup_request_counts(paddle: Paddle, fake: FakePaddle) -> None:
    """Few records against many customers: one lookup request, then one write per change."""
    fake.seed(1000)
    records = mixed_records(100, 50)  # 50 unchanged, 50 renamed, 50 new
    run = sync_customers(paddle, records)
    summary = await run
    assert (50, 50, 50, 0, 0) == (
        summary.created,
        summary.updated,
        summary.unchanged,
        summary.failed,
        summary.duplicates,
    )
    assert SyncStrategy.LOOKUP == summary.plan.strategy  # type: ignore[union-attr]
    assert (1, 50, 50) == (
        summary.requests.lookups,
        summary.requests.creates,
        summary.requests.updates,
    )
    assert Counter({"GET": 1, "POST": 50, "PATCH": 50}) == sent(fake)
    assert 101 == summary.requests.total


async def test_scan_request_counts_at_the_optimum(paddle: Paddle, fake: FakePaddle) -> None:
    """5,000 records against 3,000 customers: a 15-page scan plus one write per change."""
    fake.seed(3000)
    records = mixed_records(3000, 2000)
    summary = await sync_customers(paddle, records)
    optimum = math.ceil(3000 / 200) + 2000 + 1500
    assert SyncStrategy.SCAN == summary.plan.strategy  # type: ignore[union-attr]
    assert (2000, 1500, 1500) == (summary.created, summary.updated, summary.unchanged)
    assert optimum == len(fake.requests) == summary.requests.total
    assert 5000 == summary.records


async def test_planner_prefers_lookups_for_fewer_records(paddle: Paddle, fake: FakePaddle) -> None:
    """2,000 records against 3,000 customers: one probe page, then lookups cheaper than a scan."""
    fake.seed(3000)
    summary = await sync_customers(paddle, mixed_records(2000, 0))
    plan = summary.plan
    assert plan is not None
    assert (SyncStrategy.LOOKUP, 3000, 15, 10, 1) == (
        plan.strategy,
        plan.existing,
        plan.scan_requests,
        plan.lookup_requests,
        plan.probe_requests,
    )
    # The probe page's 200 customers need no lookup: 1 + 9 list requests in all.
    assert 10 == summary.requests.lookups == sent(fake)["GET"]


@pytest.mark.parametrize("strategy", [SyncStrategy.LOOKUP, SyncStrategy.SCAN])
async def test_rerun_sends_no_writes(
    paddle: Paddle, fake: FakePaddle, strategy: SyncStrategy
) -> None:
    """Running the same input again finds everything in place and writes nothing."""
    fake.seed(300)
    records = mixed_records(300, 200)
    await sync_customers(paddle, records, strategy=strategy)
    before = len(fake.requests)
    summary = await sync_customers(paddle, records, strategy=strategy)
    assert (0, 0, 500) == (summary.created, summary.updated, summary.unchanged)
    assert 0 == sent(fake, before)["POST"] + sent(fake, before)["PATCH"]


async def test_dry_run_sends_no_writes(paddle: Paddle, fake: FakePaddle) -> None:
    """A dry run reads, reports what it would write, and writes nothing."""
    fake.seed(20)
    results = await run_all(paddle, mixed_records(20, 5), dry_run=True)
    assert Counter({UNCHANGED: 10, UPDATED: 10, CREATED: 5}) == outcomes(results)
    assert {"GET"} == set(sent(fake))
    assert 20 == len(fake.customers())
    assert "Customer 10" == fake.find_by_email("customer10@example.com")["name"]  # type: ignore[index]


async def test_a_dry_run_counts_what_it_sent_and_what_it_would_send(
    paddle: Paddle, fake: FakePaddle
) -> None:
    """requests_sent is what a dry run sent; requests.total adds the writes it would send."""
    fake.seed(20)
    summary = await paddle.customers.sync(mixed_records(20, 5), dry_run=True)
    assert (len(fake.requests), 15) == (summary.requests_sent, summary.requests.writes)
    assert summary.requests_sent + 15 == summary.requests.total
    again = await paddle.customers.sync(mixed_records(20, 5))
    assert summary.requests.total == again.requests.total == again.requests_sent


async def test_async_and_unsized_inputs(paddle: Paddle, fake: FakePaddle) -> None:
    """Async iterables and generators of unknown length sync like lists do."""
    fake.seed(10)
    records = mixed_records(10, 10)

    async def stream() -> AsyncIterator[dict[str, Any]]:
        for record in records:
            await asyncio.sleep(0)
            yield record

    def generate() -> Iterator[dict[str, Any]]:
        yield from records

    first = await sync_customers(paddle, stream())
    second = await sync_customers(paddle, generate(), window=3)
    assert (10, 5, 5) == (first.created, first.updated, first.unchanged)
    assert (0, 0, 20) == (second.created, second.updated, second.unchanged)
    assert 20 == second.plan.records  # type: ignore[union-attr]


async def test_record_kinds_and_invalid_records(paddle: Paddle) -> None:
    """SyncRecord, CreateCustomer and dicts are accepted; a bad record fails alone."""
    records: list[Any] = [
        SyncRecord(email="a@example.com", name="A"),
        CreateCustomer(email="b@example.com"),
        {"email": "not-an-email"},
        {"email": "c@example.com", "nmae": "typo"},
        42,
        {"email": "d@example.com", "custom_data": {"plan": "pro"}},
    ]
    results = await run_all(paddle, records)
    assert [CREATED, CREATED, FAILED, FAILED, FAILED, CREATED] == [r.outcome for r in results]
    assert all(isinstance(results[i].error, ValidationError) for i in (2, 3, 4))
    assert {"plan": "pro"} == results[5].customer.custom_data  # type: ignore[union-attr]


async def test_only_given_fields_are_compared(paddle: Paddle, fake: FakePaddle) -> None:
    """UNSET fields are left alone; None clears; custom_data compares exactly (True is not 1)."""
    fake.add_customer(email="a@example.com", name="A", custom_data={"n": 1}, locale="fr")
    results = await run_all(
        paddle,
        [
            SyncRecord(email="a@example.com"),
            SyncRecord(email="a@example.com", custom_data={"n": True}),
        ],
    )
    assert [UNCHANGED, DUPLICATE] == [r.outcome for r in results]
    results = await run_all(paddle, [SyncRecord(email="a@example.com", custom_data={"n": True})])
    assert (UPDATED, ("custom_data",)) == (results[0].outcome, results[0].changes)
    results = await run_all(paddle, [SyncRecord(email="a@example.com", name=None)])
    assert (UPDATED, None, "fr") == (
        results[0].outcome,
        fake.find_by_email("a@example.com")["name"],  # type: ignore[index]
        fake.find_by_email("a@example.com")["locale"],  # type: ignore[index]
    )


async def test_archived_customers(paddle: Paddle, fake: FakePaddle) -> None:
    """Archived customers are found and stay archived unless a record asks for a status."""
    fake.add_customer(email="old@example.com", name="Old", status="archived")
    fake.add_customer(email="back@example.com", name="Back", status="archived")
    records = [
        {"email": "old@example.com", "name": "Old"},
        {"email": "back@example.com", "status": "active"},
        {"email": "gone@example.com", "name": "Gone", "status": "archived"},
    ]
    results = await run_all(paddle, records)
    assert [UNCHANGED, UPDATED, CREATED] == [r.outcome for r in results]
    statuses = [fake.find_by_email(r["email"])["status"] for r in records]  # type: ignore[index]
    assert ["archived", "active", "archived"] == statuses
    before = len(fake.requests)
    again = await run_all(paddle, records)
    assert [UNCHANGED] * 3 == [r.outcome for r in again]
    assert 0 == sent(fake, before)["POST"] + sent(fake, before)["PATCH"]


async def test_long_emails_are_searched(paddle: Paddle, fake: FakePaddle) -> None:
    """An e-mail over 100 characters, which the filter cannot take, is found by search."""
    fake.add_customer(email=LONG_EMAIL, name="Long")
    records = [{"email": LONG_EMAIL, "name": "Longer"}, {"email": "x" + LONG_EMAIL[1:]}]
    results = await run_all(paddle, records, strategy="lookup")
    assert [UPDATED, CREATED] == [r.outcome for r in results]
    assert ["Longer"] == [c["name"] for c in fake.customers() if c["email"] == LONG_EMAIL]
    assert 2 == len(fake.customers())


async def test_lookup_batches_respect_the_url_budget(paddle: Paddle, fake: FakePaddle) -> None:
    """400 e-mails of 90 characters take more requests than 200 per batch would, and all work."""
    emails = [f"{i:04d}{'x' * 50}@{'y' * 23}.example.com" for i in range(400)]
    assert {90} == {len(email) for email in emails}
    for email in emails[::2]:
        fake.add_customer(email=email)
    summary = await sync_customers(paddle, [{"email": e} for e in emails], strategy="lookup")
    assert len(batch_emails(emails)) == summary.requests.lookups
    assert 2 < summary.requests.lookups
    assert (200, 200, 0) == (summary.created, summary.unchanged, summary.failed)


async def test_create_conflict_becomes_an_update(paddle: Paddle, fake: FakePaddle) -> None:
    """Two syncs racing to create one customer: the loser's 409 turns into an update."""
    fake.faults.delay(0.2, method="GET")  # both lookups see no customer before either creates
    first, second = await asyncio.gather(
        run_all(paddle, [{"email": "race@example.com", "name": "First"}]),
        run_all(paddle, [{"email": "race@example.com", "name": "Second"}]),
    )
    assert sorted([CREATED, UPDATED]) == sorted([first[0].outcome, second[0].outcome])
    winner = "Second" if first[0].outcome is CREATED else "First"
    assert [winner] == [c["name"] for c in fake.customers()]
    assert 409 in [r.status for r in fake.requests if r.method == "POST"]


async def test_faults_leave_every_record_accounted_for(paddle: Paddle, fake: FakePaddle) -> None:
    """Under chaos every record gets one result; a clean rerun then completes the sync."""
    fake.seed(200)
    records = mixed_records(200, 300)
    fake.faults.chaos(0.3, seed=7)
    results = await run_all(paddle, records, window=100)
    assert list(range(500)) == [r.index for r in results]
    assert all(r.error is not None for r in results if r.outcome is FAILED)
    fake.faults.clear()
    results = await run_all(paddle, records)
    assert 0 == outcomes(results)[FAILED]
    stored = {c["email"]: c["name"] for c in fake.customers()}
    assert {r["email"]: r["name"] for r in records} == stored
    summary = await sync_customers(paddle, records)
    assert (0, 0) == (summary.requests.creates, summary.requests.updates)


async def test_cancel_midway_then_rerun(paddle: Paddle, fake: FakePaddle) -> None:
    """A sync cancelled midway and run again reaches the same state, with no duplicates."""
    records = mixed_records(0, 600)
    fake.faults.delay(0.002, method="POST")
    created = 0
    midway = asyncio.Event()

    async def count(event_type: str, customer: dict[str, Any]) -> None:
        nonlocal created
        created += 1
        if created >= 250:
            midway.set()

    fake.subscribe(count)
    task = asyncio.create_task(run_all(paddle, records, window=100))
    await midway.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert 0 < len(fake.customers()) < 600
    summary = await sync_customers(paddle, records)
    assert (600, 0) == (summary.created + summary.unchanged, summary.failed)
    assert sorted(r["email"] for r in records) == sorted(c["email"] for c in fake.customers())
    before = len(fake.requests)
    await sync_customers(paddle, records)
    assert 0 == sent(fake, before)["POST"] + sent(fake, before)["PATCH"]


async def test_a_run_cancelled_while_waiting_for_a_result_is_over(
    paddle: Paddle, fake: FakePaddle
) -> None:
    """A timeout around one ``anext`` cancels a window mid-flight: asking the same run for more
    raises instead of silently skipping that window's records; a rerun finishes the job."""
    records = [{"email": f"new{i}@example.com", "name": "New"} for i in range(30)]
    run = paddle.customers.sync(records, window=10, strategy="lookup")
    fake.faults.delay(0.5, n=3, method="POST")
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await anext(run)
    with pytest.raises(RuntimeError, match="run the sync again"):
        await anext(run)
    with pytest.raises(RuntimeError):
        await run
    interrupted = run.summary
    assert interrupted.records < 30
    summary = await paddle.customers.sync(records)
    assert (30, 0) == (summary.created + summary.unchanged, summary.failed)
    assert sorted(r["email"] for r in records) == sorted(c["email"] for c in fake.customers())


async def test_bad_key_stops_the_sync(fake: FakePaddle) -> None:
    """A refused key fails the records read so far (one window), then raises; no more is sent."""
    key = "pdl_sdbx_apikey_01wrongwrongwrongwrongwrong_WrongKeyForTestsOnly00_xyz"
    async with Paddle(key, base_url=fake.base_url, rate_limit=None) as client:
        run = sync_customers(client, mixed_records(0, 300), window=100)
        results: list[SyncResult] = []

        async def consume() -> None:
            async for result in run:
                results.append(result)

        with pytest.raises(AuthenticationError):
            await consume()
    assert 100 == len(results) == run.summary.failed == run.summary.records
    assert 1 == len(fake.requests)


async def test_progress_reports(paddle: Paddle, fake: FakePaddle) -> None:
    """Progress goes through the scan pages, then every record up to the total."""
    fake.seed(500)
    reports: list[SyncProgress] = []
    await sync_customers(paddle, mixed_records(500, 600), on_progress=reports.append)
    scan = [(p.done, p.total) for p in reports if p.phase == "scan"]
    sync = [p for p in reports if p.phase == "sync"]
    assert [(1, 3), (2, 3), (3, 3)] == scan
    assert list(range(1, 1101)) == [p.done for p in sync]
    assert {1100} == {p.total for p in sync}


def test_batches_hold_at_most_200_and_fit_the_budget() -> None:
    """Lookup batches stop at 200 e-mails or at the URL budget, whichever comes first."""
    short = [f"u{i}@example.com" for i in range(450)]
    assert [200, 200, 50] == [len(b) for b in batch_emails(short)]
    wide = [f"{i:03d}{'w' * 90}@example.com"[:100] for i in range(150)]
    batches = batch_emails(wide)
    assert all(sum(len(e) + 3 for e in b) <= EMAIL_QUERY_BUDGET for b in batches)
    assert wide == [e for b in batches for e in b]
    assert 3 == lookup_cost([*short[:200], "a" * 101 + "@example.com", "x,y@example.com"])


@pytest.mark.parametrize(
    ("estimated_total", "pages_read", "lookups", "expected"),
    [
        (3000, 1, 25, Decision.SCAN),  # 14 more pages < 25 lookups
        (3000, 1, 10, Decision.LOOKUP),
        (-1, 1, 10, Decision.READ_MORE),  # not counted: scan while it costs less than lookups
        (-1, 10, 10, Decision.LOOKUP),
        (None, 3, 10, Decision.READ_MORE),
        (100001, 1, 100, Decision.LOOKUP),  # over 100,000: at least 500 more pages
        (100001, 1, 2000, Decision.READ_MORE),
        (-1, 500, 2000, Decision.LOOKUP),  # the scan's memory cap
    ],
)
def test_planner_decisions(
    estimated_total: int | None, pages_read: int, lookups: int, expected: Decision
) -> None:
    """The planner compares the scan pages left with the lookups, minding the sentinels."""
    assert expected == decide(
        lookup_requests=lookups,
        estimated_total=estimated_total,
        pages_read=pages_read,
        per_page=200,
        scan_done=False,
    )


def test_existing_count_sentinels() -> None:
    """Only 0 to 100,000 is an exact count."""
    assert [None, None, None, 0, 100000] == [
        existing_count(v) for v in (None, -1, 100001, 0, 100000)
    ]


@pytest.mark.parametrize(
    "options",
    [{"strategy": "fastest"}, {"strategy": None}, {"concurrency": 0}, {"expected_count": -1}],
)
def test_bad_arguments_are_validation_errors(paddle: Paddle, options: dict[str, Any]) -> None:
    """A bad argument is a ValidationError (a PaddleError and a ValueError) before any work."""
    with pytest.raises(ValidationError):
        paddle.customers.sync([], **options)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"concurrency": "8"}, "concurrency"),
        ({"concurrency": 0}, "concurrency"),
        ({"window": 2.5}, "window"),
        ({"lookahead": True}, "lookahead"),
        ({"expected_count": -1}, "expected_count"),
    ],
)
def test_a_bad_size_names_its_argument(paddle: Paddle, options: dict[str, Any], field: str) -> None:
    """A size of the wrong type or too small is named, never a bare TypeError or ``*``."""
    with pytest.raises(ValidationError) as caught:
        paddle.customers.sync([], **options)
    assert [field] == [error.field for error in caught.value.field_errors]
    assert "must be a whole number of at least" in caught.value.field_errors[0].message


async def test_a_long_stream_switches_to_a_scan_once_lookups_cost_as_much(
    paddle: Paddle, fake: FakePaddle
) -> None:
    """A stream of unknown length looks like a few lookups from its first window; once the
    lookups have cost as much as a scan, the sync scans instead, so finding customers costs
    at most about twice the cheaper way (here 10 scan pages, against 50 lookups)."""
    fake.seed(2000)
    records = mixed_records(2000, 8000)

    def stream() -> Iterator[dict[str, Any]]:
        yield from records  # a generator: its length is unknown to the sync

    summary = await paddle.customers.sync(stream(), window=500, lookahead=500, dry_run=True)
    scan_pages, window_lookups = 10, math.ceil(500 / 200)
    assert summary.plan is not None
    assert SyncStrategy.SCAN == summary.plan.strategy
    assert "cost as much as a scan" in summary.plan.reason
    assert summary.requests.lookups <= 1 + 2 * scan_pages + window_lookups
    assert (8000, 1000, 1000) == (summary.created, summary.updated, summary.unchanged)
    assert summary.requests.lookups == sent(fake)["GET"]
