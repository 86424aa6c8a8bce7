"""The marts on bad input (SPEC §8): the build passes, rejected rows stay in audit.rejected_rows
and count in no mart, a BDR with no activity still shows (with zeros), and a sales feed that is
empty or missing leaves revenue null rather than failing.

Three builds, each in a module-scoped fixture that snapshots what the tests need right after
it: 200 bad rows of each kind plus an idle BDR; the same data with the sales feed truncated;
200 bad rows without any sales feed. The CRM's enum columns are text here, the shape in which
a replica can hold values the warehouse does not know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from conftest import query, run_emg

from orchestration import warehouse as wh

AS_OF = "2026-11-25T15:00:00Z"
AS_OF_SQL = "timestamp '2026-11-25 15:00:00'"
IDLE_BDR = "idle_bdr_without_activity"

# Live items with the lead they belong to, from the clean staging models alone.
LIVE_ITEMS = "intermediate.int_pipeline_items_mapped_to_leads"

# Each total computed straight from a source (a {rows} placeholder: the clean staging model or
# the raw table) with SPEC §4's definitions, as of AS_OF.
CLEAN_COMPLETED_CALLS = f"""
    select count(*)
    from staging.stg_crm__activity_logs as logs
    inner join {LIVE_ITEMS} as items on logs.pipeline_item_id = items.pipeline_item_id
    where
        logs.activity_type = 'CALL'
        and logs.completed_at <= {AS_OF_SQL}
        and coalesce(logs.outcome, 'COMPLETED') = 'COMPLETED'
"""
RAW_COMPLETED_CALLS = f"""
    select count(*)
    from crm."ActivityLog" as logs
    inner join {LIVE_ITEMS} as items on logs."pipelineItemId" = items.pipeline_item_id
    where
        upper(trim(logs.type)) = 'CALL'
        and logs."completedDate" <= {AS_OF_SQL}
        and coalesce(upper(trim(logs.outcome)), 'COMPLETED') = 'COMPLETED'
"""
CLEAN_AGREEMENTS = f"""
    select count(*) from staging.stg_crm__pipeline_items
    where is_lead and not is_deleted and agreement_at <= {AS_OF_SQL}
"""
RAW_AGREEMENTS = f"""
    select count(*) from crm."PipelineItem"
    where "sublistId" is null and "deletedAt" is null and "agreementDate" <= {AS_OF_SQL}
"""
CLEAN_LISTS_OUT = f"""
    select count(*) from staging.stg_crm__pipeline_items
    where is_lead and not is_deleted and partner_list_sent_at <= {AS_OF_SQL}
"""
RAW_LISTS_OUT = f"""
    select count(*) from crm."PipelineItem"
    where "sublistId" is null and "deletedAt" is null and "partnerListSentDate" <= {AS_OF_SQL}
"""
CLEAN_REVENUE = f"""
    select sum(sales.amount)
    from staging.stg_sales_ext__sales as sales
    inner join {LIVE_ITEMS} as items on sales.pipeline_item_id = items.pipeline_item_id
    where sales.amount > 0 and sales.sold_at <= {AS_OF_SQL}
"""


@dataclass
class Built:
    """What one build left behind, read back right after it."""

    code: int
    output: str
    sales_feed_exists: bool = False
    rejected: dict[str, int] = field(default_factory=dict)
    # rejected ids (no clean row shares them) that a mart holds anyway
    rejected_calls_in_fct_calls: int = -1
    rejected_call_ids: int = 0
    rejected_sales_in_fct_sales: int = -1
    rejected_sale_ids: int = 0
    # metric -> (mart total, clean-only total, raw total)
    totals: dict[str, tuple] = field(default_factory=dict)
    idle_bdr_weeks: list[tuple] = field(default_factory=list)
    idle_bdr_alerts: list[str] = field(default_factory=list)
    # column -> rows where it is not null
    revenue_not_null: dict[str, int] = field(default_factory=dict)
    fct_sales_rows: int = -1


def _summary(output: str) -> tuple[int, int]:
    found = re.findall(r"Done\. PASS=\d+ WARN=(\d+) ERROR=(\d+)", output)
    assert found, output[-4000:]
    warn, error = found[-1]
    return int(warn), int(error)


def _snapshot(build) -> Built:
    built = Built(code=build.returncode, output=build.stdout + build.stderr)
    if build.returncode != 0:
        return built
    conn = wh.connect()
    conn.autocommit = True
    try:
        (built.sales_feed_exists,) = query(
            conn, "select to_regclass('sales_ext.sales') is not null"
        )[0]
        built.rejected = dict(
            query(conn, "select source_table, count(*) from audit.rejected_rows group by 1")
        )
        built.rejected_call_ids, built.rejected_calls_in_fct_calls = query(
            conn,
            """
            select count(distinct rejected.source_id), count(distinct calls.call_id)
            from audit.rejected_rows as rejected
            left join marts.fct_calls as calls on rejected.source_id = calls.call_id
            where
                rejected.source_table = 'crm.ActivityLog'
                and rejected.raw_row ->> 'type' = 'CALL'
                and not exists (
                    select 1 from staging.stg_crm__activity_logs as clean
                    where clean.activity_log_id = rejected.source_id
                )
            """,
        )[0]
        built.rejected_sale_ids, built.rejected_sales_in_fct_sales = query(
            conn,
            """
            select count(distinct rejected.source_id), count(distinct sales.sale_id)
            from audit.rejected_rows as rejected
            left join marts.fct_sales as sales on rejected.source_id = sales.sale_id
            where
                rejected.source_table = 'sales_ext.sales'
                and not exists (
                    select 1 from staging.stg_sales_ext__sales as clean
                    where clean.sale_id = rejected.source_id
                )
            """,
        )[0]
        marts = {
            "calls_completed": "select sum(calls_completed) from marts.team_monthly_kpis",
            "agreements": "select sum(agreements) from marts.team_monthly_kpis",
            "lists_out": "select sum(lists_out) from marts.team_monthly_kpis",
            "revenue": "select sum(revenue) from marts.team_monthly_kpis",
            "fct_calls_completed": (
                "select count(*) from marts.fct_calls where call_status = 'completed'"
            ),
            "fct_sales_amount": "select sum(amount) from marts.fct_sales",
            "bdr_weekly_calls": "select sum(calls_completed) from marts.bdr_weekly_performance",
        }
        clean = {
            "calls_completed": CLEAN_COMPLETED_CALLS,
            "agreements": CLEAN_AGREEMENTS,
            "lists_out": CLEAN_LISTS_OUT,
            "revenue": CLEAN_REVENUE,
            "fct_calls_completed": CLEAN_COMPLETED_CALLS,
            "fct_sales_amount": CLEAN_REVENUE,
            "bdr_weekly_calls": CLEAN_COMPLETED_CALLS
            + " and logs.user_id in (select bdr_id from marts.dim_bdrs)",
        }
        raw = {
            "calls_completed": RAW_COMPLETED_CALLS,
            "agreements": RAW_AGREEMENTS,
            "lists_out": RAW_LISTS_OUT,
        }
        for metric, statement in marts.items():
            built.totals[metric] = (
                query(conn, statement)[0][0],
                query(conn, clean[metric])[0][0],
                query(conn, raw[metric])[0][0] if metric in raw else None,
            )
        built.idle_bdr_weeks = query(
            conn,
            """
            select week_start, calls_completed, agreements, lists_out, sales,
                performance_index
            from marts.bdr_weekly_performance where bdr_id = %s
            """,
            (IDLE_BDR,),
        )
        alerts = query(conn, "select rule from marts.alerts where bdr_id = %s", (IDLE_BDR,))
        built.idle_bdr_alerts = [rule for (rule,) in alerts]
        for mart, column in (
            ("team_monthly_kpis", "revenue"),
            ("team_monthly_kpis", "revenue_per_call"),
            ("team_monthly_kpis", "revenue_per_list"),
            ("team_monthly_kpis", "revenue_per_bdr"),
            ("bdr_weekly_performance", "revenue"),
            ("conversion_rates_monthly", "list_to_sale_rate"),
            ("fct_lists_out", "revenue"),
        ):
            built.revenue_not_null[f"{mart}.{column}"] = query(
                conn, f"select count(*) from marts.{mart} where {column} is not null"
            )[0][0]
        built.fct_sales_rows = query(conn, "select count(*) from marts.fct_sales")[0][0]
        return built
    finally:
        conn.close()


def _build() -> Built:
    return _snapshot(run_emg("build", "--as-of", AS_OF, check=False))


@pytest.fixture(scope="module")
def bad_rows(warehouse) -> Built:
    """200 bad rows of each kind, plus a BDR who has done nothing at all."""
    run_emg("crm", "generate", "--as-of", AS_OF, "--bad-rows", "200", "--enum-columns", "text")
    conn = wh.connect()
    conn.autocommit = True
    try:
        query(
            conn,
            """
            insert into crm."User"
                (id, name, email, role, team, "isActive", "createdAt", "updatedAt")
            values
                (%s, 'Idle Bdr', 'idle.bdr@example.com', 'BDR', 'New', true,
                 timestamp '2026-11-24 09:00:00', timestamp '2026-11-24 09:00:00')
            """,
            (IDLE_BDR,),
        )
    finally:
        conn.close()
    return _build()


@pytest.fixture(scope="module")
def empty_sales_feed(bad_rows) -> Built:
    """The same data with sales_ext.sales emptied."""
    conn = wh.connect()
    conn.autocommit = True
    try:
        query(conn, "truncate sales_ext.sales")
    finally:
        conn.close()
    return _build()


@pytest.fixture(scope="module")
def no_sales_feed(empty_sales_feed) -> Built:
    """200 bad rows of each kind and no sales_ext.sales at all."""
    run_emg(
        "crm",
        "generate",
        "--as-of",
        AS_OF,
        "--bad-rows",
        "200",
        "--no-sales-feed",
        "--enum-columns",
        "text",
    )
    return _build()


def _assert_built(built: Built) -> None:
    assert built.code == 0, built.output[-6000:]
    assert _summary(built.output)[1] == 0, built.output[-6000:]


# --- 200 bad rows of each kind ------------------------------------------------------------


def test_build_passes_with_200_bad_rows_of_each_kind(bad_rows):
    _assert_built(bad_rows)
    # duplicates, orphans, missing values and future completions of activity; orphan, missing
    # and negative sales (unknown currencies and future sales are kept, flagged)
    assert bad_rows.rejected.get("crm.ActivityLog", 0) >= 200
    assert bad_rows.rejected.get("sales_ext.sales", 0) >= 100


def test_rejected_calls_and_sales_appear_in_no_mart(bad_rows):
    _assert_built(bad_rows)
    assert bad_rows.rejected_call_ids > 0 and bad_rows.rejected_sale_ids > 0
    assert bad_rows.rejected_calls_in_fct_calls == 0
    assert bad_rows.rejected_sales_in_fct_sales == 0


def test_mart_totals_equal_the_clean_only_computation(bad_rows):
    _assert_built(bad_rows)
    unequal = {
        metric: (mart, clean)
        for metric, (mart, clean, _) in bad_rows.totals.items()
        if mart != clean
    }
    assert unequal == {}
    # the rejected rows would have changed these totals: the check above has teeth
    inflated = {
        metric: (mart, raw)
        for metric, (mart, _, raw) in bad_rows.totals.items()
        if raw is not None and raw <= mart
    }
    assert inflated == {}


def test_bdr_without_activity_appears_with_zeros(bad_rows):
    _assert_built(bad_rows)
    assert len(bad_rows.idle_bdr_weeks) == 1, bad_rows.idle_bdr_weeks
    week_start, *counts = bad_rows.idle_bdr_weeks[0]
    assert str(week_start) == "2026-11-23"
    assert counts == [0, 0, 0, 0, 0]
    # an active BDR with nothing done this week is one the team should support
    assert bad_rows.idle_bdr_alerts == ["bdr_needs_support"]


# --- the sales feed empty, or missing -----------------------------------------------------


def test_empty_sales_feed_leaves_revenue_null(empty_sales_feed):
    _assert_built(empty_sales_feed)
    assert empty_sales_feed.sales_feed_exists
    assert empty_sales_feed.fct_sales_rows == 0
    assert {column: n for column, n in empty_sales_feed.revenue_not_null.items() if n} == {}


def test_missing_sales_feed_leaves_revenue_null(no_sales_feed):
    _assert_built(no_sales_feed)
    assert not no_sales_feed.sales_feed_exists
    assert no_sales_feed.fct_sales_rows == 0
    assert {column: n for column, n in no_sales_feed.revenue_not_null.items() if n} == {}
    # the rest of the marts are still built from the CRM
    assert no_sales_feed.totals["calls_completed"][0] > 0
