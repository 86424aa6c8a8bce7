"""The generator's state: one RNG, the staff, the rows written so far, and each lead's own.

`World` also writes the rows every stage of a lead's life writes (an activity log, a call,
a status change); the stages themselves are `leads`, `calls`, `lists` and `targets`.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from emg.simulator.clock import minutes, to_naive_utc
from emg.simulator.dataset import SimConfig
from emg.simulator.ids import IdMaker
from emg.simulator.people import Bdr, Staff, make_staff


class Lead:
    """A lead's mutable state while its timeline is played out."""

    __slots__ = (
        "id",
        "name",
        "category",
        "bdr",
        "created",
        "stop",
        "deleted",
        "status",
        "updated",
        "call_date",
        "agreement",
        "due",
        "sent",
        "first_sale",
        "total",
        "list_size",
    )

    def __init__(self, lead_id: str, name: str, category: str, bdr: Bdr, created: datetime):
        self.id, self.name, self.category, self.bdr = lead_id, name, category, bdr
        self.created = self.updated = created
        self.status = "LEAD"
        self.stop: datetime = created  # no activity after this (as_of, the BDR left, deleted)
        self.deleted = self.call_date = self.agreement = self.due = self.sent = None
        self.first_sale = self.total = self.list_size = None

    def touch(self, at: datetime) -> None:
        if at > self.updated:
            self.updated = at

    def row(self, date_columns_since: datetime) -> tuple:
        """The PipelineItem row; an agreement or list out before the CRM had its date column
        (`date_columns_since`) leaves that column empty."""
        agreement = self.agreement if _since(self.agreement, date_columns_since) else None
        sent = self.sent if _since(self.sent, date_columns_since) else None
        return (
            self.id,
            self.name,
            self.category,
            self.status,
            self.bdr.id,
            None,
            self.call_date,
            agreement,
            self.due,
            sent,
            self.first_sale,
            self.list_size,
            self.total,
            self.created,
            self.updated,
            self.deleted,
        )


def _since(moment: datetime | None, since: datetime) -> bool:
    return moment is not None and moment >= since


class World:
    """The generator's state: one RNG, the staff, and the rows written so far."""

    def __init__(self, config: SimConfig) -> None:
        self.rng = random.Random(config.seed)
        self.new_id = IdMaker(self.rng)
        self.now = to_naive_utc(config.as_of)
        self.start = self.now - timedelta(days=config.days_back)
        self.horizon = self.now + timedelta(days=config.days_forward)
        self.date_columns_since = self.now - timedelta(days=config.date_columns_days)
        self.staff: Staff = make_staff(self.rng, self.new_id, self.start, self.now, config.scale)
        self.contacts: list[tuple] = []
        self.logs: list[tuple] = []
        self.sublists: list[tuple] = []
        self.sales: list[tuple] = []  # (item id, sold at, amount, currency)
        self.agreed: list[tuple[Lead, datetime | None]] = []  # and when its list goes out
        self.bdr_cum: list[float] = []
        total = 0.0
        for bdr in self.staff.bdrs:
            total += bdr.lead_weight
            self.bdr_cum.append(total)

    def log(self, item_id, user_id, kind, at, notes=None, completed=None) -> None:
        row = (self.new_id(), item_id, user_id, kind, None, completed, None, None, None, notes)
        self.logs.append((*row, at, at))

    def call_row(self, lead, booked, slot, completed, outcome, updated, notes=None) -> None:
        self.logs.append(
            (
                self.new_id(),
                lead.id,
                lead.bdr.id,
                "CALL",
                slot,
                completed,
                outcome,
                None,
                None,
                notes,
                booked,
                updated,
            )
        )

    def move(self, lead: Lead, to_status: str, at: datetime) -> None:
        """A STATUS_CHANGE log and the lead's new status; some logs leave completedDate null."""
        completed = at if self.rng.random() < 0.85 else None
        self.logs.append(
            (
                self.new_id(),
                lead.id,
                lead.bdr.id,
                "STATUS_CHANGE",
                None,
                completed,
                None,
                lead.status,
                to_status,
                None,
                at,
                at,
            )
        )
        lead.status = to_status
        lead.touch(at)

    def lose(self, lead: Lead, after: datetime) -> None:
        at = after + minutes(self.rng, 1, 20)
        if at <= lead.stop:
            self.move(lead, "LOST", at)

    @property
    def staff_units(self) -> int:
        return max(1, len(self.staff.bdrs) // 6)
