"""The warehouse side of a delivery: the build's alerts in, the ledger (schema `ops`) out."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import psycopg2
from psycopg2.extras import execute_values

from emg.alerts.plan import Alert, LedgerEntry, Plan
from emg.errors import EmgError

LOCK_KEY = "emg.alerts.delivery"
OPS_DDL = Path(__file__).resolve().parent.parent / "sql" / "ops_schema.sql"


def ensure_schema(conn) -> None:
    with conn, conn.cursor() as cur:
        cur.execute(OPS_DDL.read_text())


def lock(conn) -> None:
    """One delivery at a time (Dagster and the CLI alike), or a clear error."""
    with conn.cursor() as cur:
        cur.execute("select pg_try_advisory_lock(hashtext(%s))", (LOCK_KEY,))
        if not cur.fetchone()[0]:
            raise EmgError("another alerts delivery is running; try again when it has finished")


def unlock(conn) -> None:
    with conn.cursor() as cur:
        cur.execute("select pg_advisory_unlock(hashtext(%s))", (LOCK_KEY,))


def build_state(conn) -> tuple[datetime, date]:
    """The as_of the marts were built for, and its local week (the week alerts belong to)."""
    try:
        with conn, conn.cursor() as cur:
            cur.execute("select max(as_of), max(as_of_week) from marts.as_of_metrics")
            as_of, week = cur.fetchone()
    except psycopg2.errors.UndefinedTable:
        raise EmgError("the marts are not built yet; run `emg build` first") from None
    if as_of is None:
        raise EmgError("marts.as_of_metrics is empty; run `emg build` first")
    return as_of.replace(tzinfo=UTC), week


def firing_alerts(conn) -> list[Alert]:
    with conn, conn.cursor() as cur:
        cur.execute(
            "select alert_id, rule, priority, bdr_id, bdr_name, message, week_start,"
            " dashboard_slug from marts.alerts order by alert_id"
        )
        return [Alert(*row) for row in cur.fetchall()]


def firing_entries(conn) -> dict[str, LedgerEntry]:
    with conn, conn.cursor() as cur:
        cur.execute(
            "select alert_id, rule, priority, bdr_id, message, week_start, status,"
            " first_posted_at, last_posted_at, held_since, stopped_at"
            " from ops.alert_ledger where status = 'firing'"
        )
        return {row[0]: LedgerEntry(*row) for row in cur.fetchall()}


def start_delivery(conn, as_of: datetime, mode: str, firing: int, plan: Plan, planned: int) -> int:
    with conn, conn.cursor() as cur:
        cur.execute(
            "insert into ops.alert_deliveries (as_of, mode, status, firing, new_alerts,"
            " reminders, resolved, messages_planned, held)"
            " values (%s, %s, 'running', %s, %s, %s, %s, %s, %s) returning delivery_id",
            (
                as_of,
                mode,
                firing,
                len(plan.new),
                len(plan.reminders),
                len(plan.resolved) + len(plan.came_and_went),
                planned,
                len(plan.held),
            ),
        )
        return cur.fetchone()[0]


def finish_delivery(conn, delivery_id: int, status: str, error: str | None = None) -> None:
    with conn, conn.cursor() as cur:
        cur.execute(
            "update ops.alert_deliveries set status = %s, error = %s,"
            " finished_at = clock_timestamp() where delivery_id = %s",
            (status, error, delivery_id),
        )


def record_seen(conn, firing: list[Alert], plan: Plan, now: datetime, week: date) -> None:
    """Before posting: every firing alert is in the ledger; silent closes are done; what the
    plan holds for office hours, and what it found stopped, is noted.

    An alert firing again after it was closed starts over (never posted), so a failed post
    of it is retried by the next run. One firing again before its resolved line was posted
    (held for office hours) is still the posted alert: Slack never heard it stop.
    """
    with conn, conn.cursor() as cur:
        if firing:
            execute_values(
                cur,
                """
                insert into ops.alert_ledger as ledger (alert_id, rule, priority, bdr_id,
                    message, week_start, status, first_seen_at, last_seen_at)
                values %s
                on conflict (alert_id) do update set
                    priority = excluded.priority,
                    message = excluded.message,
                    last_seen_at = excluded.last_seen_at,
                    status = 'firing',
                    first_posted_at = case when ledger.status = 'firing'
                        then ledger.first_posted_at end,
                    last_posted_at = case when ledger.status = 'firing'
                        then ledger.last_posted_at end,
                    held_since = case when ledger.status = 'firing'
                        then ledger.held_since end,
                    stopped_at = null,
                    closed_at = null,
                    resolved_posted_at = null
                """,
                [
                    (
                        a.alert_id,
                        a.rule,
                        a.priority,
                        a.bdr_id,
                        a.message,
                        a.week_start,
                        "firing",
                        now,
                        now,
                    )
                    for a in firing
                ],
            )
        for entry in plan.closed_silently:
            cur.execute(
                "update ops.alert_ledger set status = %s, closed_at = %s where alert_id = %s",
                ("expired" if entry.week_start < week else "resolved", now, entry.alert_id),
            )
        cur.execute(
            "update ops.alert_ledger set stopped_at = %s where alert_id = any(%s)"
            " and stopped_at is null",
            (now, [entry.alert_id for entry in plan.stopped]),
        )
        cur.execute(
            "update ops.alert_ledger set held_since = %s where alert_id = any(%s)"
            " and held_since is null",
            (now, plan.held),
        )


def record_posted(conn, delivery_id: int, message, now: datetime) -> None:
    """After Slack took a message: what it carried is posted (one transaction)."""
    with conn, conn.cursor() as cur:
        cur.execute(
            "update ops.alert_ledger set first_posted_at = coalesce(first_posted_at, %s),"
            " last_posted_at = %s, times_posted = times_posted + 1, last_error = null,"
            " held_since = null where alert_id = any(%s)",
            (now, now, list(message.new_ids + message.reminded_ids + message.came_and_went_ids)),
        )
        cur.execute(
            "update ops.alert_ledger set status = 'resolved', closed_at = %s,"
            " resolved_posted_at = %s, last_error = null, held_since = null"
            " where alert_id = any(%s)",
            (now, now, list(message.resolved_ids + message.came_and_went_ids)),
        )
        cur.execute(
            "update ops.alert_deliveries set messages_posted = messages_posted + 1"
            " where delivery_id = %s",
            (delivery_id,),
        )


def record_failure(conn, delivery_id: int, undelivered: list[str], error: str) -> None:
    with conn, conn.cursor() as cur:
        cur.execute(
            "update ops.alert_ledger set last_error = %s where alert_id = any(%s)",
            (error, undelivered),
        )
    finish_delivery(conn, delivery_id, "failed", error)
