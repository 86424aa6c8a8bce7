"""The Slack message: Block Kit payloads built from a plan. Pure functions, no I/O.

One run's post is one message when it fits Slack's limits, and several when it does not:
sections hold at most 3,000 characters and a message at most 50 blocks (and 40,000
characters of text), so long lists are split across sections and messages at line
boundaries, never truncated. Each message says which alerts it carries, so the ledger
records exactly what reached Slack.

Alerts that arose outside office hours and were gone before the first run inside them get a
section of their own ("Came and went outside office hours"), each line saying when it arose
and whether it resolved or ran until its week ended (plan.py says why they are posted).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from emg.alerts.plan import PRIORITIES, Alert, LedgerEntry, Plan

SECTION_TEXT_LIMIT = 3000
BLOCKS_PER_MESSAGE = 50
MESSAGE_TEXT_LIMIT = 40_000
HEADER = "EMG sales alerts"

HEADINGS = {
    "urgent": ":rotating_light: *Urgent*",
    "high": ":red_circle: *High*",
    "medium": ":large_orange_circle: *Medium*",
    "low": ":white_circle: *Low*",
}


@dataclass(frozen=True)
class Line:
    text: str
    new_ids: tuple[str, ...] = ()
    reminded_ids: tuple[str, ...] = ()
    resolved_ids: tuple[str, ...] = ()
    came_and_went_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Message:
    """One Slack post and the alerts it carries."""

    payload: dict
    new_ids: tuple[str, ...]
    reminded_ids: tuple[str, ...]
    resolved_ids: tuple[str, ...]
    came_and_went_ids: tuple[str, ...] = ()

    @property
    def alert_ids(self) -> tuple[str, ...]:
        return self.new_ids + self.reminded_ids + self.resolved_ids + self.came_and_went_ids


def escape(text: str) -> str:
    """Slack mrkdwn's three control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _title(words: list[str]) -> str:
    sentence = " ".join("BDR" if word == "bdr" else word for word in words)
    return sentence[:1].upper() + sentence[1:]


def rule_title(rule: str) -> str:
    return _title(rule.split("_"))


def dashboard_link(slug: str, superset_base_url: str | None) -> str:
    """A link to the dashboard with this slug (the rule's, from the seed alert_rules), titled
    from the slug: `pipeline-health` reads "Pipeline health"."""
    if not superset_base_url:
        return ""
    title = _title(slug.split("-"))
    return f" · <{superset_base_url.rstrip('/')}/superset/dashboard/{slug}/|{title}>"


def _new_lines(alerts: list[Alert], superset_base_url: str | None) -> list[Line]:
    return [
        Line(
            f"• {escape(alert.message)}{dashboard_link(alert.dashboard_slug, superset_base_url)}",
            new_ids=(alert.alert_id,),
        )
        for alert in alerts
    ]


def _reminder_line(alerts: list[Alert]) -> Line:
    """Every still-firing alert in one line: rule, how many, priority."""
    counts = Counter((alert.priority, alert.rule) for alert in alerts)
    ordered = sorted(
        counts.items(),
        key=lambda item: (
            PRIORITIES.index(item[0][0]) if item[0][0] in PRIORITIES else 9,
            item[0][1],
        ),
    )
    parts = [
        f"{rule_title(rule)}{f' ×{count}' if count > 1 else ''} ({priority})"
        for (priority, rule), count in ordered
    ]
    noun = "alert is" if len(alerts) == 1 else "alerts are"
    return Line(
        f"{len(alerts)} {noun} still firing since posted: " + ", ".join(parts) + ".",
        reminded_ids=tuple(alert.alert_id for alert in alerts),
    )


def _came_and_went_line(entry: LedgerEntry, timezone: str) -> Line:
    """A held alert that was gone before office hours: when it arose, and how it ended."""
    arose = ""
    if entry.held_since is not None:
        local = entry.held_since.astimezone(ZoneInfo(timezone))
        arose = f"arose {local:%a} {local.day} {local:%b}, {local:%H:%M}; "
    ended = "resolved since" if entry.stopped_at is not None else "fired until its week ended"
    text = f"• {escape(entry.message)} _({arose}{ended})_"
    return Line(text, came_and_went_ids=(entry.alert_id,))


def _groups(
    plan: Plan, superset_base_url: str | None, timezone: str
) -> list[tuple[str, list[Line]]]:
    groups = []
    for priority in PRIORITIES:
        alerts = [alert for alert in plan.new if alert.priority == priority]
        if alerts:
            groups.append((HEADINGS[priority], _new_lines(alerts, superset_base_url)))
    others = [alert for alert in plan.new if alert.priority not in PRIORITIES]
    if others:
        groups.append(("*Other*", _new_lines(others, superset_base_url)))
    if plan.reminders:
        groups.append((":hourglass_flowing_sand: *Still firing*", [_reminder_line(plan.reminders)]))
    if plan.resolved:
        groups.append(
            (
                ":white_check_mark: *Resolved*",
                [
                    Line(f"• {escape(entry.message)}", resolved_ids=(entry.alert_id,))
                    for entry in plan.resolved
                ],
            )
        )
    if plan.came_and_went:
        groups.append(
            (
                ":crescent_moon: *Came and went outside office hours*",
                [_came_and_went_line(entry, timezone) for entry in plan.came_and_went],
            )
        )
    return groups


def _pieces(line: Line, room: int) -> list[Line]:
    """A line longer than a section can hold, cut into pieces; the last carries its ids."""
    if len(line.text) <= room:
        return [line]
    chunks = [line.text[start : start + room] for start in range(0, len(line.text), room)]
    return [Line(chunk) for chunk in chunks[:-1]] + [replace(line, text=chunks[-1])]


def _sections(groups: list[tuple[str, list[Line]]]) -> list[tuple[str, list[Line]]]:
    """Each group's heading and lines packed into sections of at most 3,000 characters."""
    sections = []
    for heading, lines in groups:
        continued = f"{heading} (continued)"
        room = SECTION_TEXT_LIMIT - len(continued) - 1
        current_heading, current, size = heading, [], len(heading)
        for line in lines:
            for piece in _pieces(line, room):
                if current and size + 1 + len(piece.text) > SECTION_TEXT_LIMIT:
                    sections.append((current_heading, current))
                    current_heading, current, size = continued, [], len(continued)
                current.append(piece)
                size += 1 + len(piece.text)
        sections.append((current_heading, current))
    return sections


def _summary(plan: Plan) -> str:
    parts = []
    if plan.new:
        by_priority = Counter(alert.priority for alert in plan.new)
        detail = ", ".join(f"{by_priority[p]} {p}" for p in PRIORITIES if by_priority[p])
        parts.append(f"{len(plan.new)} new ({detail})" if detail else f"{len(plan.new)} new")
    if plan.reminders:
        parts.append(f"{len(plan.reminders)} still firing")
    if plan.resolved:
        parts.append(f"{len(plan.resolved)} resolved")
    if plan.came_and_went:
        parts.append(f"{len(plan.came_and_went)} came and went outside office hours")
    return ", ".join(parts)


def build_messages(
    plan: Plan,
    as_of: datetime,
    timezone: str,
    superset_base_url: str | None = None,
) -> list[Message]:
    """The plan as Slack messages: one when it fits, several (numbered) when it does not."""
    if not plan.has_posts:
        return []
    local = as_of.astimezone(ZoneInfo(timezone))
    context = f"As of {local:%a %d %b %Y, %H:%M} {timezone} · {_summary(plan)}"
    sections = _sections(_groups(plan, superset_base_url, timezone))

    per_message = BLOCKS_PER_MESSAGE - 2  # a header and a context block open each message
    batches: list[list[tuple[str, list[Line]]]] = [[]]
    size = 0
    for section in sections:
        length = len(section[0]) + sum(1 + len(line.text) for line in section[1])
        batch = batches[-1]
        if batch and (len(batch) >= per_message or size + length > MESSAGE_TEXT_LIMIT):
            batches.append([])
            size = 0
        batches[-1].append(section)
        size += length

    messages = []
    for number, batch in enumerate(batches, start=1):
        part = f" ({number}/{len(batches)})" if len(batches) > 1 else ""
        blocks = [
            {"type": "header", "text": {"type": "plain_text", "text": HEADER + part}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
        ]
        lines = []
        for heading, section_lines in batch:
            text = "\n".join([heading, *(line.text for line in section_lines)])
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
            lines.extend(section_lines)
        messages.append(
            Message(
                payload={"text": f"{HEADER}{part}: {_summary(plan)}", "blocks": blocks},
                new_ids=tuple(i for line in lines for i in line.new_ids),
                reminded_ids=tuple(i for line in lines for i in line.reminded_ids),
                resolved_ids=tuple(i for line in lines for i in line.resolved_ids),
                came_and_went_ids=tuple(i for line in lines for i in line.came_and_went_ids),
            )
        )
    return messages


def failure_payload(job_name: str, run_id: str, error: str, run_url: str) -> dict:
    """A Dagster run that failed, for the same channel: which job, why, where to look."""
    reason = escape(error.strip().splitlines()[0][:500]) if error.strip() else "no message"
    text = f":x: *Dagster run failed*: `{escape(job_name)}` (run {run_id[:8]})\n{reason}"
    return {
        "text": f"Dagster run failed: {job_name}",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": text}},
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"<{run_url}|Open the run in Dagster>"}],
            },
        ],
    }
