"""What the simulator is asked for (`SimConfig`) and what it returns (`Dataset`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class SimConfig:
    """What to simulate. `as_of` is an aware instant; everything derives from it and `seed`."""

    as_of: datetime
    seed: int = 42
    leads: int = 150
    days_back: int = 90
    days_forward: int = 30
    scale: int = 1
    # The CRM gained its agreementDate and partnerListSentDate columns this many days before
    # as_of: earlier agreements and lists out have them empty, known only from their status
    # changes (contract §4's backfill). 0: the columns were always there.
    date_columns_days: int = 60


@dataclass
class Dataset:
    """Rows per source table (keys of `tables.COLUMNS`), values in DDL column order."""

    as_of: datetime  # naive UTC, millisecond precision
    tables: dict[str, list[tuple]] = field(default_factory=dict)

    def row_count(self) -> int:
        return sum(len(rows) for rows in self.tables.values())
