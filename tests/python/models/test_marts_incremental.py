"""Incremental builds equal full refreshes, on the real warehouse.

Staging's raw-row tables, fct_events and fct_calls are incremental (the other marts are
rebuilt on each run from them), so an incremental `emg build` must leave every mart, every
staging relation and audit.rejected_rows exactly as a `--full-refresh` build would, both when
the CRM changes rows and when as_of moves on.

One module-scoped fixture runs the whole story once (two `emg crm generate`, seven builds,
about two and a half minutes) and snapshots what the tests need after each build:

1. generate the CRM as of T (Sunday 2026-12-06 20:00 UTC) and build at T with --full-refresh;
2. edit raw rows the way the CRM would (complete a missed and an upcoming call, log two new
   calls, soft-delete a lead that has calls and a list with sales, recategorise a lead, each
   with its updatedAt bumped), then build at T (incremental);
3. build at T with --full-refresh;
4. with no raw change, build at T + 1 day, Monday (incremental): upcoming calls become missed,
   a partner list falls overdue, as_of's week changes;
5. build at T + 1 day with --full-refresh;
6. replace the CRM with data generated as of an earlier day, every updatedAt older than what
   fct_calls holds (a replica restored from a backup, or the demo data regenerated), and build
   at that day (incremental: as_of moves back);
7. build at that day with --full-refresh.

Snapshots 2 and 3 must be equal mart by mart, and so must 4 and 5, and 6 and 7.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import REPO, query, run_emg

from emg import warehouse as wh

T = datetime(2026, 12, 6, 20, 0, 0)  # a Sunday evening (GMT)
NEXT_DAY = T + timedelta(days=1)  # Monday evening: a new local ISO week
EARLIER = datetime(2026, 11, 25, 15, 0, 0)  # a Wednesday, before every stored updatedAt


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Snapshot:
    """What one build left in the marts, read right after it."""

    # mart -> its rows as text, sorted
    marts: dict[str, list[str]]
    # call_id -> call_status
    call_statuses: dict[str, str]
    # call_id -> the fct_calls row as text
    call_rows: dict[str, str]
    # lead_ids of fct_agreements with is_overdue
    overdue_leads: set[str]
    # the one row of pipeline_health, by column
    pipeline_health: dict[str, object]
    # pg_class oid of marts.fct_calls: a full rebuild creates a new relation
    fct_calls_oid: int
    fct_calls_rows: int
    # the physical row version (xmin) of a call no build should rewrite
    untouched_xmin: str | None
    # fct_calls' entry in the build's run_results.json
    fct_calls_result: dict = field(default_factory=dict)
    # the physical row version (xmin) of the untouched call's completion in fct_events
    untouched_event_xmin: str | None = None
    fct_events_rows: int = 0
    # the same in staging's raw-row table of activity logs
    untouched_log_xmin: str | None = None
    # bdr_weekly_performance's rows (as text) and their physical row versions (xmin)
    weekly_versions: dict[str, str] = field(default_factory=dict)
    # call_heatmap's rows (as text): their physical row version and their BDR day
    heatmap_versions: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class RawChanges:
    missed_call_completed: str
    upcoming_call_completed: str
    new_completed_call: str
    new_upcoming_call: str
    deleted_lead: str
    recategorised_lead: str
    untouched_call: str
    vanished_call: str
    vanished_proposal_lead: str
    due_today_lead: str


@dataclass
class Story:
    changes: RawChanges
    first_full: Snapshot
    incremental: Snapshot
    full_refresh: Snapshot
    next_day_incremental: Snapshot
    next_day_full_refresh: Snapshot
    replaced_incremental: Snapshot
    replaced_full_refresh: Snapshot


def _run_results_path() -> Path:
    target = Path(os.environ.get("DBT_TARGET_PATH", "target"))
    return (target if target.is_absolute() else REPO / target) / "run_results.json"


def _fct_calls_result() -> dict:
    results = json.loads(_run_results_path().read_text())["results"]
    return next(result for result in results if result["unique_id"] == "model.emg.fct_calls")


def _snapshot(conn, untouched_call: str | None) -> Snapshot:
    # every relation of marts (by name), staging and audit (by schema.name)
    marts = {}
    for schema, name in query(
        conn,
        "select table_schema, table_name from information_schema.tables"
        " where table_schema in ('marts', 'staging', 'audit') order by 1, 2",
    ):
        rows = query(conn, f'select cast(rel as text) from {schema}."{name}" as rel order by 1')
        marts[name if schema == "marts" else f"{schema}.{name}"] = [row[0] for row in rows]
    columns_and_values = query(conn, "select to_jsonb(health) from marts.pipeline_health as health")
    return Snapshot(
        marts=marts,
        call_statuses=dict(query(conn, "select call_id, call_status from marts.fct_calls")),
        call_rows=dict(
            query(conn, "select call_id, cast(calls as text) from marts.fct_calls as calls")
        ),
        overdue_leads={
            lead_id
            for (lead_id,) in query(
                conn, "select lead_id from marts.fct_agreements where is_overdue"
            )
        },
        pipeline_health=columns_and_values[0][0],
        fct_calls_oid=query(conn, "select cast(to_regclass('marts.fct_calls') as oid)")[0][0],
        fct_calls_rows=query(conn, "select count(*) from marts.fct_calls")[0][0],
        untouched_xmin=_call_xmin(conn, untouched_call),
        fct_calls_result=_fct_calls_result(),
        untouched_event_xmin=_event_xmin(conn, untouched_call),
        fct_events_rows=query(conn, "select count(*) from marts.fct_events")[0][0],
        untouched_log_xmin=_log_xmin(conn, untouched_call),
        weekly_versions=dict(
            query(
                conn,
                "select cast(w as text), cast(w.xmin as text)"
                " from marts.bdr_weekly_performance as w",
            )
        ),
        heatmap_versions={
            row: (version, day)
            for row, version, day in query(
                conn,
                "select cast(h as text), cast(h.xmin as text), h.bdr_id || ' ' || h.call_date"
                " from marts.call_heatmap as h",
            )
        },
    )


def _xmin(conn, relation: str, key_column: str, key: str | None) -> str | None:
    """The physical row version of one row: unchanged when no build rewrote the row."""
    if not key:
        return None
    found = query(
        conn, f"select cast(xmin as text) from {relation} where {key_column} = %s", (key,)
    )
    return found[0][0] if found else None


def _call_xmin(conn, call_id: str | None) -> str | None:
    return _xmin(conn, "marts.fct_calls", "call_id", call_id)


def _log_xmin(conn, call_id: str | None) -> str | None:
    return _xmin(conn, "staging.base_crm__activity_logs", "activity_log_id", call_id)


def _event_xmin(conn, call_id: str | None) -> str | None:
    return _xmin(conn, "marts.fct_events", "event_id", call_id and f"call_completed:{call_id}")


def _build(conn, as_of: datetime, untouched_call: str | None, full_refresh: bool) -> Snapshot:
    run_emg("build", "--as-of", _iso(as_of), *(["--full-refresh"] if full_refresh else []))
    return _snapshot(conn, untouched_call)


def _one(conn, statement: str, params=None) -> str:
    rows = query(conn, statement, params)
    assert rows, f"the generated data has no row for: {statement}"
    return rows[0][0]


def _edit_the_crm(conn) -> RawChanges:
    """Change raw rows as the CRM would, each write bumping the row's updatedAt."""
    at = {"t": T}
    deleted_lead = _one(
        conn,
        """
        select calls.lead_id
        from marts.fct_calls as calls
        inner join marts.fct_lists_out as lists on calls.lead_id = lists.lead_id
        where lists.sales_count > 0
        group by 1
        order by count(*) desc, 1
        limit 1
        """,
    )
    recategorised_lead = _one(
        conn,
        "select lead_id from marts.fct_calls where lead_id <> %s "
        "group by 1 order by count(*) desc, 1 limit 1",
        (deleted_lead,),
    )
    touched = (deleted_lead, recategorised_lead)
    missed_call = _one(
        conn,
        "select call_id from marts.fct_calls where call_status = 'missed' and outcome is null "
        "and lead_id not in %s order by call_id limit 1",
        (touched,),
    )
    upcoming_call = _one(
        conn,
        "select call_id from marts.fct_calls where call_status = 'upcoming' "
        "and lead_id not in %s order by scheduled_at desc, call_id limit 1",
        (touched,),
    )
    lead_for_new_calls, bdr_for_new_calls = query(
        conn,
        "select calls.lead_id, calls.bdr_id from marts.fct_calls as calls "
        "inner join marts.dim_bdrs as bdrs on calls.bdr_id = bdrs.bdr_id "
        "where calls.lead_id not in %s order by calls.call_id limit 1",
        (touched,),
    )[0]
    # rows deleted from the replica outright: no updatedAt announces them
    vanished_call, vanished_call_lead = query(
        conn,
        "select call_id, lead_id from marts.fct_calls where call_status = 'completed' "
        "and lead_id not in %s order by call_id desc limit 1",
        (touched,),
    )[0]
    vanished_proposal, vanished_proposal_lead = query(
        conn,
        "select source_id, lead_id from marts.fct_events where event_type = 'proposal' "
        "and lead_id not in %s and lead_id <> %s order by source_id limit 1",
        (touched, vanished_call_lead),
    )[0]
    # a call no build after the first should rewrite: completed long ago, on an untouched lead
    untouched_call = _one(
        conn,
        "select call_id from marts.fct_calls where call_status = 'completed' "
        "and last_changed_at < %(t)s - interval '14 days' and lead_id not in %(touched)s "
        "and lead_id <> %(new)s order by call_id limit 1",
        {
            **at,
            "touched": (*touched, vanished_call_lead, vanished_proposal_lead),
            "new": lead_for_new_calls,
        },
    )
    # a pending partner list, about to be due on T's own local day
    due_today_lead = _one(
        conn,
        "select lead_id from marts.fct_agreements where not is_list_sent and status <> 'LOST' "
        "and lead_id not in %(touched)s order by lead_id limit 1",
        {"touched": (*touched, vanished_call_lead, vanished_proposal_lead, lead_for_new_calls)},
    )
    with conn.cursor() as cur:
        cur.execute("begin")
        # a list now due at 09:00 on T's day: due, not overdue, until the local day ends
        cur.execute(
            """
            update crm."PipelineItem" set
                "partnerListDueDate" = %(t)s - interval '11 hours',
                "updatedAt" = %(t)s - interval '25 minutes'
            where id = %(id)s
            """,
            {**at, "id": due_today_lead},
        )
        # a missed call logged as completed, 25 minutes after its scheduled time
        cur.execute(
            """
            update crm."ActivityLog" set
                "completedDate" = least("scheduledDate" + interval '25 minutes',
                                        %(t)s - interval '15 minutes'),
                "outcome" = 'COMPLETED',
                "updatedAt" = %(t)s - interval '10 minutes'
            where id = %(id)s
            """,
            {**at, "id": missed_call},
        )
        # an upcoming call held early
        cur.execute(
            """
            update crm."ActivityLog" set
                "completedDate" = %(t)s - interval '5 minutes',
                "outcome" = 'COMPLETED',
                "updatedAt" = %(t)s - interval '4 minutes'
            where id = %(id)s
            """,
            {**at, "id": upcoming_call},
        )
        # two new CALL activities: one done this afternoon, one booked for tomorrow morning
        cur.execute(
            """
            insert into crm."ActivityLog" (
                "id", "pipelineItemId", "userId", "type", "scheduledDate", "completedDate",
                "outcome", "notes", "createdAt", "updatedAt"
            ) values
                ('test_new_completed_call', %(lead)s, %(bdr)s, 'CALL',
                 %(t)s - interval '3 hours', %(t)s - interval '170 minutes', 'COMPLETED',
                 'logged by test_marts_incremental', %(t)s - interval '4 hours',
                 %(t)s - interval '165 minutes'),
                ('test_new_upcoming_call', %(lead)s, %(bdr)s, 'CALL',
                 %(t)s + interval '13 hours', null, null,
                 'booked by test_marts_incremental', %(t)s - interval '1 hour',
                 %(t)s - interval '1 hour')
            """,
            {**at, "lead": lead_for_new_calls, "bdr": bdr_for_new_calls},
        )
        # a lead with calls, a list out and sales soft-deleted
        cur.execute(
            """
            update crm."PipelineItem" set
                "deletedAt" = %(t)s - interval '30 minutes',
                "updatedAt" = %(t)s - interval '30 minutes'
            where id = %(id)s
            """,
            {**at, "id": deleted_lead},
        )
        # a lead recategorised
        cur.execute(
            """
            update crm."PipelineItem" set
                "category" = 'Recategorised_by_test',
                "updatedAt" = %(t)s - interval '20 minutes'
            where id = %(id)s
            """,
            {**at, "id": recategorised_lead},
        )
        # a completed call and a lead's proposal (its first PROPOSAL_* status change) deleted
        cur.execute(
            'delete from crm."ActivityLog" where id in (%s, %s)', (vanished_call, vanished_proposal)
        )
        cur.execute("commit")
    return RawChanges(
        missed_call_completed=missed_call,
        upcoming_call_completed=upcoming_call,
        new_completed_call="test_new_completed_call",
        new_upcoming_call="test_new_upcoming_call",
        deleted_lead=deleted_lead,
        recategorised_lead=recategorised_lead,
        untouched_call=untouched_call,
        vanished_call=vanished_call,
        vanished_proposal_lead=vanished_proposal_lead,
        due_today_lead=due_today_lead,
    )


@pytest.fixture(scope="module")
def story(warehouse) -> Story:
    run_emg("crm", "generate", "--as-of", _iso(T))
    conn = wh.connect()
    conn.autocommit = True
    try:
        first_full = _build(conn, T, None, full_refresh=True)
        changes = _edit_the_crm(conn)
        first_full.untouched_xmin = _call_xmin(conn, changes.untouched_call)
        first_full.untouched_event_xmin = _event_xmin(conn, changes.untouched_call)
        first_full.untouched_log_xmin = _log_xmin(conn, changes.untouched_call)
        untouched = changes.untouched_call
        incremental = _build(conn, T, untouched, full_refresh=False)
        full_refresh = _build(conn, T, untouched, full_refresh=True)
        next_day_incremental = _build(conn, NEXT_DAY, untouched, full_refresh=False)
        next_day_full_refresh = _build(conn, NEXT_DAY, untouched, full_refresh=True)
        run_emg("crm", "generate", "--as-of", _iso(EARLIER))
        return Story(
            changes=changes,
            first_full=first_full,
            incremental=incremental,
            full_refresh=full_refresh,
            next_day_incremental=next_day_incremental,
            next_day_full_refresh=next_day_full_refresh,
            replaced_incremental=_build(conn, EARLIER, None, full_refresh=False),
            replaced_full_refresh=_build(conn, EARLIER, None, full_refresh=True),
        )
    finally:
        conn.close()


def _differences(incremental: Snapshot, full_refresh: Snapshot) -> dict[str, object]:
    """Per mart that differs: the rows only the incremental build has, and only the full one."""
    problems: dict[str, object] = {}
    for mart in sorted(set(incremental.marts) | set(full_refresh.marts)):
        if mart not in incremental.marts or mart not in full_refresh.marts:
            problems[mart] = "missing after one of the builds"
            continue
        mine, theirs = Counter(incremental.marts[mart]), Counter(full_refresh.marts[mart])
        if mine != theirs:
            problems[mart] = {
                "only_incremental": list((mine - theirs).elements())[:5],
                "only_full_refresh": list((theirs - mine).elements())[:5],
            }
    return problems


# --- CRM edits --------------------------------------------------------------------------------


def test_incremental_build_after_crm_edits_equals_a_full_refresh(story):
    assert {"fct_calls", "fct_agreements", "fct_lists_out", "fct_sales"} <= set(
        story.incremental.marts
    )
    assert _differences(story.incremental, story.full_refresh) == {}


def test_crm_edits_reach_the_marts_on_the_incremental_build(story):
    changes, before, after = story.changes, story.first_full, story.incremental
    statuses = after.call_statuses
    assert before.call_statuses[changes.missed_call_completed] == "missed"
    assert statuses[changes.missed_call_completed] == "completed"
    assert before.call_statuses[changes.upcoming_call_completed] == "upcoming"
    assert statuses[changes.upcoming_call_completed] == "completed"
    assert statuses[changes.new_completed_call] == "completed"
    assert statuses[changes.new_upcoming_call] == "upcoming"

    # the soft-deleted lead's calls, list and sales are gone, in the marts built from fct_calls too
    deleted = changes.deleted_lead
    assert before.marts["fct_lists_out"] and before.marts["fct_sales"]
    assert any(deleted in row for row in before.marts["fct_sales"])
    gone = {
        mart: [row for row in after.marts[mart] if deleted in row]
        for mart in ("fct_calls", "fct_lists_out", "fct_sales", "fct_agreements")
    }
    assert gone == {mart: [] for mart in gone}
    # every call of the recategorised lead carries the new category
    recategorised = [
        row for row in after.call_rows.values() if f",{changes.recategorised_lead}," in row
    ]
    assert recategorised
    assert all(",Recategorised_by_test," in row for row in recategorised), recategorised


def test_rows_deleted_from_the_replica_leave_the_facts_on_the_incremental_build(story):
    """A deleted row has no updatedAt: staging's log of what it redid carries it to the facts
    in the same build, not at the nightly full refresh."""
    changes, before, after = story.changes, story.first_full, story.incremental
    assert changes.vanished_call in before.call_statuses
    assert changes.vanished_call not in after.call_statuses
    call_events = [row for row in after.marts["fct_events"] if f":{changes.vanished_call}," in row]
    assert call_events == []
    # the lead's proposal falls back to its next PROPOSAL_* change, or goes: either way, it
    # is what a full refresh gives
    lead = changes.vanished_proposal_lead
    proposals = {
        name: sorted(
            row
            for row in snapshot.marts["fct_events"]
            if row.startswith("(proposal:") and lead in row
        )
        for name, snapshot in (("before", before), ("after", after), ("full", story.full_refresh))
    }
    assert proposals["after"] == proposals["full"]
    assert proposals["after"] != proposals["before"]


def test_the_hourly_build_redoes_only_the_touched_leads_events(story):
    """fct_events does not move with the clock: an incremental build leaves the events of
    leads nobody touched as they were (same physical row), and the CRM edits reach it."""
    before, after, changes = story.first_full, story.incremental, story.changes
    assert before.untouched_event_xmin is not None
    assert after.untouched_event_xmin == before.untouched_event_xmin
    events = after.marts["fct_events"]
    assert any(f"call_completed:{changes.new_completed_call}," in row for row in events)
    assert any(f"call_scheduled:{changes.new_upcoming_call}," in row for row in events)
    assert not any(f",{changes.deleted_lead}," in row for row in events)
    # a day later with no raw change, nothing in fct_events moves
    assert story.next_day_incremental.marts["fct_events"] == events


def test_table_marts_rewrite_only_the_rows_that_changed(story):
    """A table mart is replaced by its difference (table_in_place): after the CRM edits, the
    weekly rows they moved are new rows, and every other row keeps its physical row."""
    before, after = story.first_full.weekly_versions, story.incremental.weekly_versions
    kept = set(after) & set(before)
    assert set(after) - set(before), "the edits moved no weekly row: nothing to prove"
    assert kept, "the edits moved every weekly row: nothing to prove"
    assert {row: after[row] for row in kept} == {row: before[row] for row in kept}


def test_the_heatmap_rewrites_only_the_bdr_days_that_changed(story):
    """call_heatmap is incremental by BDR day on fct_events' change log: after the CRM edits
    (and as_of's move), the days whose cells changed are rewritten, and every cell of a day
    whose cells are all as they were keeps its physical row."""
    before, after = story.first_full.heatmap_versions, story.incremental.heatmap_versions

    def cells_by_day(versions):
        days = {}
        for row, (_, day) in versions.items():
            days.setdefault(day, set()).add(row)
        return days

    days_before, days_after = cells_by_day(before), cells_by_day(after)
    same = {day for day, cells in days_after.items() if days_before.get(day) == cells}
    assert len(same) < len(days_after), "the edits moved no heatmap cell: nothing to prove"
    assert same, "the edits moved every BDR day: nothing to prove"
    for day in same:
        assert {row: after[row][0] for row in days_after[day]} == {
            row: before[row][0] for row in days_after[day]
        }, f"the cells of {day} did not change but were rewritten"


def test_the_hourly_build_retypes_only_the_changed_raw_rows(story):
    """Staging's raw-row tables are incremental: an untouched activity keeps its physical row,
    the edits reach staging, and staging equals a full refresh (test above)."""
    before, after, changes = story.first_full, story.incremental, story.changes
    assert before.untouched_log_xmin is not None
    assert after.untouched_log_xmin == before.untouched_log_xmin
    logs = after.marts["staging.stg_crm__activity_logs"]
    assert any(row.startswith(f"({changes.new_completed_call},") for row in logs)
    assert "staging.base_crm__activity_logs" in after.marts
    assert "audit.rejected_rows" in after.marts


# --- time moves on ----------------------------------------------------------------------------


def test_incremental_build_a_day_later_equals_a_full_refresh(story):
    assert _differences(story.next_day_incremental, story.next_day_full_refresh) == {}


def test_a_day_later_calls_lists_and_weeks_have_moved(story):
    """The day-later comparison covers rows that changed, so it is not vacuous."""
    before, after = story.full_refresh, story.next_day_incremental
    moved = Counter(
        (before.call_statuses[call_id], status)
        for call_id, status in after.call_statuses.items()
        if before.call_statuses.get(call_id) != status
    )
    assert moved[("upcoming", "missed")] > 0, moved
    # overdue by local day (contract §5, v2): due at 09:00 on T's day, it is due, not overdue,
    # at 20:00 that day, and overdue the next evening
    due_today = story.changes.due_today_lead
    assert due_today not in before.overdue_leads and due_today in after.overdue_leads
    assert before.pipeline_health["next_week_start"] == "2026-12-07"
    assert after.pipeline_health["next_week_start"] == "2026-12-14"
    assert after.pipeline_health["as_of"] == "2026-12-07T20:00:00"


# --- the replica replaced by older data --------------------------------------------------------


def test_incremental_build_after_the_crm_is_replaced_by_older_data_equals_a_full_refresh(story):
    assert _differences(story.replaced_incremental, story.replaced_full_refresh) == {}


def test_older_data_rewrites_calls_kept_under_the_same_ids(story):
    """Not vacuous: calls under the same ids came back with different rows."""
    before, after = story.next_day_full_refresh, story.replaced_incremental
    common = before.call_rows.keys() & after.call_rows.keys()
    rewritten = [
        call_id for call_id in common if before.call_rows[call_id] != after.call_rows[call_id]
    ]
    assert rewritten, "the regenerated data shares no changed call with the previous data"
    assert after.call_rows.keys() != before.call_rows.keys()


# --- fct_calls is incremental -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("previous", "incremental"),
    [("first_full", "incremental"), ("full_refresh", "next_day_incremental")],
)
def test_fct_calls_second_build_is_incremental(story, previous, incremental):
    before, after = getattr(story, previous), getattr(story, incremental)
    # the same relation, not a new table swapped in
    assert after.fct_calls_oid == before.fct_calls_oid
    # an old, unchanged call keeps its physical row version: it was not rewritten
    assert before.untouched_xmin is not None
    assert after.untouched_xmin == before.untouched_xmin
    # dbt merged fewer rows than the table holds
    merged = after.fct_calls_result["adapter_response"].get("rows_affected")
    assert after.fct_calls_result["status"] == "success"
    assert merged is not None and 0 < merged < after.fct_calls_rows, after.fct_calls_result


def test_full_refresh_rewrites_fct_calls_in_place(story):
    """The contrast that makes the test above meaningful: a full refresh rewrites every row,
    in the same relation (so what analysts built on the mart survives it)."""
    assert story.full_refresh.fct_calls_oid == story.incremental.fct_calls_oid
    assert story.full_refresh.untouched_xmin != story.incremental.untouched_xmin
