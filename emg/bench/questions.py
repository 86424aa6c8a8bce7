"""The dashboard questions, each asked twice: of the marts, and live from the raw CRM tables
the way the CRM's own API computed them (aggregates over the OLTP tables on each request).

Both sides must give the same answer on clean data (the benchmark loads no defects; with
defects the marts deduplicate and reject rows, which the live side cannot). Parameters are
computed once per run from as_of and the reporting timezone (`params`). The CRM's enum
columns are enum types as Prisma creates them (what the benchmark loads) or text: the live SQL
reads both, casting to text where an enum has no operator (`like`).

The SQL lives in emg/bench/sql/, one file per question and side: `<name>.mart.sql`, and
`<name>.live.sql`, whose first line (`-- with: live_leads, ...`) names the shared CTEs
(`<cte>.cte.sql`) put before its own. Both are psycopg2 queries with `%(name)s` parameters
(so a literal percent sign is `%%`); this module keeps the titles and builds the parameters.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from emg.paths import project_dir


@dataclass(frozen=True)
class Question:
    name: str
    title: str
    mart_sql: str
    live_sql: str


def _local_start_utc(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant (naive, as the CRM stores it) where a local day starts."""
    return datetime.combine(day, time(), zone).astimezone(UTC).replace(tzinfo=None)


def _seed(name: str) -> list[dict]:
    with (project_dir() / "seeds" / f"{name}.csv").open() as handle:
        return list(csv.DictReader(handle))


def params(as_of: datetime, timezone: str, heatmap_bdr: str | None) -> dict:
    zone = ZoneInfo(timezone)
    local = as_of.astimezone(zone)
    today = local.date()
    week = today - timedelta(days=today.isoweekday() - 1)
    month = today.replace(day=1)
    months_back = month.year * 12 + month.month - 1 - 5  # the month five before this one
    six_months = date(months_back // 12, months_back % 12 + 1, 1)
    defaults = {
        (r["metric"], r["period"], r["scope"]): int(r["target_value"])
        for r in _seed("kpi_target_defaults")
    }
    rules = {r["rule_key"]: r for r in _seed("alert_rules")}
    # the weekly rules' thresholds in force: the share of the week's business days ended
    # before today (contract §6), as macros/metrics/business_days.sql computes it
    share = Decimal(min(today.isoweekday() - 1, 5)) / 5

    def in_force(rule: str, column: str = "threshold") -> Decimal:
        row = rules[rule]
        pro_rated = row.get("is_pro_rated", "false").strip().lower() == "true"
        return Decimal(row[column]) * (share if pro_rated else 1)

    return {
        "as_of": as_of.astimezone(UTC).replace(tzinfo=None),
        "as_of_tz": as_of.astimezone(UTC),
        "tz": timezone,
        "today": today,
        "week_start": week,
        "week_start_at": _local_start_utc(week, zone),
        "next_week_start_at": _local_start_utc(week + timedelta(days=7), zone),
        "next_week_end_at": _local_start_utc(week + timedelta(days=14), zone),
        "four_weeks_start": week - timedelta(days=21),
        "four_weeks_start_at": _local_start_utc(week - timedelta(days=21), zone),
        "month_start": month,
        "month_start_at": _local_start_utc(month, zone),
        "month_end": (month + timedelta(days=32)).replace(day=1) - timedelta(days=1),
        "six_months_start": six_months,
        "six_months_start_at": _local_start_utc(six_months, zone),
        "heatmap_from": today - timedelta(days=89),
        "heatmap_from_at": _local_start_utc(today - timedelta(days=89), zone),
        "heatmap_bdr": heatmap_bdr,
        "calls_week_target": defaults[("CALLS_COMPLETED", "WEEK", "bdr")],
        "agreements_month_target": defaults[("AGREEMENTS", "MONTH", "team")],
        "lists_month_target": defaults[("LISTS_OUT", "MONTH", "team")],
        "low_calls": in_force("low_call_volume"),
        "overdue_lists": in_force("overdue_partner_lists"),
        "low_upcoming": in_force("low_upcoming_calls"),
        "support_index": in_force("bdr_needs_support"),
        "support_calls": in_force("bdr_needs_support", "and_threshold"),
    }


# --- the SQL: emg/bench/sql/<question>.mart.sql and <question>.live.sql ----------------------

SQL_DIR = Path(__file__).resolve().parent / "sql"
_WITH = "-- with: "


def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


def live(name: str) -> str:
    """The live query: its first line names the shared CTEs (`<cte>.cte.sql`: contract §4 read
    straight off the CRM tables) that go before the query's own."""
    header, _, body = _sql(f"{name}.live").partition("\n")
    if not header.startswith(_WITH):
        raise ValueError(f"{name}.live.sql must start with {_WITH!r}<cte>, ...")
    names = header.removeprefix(_WITH).split(",")
    ctes = [_sql(f"{cte.strip()}.cte").rstrip() for cte in names]
    return "with " + ",\n".join([*ctes, body])


_TITLES = {
    "calls_this_week": "Calls per BDR this week vs target",
    "agreements_lists_this_month": "Agreements and lists out this month vs target (team)",
    "leaderboard_4_weeks": "BDR leaderboard, last 4 weeks",
    "heatmap_one_bdr_90_days": "Activity heatmap of one BDR, last 90 days",
    "pipeline_health": "Pipeline health",
    "conversion_6_months": "Conversion rates, last 6 months (team)",
    "firing_alerts": "Firing alerts",
}

QUESTIONS = [
    Question(name, title, _sql(f"{name}.mart"), live(name)) for name, title in _TITLES.items()
]
