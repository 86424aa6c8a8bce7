"""The alerts' pure logic: what a run posts (plan) and how it reads (Block Kit messages)."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from conftest import REPO

from emg.alerts.message import (
    BLOCKS_PER_MESSAGE,
    SECTION_TEXT_LIMIT,
    build_messages,
    escape,
)
from emg.alerts.office_hours import from_setting
from emg.alerts.plan import Alert, LedgerEntry, plan_delivery

NOW = datetime(2026, 11, 25, 15, tzinfo=UTC)
WEEK = date(2026, 11, 23)
DAY = timedelta(hours=24)
HOUR = timedelta(hours=1)


# The seed alert_rules' dashboard_slug of each rule.
SLUGS = {row["rule_key"]: row["dashboard_slug"] for row in csv.DictReader(
    (REPO / "seeds" / "alert_rules.csv").open())}  # fmt: skip


def alert(alert_id="a1", rule="low_call_volume", priority="high", bdr=None, message="Team: low."):
    return Alert(alert_id, rule, priority, bdr, bdr and f"Name {bdr}", message, WEEK, SLUGS[rule])


def posted(source: Alert, at: datetime, week: date = WEEK, status="firing") -> LedgerEntry:
    return LedgerEntry(
        source.alert_id, source.rule, source.priority, source.bdr_id, source.message,
        week, status, at, at,
    )  # fmt: skip


def test_an_alert_never_posted_is_new_and_ordered_by_priority():
    medium = alert("m", "bdr_needs_support", "medium", "u1")
    urgent = alert("u", "overdue_partner_lists", "urgent")
    plan = plan_delivery([medium, urgent], {}, NOW, WEEK, DAY)
    assert [a.alert_id for a in plan.new] == ["u", "m"]
    assert not plan.reminders and not plan.resolved


def test_a_posted_alert_still_firing_is_not_repeated_within_the_interval():
    a = alert()
    plan = plan_delivery([a], {"a1": posted(a, NOW - timedelta(hours=23))}, NOW, WEEK, DAY)
    assert not plan.has_posts


def test_a_posted_alert_still_firing_after_the_interval_gets_a_reminder():
    a = alert()
    plan = plan_delivery([a], {"a1": posted(a, NOW - DAY)}, NOW, WEEK, DAY)
    assert plan.reminders == [a] and not plan.new


def test_a_posted_alert_that_stops_firing_in_its_week_is_resolved_once():
    a = alert()
    plan = plan_delivery([], {"a1": posted(a, NOW - timedelta(hours=2))}, NOW, WEEK, DAY)
    assert [e.alert_id for e in plan.resolved] == ["a1"] and not plan.closed_silently


def test_last_weeks_alert_closes_silently_when_its_week_ends():
    a = alert()
    entry = posted(a, NOW - timedelta(days=3), week=WEEK - timedelta(days=7))
    plan = plan_delivery([], {"a1": entry}, NOW, WEEK, DAY)
    assert not plan.resolved and plan.closed_silently == [entry]


def test_an_alert_a_failed_run_did_not_deliver_is_new_again():
    a = alert()
    never_posted = LedgerEntry(
        "a1", a.rule, a.priority, None, a.message, WEEK, "firing", None, None
    )
    plan = plan_delivery([a], {"a1": never_posted}, NOW, WEEK, DAY)
    assert plan.new == [a]


def test_an_alert_that_fires_again_after_it_was_resolved_is_new_again():
    a = alert()
    plan = plan_delivery([a], {"a1": posted(a, NOW - DAY, status="resolved")}, NOW, WEEK, DAY)
    assert plan.new == [a]


def test_nothing_firing_and_nothing_posted_builds_no_message():
    assert build_messages(plan_delivery([], {}, NOW, WEEK, DAY), NOW, "Europe/London") == []


def test_message_groups_by_priority_in_local_time_with_dashboard_links():
    alerts = [
        alert("u", "overdue_partner_lists", "urgent", message="3 partner lists are overdue."),
        alert("m", "bdr_needs_support", "medium", "u1", message="Ann <A&B>: index 2."),
    ]
    plan = plan_delivery(alerts, {}, NOW, WEEK, DAY)
    [message] = build_messages(plan, NOW, "Europe/London", "https://bi.example.com/")
    blocks = message.payload["blocks"]
    assert blocks[0]["text"]["text"] == "EMG sales alerts"
    assert "Wed 25 Nov 2026, 15:00 Europe/London" in blocks[1]["elements"][0]["text"]
    urgent, medium = blocks[2]["text"]["text"], blocks[3]["text"]["text"]
    assert urgent.startswith(":rotating_light: *Urgent*")
    assert "https://bi.example.com/superset/dashboard/pipeline-health/|Pipeline health>" in urgent
    assert "Ann &lt;A&amp;B&gt;: index 2." in medium
    assert "/superset/dashboard/bdr-leaderboard/" in medium
    assert set(message.new_ids) == {"u", "m"}


def test_reminders_are_one_line_and_resolved_alerts_one_line_each():
    firing = [alert(f"b{i}", "bdr_needs_support", "medium", f"u{i}") for i in range(3)]
    gone = alert("t", "low_call_volume", "high")
    ledger = {a.alert_id: posted(a, NOW - DAY) for a in [*firing, gone]}
    [message] = build_messages(plan_delivery(firing, ledger, NOW, WEEK, DAY), NOW, "UTC")
    still, resolved = (b["text"]["text"] for b in message.payload["blocks"][2:])
    assert still.count("\n") == 1
    assert "3 alerts are still firing since posted: BDR needs support ×3 (medium)." in still
    assert resolved.splitlines()[1:] == ["• Team: low."]
    assert set(message.reminded_ids) == {"b0", "b1", "b2"} and message.resolved_ids == ("t",)


def test_three_hundred_alerts_split_into_valid_messages_carrying_each_alert_once():
    many = [
        alert(f"id{i:03}", "bdr_needs_support", "medium", f"u{i}", message="x" * 180 + f" {i}")
        for i in range(300)
    ]
    messages = build_messages(plan_delivery(many, {}, NOW, WEEK, DAY), NOW, "UTC")
    assert len(messages) >= 2
    carried = [alert_id for m in messages for alert_id in m.new_ids]
    assert sorted(carried) == sorted(a.alert_id for a in many)
    for number, message in enumerate(messages, start=1):
        blocks = message.payload["blocks"]
        assert len(blocks) <= BLOCKS_PER_MESSAGE
        assert blocks[0]["text"]["text"] == f"EMG sales alerts ({number}/{len(messages)})"
        sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
        assert all(len(text) <= SECTION_TEXT_LIMIT for text in sections)
    text = "\n".join(b["text"]["text"] for m in messages for b in m.payload["blocks"][2:])
    assert all(f"{'x' * 180} {i}" in text for i in range(300))  # nothing truncated


def test_a_line_longer_than_a_section_is_cut_not_truncated():
    huge = alert(message="y" * 7000)
    [message] = build_messages(plan_delivery([huge], {}, NOW, WEEK, DAY), NOW, "UTC")
    sections = [b["text"]["text"] for b in message.payload["blocks"][2:]]
    assert all(len(text) <= SECTION_TEXT_LIMIT for text in sections)
    assert sum(text.count("y") for text in sections) == 7000
    assert message.new_ids == ("a1",)


def test_escape_keeps_slack_control_characters_literal():
    assert escape("a < b & c > d") == "a &lt; b &amp; c &gt; d"


# --- Office hours (contract §6): Mon-Fri 08:00-18:00 Europe/London, GMT in November ---------

HOURS = from_setting(None, "Europe/London")
FRIDAY_NIGHT = datetime(2026, 11, 27, 19, tzinfo=UTC)
MONDAY_8 = datetime(2026, 11, 30, 8, tzinfo=UTC)
NEXT_WEEK = WEEK + timedelta(days=7)


def held(source: Alert, since: datetime, week: date = WEEK, stopped=None) -> LedgerEntry:
    """A ledger entry a run outside office hours held and never posted."""
    return LedgerEntry(
        source.alert_id, source.rule, source.priority, source.bdr_id, source.message,
        week, "firing", None, None, since, stopped,
    )  # fmt: skip


def test_outside_office_hours_nothing_is_posted_and_everything_due_is_held():
    new, due, gone = alert("n"), alert("d", "overdue_partner_lists", "urgent"), alert("g")
    ledger = {
        "d": posted(due, FRIDAY_NIGHT - 2 * DAY),
        "g": posted(gone, FRIDAY_NIGHT - timedelta(hours=4)),
    }
    plan = plan_delivery([new, due], ledger, FRIDAY_NIGHT, WEEK, DAY, HOURS)
    assert not plan.has_posts and build_messages(plan, FRIDAY_NIGHT, "Europe/London") == []
    assert sorted(plan.held) == ["d", "g", "n"]
    assert [e.alert_id for e in plan.stopped] == ["g"]  # the ledger notes when it stopped
    assert not plan.closed_silently  # the resolution is owed, not dropped


def test_always_posts_at_night():
    plan = plan_delivery([alert()], {}, FRIDAY_NIGHT, WEEK, DAY, from_setting("always", "UTC"))
    assert [a.alert_id for a in plan.new] == ["a1"] and not plan.held


def test_an_alert_arising_friday_night_still_firing_monday_is_posted_at_eight_as_new():
    a = alert()
    plan = plan_delivery([a], {"a1": held(a, FRIDAY_NIGHT)}, MONDAY_8, WEEK, DAY, HOURS)
    assert plan.new == [a] and not plan.held


def test_an_alert_arising_friday_night_whose_week_ended_is_posted_monday_saying_so():
    a = alert(message="Team: 15 calls booked for next week.")
    plan = plan_delivery([], {"a1": held(a, FRIDAY_NIGHT)}, MONDAY_8, NEXT_WEEK, DAY, HOURS)
    assert [e.alert_id for e in plan.came_and_went] == ["a1"] and not plan.closed_silently
    [message] = build_messages(plan, MONDAY_8, "Europe/London")
    [section] = [b["text"]["text"] for b in message.payload["blocks"][2:]]
    assert section.splitlines() == [
        ":crescent_moon: *Came and went outside office hours*",
        "• Team: 15 calls booked for next week. _(arose Fri 27 Nov, 19:00; "
        "fired until its week ended)_",
    ]
    assert message.came_and_went_ids == ("a1",)
    assert "1 came and went outside office hours" in message.payload["text"]


def test_an_alert_arising_friday_night_that_resolved_on_saturday_is_posted_monday():
    a = alert()
    saturday = FRIDAY_NIGHT + DAY
    entry = held(a, FRIDAY_NIGHT)
    at_saturday = plan_delivery([], {"a1": entry}, saturday, WEEK, DAY, HOURS)
    assert at_saturday.held == ["a1"] and at_saturday.stopped == [entry]  # kept, not closed
    stopped = held(a, FRIDAY_NIGHT, stopped=saturday)
    plan = plan_delivery([], {"a1": stopped}, MONDAY_8, NEXT_WEEK, DAY, HOURS)
    [message] = build_messages(plan, MONDAY_8, "Europe/London")
    assert "_(arose Fri 27 Nov, 19:00; resolved since)_" in json.dumps(message.payload)


def test_a_held_alert_whose_rule_fires_again_in_the_new_week_is_not_said_twice():
    last_week = alert("old", "overdue_partner_lists", "urgent", message="11 lists are overdue.")
    this_week = alert("new", "overdue_partner_lists", "urgent", message="12 lists are overdue.")
    ledger = {"old": held(last_week, FRIDAY_NIGHT)}
    plan = plan_delivery([this_week], ledger, MONDAY_8, NEXT_WEEK, DAY, HOURS)
    assert plan.new == [this_week] and not plan.came_and_went
    assert [e.alert_id for e in plan.closed_silently] == ["old"]


def test_an_alert_never_held_and_never_posted_still_closes_silently():
    a = alert()  # a failed run did not post it, in office hours, and it stopped since
    entry = LedgerEntry("a1", a.rule, a.priority, None, a.message, WEEK, "firing", None, None)
    plan = plan_delivery([], {"a1": entry}, NOW, WEEK, DAY, HOURS)
    assert plan.closed_silently == [entry] and not plan.has_posts


def test_a_posted_alert_resolving_overnight_gets_its_resolved_line_at_eight():
    a = alert()
    tuesday_3pm = datetime(2026, 11, 24, 15, tzinfo=UTC)
    at_night = plan_delivery([], {"a1": posted(a, tuesday_3pm)}, tuesday_3pm + 7 * HOUR, WEEK,
                             DAY, HOURS)  # fmt: skip
    assert at_night.held == ["a1"] and not at_night.resolved and not at_night.closed_silently
    stopped = replace(posted(a, tuesday_3pm), stopped_at=tuesday_3pm + 7 * HOUR)
    morning = plan_delivery([], {"a1": stopped}, tuesday_3pm + 17 * HOUR, WEEK, DAY, HOURS)
    assert [e.alert_id for e in morning.resolved] == ["a1"]


def test_a_posted_alert_resolving_at_the_weekend_is_resolved_monday_though_its_week_ended():
    a = alert()
    friday_3pm, saturday_2am = FRIDAY_NIGHT - 4 * HOUR, FRIDAY_NIGHT + 7 * HOUR
    at_saturday = plan_delivery([], {"a1": posted(a, friday_3pm)}, saturday_2am, WEEK, DAY, HOURS)
    assert [e.alert_id for e in at_saturday.stopped] == ["a1"] and at_saturday.held == ["a1"]
    stopped = replace(posted(a, friday_3pm), stopped_at=saturday_2am)
    plan = plan_delivery([], {"a1": stopped}, MONDAY_8, NEXT_WEEK, DAY, HOURS)
    assert [e.alert_id for e in plan.resolved] == ["a1"] and not plan.closed_silently
    [message] = build_messages(plan, MONDAY_8, "Europe/London")
    assert message.resolved_ids == ("a1",)


def test_a_posted_alert_still_firing_when_its_week_ended_closes_silently_at_night_too():
    a = alert()
    entry = posted(a, FRIDAY_NIGHT - 4 * HOUR)
    monday_1am = MONDAY_8 - 7 * HOUR
    plan = plan_delivery([], {"a1": entry}, monday_1am, NEXT_WEEK, DAY, HOURS)
    assert plan.closed_silently == [entry] and not plan.held and not plan.stopped


def test_a_reminder_due_at_night_is_posted_at_eight_once_not_again_at_nine():
    a = alert()
    interval = 12 * HOUR
    tuesday_10am = datetime(2026, 11, 24, 10, tzinfo=UTC)
    for hour in range(22, 32):  # Tuesday 22:00 to Wednesday 07:00: due, held
        at = tuesday_10am.replace(hour=0) + hour * HOUR
        plan = plan_delivery([a], {"a1": posted(a, tuesday_10am)}, at, WEEK, interval, HOURS)
        assert plan.held == ["a1"] and not plan.has_posts
    wednesday_8am = tuesday_10am + 22 * HOUR
    plan = plan_delivery([a], {"a1": posted(a, tuesday_10am)}, wednesday_8am, WEEK, interval,
                         HOURS)  # fmt: skip
    assert plan.reminders == [a]
    after = {"a1": posted(a, wednesday_8am)}  # the ledger once the reminder was posted
    for later in (1, 2, 11):
        plan = plan_delivery([a], after, wednesday_8am + later * HOUR, WEEK, interval, HOURS)
        assert not plan.has_posts and not plan.held
    # the next one is due an interval after the 08:00 post: 20:00, held again for 08:00
    assert plan_delivery([a], after, wednesday_8am + interval, WEEK, interval, HOURS).held == ["a1"]
