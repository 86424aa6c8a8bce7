"""Pure generation of the simulated CRM: a config in, rows per table out (no I/O, no clock).

Every lead is played out as a timeline (book a call, hold it, move stage, ...) in the order
the stages allow, so the data is consistent by construction: no agreement without a completed
call before it, no list before its agreement, contacts only under sent lists, sales only
after the list went out, and nothing after `as_of` but calls booked for the days ahead.
The one RNG is `random.Random(seed)`: the same config gives the same rows.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from emg.simulator.clock import (
    ONE_DAY,
    days,
    local_to_utc,
    minutes,
    ms,
    to_naive_utc,
    utc_to_local,
    working_moment,
)
from emg.simulator.ids import IdMaker
from emg.simulator.people import FIRST_NAMES, LAST_NAMES, Bdr, Staff, make_staff

CATEGORIES = (
    "Accountancy",
    "Legal",
    "IT Services",
    "Marketing",
    "Financial Advice",
    "Recruitment",
    "Property",
    "Healthcare",
)
_COMPANY_WORD_TEXT = """
Harbour Summit Beacon Oak Granite Meridian Northgate Riverside Kestrel Thistle Crown
Lighthouse Bridge Cedar Falcon Orchard Pennine Albion Cobalt Sterling Willow Ember Atlas
"""
_COMPANY_WORDS = tuple(_COMPANY_WORD_TEXT.split())
_COMPANY_KINDS = (
    "Partners",
    "Consulting",
    "Group",
    "Associates",
    "Analytics",
    "Advisory",
    "Solutions",
    "Holdings",
)
_COMPANY_FORMS = ("Ltd", "LLP", "& Co", "plc", "Ltd")


CONTACTS_PER_LEAD = 9.5  # the original seed: ~1,500 pipeline items for 150 leads


@dataclass(frozen=True)
class SimConfig:
    """What to simulate. `as_of` is an aware instant; everything derives from it and `seed`."""

    as_of: datetime
    seed: int = 42
    leads: int = 150
    days_back: int = 90
    days_forward: int = 30
    scale: int = 1


@dataclass
class Dataset:
    """Rows per source table (keys of `tables.COLUMNS`), values in DDL column order."""

    as_of: datetime  # naive UTC, millisecond precision
    tables: dict[str, list[tuple]] = field(default_factory=dict)

    def row_count(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


class _Lead:
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

    def row(self) -> tuple:
        return (
            self.id,
            self.name,
            self.category,
            self.status,
            self.bdr.id,
            None,
            self.call_date,
            self.agreement,
            self.due,
            self.sent,
            self.first_sale,
            self.list_size,
            self.total,
            self.created,
            self.updated,
            self.deleted,
        )


class _World:
    """The generator's state: one RNG, the staff, and the rows written so far."""

    def __init__(self, config: SimConfig) -> None:
        self.rng = random.Random(config.seed)
        self.new_id = IdMaker(self.rng)
        self.now = to_naive_utc(config.as_of)
        self.start = self.now - timedelta(days=config.days_back)
        self.horizon = self.now + timedelta(days=config.days_forward)
        self.staff: Staff = make_staff(self.rng, self.new_id, self.start, self.now, config.scale)
        self.contacts: list[tuple] = []
        self.logs: list[tuple] = []
        self.sublists: list[tuple] = []
        self.sales: list[tuple] = []  # (item id, sold at, amount, currency)
        self.agreed: list[tuple[_Lead, datetime | None]] = []  # and when its list goes out
        self.bdr_cum: list[float] = []
        total = 0.0
        for bdr in self.staff.bdrs:
            total += bdr.lead_weight
            self.bdr_cum.append(total)

    # --- rows ---------------------------------------------------------------------------

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

    def move(self, lead: _Lead, to_status: str, at: datetime) -> None:
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

    def lose(self, lead: _Lead, after: datetime) -> None:
        at = after + minutes(self.rng, 1, 20)
        if at <= lead.stop:
            self.move(lead, "LOST", at)

    # --- leads --------------------------------------------------------------------------

    def pick_bdr(self, created: datetime) -> Bdr:
        """A BDR employed when the lead came in, weighted by their share of new leads."""
        bdrs, rng = self.staff.bdrs, self.rng
        for _ in range(100):
            bdr = bdrs[bisect(self.bdr_cum, rng.random() * self.bdr_cum[-1])]
            if bdr.joined < created and (bdr.left is None or bdr.left > created + 3 * ONE_DAY):
                return bdr
        return next((b for b in bdrs if b.left is None and b.joined < created), bdrs[0])

    def make_leads(self, count: int) -> list[_Lead]:
        rng = self.rng
        latest = int((self.now - self.start).total_seconds() * 1000) - 1_800_000
        moments = []
        for _ in range(count):
            created = working_moment(rng, self.start + ms(rng.randrange(latest)))
            if created > self.now - timedelta(minutes=30):  # no working hours left: any time
                created = self.start + ms(rng.randrange(latest))
            moments.append(created)
        leads = []
        for created in sorted(moments):
            name = (
                f"{rng.choice(_COMPANY_WORDS)} {rng.choice(_COMPANY_KINDS)} "
                f"{rng.choice(_COMPANY_FORMS)}"
            )
            category, bdr = rng.choice(CATEGORIES), self.pick_bdr(created)
            lead = _Lead(self.new_id(), name, category, bdr, created)
            lead.stop = min(self.now, lead.bdr.left or self.now)
            if rng.random() < 0.08:  # soft-deleted later, with its activity kept
                deleted = working_moment(rng, created + days(rng, 3, 40))
                if deleted < lead.stop:
                    lead.deleted = lead.stop = deleted
                    lead.touch(deleted)
            leads.append(lead)
        return leads

    def simulate(self, lead: _Lead) -> None:
        """Play a lead's life out from its creation to its stop."""
        rng = self.rng
        if rng.random() < 0.5:
            lead_gen = rng.choice(self.staff.lead_gens)
            self.log(lead.id, lead_gen, "NOTE", lead.created, "Imported from the lead-gen sheet")
        if rng.random() < 0.07:  # never worked; some written off later
            if rng.random() < 0.5:
                self.lose(lead, working_moment(rng, lead.created + days(rng, 2, 20)))
            return
        booked = working_moment(rng, lead.created + minutes(rng, 10, 3 * 1440))
        if booked > lead.stop:
            return
        self.move(lead, "CALL_BOOKED", booked)
        self.work_lead(lead, booked)

    def slot(self, bdr: Bdr, after: datetime, low: int, high: int) -> datetime:
        """A call slot some days after `after`, on a weekday and hour this BDR favours."""
        rng = self.rng
        gap = max(1, round(rng.uniform(low, high) * bdr.gap_scale))
        day = utc_to_local(after).date() + timedelta(days=gap)
        while True:
            weekday = day.weekday()
            if weekday < 5 and rng.random() < bdr.weekday_accept[weekday]:
                break
            day += ONE_DAY
        minute = rng.choice((0, 15, 30, 45)) if rng.random() < 0.8 else rng.randrange(60)
        local = datetime(day.year, day.month, day.day, bdr.pick_hour(rng), minute)
        return local_to_utc(local)

    def call(self, lead: _Lead, booked: datetime, gap: tuple[int, int], until: datetime):
        """Book a call at `booked` and play it out; (what happened, when the BDR moves on)."""
        rng, bdr = self.rng, lead.bdr
        if booked > until:
            return "ended", booked
        slot = self.slot(bdr, booked, *gap)
        if slot > until:
            if until == lead.stop < self.now:  # the BDR left or the lead was deleted
                self.call_row(lead, booked, slot, None, "CANCELLED", until)
                lead.call_date = slot
                lead.touch(booked)
                return "ended", until
            if until == self.now and slot <= self.horizon:
                self.call_row(lead, booked, slot, None, None, booked)
                lead.call_date = slot
                lead.touch(booked)
                return "upcoming", booked
            return "ended", booked
        lead.call_date = slot
        lead.touch(booked)
        draw = rng.random()
        if draw < bdr.show_rate:
            done = slot + minutes(rng, 4, 40)
            if done > self.now:  # still on the phone at as_of: not logged yet
                self.call_row(lead, booked, slot, None, None, booked)
                return "ended", booked
            outcome = "COMPLETED" if rng.random() < 0.9 else None
            updated = min(done + minutes(rng, 0, 3), self.now)
            self.call_row(lead, booked, slot, done, outcome, updated)
            return "completed", done
        draw -= bdr.show_rate
        if draw < 0.08:
            logged = min(slot + minutes(rng, 5, 45), self.now)
            completed = logged if rng.random() < 0.5 else None
            self.call_row(lead, booked, slot, completed, "NO_SHOW", logged)
            return "no_show", logged
        if draw < 0.17:
            span = int((slot - booked).total_seconds() * 1000)
            ahead = min(span - 1, rng.randrange(3_600_000, 2 * 86_400_000))
            changed = slot - ms(max(1, ahead))
            outcome = "CANCELLED" if draw < 0.125 else "RESCHEDULED"
            self.call_row(lead, booked, slot, None, outcome, changed)
            return outcome.lower(), changed
        self.call_row(lead, booked, slot, None, None, booked)  # missed: never logged
        return "missed", slot + minutes(rng, 60, 3 * 1440)

    def extras(self, lead: _Lead, done: datetime) -> None:
        """The follow-up email or note a completed call often leaves behind."""
        rng = self.rng
        draw = rng.random()
        if draw < 0.4:
            at = done + minutes(rng, 10, 240)
            if at <= lead.stop:
                self.log(lead.id, lead.bdr.id, "EMAIL", at, "Follow-up email", completed=at)
        elif draw < 0.65:
            at = done + minutes(rng, 1, 30)
            if at <= lead.stop:
                self.log(lead.id, lead.bdr.id, "NOTE", at, "Call notes")

    def work_lead(self, lead: _Lead, moment: datetime) -> None:
        """Calls until the lead is lost, stalls, reaches an agreement, or time runs out."""
        rng, skill = self.rng, lead.bdr.skill
        gap, touches = (1, 4), 0
        while True:
            what, moment = self.call(lead, moment, gap, lead.stop)
            if what in ("upcoming", "ended"):
                return
            if what == "rescheduled":
                gap = (1, 5)
                continue
            if what != "completed":  # no-show, missed or cancelled
                if rng.random() < 0.08:
                    if rng.random() < 0.4:
                        self.lose(lead, working_moment(rng, moment + minutes(rng, 30, 2880)))
                    return
                moment = working_moment(rng, moment + minutes(rng, 5, 1440))
                if moment > lead.stop:
                    return
                gap = (1, 5)
                continue
            self.extras(lead, moment)
            moment += minutes(rng, 1, 8)
            if moment > lead.stop:
                return
            if lead.status == "CALL_BOOKED":
                self.move(lead, "CALL_CONDUCTED", moment)
            touches += 1
            draw = rng.random()
            if lead.status == "CALL_CONDUCTED":
                if draw < 0.3 * skill:
                    moment = working_moment(rng, moment + minutes(rng, 30, 2 * 1440))
                    if moment > lead.stop:
                        return
                    self.propose(lead, moment, "Proposal sent")
                    gap, touches = (1, 4), 0
                elif draw < 0.3 * skill + 0.02 + 0.01 * touches:
                    self.lose(lead, moment)
                    return
                else:
                    gap = (1, 4)
                continue
            if draw < 0.25 * skill:
                self.agree(lead, moment)
                return
            draw -= 0.25 * skill
            if draw < 0.02 + 0.01 * touches:
                self.lose(lead, moment)
                return
            draw = rng.random()
            if lead.status == "PROPOSAL_SENT" and draw < 0.45:
                self.move(lead, "PROPOSAL_FOLLOW_UP", moment)
            elif lead.status == "PROPOSAL_FOLLOW_UP" and draw < 0.12:
                self.propose(lead, moment, "Revised proposal sent")
            gap = (1, 4)

    def propose(self, lead: _Lead, at: datetime, note: str) -> None:
        self.move(lead, "PROPOSAL_SENT", at)
        self.log(lead.id, lead.bdr.id, "EMAIL", at, note, completed=at)
        rng = self.rng
        if rng.random() < 0.25:  # a walk-through meeting, a manager sometimes along
            slot = self.slot(lead.bdr, at, 1, 4)
            done = slot + minutes(rng, 30, 60)
            if done <= lead.stop:
                user = rng.choice(self.staff.managers) if rng.random() < 0.4 else lead.bdr.id
                self.logs.append(
                    (
                        self.new_id(),
                        lead.id,
                        user,
                        "MEETING",
                        slot,
                        done,
                        "COMPLETED",
                        None,
                        None,
                        "Proposal walk-through",
                        at,
                        done,
                    )
                )

    def agree(self, lead: _Lead, at: datetime) -> None:
        """Agreement on a call, with a partner-list due date; the list (if any) goes later.

        Lists are played out once every lead has reached its agreement (`after_agreements`),
        so partner contacts can be shared out over the lists that went out.
        """
        rng = self.rng
        lead.agreement = at
        self.move(lead, "AGREEMENT_SIGNED", at)
        due_day = utc_to_local(at).date() + timedelta(days=rng.randint(7, 21))
        lead.due = local_to_utc(datetime.combine(due_day, time(17)))
        sent = None
        if lead.deleted is None and rng.random() > 0.08:  # a few stall and never send
            window = int((lead.due - at).total_seconds() * 1000) + 5 * 86_400_000
            sent = working_moment(rng, at + timedelta(hours=20) + ms(rng.randrange(window)))
        self.agreed.append((lead, sent if sent is not None and sent <= lead.stop else None))

    def after_agreements(self, contacts: int) -> None:
        """Send the lists (about `contacts` partner contacts in all), then the check-in calls.

        Each list's size is drawn around its fair share of what is left, so the total stays
        close to `contacts` however many lists went out, while single lists still vary.
        """
        rng = self.rng
        lists = sum(1 for _, sent in self.agreed if sent is not None)
        share, given, number = contacts / max(lists, 1), 0, 0
        for lead, sent in self.agreed:
            life_end = lead.stop
            if sent is not None:
                number += 1
                wanted = round(share * number) - given
                size = min(100, max(3, round(wanted * rng.uniform(0.5, 1.5))))
                life_end, made = self.send_list(lead, sent, size)
                given += made
            self.check_ins(lead, lead.agreement, life_end)

    def check_ins(self, lead: _Lead, moment: datetime, until: datetime) -> None:
        rng = self.rng
        while True:
            what, moment = self.call(lead, moment, (2, 5), until)
            if what in ("upcoming", "ended"):
                return
            if what == "completed":
                self.extras(lead, moment)
                if rng.random() < 0.03 or moment > until:
                    return
            elif what != "rescheduled":
                if rng.random() < 0.3:
                    return
                moment = working_moment(rng, moment + minutes(rng, 5, 1440))
                if moment > until:
                    return

    def sale(self, item_id: str, sold: datetime) -> tuple:
        rng = self.rng
        cents = int(rng.lognormvariate(math.log(40_000), 0.7))
        amount = Decimal(min(max(cents, 1_500), 1_500_000)).scaleb(-2)
        currency = "EUR" if rng.random() < 0.05 else "GBP"
        sale = (item_id, sold, amount, currency)
        self.sales.append(sale)
        return sale

    def sublist_sizes(self, size: int) -> list[int]:
        """`size` contacts split into sublists of 3 to 20."""
        rng = self.rng
        count = round(size / rng.uniform(8, 15))
        count = max(-(-size // 20), min(size // 3, count), 1)
        sizes = [3] * count
        for _ in range(size - 3 * count):
            open_ = [i for i, n in enumerate(sizes) if n < 20]
            sizes[rng.choice(open_)] += 1
        return sizes

    def send_list(self, lead: _Lead, sent: datetime, size: int) -> tuple[datetime, int]:
        """The list goes out: sublists of partner contacts, their sales, the list's outcome.

        (end of the lead's check-in calls, partner contacts made)
        """
        rng, bdr = self.rng, lead.bdr
        self.move(lead, "PARTNER_LIST_SENT", sent)
        lead.sent = sent
        self.log(lead.id, bdr.id, "EMAIL", sent, "Partner list sent", completed=sent)
        quality = 0.0 if rng.random() < 0.4 else rng.uniform(0.04, 0.18)
        created, made, sales = sent, 0, []
        for number, contacts in enumerate(self.sublist_sizes(size), start=1):
            if number > 1:
                created = working_moment(rng, created + days(rng, 1, 6))
                if created > lead.stop:
                    break
            sublist_id = self.new_id()
            self.sublists.append((sublist_id, lead.id, f"{lead.name} - list {number}", created))
            for _ in range(contacts):
                made += 1
                contact_id = self.new_id()
                status, updated = "LEAD", created + minutes(rng, 0, 5)
                if rng.random() < quality:
                    sold = created + minutes(rng, 30, 120) + days(rng, 0, 1)
                    sold += ms(int(rng.expovariate(1 / 10) * 86_400_000))
                    if sold <= self.now:
                        sales.append(self.sale(contact_id, sold))
                        status, updated = "SOLD", max(updated, sold)
                if rng.random() < 0.6:
                    at = created + minutes(rng, 1, 30)
                    if at <= lead.stop:
                        self.log(contact_id, bdr.id, "EMAIL", at, "Partner intro", completed=at)
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}, {lead.name}"
                self.contacts.append(
                    (
                        contact_id,
                        name,
                        lead.category,
                        status,
                        bdr.id,
                        sublist_id,
                        None,
                        None,
                        None,
                        None,
                        None,
                        None,
                        None,
                        created,
                        min(updated, self.now),
                        None,
                    )
                )
        if rng.random() < 0.12:  # the lead buys from the list itself
            sold = sent + minutes(rng, 60, 240) + ms(int(rng.expovariate(1 / 14) * 86_400_000))
            if sold <= self.now:
                sales.append(self.sale(lead.id, sold))
        lead.list_size = made if rng.random() < 0.85 else None
        if sales:
            lead.first_sale = min(sale[1] for sale in sales)
            lead.total = sum((sale[2] for sale in sales), Decimal("0.00"))
            lead.touch(max(sale[1] for sale in sales))
            outcome_at = working_moment(rng, lead.first_sale + minutes(rng, 60, 3 * 1440))
            outcome = "SOLD"
        else:
            outcome_at = working_moment(rng, sent + days(rng, 14, 28))
            outcome = "LIST_OUT_NOT_SOLD" if rng.random() < 0.55 else "FREE_QA_OFFERED"
        if outcome_at > lead.stop:
            return lead.stop, made
        self.move(lead, outcome, outcome_at)
        if outcome == "SOLD":  # an account now: check-ins go on
            return lead.stop, made
        return min(lead.stop, outcome_at + days(rng, 14, 40)), made

    # --- the CRM's copies of the feed, and targets ---------------------------------------

    def disagree(self, leads: list[_Lead]) -> None:
        """A few leads whose CRM copies of the feed are wrong, for the audit model to find."""
        rng = self.rng
        sold = [lead for lead in leads if lead.total is not None]
        chosen = rng.sample(sold, max(1, round(len(sold) * 0.08))) if sold else []
        for number, lead in enumerate(chosen):
            if number % 2 == 0:  # the copy's total is off (a sale missed, or one too many)
                off = (
                    Decimal("-25.00") if number % 4 == 2 and lead.total > 100 else Decimal("75.00")
                )
                lead.total += off
            else:  # the copy never got the date
                lead.first_sale = None
        unsold = [lead for lead in leads if lead.sent is not None and lead.total is None]
        for lead in rng.sample(unsold, min(len(unsold), self.staff_units)):
            phantom = lead.sent + days(rng, 1, 5)
            if phantom <= self.now:  # a sale typed into the CRM that the feed never had
                lead.first_sale, lead.total = phantom, Decimal("250.00")
                lead.touch(phantom)

    @property
    def staff_units(self) -> int:
        return max(1, len(self.staff.bdrs) // 6)

    def kpi_rows(self) -> list[tuple]:
        """Overrides of the seed's default targets: team and per-BDR, one superseded."""
        units, today = self.staff_units, utc_to_local(self.now).date()
        first = utc_to_local(self.start).date().replace(day=1)
        team = [
            ("CALLS_COMPLETED", "WEEK", None, 80 * units, first, today - timedelta(days=30)),
            ("CALLS_COMPLETED", "WEEK", None, 90 * units, today - timedelta(days=45), None),
            ("AGREEMENTS", "MONTH", None, 10 * units, first, None),
            ("LISTS_OUT", "MONTH", None, 8 * units, first, None),
            ("UPCOMING_CALLS", "WEEK", None, 30 * units, first, None),
        ]
        for unit in range(units):
            bdrs = self.staff.bdrs[unit * 6 : unit * 6 + 6]
            team.append(("CALLS_COMPLETED", "WEEK", bdrs[0].id, 25, first, None))
            team.append(("SALES", "MONTH", bdrs[1].id, 4, first, None))
        return [(self.new_id(), *row) for row in team]


def generate(config: SimConfig) -> Dataset:
    """Every source table of contract §2 for `config`, deterministically."""
    world = _World(config)
    leads = world.make_leads(config.leads * config.scale)
    for lead in leads:
        world.simulate(lead)
    world.after_agreements(round(CONTACTS_PER_LEAD * len(leads)))
    world.disagree(leads)
    loaded_at = world.now.replace(tzinfo=UTC)
    ordered = sorted(world.sales, key=lambda sale: (sale[1], sale[0]))
    sales = [
        (f"S{number:07d}", item_id, sold.replace(tzinfo=UTC), amount, currency, loaded_at)
        for number, (item_id, sold, amount, currency) in enumerate(ordered, start=1)
    ]
    tables = {
        "User": list(world.staff.user_rows),
        "PipelineItem": [lead.row() for lead in leads] + world.contacts,
        "Sublist": world.sublists,
        "ActivityLog": world.logs,
        "KpiTarget": world.kpi_rows(),
        "sales": sales,
    }
    return Dataset(as_of=world.now, tables=tables)
