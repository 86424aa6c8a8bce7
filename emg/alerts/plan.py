"""Which alerts a run posts: pure functions over the firing alerts and the delivery ledger.

Rules (the "no spam" contract):
- an alert never posted before is posted in full (this includes one a failed run did not
  deliver, and one that fires again after it was resolved);
- an alert still firing after it was posted is summarised, with every other such alert, in
  one reminder line, at most once per reminder interval;
- an alert that was posted and stops firing within its week gets one "resolved" line, even
  when that line is posted after the week has ended (held for office hours over a weekend);
- an alert that was posted and still fired when its week ended (its fingerprint carries the
  week, and the next week's alert is a new one) is closed without a line;
- an alert that stops firing and was never posted is closed without a line, unless it was
  held for office hours (below).
When the plan has nothing to post, the run posts nothing.

Office hours (contract §6; `office_hours.py`): a run outside them plans exactly as a run
inside them would, but posts nothing; what it would have posted is held (`Plan.held`), and the
ledger keeps it pending, so the first run inside office hours posts it, once:
- a new alert still firing then is posted as new; a reminder that fell due at night is
  posted then, and the next one is due an interval after that post;
- a posted alert that stopped firing outside office hours gets its "resolved" line then,
  even if its week has ended meanwhile (the ledger notes when it stopped, `stopped_at`);
- an alert that arose outside office hours and was never posted is posted then even if it
  has since stopped firing or its week has ended, in its own section saying so ("came and
  went": "resolved since", or "until its week ended"), because a sales leader who was away
  still wants to know it happened. One exception: when the same rule fires for the same
  subject in the current week, the new week's alert says it, and the held one closes
  without a line, so Monday's post does not say the same thing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from emg.alerts.office_hours import OfficeHours

PRIORITIES = ("urgent", "high", "medium", "low")


@dataclass(frozen=True)
class Alert:
    """One row of marts.alerts."""

    alert_id: str
    rule: str
    priority: str
    bdr_id: str | None
    bdr_name: str | None
    message: str
    week_start: date
    dashboard_slug: str  # the dashboard the Slack message links the alert to


@dataclass(frozen=True)
class LedgerEntry:
    """What the ledger (ops.alert_ledger) knows of one fingerprint."""

    alert_id: str
    rule: str
    priority: str
    bdr_id: str | None
    message: str
    week_start: date
    status: str  # firing | resolved | expired
    first_posted_at: datetime | None
    last_posted_at: datetime | None
    held_since: datetime | None = None  # a run outside office hours first held its post
    stopped_at: datetime | None = None  # a run first found it no longer firing, in its week

    @property
    def was_posted(self) -> bool:
        return self.first_posted_at is not None

    def stopped_in_its_week(self, current_week: date) -> bool:
        """It stopped firing while its week ran (and did not simply run out of week)."""
        return self.stopped_at is not None or self.week_start >= current_week


@dataclass(frozen=True)
class Plan:
    new: list[Alert] = field(default_factory=list)
    reminders: list[Alert] = field(default_factory=list)
    resolved: list[LedgerEntry] = field(default_factory=list)
    came_and_went: list[LedgerEntry] = field(default_factory=list)  # held, never posted, gone
    closed_silently: list[LedgerEntry] = field(default_factory=list)
    stopped: list[LedgerEntry] = field(default_factory=list)  # found gone now, in their week
    held: list[str] = field(default_factory=list)  # alert ids whose post waits for office hours

    @property
    def has_posts(self) -> bool:
        return bool(self.new or self.reminders or self.resolved or self.came_and_went)

    @property
    def posts(self) -> list[str]:
        """The alert ids this plan posts."""
        return [
            *(alert.alert_id for alert in self.new + self.reminders),
            *(entry.alert_id for entry in self.resolved + self.came_and_went),
        ]


def _priority_order(alert: Alert) -> tuple:
    rank = PRIORITIES.index(alert.priority) if alert.priority in PRIORITIES else len(PRIORITIES)
    return (rank, alert.rule, alert.bdr_name or alert.bdr_id or "", alert.alert_id)


def plan_delivery(
    firing: list[Alert],
    ledger: dict[str, LedgerEntry],
    now: datetime,
    current_week: date,
    reminder_interval: timedelta,
    office_hours: OfficeHours | None = None,
) -> Plan:
    """What to post now, given what fires and what the ledger says was posted; outside
    `office_hours` (None: always open), the same plan with its posts held."""
    firing_ids = {alert.alert_id for alert in firing}
    firing_subjects = {(alert.rule, alert.bdr_id) for alert in firing}
    new, reminders = [], []
    for alert in sorted(firing, key=_priority_order):
        entry = ledger.get(alert.alert_id)
        if entry is None or entry.status != "firing" or not entry.was_posted:
            new.append(alert)
        elif entry.last_posted_at is None or now - entry.last_posted_at >= reminder_interval:
            reminders.append(alert)

    resolved, came_and_went, closed_silently, stopped = [], [], [], []
    gone = [
        entry
        for entry in ledger.values()
        if entry.status == "firing" and entry.alert_id not in firing_ids
    ]
    for entry in sorted(gone, key=_entry_order):
        if entry.stopped_at is None and entry.week_start >= current_week:
            stopped.append(entry)
        if entry.was_posted:
            owed = entry.stopped_in_its_week(current_week)
            (resolved if owed else closed_silently).append(entry)
        elif entry.held_since is not None and (entry.rule, entry.bdr_id) not in firing_subjects:
            # stopped_at, when set, tells the message "resolved since" from "its week ended"
            ended = entry.stopped_at or (now if entry.stopped_in_its_week(current_week) else None)
            came_and_went.append(replace(entry, stopped_at=ended))
        else:
            closed_silently.append(entry)

    plan = Plan(
        new=new,
        reminders=reminders,
        resolved=resolved,
        came_and_went=came_and_went,
        closed_silently=closed_silently,
        stopped=stopped,
    )
    if office_hours is None or office_hours.is_open(now):
        return plan
    return replace(plan, new=[], reminders=[], resolved=[], came_and_went=[], held=plan.posts)


def _entry_order(entry: LedgerEntry) -> tuple:
    rank = PRIORITIES.index(entry.priority) if entry.priority in PRIORITIES else len(PRIORITIES)
    return (rank, entry.rule, entry.bdr_id or "", entry.alert_id)
