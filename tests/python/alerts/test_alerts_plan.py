"""The alerts' pure logic: what a run posts (plan) and how it reads (Block Kit messages)."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta

from conftest import REPO

from emg.alerts.message import (
    BLOCKS_PER_MESSAGE,
    SECTION_TEXT_LIMIT,
    build_messages,
    escape,
)
from emg.alerts.plan import Alert, LedgerEntry, plan_delivery

NOW = datetime(2026, 11, 25, 15, tzinfo=UTC)
WEEK = date(2026, 11, 23)
DAY = timedelta(hours=24)


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
