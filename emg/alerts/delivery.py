"""One alerts delivery: read the build's alerts, plan against the ledger, post, record.

Order of work, and what a crash at each point does:
1. plan, then record every firing alert as seen (and silent closes) — nothing posted yet;
2. for each message: POST it, then record what it carried as posted, in one transaction.
A crash between a POST and its record leaves those alerts "not posted" in the ledger, so
the next run posts them again: delivery is at least once, never at most once. A message
that Slack refuses stops the run: what it and later messages carried stays undelivered
(the ledger keeps the error), the run fails, and the next run posts it.

Outside office hours step 2 has nothing to do: the plan holds its posts, step 1 notes them
in the ledger, and the run's summary says how many wait and until when.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from emg.alerts import ledger
from emg.alerts.message import Message, build_messages
from emg.alerts.office_hours import OfficeHours, opening_words
from emg.alerts.plan import plan_delivery
from emg.alerts.slack import (
    SlackDeliveryError,
    SlackSettings,
    check_webhook_url,
    post,
    redact,
    session,
)
from emg.errors import EmgError

DEFAULT_REMINDER_INTERVAL = timedelta(hours=24)
REMINDER_VARIABLE = "EMG_ALERT_REMINDER_HOURS"
MAX_REMINDER_HOURS = 24 * 366


def reminder_interval(
    value: str | None,
    default: timedelta = DEFAULT_REMINDER_INTERVAL,
    source: str = REMINDER_VARIABLE,
) -> timedelta:
    """The time between reminders from a setting in hours (`EMG_ALERT_REMINDER_HOURS`); unset
    or empty is `default`. Anything but a number of hours from 0 to a year is one line."""
    if value is None or not value.strip():
        return default
    try:
        hours = float(value)
    except ValueError:
        hours = math.nan
    if not (math.isfinite(hours) and 0 <= hours <= MAX_REMINDER_HOURS):
        raise EmgError(
            f"{source}={value!r} is not a number of hours from 0 to {MAX_REMINDER_HOURS}; "
            "use e.g. 24"
        )
    return timedelta(hours=hours)


@dataclass(frozen=True)
class DeliveryResult:
    delivery_id: int
    status: str  # delivered | nothing_to_post | held | dry_run
    as_of: datetime
    firing: int
    new: int
    reminders: int
    resolved: int
    closed_silently: int
    messages: tuple[Message, ...]
    came_and_went: int = 0
    held: int = 0  # alerts whose post waits for office hours
    office_hours: OfficeHours | None = None
    next_opening: datetime | None = None  # set when the run was outside office hours

    @property
    def outside_office_hours(self) -> bool:
        return self.next_opening is not None

    def summary(self) -> str:
        head = f"alerts as of {self.as_of:%Y-%m-%d %H:%M} UTC: {self.firing} firing; "
        if self.outside_office_hours:
            hours = self.office_hours.describe()
            opening = opening_words(self.next_opening, self.office_hours.timezone)
            if not self.held:
                held = "nothing to hold"
            elif self.status == "dry_run":
                held = f"would hold {self.held} for {opening}"
            else:
                held = f"{self.held} held for {opening}"
            return f"{head}outside office hours ({hours}): {held} ({self.status})"
        verb = {"dry_run": "would post", "delivered": "posted"}.get(self.status, "posted")
        went = f", {self.came_and_went} came and went" if self.came_and_went else ""
        return (
            f"{head}{verb} {len(self.messages)} message(s): {self.new} new, {self.reminders} "
            f"in a reminder, {self.resolved} resolved{went} ({self.status})"
        )


def deliver(
    conn,
    *,
    webhook_url: str | None,
    timezone: str,
    office_hours: OfficeHours,
    now: datetime | None = None,
    reminder_interval: timedelta = DEFAULT_REMINDER_INTERVAL,
    superset_base_url: str | None = None,
    settings: SlackSettings | None = None,
    dry_run: bool = False,
    echo: Callable[[str], None] = print,
    on_posted: Callable[[Message], None] | None = None,
) -> DeliveryResult:
    """Post what is new, due or resolved in marts.alerts; without a webhook, a dry run.

    `now` is the delivery's clock for the ledger, the reminder interval and office hours; by
    default the as_of the marts were built for. Outside `office_hours` nothing is posted and
    the ledger keeps what is held for the first run inside them. `on_posted` is called after
    each POST that Slack took, before it is recorded.
    """
    dry_run = dry_run or not webhook_url
    if not dry_run:
        check_webhook_url(webhook_url)
    settings = settings or SlackSettings()

    ledger.ensure_schema(conn)
    ledger.lock(conn)
    try:
        as_of, week = ledger.build_state(conn)
        now = now or as_of
        firing = ledger.firing_alerts(conn)
        entries = ledger.firing_entries(conn)
        plan = plan_delivery(firing, entries, now, week, reminder_interval, office_hours)
        messages = build_messages(plan, as_of, timezone, superset_base_url)
        mode = "dry_run" if dry_run else "slack"
        delivery_id = ledger.start_delivery(conn, as_of, mode, len(firing), plan, len(messages))
        status = "delivered" if messages else "held" if plan.held else "nothing_to_post"
        result = DeliveryResult(
            delivery_id=delivery_id,
            status="dry_run" if dry_run else status,
            as_of=as_of,
            firing=len(firing),
            new=len(plan.new),
            reminders=len(plan.reminders),
            resolved=len(plan.resolved),
            closed_silently=len(plan.closed_silently),
            messages=tuple(messages),
            came_and_went=len(plan.came_and_went),
            held=len(plan.held),
            office_hours=office_hours,
            next_opening=None if office_hours.is_open(now) else office_hours.next_opening(now),
        )
        if dry_run:
            for message in messages:
                echo(json.dumps(message.payload, indent=2, ensure_ascii=False))
            ledger.finish_delivery(conn, delivery_id, "dry_run")
            return result

        ledger.record_seen(conn, firing, plan, now, week)
        _post_all(conn, delivery_id, messages, webhook_url, settings, now, on_posted)
        ledger.finish_delivery(conn, delivery_id, result.status)
        return result
    finally:
        ledger.unlock(conn)


def _post_all(conn, delivery_id, messages, webhook_url, settings, now, on_posted) -> None:
    """POST each message, then record it; on any failure the ledger says what and why."""
    http = session(settings)
    for number, message in enumerate(messages):
        posted = False
        try:
            post(http, webhook_url, message.payload, settings)
            posted = True
            if on_posted is not None:
                on_posted(message)
        except BaseException as error:
            undelivered = [alert_id for rest in messages[number:] for alert_id in rest.alert_ids]
            if isinstance(error, SlackDeliveryError):
                reason = str(error)
            elif posted:
                reason = (
                    "interrupted after Slack took a message, before it was recorded "
                    f"({type(error).__name__})"
                )
            else:
                reason = f"interrupted while posting ({type(error).__name__})"
            ledger.record_failure(conn, delivery_id, undelivered, redact(reason, webhook_url))
            raise
        ledger.record_posted(conn, delivery_id, message, now)
