"""Which alerts a run posts: pure functions over the firing alerts and the delivery ledger.

Rules (the "no spam" contract):
- an alert never posted before is posted in full (this includes one a failed run did not
  deliver, and one that fires again after it was resolved);
- an alert still firing after it was posted is summarised, with every other such alert, in
  one reminder line, at most once per reminder interval;
- an alert that was posted and stops firing within its week gets one "resolved" line;
- an alert that stops firing and was never posted, or whose week has ended (its fingerprint
  carries the week, and the next week's alert is a new one), is closed without a line.
When the plan has nothing to post, the run posts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

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

    @property
    def was_posted(self) -> bool:
        return self.first_posted_at is not None


@dataclass(frozen=True)
class Plan:
    new: list[Alert] = field(default_factory=list)
    reminders: list[Alert] = field(default_factory=list)
    resolved: list[LedgerEntry] = field(default_factory=list)
    closed_silently: list[LedgerEntry] = field(default_factory=list)

    @property
    def has_posts(self) -> bool:
        return bool(self.new or self.reminders or self.resolved)


def _priority_order(alert: Alert) -> tuple:
    rank = PRIORITIES.index(alert.priority) if alert.priority in PRIORITIES else len(PRIORITIES)
    return (rank, alert.rule, alert.bdr_name or alert.bdr_id or "", alert.alert_id)


def plan_delivery(
    firing: list[Alert],
    ledger: dict[str, LedgerEntry],
    now: datetime,
    current_week: date,
    reminder_interval: timedelta,
) -> Plan:
    """What to post now, given what fires and what the ledger says was posted."""
    firing_ids = {alert.alert_id for alert in firing}
    new, reminders = [], []
    for alert in sorted(firing, key=_priority_order):
        entry = ledger.get(alert.alert_id)
        if entry is None or entry.status != "firing" or not entry.was_posted:
            new.append(alert)
        elif entry.last_posted_at is None or now - entry.last_posted_at >= reminder_interval:
            reminders.append(alert)

    resolved, closed_silently = [], []
    for entry in sorted(ledger.values(), key=lambda e: (e.rule, e.bdr_id or "", e.alert_id)):
        if entry.status != "firing" or entry.alert_id in firing_ids:
            continue
        if entry.was_posted and entry.week_start >= current_week:
            resolved.append(entry)
        else:
            closed_silently.append(entry)
    return Plan(new=new, reminders=reminders, resolved=resolved, closed_silently=closed_silently)
