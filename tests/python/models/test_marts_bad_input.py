"""The marts on bad input (contract §8): the build passes, rejected rows stay in audit.rejected_rows
and count in no mart, a BDR with no activity still shows (with zeros), a sales feed that is
empty or missing leaves revenue null rather than failing, and hostile values (a negative
target, infinite timestamps, dates in 4713 BC, 1900 or 9999, sublists whose parent is not a
lead) are rejected or nulled and flagged without stretching the calendar or losing a call.

Four builds, each in a module-scoped fixture that snapshots what the tests need right after
it: 200 bad rows of each kind plus an idle BDR; the same data with the sales feed truncated;
200 bad rows without any sales feed; clean data plus one hostile row of each kind. The CRM's
enum columns are text here, the shape in which a replica can hold values the warehouse does
not know.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import pytest
from conftest import query, run_emg

from emg import warehouse as wh

AS_OF = "2026-11-25T15:00:00Z"
AS_OF_SQL = "timestamp '2026-11-25 15:00:00'"
IDLE_BDR = "idle_bdr_without_activity"

# Live items with the lead they belong to, from the clean staging models alone.
LIVE_ITEMS = "intermediate.int_pipeline_items_mapped_to_leads"

# Each total computed straight from a source (a {rows} placeholder: the clean staging model or
# the raw table) with contract §4's definitions, as of AS_OF.
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


def _clean_milestones(column: str, to_status: str) -> str:
    """Leads with the milestone by AS_OF: the date column, else (contract §4, v2) the first
    status change to it."""
    return f"""
    select count(*) from staging.stg_crm__pipeline_items as leads
    where is_lead and not is_deleted and coalesce({column}, (
        select min(coalesce(logs.completed_at, logs.created_at))
        from staging.stg_crm__activity_logs as logs
        where logs.pipeline_item_id = leads.pipeline_item_id
          and logs.activity_type = 'STATUS_CHANGE' and logs.to_status like '{to_status}'
    )) <= {AS_OF_SQL}
"""


def _raw_milestones(column: str, to_status: str) -> str:
    return f"""
    select count(*) from crm."PipelineItem" as leads
    where "sublistId" is null and "deletedAt" is null and coalesce("{column}", (
        select min(coalesce(logs."completedDate", logs."createdAt"))
        from crm."ActivityLog" as logs
        where logs."pipelineItemId" = leads.id
          and upper(trim(logs.type)) = 'STATUS_CHANGE'
          and upper(trim(logs."toStatus")) like '{to_status}'
    )) <= {AS_OF_SQL}
"""


CLEAN_AGREEMENTS = _clean_milestones("agreement_at", "AGREEMENT%%")
RAW_AGREEMENTS = _raw_milestones("agreementDate", "AGREEMENT%%")
CLEAN_LISTS_OUT = _clean_milestones("partner_list_sent_at", "PARTNER_LIST_SENT")
RAW_LISTS_OUT = _raw_milestones("partnerListSentDate", "PARTNER_LIST_SENT")
CLEAN_AMOUNT = f"""
    select sum(sales.amount)
    from staging.stg_sales_ext__sales as sales
    inner join {LIVE_ITEMS} as items on sales.pipeline_item_id = items.pipeline_item_id
    where sales.amount > 0 and sales.sold_at <= {AS_OF_SQL}
"""
# revenue in the reporting currency (GBP): each amount at the seed's rate, to the cent
CLEAN_REVENUE = f"""
    select sum(round(sales.amount * rates.rate_to_reporting, 2))
    from staging.stg_sales_ext__sales as sales
    inner join {LIVE_ITEMS} as items on sales.pipeline_item_id = items.pipeline_item_id
    inner join seeds.currency_rates as rates on upper(trim(rates.currency)) = sales.currency
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
            "fct_sales_revenue": "select sum(revenue) from marts.fct_sales",
            "bdr_weekly_calls": "select sum(calls_completed) from marts.bdr_weekly_performance",
        }
        clean = {
            "calls_completed": CLEAN_COMPLETED_CALLS,
            "agreements": CLEAN_AGREEMENTS,
            "lists_out": CLEAN_LISTS_OUT,
            "revenue": CLEAN_REVENUE,
            "fct_calls_completed": CLEAN_COMPLETED_CALLS,
            "fct_sales_amount": CLEAN_AMOUNT,
            "fct_sales_revenue": CLEAN_REVENUE,
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


# --- implausible values, infinite timestamps and sublists that belong to no lead -------------

# Every hostile row's id starts with this; each is derived from a clean row of the same table.
H = "hostile_"
EARLIEST_PLAUSIBLE_DATE = "2000-01-01"  # dbt_project.yml's default
# A clean, live lead with an agreement and a completed call on it, and a BDR: the templates.
LEAD = """
    "sublistId" is null and "deletedAt" is null and "agreementDate" is not null
    and id in (
        select "pipelineItemId" from crm."ActivityLog"
        where type = 'CALL' and "completedDate" is not null
    )
"""
CALL = f"""
    type = 'CALL' and "completedDate" is not null and coalesce(outcome, 'COMPLETED') = 'COMPLETED'
    and "pipelineItemId" in (select id from crm."PipelineItem" where {LEAD})
"""
BDR = "role = 'BDR'"
# The week before AS_OF: completions there count in this week's and last week's marts.
LAST_WEEK = "2026-11-20 10:00:00"


def _copy(conn, table: str, where: str, **changes) -> None:
    """Insert a copy of the first row of crm.<table> matching `where`, with `changes` applied."""
    with conn.cursor() as cur:
        cur.execute(f'select * from crm."{table}" where {where} order by id limit 1')
        columns = [column.name for column in cur.description]
        row = dict(zip(columns, cur.fetchone(), strict=True))
        row.update(changes)
        names = ", ".join(f'"{column}"' for column in row)
        values = ", ".join(["%s"] * len(row))
        cur.execute(f'insert into crm."{table}" ({names}) values ({values})', list(row.values()))


def _new_call(conn, call_id: str, item_id: str) -> None:
    """A completed call last week on `item_id`, logged by a BDR."""
    _copy(
        conn,
        "ActivityLog",
        CALL,
        id=call_id,
        pipelineItemId=item_id,
        scheduledDate=LAST_WEEK,
        completedDate=LAST_WEEK,
        createdAt=LAST_WEEK,
        updatedAt=LAST_WEEK,
    )


def _new_contact(conn, item_id: str, sublist_id: str) -> None:
    _copy(
        conn,
        "PipelineItem",
        LEAD,
        id=item_id,
        sublistId=sublist_id,
        status="LEAD",
        callDate=None,
        agreementDate=None,
        partnerListDueDate=None,
        partnerListSentDate=None,
        firstSaleDate=None,
        partnerListSize=None,
        totalSalesFromList=None,
    )


def _inject_hostile_rows(conn) -> None:
    # a negative KPI target (the team's monthly agreements)
    query(
        conn,
        """
        insert into crm."KpiTarget"
            (id, metric, period, "userId", "targetValue", "effectiveFrom", "effectiveTo")
        values
            (%s, 'AGREEMENTS', 'MONTH', null, -5, date '2026-08-01', null),
            (%s, 'CALLS_COMPLETED', 'WEEK', null, 40, date '-infinity', null)
        """,
        (f"{H}negative_target", f"{H}target_from_minus_infinity"),
    )
    # infinite timestamps, in every CRM table and the sales feed
    _copy(conn, "ActivityLog", CALL, id=f"{H}log_created_minus_infinity", createdAt="-infinity")
    _copy(
        conn, "ActivityLog", CALL, id=f"{H}log_completed_minus_infinity", completedDate="-infinity"
    )
    _copy(conn, "ActivityLog", CALL, id=f"{H}log_updated_infinity", updatedAt="infinity")
    _copy(conn, "ActivityLog", CALL, id=f"{H}log_scheduled_infinity", scheduledDate="infinity")
    _copy(
        conn,
        "PipelineItem",
        LEAD,
        id=f"{H}lead_dates_infinite",
        agreementDate="-infinity",
        partnerListDueDate="infinity",
    )
    _copy(conn, "PipelineItem", LEAD, id=f"{H}lead_deleted_infinity", deletedAt="infinity")
    _copy(conn, "User", BDR, id=f"{H}bdr_created_minus_infinity", createdAt="-infinity")
    _copy(conn, "Sublist", "true", id=f"{H}sublist_created_infinity", createdAt="infinity")
    query(
        conn,
        """
        insert into sales_ext.sales (sale_id, pipeline_item_id, sold_at, amount, currency)
        select %s, "pipelineItemId", timestamptz '-infinity', 100, 'GBP'
        from crm."ActivityLog" where id = %s
        """,
        (f"{H}sale_minus_infinity", f"{H}log_updated_infinity"),
    )
    # createdAt in 4713 BC and in 1900: a lead (with a call on it) and a call
    _copy(conn, "PipelineItem", LEAD, id=f"{H}lead_created_4713_bc", createdAt="4713-01-01 BC")
    _new_call(conn, f"{H}call_on_lead_created_4713_bc", f"{H}lead_created_4713_bc")
    _copy(conn, "PipelineItem", LEAD, id=f"{H}lead_created_1900", createdAt="1900-01-01")
    _copy(conn, "ActivityLog", CALL, id=f"{H}log_created_1900", createdAt="1900-01-01")
    # a call scheduled in 9999, not completed
    _copy(
        conn,
        "ActivityLog",
        CALL,
        id=f"{H}call_scheduled_9999",
        scheduledDate="9999-01-01",
        completedDate=None,
        outcome=None,
    )
    # a partner contact on a sublist whose parent is the contact itself, with two calls and a
    # sale on it
    _new_contact(conn, f"{H}self_contact", f"{H}self_sublist")
    _copy(conn, "Sublist", "true", id=f"{H}self_sublist", parentItemId=f"{H}self_contact")
    _new_call(conn, f"{H}self_call_1", f"{H}self_contact")
    _new_call(conn, f"{H}self_call_2", f"{H}self_contact")
    query(
        conn,
        """
        insert into sales_ext.sales (sale_id, pipeline_item_id, sold_at, amount, currency)
        values (%s, %s, timestamptz '2026-11-21 10:00:00+00', 250, 'GBP')
        """,
        (f"{H}sale_on_self_contact", f"{H}self_contact"),
    )
    # two partner contacts on two sublists, each sublist's parent the other contact
    _new_contact(conn, f"{H}cycle_contact_a", f"{H}cycle_sublist_a")
    _new_contact(conn, f"{H}cycle_contact_b", f"{H}cycle_sublist_b")
    _copy(conn, "Sublist", "true", id=f"{H}cycle_sublist_a", parentItemId=f"{H}cycle_contact_b")
    _copy(conn, "Sublist", "true", id=f"{H}cycle_sublist_b", parentItemId=f"{H}cycle_contact_a")
    _new_call(conn, f"{H}cycle_call_a", f"{H}cycle_contact_a")
    _new_call(conn, f"{H}cycle_call_b", f"{H}cycle_contact_b")


@dataclass
class Hostile:
    """What the build on hostile rows left behind, read back right after it."""

    code: int
    output: str
    seconds: float = 0.0
    # source_id -> (source_table, reason) of every hostile row in audit.rejected_rows
    rejected: dict[str, tuple[str, str]] = field(default_factory=dict)
    # (source_table, raw rows, clean rows, rejected rows) where raw != clean + rejected
    unbalanced: list[tuple] = field(default_factory=list)
    # id -> the staged row (as json) of every hostile row kept in staging
    kept: dict[str, dict] = field(default_factory=dict)
    # call_id -> call_status of every hostile call in marts.fct_calls
    calls: dict[str, str] = field(default_factory=dict)
    hostile_sales_in_fct_sales: int = -1
    dim_dates: tuple = ()  # (rows, first day, last day)
    first_month: object = None  # team_monthly_kpis
    first_week: object = None  # bdr_weekly_performance
    negative_targets: int = -1  # rows of the marts' targets below 0
    hostile_bdr_in_dim_bdrs: bool = False


def _snapshot_hostile(build, seconds: float) -> Hostile:
    built = Hostile(code=build.returncode, output=build.stdout + build.stderr, seconds=seconds)
    if build.returncode != 0:
        return built
    conn = wh.connect()
    conn.autocommit = True
    try:
        like = f"{H}%"
        built.rejected = {
            source_id: (table, reason)
            for source_id, table, reason in query(
                conn,
                "select source_id, source_table, reason from audit.rejected_rows "
                "where source_id like %s",
                (like,),
            )
        }
        built.unbalanced = query(
            conn,
            """
            with raw as (
                select 'crm.User' as source_table, count(*) as n from crm."User"
                union all select 'crm.PipelineItem', count(*) from crm."PipelineItem"
                union all select 'crm.Sublist', count(*) from crm."Sublist"
                union all select 'crm.ActivityLog', count(*) from crm."ActivityLog"
                union all select 'crm.KpiTarget', count(*) from crm."KpiTarget"
                union all select 'sales_ext.sales', count(*) from sales_ext.sales
            ),
            clean as (
                select 'crm.User' as source_table, count(*) as n from staging.stg_crm__users
                union all select 'crm.PipelineItem', count(*)
                    from staging.stg_crm__pipeline_items
                union all select 'crm.Sublist', count(*) from staging.stg_crm__sublists
                union all select 'crm.ActivityLog', count(*) from staging.stg_crm__activity_logs
                union all select 'crm.KpiTarget', count(*) from staging.stg_crm__kpi_targets
                union all select 'sales_ext.sales', count(*) from staging.stg_sales_ext__sales
            ),
            rejected as (
                select source_table, count(*) as n from audit.rejected_rows group by 1
            )
            select raw.source_table, raw.n, clean.n, coalesce(rejected.n, 0)
            from raw
            inner join clean on raw.source_table = clean.source_table
            left join rejected on raw.source_table = rejected.source_table
            where raw.n != clean.n + coalesce(rejected.n, 0)
            """,
        )
        for model, key in (
            ("stg_crm__users", "user_id"),
            ("stg_crm__pipeline_items", "pipeline_item_id"),
            ("stg_crm__sublists", "sublist_id"),
            ("stg_crm__activity_logs", "activity_log_id"),
            ("stg_crm__kpi_targets", "kpi_target_id"),
        ):
            rows = query(
                conn,
                f"select {key}, to_jsonb(staged) from staging.{model} as staged "
                f"where {key} like %s",
                (like,),
            )
            built.kept.update(dict(rows))
        built.calls = dict(
            query(
                conn,
                "select call_id, call_status from marts.fct_calls where call_id like %s",
                (like,),
            )
        )
        built.hostile_sales_in_fct_sales = query(
            conn, "select count(*) from marts.fct_sales where sale_id like %s", (like,)
        )[0][0]
        built.dim_dates = query(
            conn, "select count(*), min(date_day), max(date_day) from marts.dim_dates"
        )[0]
        built.first_month = query(conn, "select min(month_start) from marts.team_monthly_kpis")[0][
            0
        ]
        built.first_week = query(conn, "select min(week_start) from marts.bdr_weekly_performance")[
            0
        ][0]
        built.negative_targets = query(
            conn,
            """
            select
                (select count(*) from marts.team_monthly_kpis
                 where agreements_target < 0 or lists_out_target < 0)
                + (select count(*) from marts.bdr_weekly_performance where calls_target < 0)
            """,
        )[0][0]
        built.hostile_bdr_in_dim_bdrs = query(
            conn,
            "select exists(select 1 from marts.dim_bdrs where bdr_id = %s)",
            (f"{H}bdr_created_minus_infinity",),
        )[0][0]
        return built
    finally:
        conn.close()


@pytest.fixture(scope="module")
def hostile(warehouse) -> Hostile:
    """Clean data plus the hostile rows of _inject_hostile_rows, built once."""
    run_emg("crm", "generate", "--as-of", AS_OF)
    conn = wh.connect()
    conn.autocommit = True
    try:
        _inject_hostile_rows(conn)
    finally:
        conn.close()
    started = time.monotonic()
    build = run_emg("build", "--as-of", AS_OF, check=False)
    return _snapshot_hostile(build, time.monotonic() - started)


def _assert_hostile_built(built: Hostile) -> None:
    _assert_built(built)
    # raw = clean + rejected, and no clean call vanished on its way to fct_calls
    assert built.unbalanced == [], built.unbalanced
    for test in ("assert_raw_rows_are_clean_or_rejected", "assert_clean_calls_reach_fct_calls"):
        assert re.search(rf"PASS {test}\b", built.output), built.output[-6000:]


def _rejected_as(built: Hostile, *ids: str) -> dict[str, str | None]:
    return {i: built.rejected.get(f"{H}{i}", (None, None))[1] for i in ids}


def test_negative_kpi_target_is_rejected_and_the_build_passes(hostile):
    _assert_hostile_built(hostile)
    assert _rejected_as(hostile, "negative_target") == {"negative_target": "negative_target_value"}
    assert hostile.negative_targets == 0
    # an infinite effective date is an open end: kept, it breaks nothing
    assert f"{H}target_from_minus_infinity" in hostile.kept


def test_minus_infinity_timestamps_reject_or_null_and_flag(hostile):
    _assert_hostile_built(hostile)
    assert _rejected_as(
        hostile, "log_created_minus_infinity", "log_completed_minus_infinity", "sale_minus_infinity"
    ) == {
        "log_created_minus_infinity": "implausible_created_at",
        "log_completed_minus_infinity": "implausible_completed_date",
        "sale_minus_infinity": "implausible_sold_at",
    }
    lead = hostile.kept[f"{H}lead_dates_infinite"]
    assert (lead["agreement_at"], lead["has_implausible_timestamp"]) == (None, True)
    bdr = hostile.kept[f"{H}bdr_created_minus_infinity"]
    assert (bdr["created_at"], bdr["has_implausible_timestamp"]) == (None, True)
    # the BDR is kept: a corrupt createdAt never loses a BDR
    assert hostile.hostile_bdr_in_dim_bdrs


def test_infinity_timestamps_are_nulled_and_flagged(hostile):
    _assert_hostile_built(hostile)
    lead = hostile.kept[f"{H}lead_dates_infinite"]
    assert lead["partner_list_due_at"] is None
    deleted = hostile.kept[f"{H}lead_deleted_infinity"]
    # still deleted (the CRM did delete it), its date nulled
    assert (deleted["is_deleted"], deleted["deleted_at"], deleted["has_implausible_timestamp"]) == (
        True,
        None,
        True,
    )
    sublist = hostile.kept[f"{H}sublist_created_infinity"]
    assert (sublist["created_at"], sublist["has_implausible_timestamp"]) == (None, True)
    for log_id, column in (
        ("log_updated_infinity", "updated_at"),
        ("log_scheduled_infinity", "scheduled_at"),
    ):
        log = hostile.kept[f"{H}{log_id}"]
        assert (log[column], log["has_implausible_timestamp"]) == (None, True), log_id
    # a completed call whose updatedAt was infinite still counts
    assert hostile.calls[f"{H}log_updated_infinity"] == "completed"


def test_created_at_in_4713_bc_or_1900_is_rejected_and_the_calendar_stays_bounded(hostile):
    _assert_hostile_built(hostile)
    assert _rejected_as(
        hostile,
        "lead_created_4713_bc",
        "lead_created_1900",
        "log_created_1900",
        "call_on_lead_created_4713_bc",
    ) == {
        "lead_created_4713_bc": "implausible_created_at",
        "lead_created_1900": "implausible_created_at",
        "log_created_1900": "implausible_created_at",
        # its lead is rejected: the call is too, rather than vanish
        "call_on_lead_created_4713_bc": "unmapped_lead",
    }
    rows, first_day, last_day = hostile.dim_dates
    assert rows < 10_000, hostile.dim_dates
    assert str(first_day) >= EARLIEST_PLAUSIBLE_DATE
    # the simulated CRM starts in 2026: so do the monthly and weekly marts
    assert str(hostile.first_month) >= "2026-01-01"
    assert str(hostile.first_week) >= "2026-01-01"


def test_call_scheduled_in_9999_is_kept_flagged_and_not_upcoming(hostile):
    _assert_hostile_built(hostile)
    call = hostile.kept[f"{H}call_scheduled_9999"]
    assert (call["scheduled_at"], call["has_implausible_timestamp"]) == (None, True)
    assert hostile.calls[f"{H}call_scheduled_9999"] == "missed"
    # nor does it stretch the calendar (once capped at two years past as_of)
    assert str(hostile.dim_dates[2]) < "2027-03-01"


def test_sublist_whose_parent_is_its_own_contact_is_rejected_with_its_calls(hostile):
    _assert_hostile_built(hostile)
    assert _rejected_as(
        hostile, "self_sublist", "self_call_1", "self_call_2", "sale_on_self_contact"
    ) == {
        "self_sublist": "parent_not_a_lead",
        "self_call_1": "unmapped_lead",
        "self_call_2": "unmapped_lead",
        "sale_on_self_contact": "unmapped_lead",
    }
    # the contact itself is kept (it is still a partner contact; a relationships test warns)
    assert f"{H}self_contact" in hostile.kept
    assert not {call for call in hostile.calls if call.startswith(f"{H}self")}
    assert hostile.hostile_sales_in_fct_sales == 0


def test_two_sublists_in_a_cycle_are_rejected_with_their_calls(hostile):
    _assert_hostile_built(hostile)
    assert _rejected_as(
        hostile, "cycle_sublist_a", "cycle_sublist_b", "cycle_call_a", "cycle_call_b"
    ) == {
        "cycle_sublist_a": "parent_not_a_lead",
        "cycle_sublist_b": "parent_not_a_lead",
        "cycle_call_a": "unmapped_lead",
        "cycle_call_b": "unmapped_lead",
    }
    assert {f"{H}cycle_contact_a", f"{H}cycle_contact_b"} <= set(hostile.kept)


def test_every_hostile_call_is_in_fct_calls_or_rejected_with_a_reason(hostile):
    _assert_hostile_built(hostile)
    calls = {key for key, row in hostile.kept.items() if row.get("activity_type") == "CALL"}
    assert calls and calls <= set(hostile.calls), calls - set(hostile.calls)
    rejected_calls = {i for i, (table, _) in hostile.rejected.items() if table == "crm.ActivityLog"}
    assert not rejected_calls & set(hostile.calls)
