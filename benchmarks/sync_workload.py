"""W6: ``paddle.customers.sync(records)`` against FakePaddle holding existing customers.

The fake is seeded with ``existing`` customers (``customer{i}@example.com``, named
``Customer {i}``, as `FakePaddle.seed` makes them). The records are, in this order: the first
half of the existing customers unchanged, the second half renamed, then new customers, so that
``n`` records hold ``n - existing`` creates and ``existing // 2`` updates. The harness counts
the requests the fake received; the optimum is what the cheapest plan needs: reading every
existing customer once (pages of 200), plus one request per create and per update.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["build_records", "optimum", "run_sync_workload"]

PAGE = 200


def mix(n: int, existing: int) -> tuple[int, int, int]:
    """Return (unchanged, changed, new) record counts."""
    unchanged = existing - existing // 2
    return unchanged, existing // 2, n - existing


def optimum(n: int, existing: int) -> int:
    """Return the planner's optimum for this mix: ``min(S, L) + C + U``.

    ``S`` scans every existing customer (pages of 200), ``L`` looks the ``n`` e-mails up 200 to
    a request (these short addresses all fit the URL budget), ``C`` and ``U`` are the creates
    and updates the mix needs.
    """
    _, changed, new = mix(n, existing)
    scan = -(-existing // PAGE)
    lookup = -(-n // PAGE)
    return min(scan, lookup) + changed + new


def build_records(n: int, existing: int) -> list[Any]:
    """Return the records to sync: unchanged, then changed, then new customers."""
    from paddle_async.customers import SyncRecord

    unchanged, changed, _ = mix(n, existing)
    records = [
        SyncRecord(email=f"customer{i}@example.com", name=f"Customer {i}") for i in range(unchanged)
    ]
    records += [
        SyncRecord(email=f"customer{i}@example.com", name=f"Customer {i} (renamed)")
        for i in range(unchanged, unchanged + changed)
    ]
    records += [
        SyncRecord(email=f"new{i}@example.com", name=f"New customer {i}")
        for i in range(n - existing)
    ]
    return records


async def run_sync_workload(spec: Any, meter: Callable[[], Any]) -> dict[str, Any]:
    """Sync ``spec.n`` records against ``spec.existing`` customers; return the measurements."""
    from benchmarks._data import API_KEY
    from paddle_async import Paddle

    records = build_records(spec.n, spec.existing)
    async with Paddle(API_KEY, base_url=spec.base_url, rate_limit=None) as paddle:
        with meter() as measured:
            summary = await paddle.customers.sync(records, concurrency=32)
    unchanged, changed, new = mix(spec.n, spec.existing)
    expected = (summary.created, summary.updated, summary.unchanged, summary.failed)
    if expected != (new, changed, unchanged, 0):
        raise RuntimeError(f"W6 sync outcome differs from the mix: {summary}")
    return measured.result(  # type: ignore[no-any-return]
        ops=spec.n,
        requests=0,  # the harness counts them at the server
        unchanged=unchanged,
        changed=changed,
        new=new,
        optimum=optimum(spec.n, spec.existing),
        sync_requests=summary.requests.total,
        strategy=str(summary.plan.strategy) if summary.plan else None,
    )
