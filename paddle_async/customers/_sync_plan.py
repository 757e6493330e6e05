"""The sync planner's arithmetic: e-mail lookup batches and the scan-or-lookup decision.

Pure functions, no I/O: `_sync` feeds them what it has read so far.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from urllib.parse import quote

from .._validation import MAX_PER_PAGE, fits_filter

__all__ = [
    "COUNT_CAP",
    "EMAIL_QUERY_BUDGET",
    "MAX_SCAN_CUSTOMERS",
    "PAGE_SIZE",
    "Decision",
    "batch_emails",
    "decide",
    "existing_count",
    "lookup_cost",
]

PAGE_SIZE = MAX_PER_PAGE
"""Paddle's largest page: the most customers (and so e-mails) one list request returns."""
EMAIL_QUERY_BUDGET = 7000
"""Characters of the percent-encoded ``email=`` value per request. Request lines beyond about
8 KB are refused by common servers and proxies (aiohttp's limit is 8,190 bytes)."""
COUNT_CAP = 100_000
"""``estimated_total`` is exact up to this; Paddle reports 100001 beyond it."""
MAX_SCAN_CUSTOMERS = 100_000
"""A scan keeps every customer it reads in memory; auto mode scans no further than this."""


def _encoded_length(email: str) -> int:
    # As `encode_query` sends it: `@` and `+` percent-encoded, commas kept.
    return len(quote(email, safe=",[]"))


def batch_emails(
    emails: Iterable[str], *, per_request: int = PAGE_SIZE, budget: int = EMAIL_QUERY_BUDGET
) -> list[list[str]]:
    """Group filterable e-mails into as few lookup requests as fit.

    Each batch holds at most ``per_request`` e-mails (one page of matches, as every e-mail
    matches at most one customer) and at most ``budget`` encoded characters.

    Args:
        emails: Distinct e-mails that fit the filter (`_validation.fits_filter`).
        per_request: E-mails per request.
        budget: Encoded characters per request.

    Returns:
        The batches, in input order.
    """
    batches: list[list[str]] = []
    current: list[str] = []
    used = 0
    for email in emails:
        size = _encoded_length(email) + (1 if current else 0)
        if current and (len(current) >= per_request or used + size > budget):
            batches.append(current)
            current, used = [], 0
            size -= 1
        current.append(email)
        used += size
    if current:
        batches.append(current)
    return batches


def lookup_cost(emails: Iterable[str]) -> int:
    """Return the requests that looking up these distinct e-mails takes.

    Filterable e-mails go in batches; each other one (over 100 characters, or with a comma)
    takes one search request.
    """
    short: list[str] = []
    searches = 0
    for email in emails:
        if fits_filter(email):
            short.append(email)
        else:
            searches += 1
    return len(batch_emails(short)) + searches


def existing_count(estimated_total: int | None) -> int | None:
    """Return the exact customer count from ``estimated_total``, or None when not exact.

    None for a missing value, -1 (not counted), or 100001 (over 100,000).
    """
    if estimated_total is None or not 0 <= estimated_total <= COUNT_CAP:
        return None
    return estimated_total


class Decision(enum.Enum):
    """What the planner does next."""

    SCAN = "scan"
    """Finish the scan and use it."""
    LOOKUP = "lookup"
    """Stop scanning; look the input's e-mails up."""
    READ_MORE = "read_more"
    """Read one more scan page and decide again."""


def decide(
    *,
    lookup_requests: int,
    estimated_total: int | None,
    pages_read: int,
    per_page: int,
    scan_done: bool,
) -> Decision:
    """Choose between finishing a started scan and looking e-mails up.

    Pages already read are spent either way, so the comparison is between the scan pages
    still to read and the lookup requests the input needs.

    Args:
        lookup_requests: Lookup requests the input needs (a lower bound for a long stream).
        estimated_total: ``estimated_total`` of the first scan page, as Paddle sent it.
        pages_read: Scan pages read so far (at least the first).
        per_page: The page size Paddle applied.
        scan_done: Whether the scan has read its last page.

    Returns:
        The next step.
    """
    if scan_done:
        return Decision.SCAN
    per_page = max(per_page, 1)
    existing = existing_count(estimated_total)
    if existing is not None:
        remaining = math.ceil(existing / per_page) - pages_read
        return Decision.SCAN if remaining <= lookup_requests else Decision.LOOKUP
    if pages_read * per_page >= MAX_SCAN_CUSTOMERS:
        return Decision.LOOKUP
    over_cap = estimated_total is not None and estimated_total > COUNT_CAP
    if over_cap and math.ceil((COUNT_CAP + 1) / per_page) - pages_read > lookup_requests:
        return Decision.LOOKUP  # over 100,000 customers: a scan takes at least 501 pages
    # Size unknown: keep scanning until the scan has cost what the lookups would (so the
    # total is at most twice the cheaper way), then switch.
    return Decision.READ_MORE if pages_read < lookup_requests else Decision.LOOKUP
