"""The CRM simulator: deterministic, realistic, consistent source tables, and their bad rows."""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from conftest import query, run_emg

from emg import warehouse as wh
from emg.errors import EmgError
from emg.simulator import cli_generate, command
from emg.simulator.dataset import SimConfig
from emg.simulator.defects import KINDS
from emg.simulator.generate import generate
from emg.simulator.tables import (
    ENUM_COLUMNS,
    QUALIFIED,
    TABLES,
    enum_types,
)

ENUM_TYPES = enum_types()  # the dbt var crm_enums
ROLES, STATUSES = ENUM_TYPES["Role"], ENUM_TYPES["PipelineStatus"]
ACTIVITY_TYPES, OUTCOMES = ENUM_TYPES["ActivityType"], ENUM_TYPES["ActivityOutcome"]
METRICS, PERIODS = ENUM_TYPES["KpiMetric"], ENUM_TYPES["KpiPeriod"]

AS_OF = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # a Wednesday afternoon, after the DST change
SUMMER_AS_OF = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # late on a Wednesday, summer time
DEFAULTS = dict(
    leads=150,
    days_back=90,
    days_forward=30,
    seed=42,
    as_of=AS_OF,
    scale=1,
    bad_rows=0,
    no_sales_feed=False,
    sales_csv=None,
    enum_columns="enum",
)
LOCAL = "at time zone 'UTC' at time zone 'Europe/London'"  # naive UTC -> London wall clock


def load(**overrides) -> command.GenerateResult:
    return cli_generate(**{**DEFAULTS, **overrides})


def count(db, statement: str, params=None) -> int:
    return query(db, statement, params)[0][0]


def table_hashes(db) -> dict[str, str | None]:
    """md5 of every table's rows in id order (None where the table does not exist)."""
    hashes = {}
    for name in TABLES:
        if count(db, "select to_regclass(%s) is not null", (QUALIFIED[name],)):
            key = "sale_id" if name == "sales" else '"id"'
            hashes[name] = count(
                db,
                f"select md5(coalesce(string_agg(t::text, E'\\n' order by t.{key}, t::text), ''))"
                f" from {QUALIFIED[name]} t",
            )
        else:
            hashes[name] = None
    return hashes


def pure_hashes(dataset) -> dict[str, str]:
    hashes = {}
    for name, rows in dataset.tables.items():
        lines = sorted(repr(row) for row in rows)
        hashes[name] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return hashes


@pytest.fixture()
def seeded(warehouse, db) -> command.GenerateResult:
    """The default seed, clean, loaded."""
    return load()


# --- determinism and volumes ---------------------------------------------------------------


def test_same_seed_and_as_of_give_identical_tables(warehouse, db):
    first_pure = pure_hashes(generate(SimConfig(as_of=AS_OF)))
    assert first_pure == pure_hashes(generate(SimConfig(as_of=AS_OF)))
    load()
    first_loaded = table_hashes(db)
    load()
    assert table_hashes(db) == first_loaded
    assert None not in first_loaded.values()


def test_different_seed_gives_different_tables(warehouse, db):
    load()
    seed_42 = table_hashes(db)
    load(seed=7)
    seed_7 = table_hashes(db)
    assert all(seed_42[name] != seed_7[name] for name in TABLES)
    assert pure_hashes(generate(SimConfig(as_of=AS_OF, seed=7))) != pure_hashes(
        generate(SimConfig(as_of=AS_OF))
    )


def test_timestamps_are_naive_utc_with_millisecond_precision():
    dataset = generate(SimConfig(as_of=datetime(2026, 11, 25, 15, 0, 0, 123456, tzinfo=UTC)))
    stamps = [
        value
        for name, rows in dataset.tables.items()
        for row in rows
        for value in row
        if isinstance(value, datetime)
    ]
    assert stamps and all(stamp.microsecond % 1000 == 0 for stamp in stamps)
    crm_stamps = [
        value
        for name in ("User", "PipelineItem", "Sublist", "ActivityLog")
        for row in dataset.tables[name]
        for value in row
        if isinstance(value, datetime)
    ]
    assert all(stamp.tzinfo is None for stamp in crm_stamps)


def test_default_seed_volumes_match_the_original_app_within_a_quarter(seeded, db):
    leads = count(db, 'select count(*) from crm."PipelineItem" where "sublistId" is null')
    items = count(db, 'select count(*) from crm."PipelineItem"')
    logs = count(db, 'select count(*) from crm."ActivityLog"')
    assert leads == 150
    assert 1_500 * 0.75 <= items <= 1_500 * 1.25
    assert 3_000 * 0.75 <= logs <= 3_000 * 1.25
    roles = dict(query(db, 'select role, count(*) from crm."User" group by 1'))
    assert roles == {"BDR": 6, "MANAGER": 1, "LEAD_GEN": 1, "ADMIN": 1}
    assert (
        count(db, """select count(*) from crm."User" where role = 'BDR' and not "isActive" """) == 1
    )
    assert count(db, "select count(distinct team) from crm.\"User\" where role = 'BDR'") == 2


def test_scale_two_doubles_leads_and_bdrs(warehouse, db):
    load(scale=2)
    assert count(db, 'select count(*) from crm."PipelineItem" where "sublistId" is null') == 300
    assert count(db, """select count(*) from crm."User" where role = 'BDR'""") == 12
    assert count(db, """select count(distinct id) from crm."User" where role = 'BDR'""") == 12


# --- consistency of the clean data ---------------------------------------------------------

_VIOLATIONS = {
    "agreement without an earlier completed call on the lead": """
        select count(*) from crm."PipelineItem" p
        where p."agreementDate" is not null and not exists (
            select 1 from crm."ActivityLog" a
            where a."pipelineItemId" = p.id and a.type = 'CALL'
              and a."completedDate" is not null and coalesce(a.outcome, 'COMPLETED') = 'COMPLETED'
              and a."completedDate" <= p."agreementDate")
    """,
    "list sent before (or without) its agreement": """
        select count(*) from crm."PipelineItem"
        where "partnerListSentDate" is not null
          and ("agreementDate" is null or "partnerListSentDate" < "agreementDate")
    """,
    "due date without an agreement, or not after it": """
        select count(*) from crm."PipelineItem"
        where ("partnerListDueDate" is not null) <> ("agreementDate" is not null)
           or "partnerListDueDate" <= "agreementDate"
    """,
    "sublist of a lead whose list was not sent, or made before it was": """
        select count(*) from crm."Sublist" s
        left join crm."PipelineItem" l on l.id = s."parentItemId"
        where l."partnerListSentDate" is null or l."sublistId" is not null
           or s."createdAt" < l."partnerListSentDate"
    """,
    "partner contact outside a sent list": """
        select count(*) from crm."PipelineItem" c
        left join crm."Sublist" s on s.id = c."sublistId"
        left join crm."PipelineItem" l on l.id = s."parentItemId"
        where c."sublistId" is not null
          and (l."partnerListSentDate" is null or c."createdAt" < s."createdAt"
               or c.category is distinct from l.category
               or c."assignedToId" is distinct from l."assignedToId")
    """,
    "sale before its list went out, or on an item of no sent list": """
        select count(*) from sales_ext.sales s
        left join crm."PipelineItem" i on i.id = s.pipeline_item_id
        left join crm."Sublist" sub on sub.id = i."sublistId"
        left join crm."PipelineItem" l on l.id = coalesce(sub."parentItemId", i.id)
        where l."partnerListSentDate" is null
           or s.sold_at < l."partnerListSentDate" at time zone 'UTC'
    """,
    "updatedAt before createdAt or an event on the row": """
        select (select count(*) from crm."PipelineItem"
                where "updatedAt" < greatest("createdAt", "agreementDate", "partnerListSentDate",
                                             "firstSaleDate", "deletedAt"))
             + (select count(*) from crm."ActivityLog"
                where "updatedAt" < greatest("createdAt", "completedDate"))
             + (select count(*) from crm."User" where "updatedAt" < "createdAt")
    """,
    "status changes that do not chain, or end elsewhere than the lead's status": """
        with changes as (
            select a."pipelineItemId" as lead_id, a."fromStatus", a."toStatus",
                lag(a."toStatus") over w as previous,
                row_number() over (partition by a."pipelineItemId"
                                   order by a."createdAt" desc, a.id desc) as from_last
            from crm."ActivityLog" a
            where a.type = 'STATUS_CHANGE'
            window w as (partition by a."pipelineItemId" order by a."createdAt", a.id)
        )
        select count(*) from changes c join crm."PipelineItem" p on p.id = c.lead_id
        where c."fromStatus" is distinct from coalesce(c.previous, 'LEAD')
           or (c.from_last = 1 and c."toStatus" <> p.status)
    """,
    "lead past a stage without the status change into it": """
        select count(*) from crm."PipelineItem" p
        where p."sublistId" is null and p.status not in ('LEAD', 'LOST') and not exists (
            select 1 from crm."ActivityLog" a
            where a."pipelineItemId" = p.id and a.type = 'STATUS_CHANGE'
              and a."toStatus" = p.status)
    """,
}

# The CRM gained agreementDate and partnerListSentDate late (SimConfig.date_columns_days): an
# older lead leaves them empty, and its milestone is its status change's, which is how
# contract §4's backfill reads it. The rules above read the milestones so.
ITEMS_WITH_MILESTONES = """(
    select p.*,
        coalesce(p."agreementDate", (
            select min(a."createdAt") from crm."ActivityLog" a
            where a."pipelineItemId" = p.id and a.type = 'STATUS_CHANGE'
              and cast(a."toStatus" as text) like 'AGREEMENT%%')) as agreed_at,
        coalesce(p."partnerListSentDate", (
            select min(a."createdAt") from crm."ActivityLog" a
            where a."pipelineItemId" = p.id and a.type = 'STATUS_CHANGE'
              and cast(a."toStatus" as text) = 'PARTNER_LIST_SENT')) as sent_at
    from crm."PipelineItem" p)"""
VIOLATIONS = {
    rule: sql.replace('"agreementDate"', "agreed_at")
    .replace('"partnerListSentDate"', "sent_at")
    .replace('crm."PipelineItem"', ITEMS_WITH_MILESTONES)
    for rule, sql in _VIOLATIONS.items()
}


def test_milestones_before_the_date_columns_leave_them_empty(seeded, db):
    """Agreements and lists out before the CRM had their columns are known by status change."""
    before = (
        """
        select count(*) filter (where "agreementDate" is null and agreed_at is not null),
               count(*) filter (where "partnerListSentDate" is null and sent_at is not null),
               count(*) filter (where agreed_at < %(since)s and "agreementDate" is not null)
        from """
        + ITEMS_WITH_MILESTONES
        + """ as items
        where "sublistId" is null
    """
    )
    since = AS_OF.replace(tzinfo=None) - timedelta(days=SimConfig(as_of=AS_OF).date_columns_days)
    agreed_only_by_status, sent_only_by_status, dated_before = query(db, before, {"since": since})[
        0
    ]
    assert agreed_only_by_status > 0 and sent_only_by_status > 0
    assert dated_before == 0


@pytest.fixture(scope="module")
def violations(warehouse) -> dict[datetime, dict[str, int]]:
    """Violating rows per rule, for the default seed at two moments (winter, and summer time)."""
    found = {}
    conn = wh.connect(warehouse)
    conn.autocommit = True
    try:
        for as_of in (AS_OF, SUMMER_AS_OF):
            load(as_of=as_of)
            found[as_of] = {rule: count(conn, sql) for rule, sql in VIOLATIONS.items()}
    finally:
        conn.close()
    return found


@pytest.mark.parametrize("rule", list(VIOLATIONS))
@pytest.mark.parametrize("as_of", [AS_OF, SUMMER_AS_OF], ids=["winter", "summer"])
def test_stages_happen_in_order(violations, as_of, rule):
    assert violations[as_of][rule] == 0, rule


def test_nothing_happens_after_as_of_but_calls_booked_ahead(seeded, db):
    as_of = AS_OF.replace(tzinfo=None)
    events = {
        "User": ("createdAt", "updatedAt"),
        "PipelineItem": (
            "agreementDate",
            "partnerListSentDate",
            "firstSaleDate",
            "createdAt",
            "updatedAt",
            "deletedAt",
        ),
        "Sublist": ("createdAt",),
        "ActivityLog": ("completedDate", "createdAt", "updatedAt"),
    }
    for table, columns in events.items():
        later = " or ".join(f'"{column}" > %(as_of)s' for column in columns)
        assert (
            count(db, f"select count(*) from {QUALIFIED[table]} where {later}", {"as_of": as_of})
            == 0
        )
    assert count(db, "select count(*) from sales_ext.sales where sold_at > %s", (AS_OF,)) == 0
    ahead = query(
        db,
        """select type, count(*), max("scheduledDate") from crm."ActivityLog"
           where "scheduledDate" > %s group by 1""",
        (as_of,),
    )
    assert [row[0] for row in ahead] == ["CALL"]
    assert ahead[0][1] > 20
    assert ahead[0][2] <= as_of + timedelta(days=30)
    assert (
        count(db, 'select count(*) from crm."KpiTarget" where "effectiveFrom" > %s', (as_of,)) == 0
    )


def test_calls_happen_in_london_business_hours_across_the_dst_change(seeded, db):
    outside = f"""
        select count(*) from crm."ActivityLog"
        where type = 'CALL' and (
            extract(isodow from "scheduledDate" {LOCAL}) > 5
            or extract(hour from "scheduledDate" {LOCAL}) not between 8 and 17
            or extract(hour from "completedDate" {LOCAL}) not between 8 and 18)
    """
    assert count(db, outside) == 0
    # 08:00 in London is 07:00 UTC in summer time and 08:00 UTC after 25 October 2026
    early_utc = """
        select count(*) filter (where "scheduledDate" < '2026-10-25'),
               count(*) filter (where "scheduledDate" >= '2026-10-26')
        from crm."ActivityLog" where type = 'CALL' and extract(hour from "scheduledDate") = 7
    """
    summer, winter = query(db, early_utc)[0]
    assert summer > 0 and winter == 0
    peaks = query(
        db,
        f"""select "userId", mode() within group (order by extract(hour from hour_at {LOCAL}))
            from (select "userId", "completedDate" as hour_at from crm."ActivityLog"
                  where type = 'CALL' and "completedDate" is not null) calls
            group by 1""",
    )
    assert len({peak for _, peak in peaks}) >= 2, "BDRs should favour different hours"


def test_every_status_outcome_role_and_activity_type_appears(seeded, db):
    statuses = {row[0] for row in query(db, 'select distinct status from crm."PipelineItem"')}
    assert statuses == set(STATUSES)
    outcomes = {row[0] for row in query(db, 'select distinct outcome from crm."ActivityLog"')}
    assert outcomes == {*OUTCOMES, None}
    types = {row[0] for row in query(db, 'select distinct type from crm."ActivityLog"')}
    assert types == set(ACTIVITY_TYPES)
    roles = {row[0] for row in query(db, 'select distinct role from crm."User"')}
    assert roles == set(ROLES)
    as_of = AS_OF.replace(tzinfo=None)
    calls = query(
        db,
        """select
             count(*) filter (where "completedDate" is not null and outcome is null),
             count(*) filter (where "completedDate" is null and outcome is null
                              and "scheduledDate" < %(as_of)s),
             count(*) filter (where "scheduledDate" > %(as_of)s)
           from crm."ActivityLog" where type = 'CALL'""",
        {"as_of": as_of},
    )[0]
    assert all(number > 0 for number in calls), "completed with null outcome, missed, upcoming"
    twice = """
        select count(*) from (
            select "pipelineItemId" from crm."ActivityLog"
            where type = 'STATUS_CHANGE' and cast("toStatus" as text) like 'PROPOSAL\\_%%'
            group by 1 having count(*) filter (where "toStatus" = 'PROPOSAL_SENT') > 1) t
    """
    assert count(db, twice) > 0
    metrics = {row[0] for row in query(db, 'select distinct metric from crm."KpiTarget"')}
    periods = {row[0] for row in query(db, 'select distinct period from crm."KpiTarget"')}
    assert metrics == set(METRICS) and periods == set(PERIODS)


def test_lists_sublists_sales_and_crm_copies_look_like_the_real_thing(seeded, db):
    sizes = query(
        db,
        'select min(n), max(n) from (select count(*) n from crm."PipelineItem" '
        'where "sublistId" is not null group by "sublistId") t',
    )[0]
    assert sizes[0] >= 3 and sizes[1] <= 20
    currencies = Counter(
        dict(query(db, "select currency, count(*) from sales_ext.sales group by 1"))
    )
    assert set(currencies) == {"GBP", "EUR"}
    assert 0 < currencies["EUR"] <= 0.15 * sum(currencies.values()), "a handful in EUR"
    assert count(db, "select count(*) from sales_ext.sales where amount <= 0") == 0
    on_leads = """
        select count(*) from sales_ext.sales s
        join crm."PipelineItem" i on i.id = s.pipeline_item_id where i."sublistId" is null
    """
    assert count(db, on_leads) > 0
    copies = """
        with feed as (
            select coalesce(sub."parentItemId", i.id) as lead_id,
                   min(s.sold_at at time zone 'UTC') as first_sale, count(*) as total
            from sales_ext.sales s
            join crm."PipelineItem" i on i.id = s.pipeline_item_id
            left join crm."Sublist" sub on sub.id = i."sublistId"
            group by 1
        )
        select count(*) filter (where l."firstSaleDate" is not distinct from f.first_sale
                                  and l."totalSalesFromList" is not distinct from f.total),
               count(*) filter (where l."firstSaleDate" is distinct from f.first_sale
                                   or l."totalSalesFromList" is distinct from f.total)
        from crm."PipelineItem" l left join feed f on f.lead_id = l.id
        where l."partnerListSentDate" is not null
    """
    agree, disagree = query(db, copies)[0]
    assert 0 < disagree <= 0.2 * (agree + disagree)
    deleted_with_activity = """
        select count(distinct p.id) from crm."PipelineItem" p
        join crm."ActivityLog" a on a."pipelineItemId" = p.id where p."deletedAt" is not null
    """
    assert count(db, deleted_with_activity) > 0
    superseded = """
        select count(*) from crm."KpiTarget" old join crm."KpiTarget" new
          on new.metric = old.metric and new.period = old.period
         and new."userId" is not distinct from old."userId" and new.id <> old.id
        where old."effectiveTo" < %s and new."effectiveFrom" <= old."effectiveTo"
          and new."effectiveTo" is null
    """
    assert count(db, superseded, (AS_OF.date(),)) == 1
    assert count(db, 'select count(*) from crm."KpiTarget" where "userId" is not null') >= 1


def test_alerts_partly_fire_at_a_midweek_as_of(seeded, db):
    this_week = f"""
        with week as (
            select date_trunc('week', %(as_of)s::timestamptz at time zone 'Europe/London') as monday
        ),
        completed as (
            select a."userId" as bdr_id, count(*) as calls
            from crm."ActivityLog" a
            join crm."PipelineItem" p on p.id = a."pipelineItemId", week
            where a.type = 'CALL' and a."completedDate" is not null
              and coalesce(a.outcome, 'COMPLETED') = 'COMPLETED' and p."deletedAt" is null
              and a."completedDate" {LOCAL} >= week.monday
            group by 1
        ),
        milestones as (
            select "assignedToId" as bdr_id,
                count(*) filter (where "agreementDate" {LOCAL} >= week.monday) * 3
                + count(*) filter (where "partnerListSentDate" {LOCAL} >= week.monday) * 2 as points
            from crm."PipelineItem", week where "deletedAt" is null group by 1
        )
        select u.id, coalesce(c.calls, 0), coalesce(c.calls, 0) + coalesce(m.points, 0)
        from crm."User" u
        left join completed c on c.bdr_id = u.id
        left join milestones m on m.bdr_id = u.id
        where u.role = 'BDR' and u."isActive"
    """
    bdrs = query(db, this_week, {"as_of": AS_OF})
    assert sum(calls for _, calls, _ in bdrs) > 25, "team call volume is healthy"
    # sales count 5 each in the index, so a BDR needing support has none this week either
    struggling = [bdr for bdr, calls, index in bdrs if calls < 5 and index < 10]
    assert struggling, "some active BDR needs support"
    overdue = """
        select count(*) from crm."PipelineItem"
        where "agreementDate" is not null and "partnerListDueDate" < %(as_of)s
          and "partnerListSentDate" is null and "deletedAt" is null
    """
    assert count(db, overdue, {"as_of": AS_OF.replace(tzinfo=None)}) > 0


# --- bad rows ------------------------------------------------------------------------------

KNOWN = {
    "statuses": STATUSES,
    "types": ACTIVITY_TYPES,
    "outcomes": OUTCOMES,
    "roles": ROLES,
    "metrics": METRICS,
}
DEFECT_SQL = {
    "duplicate": """
        select (select count(*) - count(distinct id) from crm."User")
             + (select count(*) - count(distinct id) from crm."PipelineItem")
             + (select count(*) - count(distinct id) from crm."ActivityLog" where id is not null)
             + (select count(*) - count(distinct id) from crm."Sublist")
    """,
    "orphan": """
        select (select count(*) from crm."ActivityLog" a
                where (a."pipelineItemId" is not null and a."pipelineItemId" not in
                       (select id from crm."PipelineItem" where id is not null))
                   or (a."userId" is not null and a."userId" not in
                       (select id from crm."User" where id is not null)))
             + (select count(*) from crm."PipelineItem" p
                where p."assignedToId" not in (select id from crm."User" where id is not null))
             + (select count(*) from crm."Sublist" s
                where s."parentItemId" not in
                      (select id from crm."PipelineItem" where id is not null))
             + (select count(*) from sales_ext.sales s
                where s.pipeline_item_id not in
                      (select id from crm."PipelineItem" where id is not null))
    """,
    "unknown_enum": """
        select (select count(*) from crm."PipelineItem"
                where cast(status as text) <> all(%(statuses)s))
             + (select count(*) from crm."ActivityLog"
                where cast(type as text) <> all(%(types)s)
                   or cast(outcome as text) <> all(%(outcomes)s))
             + (select count(*) from crm."User" where cast(role as text) <> all(%(roles)s))
             + (select count(*) from crm."KpiTarget"
                where cast(metric as text) <> all(%(metrics)s))
             + (select count(*) from sales_ext.sales where currency not in ('GBP', 'EUR'))
    """,
    "null_required": """
        select (select count(*) from crm."ActivityLog"
                where id is null or type is null or "userId" is null or "createdAt" is null)
             + (select count(*) from crm."PipelineItem" where status is null or "createdAt" is null)
             + (select count(*) from crm."User" where role is null)
             + (select count(*) from sales_ext.sales where amount is null or sold_at is null)
    """,
    "future_timestamp": """
        select (select count(*) from crm."ActivityLog" where "completedDate" > "updatedAt")
             + (select count(*) from crm."PipelineItem"
                where "agreementDate" > "updatedAt" or "partnerListSentDate" > "updatedAt"
                   or extract(year from "partnerListDueDate") = 9999)
             + (select count(*) from sales_ext.sales where sold_at > %(as_of)s)
    """,
    "negative_value": """
        select (select count(*) from crm."PipelineItem"
                where "partnerListSize" < 0 or "totalSalesFromList" < 0)
             + (select count(*) from sales_ext.sales where amount < 0)
    """,
}
MARKED = """
    select (select count(*) from crm."ActivityLog" where notes like %(mark)s)
         + (select count(*) from crm."PipelineItem" where name like %(mark)s)
         + (select count(*) from crm."User" where name like %(mark)s)
         + (select count(*) from crm."Sublist" where name like %(mark)s)
         + (select count(*) from sales_ext.sales where sale_id like %(mark)s)
"""


def defect_counts(db) -> dict[str, int]:
    params = {name: list(values) for name, values in KNOWN.items()} | {"as_of": AS_OF}
    return {kind: count(db, statement, params) for kind, statement in DEFECT_SQL.items()}


def test_clean_data_has_none_of_the_defects(seeded, db):
    assert defect_counts(db) == dict.fromkeys(KINDS, 0)
    assert count(db, MARKED, {"mark": "BAD:%"}) == 0


def test_bad_rows_adds_n_rows_of_each_kind(warehouse, db):
    bad = 11  # more than any kind has variants, so every variant appears
    result = load(bad_rows=bad, enum_columns="text")
    per_kind = Counter(defect.kind for defect in result.manifest)
    assert per_kind == dict.fromkeys(KINDS, bad)
    tables = {(defect.kind, defect.table) for defect in result.manifest}
    assert {table for _, table in tables} == set(TABLES)
    assert defect_counts(db) == dict.fromkeys(KINDS, bad)
    stale = sum(1 for defect in result.manifest if defect.detail == "stale version")
    for kind in KINDS:  # every row but exact copies and KpiTarget's (no text column) is marked
        unmarked = sum(d.kind == kind and d.table == "KpiTarget" for d in result.manifest)
        marked = count(db, MARKED, {"mark": f"BAD:{kind}%"}) + unmarked
        assert marked == (stale if kind == "duplicate" else bad), kind
    manifest_ids = {(d.table, d.id) for d in result.manifest if d.table == "ActivityLog" and d.id}
    for table, defect_id in manifest_ids:
        assert (
            count(db, f"select count(*) from {QUALIFIED[table]} where id = %s", (defect_id,)) >= 1
        )
    again = load(bad_rows=bad, enum_columns="text")
    assert again.manifest == result.manifest, "defects are deterministic too"


def test_bad_rows_without_a_sales_feed_spread_over_the_crm_tables(warehouse, db):
    result = load(bad_rows=5, no_sales_feed=True, enum_columns="text")
    assert Counter(defect.kind for defect in result.manifest) == dict.fromkeys(KINDS, 5)
    assert all(defect.table != "sales" for defect in result.manifest)


def test_no_sales_feed_leaves_no_sales_table_and_replaces_everything(warehouse, db):
    load(bad_rows=2, enum_columns="text")
    assert count(db, "select to_regclass('sales_ext.sales') is not null")
    load(no_sales_feed=True)
    assert not count(db, "select to_regclass('sales_ext.sales') is not null")
    assert not count(db, "select to_regclass('sales_ext.sales_history') is not null")
    crm_marked = MARKED.replace(
        "+ (select count(*) from sales_ext.sales where sale_id like %(mark)s)", ""
    )
    assert count(db, crm_marked, {"mark": "BAD:%"}) == 0
    assert count(db, 'select count(*) - count(distinct id) from crm."User"') == 0


def test_a_new_feed_replaces_the_history_of_the_old_one(warehouse, db):
    load()
    query(db, "insert into sales_ext.sales_history select *, now() from sales_ext.sales limit 1")
    load()
    assert count(db, "select count(*) from sales_ext.sales_history") == 0


def test_a_failed_load_keeps_the_previous_data(warehouse, db, monkeypatch):
    load()
    before = table_hashes(db)
    real_generate = command.generate

    def generate_a_bad_sale(config):
        dataset = real_generate(config)
        sale = list(dataset.tables["sales"][-1])
        sale[0], sale[3] = "S-broken", "not-a-number"
        dataset.tables["sales"].append(tuple(sale))
        return dataset

    monkeypatch.setattr(command, "generate", generate_a_bad_sale)
    with pytest.raises(EmgError, match=r"loading sales_ext\.sales failed .*previous data"):
        load(seed=7, bad_rows=3, enum_columns="text")
    assert table_hashes(db) == before


# --- the enum columns' two shapes -----------------------------------------------------------

ENUM_SHAPE_SQL = """
    select table_name, column_name, data_type, udt_name
    from information_schema.columns
    where table_schema = 'crm' and (table_name, column_name) in %(columns)s
"""
ENUM_VALUES_SQL = """
    select types.typname, array_agg(labels.enumlabel order by labels.enumsortorder)
    from pg_type as types
    inner join pg_namespace as schemas on types.typnamespace = schemas.oid
    inner join pg_enum as labels on types.oid = labels.enumtypid
    where schemas.nspname = 'crm'
    group by 1
"""


def enum_shape(db) -> tuple[dict[tuple[str, str], tuple[str, str]], dict[str, tuple[str, ...]]]:
    """((table, column) -> (data_type, udt_name) of every enum column), (type -> its values)."""
    columns = query(db, ENUM_SHAPE_SQL, {"columns": tuple(ENUM_COLUMNS)})
    types = {name: tuple(values) for name, values in query(db, ENUM_VALUES_SQL)}
    return {(table, column): (kind, udt) for table, column, kind, udt in columns}, types


def test_tables_are_created_as_prisma_migrate_creates_them(seeded, db):
    columns, types = enum_shape(db)
    assert columns == {
        column: ("USER-DEFINED", type_name) for column, type_name in ENUM_COLUMNS.items()
    }
    assert types == ENUM_TYPES
    shapes = query(
        db,
        """select column_name, data_type, datetime_precision from information_schema.columns
           where table_schema = 'crm' and (column_name like '%%At' or column_name like '%%Date'
                                           or column_name in ('partnerListSize', 'targetValue'))
             and column_name not in ('effectiveFrom', 'effectiveTo')""",
    )
    assert {(kind, precision) for _, kind, precision in shapes} == {
        ("timestamp without time zone", 3),
        ("integer", None),
    }


def test_enum_columns_text_creates_them_as_text_and_no_enum_type(warehouse, db):
    load(enum_columns="text")
    columns, types = enum_shape(db)
    assert columns == dict.fromkeys(ENUM_COLUMNS, ("text", "text"))
    assert types == {}


def test_both_shapes_hold_the_same_rows_and_unknown_values_join_their_enum_type(warehouse, db):
    as_text = load(bad_rows=11, enum_columns="text")
    text_rows = table_hashes(db)
    as_enums = load(bad_rows=11)
    assert as_enums.manifest == as_text.manifest
    assert table_hashes(db) == text_rows
    # an unknown value is one the CRM added after the warehouse's models: its type lists it last
    assert enum_shape(db)[1] == ENUM_TYPES | {
        "Role": (*ROLES, "INTERN"),
        "PipelineStatus": (*STATUSES, "ON_HOLD"),
        "ActivityType": (*ACTIVITY_TYPES, "SMS"),
        "ActivityOutcome": (*OUTCOMES, "VOICEMAIL"),
        "KpiMetric": (*METRICS, "DEMOS_BOOKED"),
    }


# --- the command line ----------------------------------------------------------------------


def test_cli_generates_end_to_end_and_prints_a_summary(warehouse, db, tmp_path):
    sales_csv = tmp_path / "sales.csv"
    result = run_emg(
        "crm",
        "generate",
        "--as-of",
        "2026-11-25T15:00:00Z",
        "--bad-rows",
        "2",
        "--enum-columns",
        "text",
        "--sales-csv",
        str(sales_csv),
    )
    assert "injected 2 bad rows of each kind: duplicate 2" in result.stdout
    assert "enum columns as text)" in result.stdout
    assert "unknown enum values added" not in result.stdout
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("loaded ") and "rows into 6 tables in" in last and "rows/s)" in last
    assert "Traceback" not in result.stderr
    rows = list(csv.DictReader(io.StringIO(sales_csv.read_text())))
    clean_sales = count(db, "select count(*) from sales_ext.sales where sale_id not like 'BAD:%%'")
    assert len(rows) == clean_sales > 0
    assert list(rows[0]) == ["sale_id", "pipeline_item_id", "sold_at", "amount", "currency"]
    assert datetime.fromisoformat(rows[0]["sold_at"]).utcoffset() is not None


def test_cli_refuses_a_bad_option_in_one_line(warehouse):
    result = run_emg("crm", "generate", "--scale", "0", check=False)
    assert result.returncode == 2  # a usage error, as click has it
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("emg: error: Invalid value for '--scale'")
    assert "0 is not in the range 1<=x<=10000" in lines[0]
