"""What a bulk sync takes and gives: `SyncRecord`, `SyncResult`, `SyncSummary`, `SyncProgress`.

A record names only the fields it wants to hold: fields left at `UNSET` are neither compared nor
written, so a record with just an e-mail never changes an existing customer. The customer's
e-mail is the key a record is matched by; it is compared exactly as given (Paddle does not
document whether e-mails are case-sensitive, so nothing is normalised).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from typing import Any

import attrs

from .. import _validation as rules
from .._convert import LOCAL, unstructure
from .._types import UNSET, Unset
from .._validation import Request, declare, plain_dict
from ..errors import PaddleError, ValidationError
from ._models import Customer, CustomerStatus
from ._requests import LOCALE, NAME, STATUS, CreateCustomer

__all__ = [
    "SyncOutcome",
    "SyncPlan",
    "SyncProgress",
    "SyncRecord",
    "SyncRequests",
    "SyncResult",
    "SyncStrategy",
    "SyncSummary",
    "changes_for",
    "create_request",
]

# Read-only columns of an exported customer: accepted in input and ignored.
IGNORED_KEYS = frozenset(
    {"id", "created_at", "updated_at", "marketing_consent", "import_meta", "error", "source_row"}
)


class SyncOutcome(enum.StrEnum):
    """What a sync did (or, in a dry run, would do) for one record."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    DUPLICATE = "duplicate"
    """A later record with an e-mail seen earlier in the same input; it is not applied."""


class SyncStrategy(enum.StrEnum):
    """How a sync finds the customers that already exist."""

    SCAN = "scan"
    """Read every customer (active and archived) once, 200 per request."""
    LOOKUP = "lookup"
    """Look the input's e-mails up in batches with the ``email`` filter."""


@attrs.frozen(kw_only=True)
class SyncRecord(Request):
    """One customer as it should be after a sync, matched to Paddle's customers by e-mail.

    Args:
        email: The customer's e-mail address (the match key; required).
        name: The name, None for no name, or UNSET (the default) to leave it as it is.
        locale: The locale, or UNSET to leave it (a new customer then gets Paddle's ``en``).
        custom_data: A JSON object (it replaces the stored one), None to clear, or UNSET.
        status: ``active`` or ``archived``, or UNSET to leave it: an archived customer stays
            archived unless the record asks for ``active``.
        ref: Anything of yours (a row number, a database id) carried to the result untouched;
            never sent to Paddle.

    Raises:
        ValidationError: Naming each bad field.
    """

    # The same rules as `UpdateCustomer`'s fields: a record's given fields become an update.
    email: str = attrs.field(metadata=declare(rules.email))
    name: str | Unset | None = attrs.field(default=UNSET, metadata=declare(NAME, null=True))
    locale: str | Unset = attrs.field(default=UNSET, metadata=declare(LOCALE))
    custom_data: Mapping[str, Any] | Unset | None = attrs.field(
        default=UNSET, converter=plain_dict, metadata=declare(rules.custom_data, null=True)
    )
    status: CustomerStatus | str | Unset = attrs.field(default=UNSET, metadata=declare(STATUS))
    ref: Any = attrs.field(default=None, eq=False, metadata=declare(local=True))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, ref: Any = None) -> SyncRecord:
        """Build a record from a dict such as a JSON line; absent keys mean UNSET.

        Args:
            data: ``email`` and any of ``name``, ``locale``, ``custom_data``, ``status``;
                read-only keys of an exported customer (``id``, ``created_at``, ...) are ignored.
            ref: Carried to the result.

        Returns:
            The record.

        Raises:
            ValidationError: An unknown key, a missing e-mail or a bad value.
        """
        unknown = sorted(str(key) for key in data if key not in _FIELDS and key not in IGNORED_KEYS)
        if unknown:
            raise ValidationError.single(
                unknown[0], f"unknown field (expected some of {', '.join(_FIELDS)})"
            )
        if "email" not in data:
            raise ValidationError.single("email", "is required")
        values = {key: data[key] for key in _FIELDS if key in data}
        return cls(**values, ref=ref)

    @classmethod
    def coerce(cls, item: object) -> SyncRecord:
        """Return ``item`` as a record: a `SyncRecord`, a `CreateCustomer` or a mapping.

        A `CreateCustomer`'s None fields mean "not given", as they do in a create.

        Raises:
            ValidationError: ``item`` is none of these, or holds bad values.
        """
        if isinstance(item, SyncRecord):
            return item
        if isinstance(item, CreateCustomer):
            return cls(
                email=item.email,
                name=UNSET if item.name is None else item.name,
                locale=UNSET if item.locale is None else item.locale,
                custom_data=UNSET if item.custom_data is None else item.custom_data,
            )
        if isinstance(item, Mapping):
            return cls.from_mapping(item)
        raise ValidationError.single(
            "*", f"a record must be a SyncRecord, CreateCustomer or dict, got {type(item).__name__}"
        )

    def given(self) -> dict[str, Any]:
        """Return the fields this record gives (e-mail included), as they would be sent.

        The same unstructuring as every request body: `UNSET` fields left out, None kept
        where the field may be cleared, a status as its string, ``ref`` never.
        """
        return unstructure(self)


# What a record's input may name: its fields that are sent.
_FIELDS = tuple(field.name for field in attrs.fields(SyncRecord) if not field.metadata.get(LOCAL))


def _canonical(value: Any) -> str:
    # JSON text tells apart what Python's == does not: True vs 1, 1 vs 1.0.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def changes_for(record: SyncRecord, customer: Customer) -> dict[str, Any]:
    """Return the fields ``record`` gives whose values differ from ``customer``'s.

    Returns:
        Field name to new value; empty when the customer already holds every given value.
    """
    changes: dict[str, Any] = {}
    for field, value in record.given().items():
        current = getattr(customer, field)
        if field == "custom_data":
            differs = _canonical(value) != _canonical(current)
        else:  # a status as its string against a member or a newer string: str() of both
            differs = value != (current if current is None else str(current))
        if differs and field != "email":
            changes[field] = value
    return changes


def create_request(record: SyncRecord) -> CreateCustomer:
    """Return the create for a new customer (status cannot be set on create)."""
    return CreateCustomer(
        email=record.email,
        name=None if record.name is UNSET else record.name,
        locale=None if record.locale is UNSET else record.locale,
        custom_data=None if record.custom_data is UNSET else record.custom_data,
    )


@attrs.frozen(kw_only=True)
class SyncResult:
    """The outcome for one input record.

    Attributes:
        index: The record's position in the input, from 0.
        outcome: What was done (in a dry run: what would be done).
        email: The record's e-mail, or None when the item was not a valid record.
        record: The record, or None when the item was not a valid record.
        customer: The customer after the sync: created, updated or found unchanged; in a dry
            run the existing customer (None for a would-be create); None when it failed early.
        changes: The fields written (or, in a dry run, that would be written).
        error: Why it failed: a typed `PaddleError` (`ValidationError` for a bad record).
        duplicate_of: For a duplicate, the index of the record that first had this e-mail.
    """

    index: int
    outcome: SyncOutcome
    email: str | None = None
    record: SyncRecord | None = None
    customer: Customer | None = None
    changes: tuple[str, ...] = ()
    error: PaddleError | None = None
    duplicate_of: int | None = None

    @property
    def ref(self) -> Any:
        """The record's `SyncRecord.ref`, or None."""
        return None if self.record is None else self.record.ref


@attrs.define(kw_only=True)
class SyncRequests:
    """Requests a sync sent, by kind, and in a dry run the writes it would send.

    These are the sync's own requests, each counted once: the client's retries of a request,
    and the check a create makes itself after an unknown outcome, are not counted.

    Attributes:
        lookups: List pages: the scan, batched e-mail lookups and searches.
        gets: Single-customer reads (after a create conflict).
        creates: ``POST /customers`` (in a dry run: creates it would send, not sent).
        updates: ``PATCH /customers/{id}`` (in a dry run: updates it would send, not sent).
    """

    lookups: int = 0
    gets: int = 0
    creates: int = 0
    updates: int = 0

    @property
    def total(self) -> int:
        """All requests: sent, and in a dry run the writes it would send
        (`SyncSummary.requests_sent` is what a dry run actually sent)."""
        return self.lookups + self.gets + self.creates + self.updates

    @property
    def writes(self) -> int:
        """Creates and updates."""
        return self.creates + self.updates

    def copy(self) -> SyncRequests:
        """Return a snapshot."""
        return attrs.evolve(self)


@attrs.frozen(kw_only=True)
class SyncPlan:
    """How a sync chose to find existing customers, and what each way would cost.

    Attributes:
        strategy: `SyncStrategy.SCAN` or `SyncStrategy.LOOKUP`.
        records: Input records, when known (a sized input, ``expected_count``, or a short
            stream); None for a stream longer than the look-ahead.
        existing: Customers in the account per the first scan page's ``estimated_total``;
            None when not asked or not counted (-1, or 100001 meaning over 100,000).
        scan_requests: Pages a whole scan takes, when ``existing`` is known.
        lookup_requests: Estimated lookup requests for the whole input (a lower bound when
            ``records`` is None).
        probe_requests: Scan pages read while deciding (part of a scan, or spent on a lookup).
        reason: The decision in words.
    """

    strategy: SyncStrategy
    records: int | None
    existing: int | None
    scan_requests: int | None
    lookup_requests: int
    probe_requests: int
    reason: str


@attrs.frozen(kw_only=True)
class SyncProgress:
    """A progress report, passed to ``on_progress``.

    Attributes:
        phase: ``"scan"`` while reading all customers (``done``/``total`` count pages), then
            ``"sync"`` (``done``/``total`` count records).
        done: Pages read, or records finished.
        total: Pages or records in all, when known.
        elapsed: Seconds since this phase started.
        rate: Pages or records per second in this phase.
        eta: Estimated seconds left in this phase, when ``total`` is known.
        requests: Requests sent so far.
    """

    phase: str
    done: int
    total: int | None
    elapsed: float
    rate: float
    eta: float | None
    requests: int


@attrs.frozen(kw_only=True)
class SyncSummary:
    """Counts for a whole sync; ``created + updated + unchanged + failed + duplicates`` is
    always ``records``, the records that got a result.

    Attributes:
        records: Records with a result.
        created: Customers created.
        updated: Customers updated.
        unchanged: Records whose customer already held every given value (no write).
        failed: Records that failed (each result carries its error).
        duplicates: Records whose e-mail appeared earlier in the input.
        requests: Requests by kind. ``requests.total`` is everything the sync sent, or in a
            dry run everything the real sync would send: the reads it sent and the writes
            it would send (`requests_sent` counts only what was sent).
        plan: The strategy chosen and its costs, or None before planning.
        elapsed: Seconds from the first result asked for to now (or to the end).
        dry_run: Whether writes were only counted, not sent.
    """

    records: int
    created: int
    updated: int
    unchanged: int
    failed: int
    duplicates: int
    requests: SyncRequests
    plan: SyncPlan | None
    elapsed: float
    dry_run: bool

    @property
    def requests_sent(self) -> int:
        """Requests sent (in a dry run, reads only)."""
        return (
            self.requests.lookups
            + self.requests.gets
            + (0 if self.dry_run else self.requests.writes)
        )
