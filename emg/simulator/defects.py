"""Bad rows for the staging layer to catch (contract §8), injected after the clean data.

`inject(dataset, n, seed)` adds n defects of each kind in `KINDS`, spread over the tables
each kind can hit, and returns a manifest of what it added. Apart from exact duplicates,
every defect is a new row derived from a clean one, and is marked: its free-text column
(`ActivityLog.notes`, `PipelineItem.name`, `User.name`, `Sublist.name`) starts with
`BAD:<kind>`, a bad sale's `sale_id` starts with `BAD:<kind>:`. An exact duplicate carries
no mark (it would not be exact); find it by its repeated id, or in the manifest.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from emg.simulator.clock import days, ms
from emg.simulator.dataset import Dataset
from emg.simulator.ids import IdMaker
from emg.simulator.tables import index

log = logging.getLogger(__name__)

KINDS = (
    "duplicate",
    "orphan",
    "unknown_enum",
    "null_required",
    "future_timestamp",
    "negative_value",
)

USER, ITEM, LOG = index("User"), index("PipelineItem"), index("ActivityLog")
SUBLIST, SALE = index("Sublist"), index("sales")
_TEXT = {"User": USER["name"], "PipelineItem": ITEM["name"], "Sublist": SUBLIST["name"]}


@dataclass(frozen=True)
class Defect:
    """One injected row: its table, its id (the sale_id for sales; None if nulled), kind."""

    table: str
    id: str | None
    kind: str
    detail: str


def _fresh_id(injector: _Injector, row: list) -> str:
    return injector.new_id()


def _later(column: int) -> Callable[[_Injector, list], object]:
    def shifted(injector: _Injector, row: list):
        return row[column] + days(injector.rng, 1, 10)

    return shifted


def _after_as_of(injector: _Injector, row: list):
    return (injector.now + days(injector.rng, 1, 20)).replace(tzinfo=UTC)


def _negative_size(injector: _Injector, row: list) -> int:
    return -injector.rng.randint(1, 20)


def _negative_amount(injector: _Injector, row: list) -> Decimal:
    return -Decimal(injector.rng.randint(100, 90_000)).scaleb(-2)


@dataclass(frozen=True)
class _Variant:
    """A way to make one defect: derive a row from `pools` and apply `changes`, or `make`."""

    table: str
    detail: str
    pools: tuple[str, ...] = ()
    changes: dict = field(default_factory=dict)
    make: str | None = None  # the name of an _Injector method for the special cases


_V = _Variant
VARIANTS: dict[str, tuple[_Variant, ...]] = {
    "duplicate": (
        _V("User", "exact copy", make="exact"),
        _V("PipelineItem", "exact copy", make="exact"),
        _V("ActivityLog", "exact copy", make="exact"),
        _V("Sublist", "exact copy", make="exact"),
        _V("PipelineItem", "stale version", ("stale_item",), make="stale"),
        _V("ActivityLog", "stale version", ("stale_log",), make="stale"),
        _V("User", "stale version", ("stale_user",), make="stale"),
    ),
    "orphan": (
        _V("ActivityLog", "pipelineItemId", ("ActivityLog",), {"pipelineItemId": _fresh_id}),
        _V("ActivityLog", "userId", ("ActivityLog",), {"userId": _fresh_id}),
        _V("PipelineItem", "assignedToId", ("lead",), {"assignedToId": _fresh_id}),
        _V("Sublist", "parentItemId", ("Sublist",), {"parentItemId": _fresh_id}),
        _V("sales", "pipeline_item_id", ("sales",), {"pipeline_item_id": _fresh_id}),
    ),
    "unknown_enum": (
        _V("PipelineItem", "status ON_HOLD", ("lead",), {"status": "ON_HOLD"}),
        _V("ActivityLog", "type SMS", ("email", "ActivityLog"), {"type": "SMS"}),
        _V(
            "ActivityLog",
            "outcome VOICEMAIL",
            ("done_call", "ActivityLog"),
            {"outcome": "VOICEMAIL", "completedDate": None},
        ),
        _V("User", "role INTERN", ("bdr", "User"), {"role": "INTERN"}),
        _V("KpiTarget", "metric DEMOS_BOOKED", ("KpiTarget",), {"metric": "DEMOS_BOOKED"}),
        _V("sales", "currency of spaces", ("sales",), {"currency": "   "}),
        _V("sales", "currency XXX", ("sales",), {"currency": "XXX"}),
    ),
    "null_required": (
        _V("ActivityLog", "id", ("ActivityLog",), {"id": None}),
        _V("ActivityLog", "type", ("ActivityLog",), {"type": None}),
        _V("ActivityLog", "userId", ("ActivityLog",), {"userId": None}),
        _V("ActivityLog", "createdAt", ("ActivityLog",), {"createdAt": None}),
        _V(
            "ActivityLog",
            "createdAt of a status change, completedDate empty too",
            ("status_change", "ActivityLog"),
            {"createdAt": None, "completedDate": None},
        ),
        _V("PipelineItem", "status", ("lead",), {"status": None}),
        _V("PipelineItem", "createdAt", ("lead",), {"createdAt": None}),
        _V("User", "role", ("bdr", "User"), {"role": None}),
        _V("sales", "amount", ("sales",), {"amount": None}),
        _V("sales", "sold_at", ("sales",), {"sold_at": None}),
    ),
    "future_timestamp": (
        _V(
            "ActivityLog",
            "completedDate after updatedAt",
            ("done_call", "ActivityLog"),
            {"completedDate": _later(LOG["updatedAt"])},
        ),
        _V(
            "PipelineItem",
            "agreementDate after updatedAt",
            ("agreed", "lead"),
            {"agreementDate": _later(ITEM["updatedAt"])},
        ),
        _V(
            "PipelineItem",
            "partnerListSentDate after updatedAt",
            ("sent", "lead"),
            {"partnerListSentDate": _later(ITEM["updatedAt"])},
        ),
        _V(
            "PipelineItem",
            "partnerListDueDate in the year 9999",
            ("agreed", "lead"),
            {"partnerListDueDate": datetime(9999, 12, 31)},
        ),
        _V("sales", "sold_at after as_of", ("sales",), {"sold_at": _after_as_of}),
    ),
    "negative_value": (
        _V("PipelineItem", "partnerListSize", ("sent",), {"partnerListSize": _negative_size}),
        _V(
            "PipelineItem",
            "totalSalesFromList",
            ("sent", "lead"),
            {"totalSalesFromList": _negative_size},
        ),
        _V("sales", "amount", ("sales",), {"amount": _negative_amount}),
    ),
}


class _Injector:
    def __init__(self, dataset: Dataset, seed: int) -> None:
        self.rng = random.Random(f"defects:{seed}")
        self.new_id = IdMaker(self.rng)
        self.tables = dataset.tables
        self.now = dataset.as_of
        self.sale_number = 0
        items, logs = dataset.tables["PipelineItem"], dataset.tables["ActivityLog"]
        leads = [row for row in items if row[ITEM["sublistId"]] is None]
        self.pools = {
            "User": list(dataset.tables["User"]),
            "PipelineItem": list(items),
            "ActivityLog": list(logs),
            "Sublist": list(dataset.tables["Sublist"]),
            "KpiTarget": list(dataset.tables["KpiTarget"]),
            "sales": list(dataset.tables["sales"]),
            "lead": leads,
            "agreed": [row for row in leads if row[ITEM["agreementDate"]] is not None],
            "sent": [row for row in leads if row[ITEM["partnerListSentDate"]] is not None],
            "bdr": [row for row in dataset.tables["User"] if row[USER["role"]] == "BDR"],
            "email": [row for row in logs if row[LOG["type"]] == "EMAIL"],
            "status_change": [row for row in logs if row[LOG["type"]] == "STATUS_CHANGE"],
            "done_call": [
                row
                for row in logs
                if row[LOG["type"]] == "CALL" and row[LOG["completedDate"]] is not None
            ],
            # rows whose older version would still be consistent: only updatedAt moves back
            "stale_user": [
                row
                for row in dataset.tables["User"]
                if row[USER["updatedAt"]] > row[USER["createdAt"]]
            ],
            "stale_item": [
                row
                for row in items
                if row[ITEM["updatedAt"]] > row[ITEM["createdAt"]]
                and row[ITEM["agreementDate"]] is None
                and row[ITEM["partnerListSentDate"]] is None
                and row[ITEM["firstSaleDate"]] is None
                and row[ITEM["deletedAt"]] is None
            ],
            "stale_log": [
                row
                for row in logs
                if row[LOG["updatedAt"]] > row[LOG["createdAt"]]
                and row[LOG["completedDate"]] is None
            ],
        }

    def can(self, variant: _Variant) -> bool:
        return any(self.pools.get(name) for name in (*variant.pools, variant.table))

    def pick(self, *pools: str) -> list:
        """A copy (as a list) of a random row from the first non-empty pool named."""
        for name in pools:
            if self.pools.get(name):
                return list(self.rng.choice(self.pools[name]))
        raise ValueError(f"no rows to derive a defect from in {pools}")

    def add(self, table: str, row: list, kind: str, detail: str, marked: bool = True) -> Defect:
        if marked and table == "ActivityLog":
            row[LOG["notes"]] = f"BAD:{kind} {detail}"
        elif marked and table in _TEXT:
            row[_TEXT[table]] = f"BAD:{kind} {detail}: {row[_TEXT[table]]}"
        elif marked and table == "sales":
            self.sale_number += 1
            row[SALE["sale_id"]] = f"BAD:{kind}:{self.sale_number:04d}"
        self.tables[table].append(tuple(row))
        return Defect(table, row[0], kind, detail)

    # --- duplicates -----------------------------------------------------------------------

    def exact(self, variant: _Variant) -> Defect:
        row = self.pick(variant.table)
        return self.add(variant.table, row, "duplicate", variant.detail, marked=False)

    def stale(self, variant: _Variant) -> Defect:
        """The same id with an older updatedAt and one field (the text) different."""
        table = variant.table
        row = self.pick(*variant.pools, table)
        columns = index(table)
        created, updated = row[columns["createdAt"]], row[columns["updatedAt"]]
        span = int((updated - created).total_seconds() * 1000)
        row[columns["updatedAt"]] = created + ms(span // 2) if span > 1 else updated - ms(1000)
        return self.add(table, row, "duplicate", variant.detail)

    def derive(self, kind: str, variant: _Variant) -> Defect:
        """A fresh row (a new id, but a sale keeps its marked id) derived from a clean one."""
        if variant.make:
            return getattr(self, variant.make)(variant)
        row = self.pick(*variant.pools, variant.table)
        if variant.table != "sales":
            row[0] = self.new_id()
        columns = index(variant.table)
        for column, value in variant.changes.items():
            row[columns[column]] = value(self, row) if callable(value) else value
        return self.add(variant.table, row, kind, variant.detail)


def inject(dataset: Dataset, count: int, seed: int, with_sales: bool = True) -> list[Defect]:
    """Append `count` defects of each kind to `dataset` (in place); the manifest of them."""
    if count <= 0:
        return []
    injector = _Injector(dataset, seed)
    with_sales = with_sales and bool(dataset.tables["sales"])
    manifest = []
    for kind in KINDS:
        options = [
            variant
            for variant in VARIANTS[kind]
            if (with_sales or variant.table != "sales") and injector.can(variant)
        ]
        for number in range(count if options else 0):
            manifest.append(injector.derive(kind, options[number % len(options)]))
    log.info("injected defects: %s", describe(manifest))
    return manifest


def summarize(manifest: list[Defect]) -> dict[str, dict[str, int]]:
    """Defects per kind, then per table."""
    counts = Counter((defect.kind, defect.table) for defect in manifest)
    summary: dict[str, dict[str, int]] = {}
    for (kind, table), number in sorted(counts.items()):
        summary.setdefault(kind, {})[table] = number
    return {kind: summary[kind] for kind in KINDS if kind in summary}


def describe(manifest: list[Defect]) -> str:
    """One line: 'duplicate 4 (User 2, Sublist 1, ...); orphan 4 (...)'."""
    parts = []
    for kind, tables in summarize(manifest).items():
        detail = ", ".join(f"{table} {number}" for table, number in tables.items())
        parts.append(f"{kind} {sum(tables.values())} ({detail})")
    return "; ".join(parts)
